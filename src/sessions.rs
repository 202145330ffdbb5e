//! Browser sessions live in the application's database (SQLite or PostgreSQL), so every
//! instance sharing the database shares them. This picks the store for the pool in use, and
//! fails at once while the database is known to be down, as every other query does.

use app::db::{Db, Pool};
use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The session table, created by our own migrations (0002).
const TABLE: &str = "sessions";

#[derive(Clone, Debug)]
pub struct Sessions {
    store: Store,
    db: Db,
}

#[derive(Clone, Debug)]
enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Runs the same call on whichever store is in use, unless the database is known down.
macro_rules! on_store {
    ($self:ident, |$store:ident| $call:expr) => {{
        $self
            .db
            .available()
            .map_err(|e| session_store::Error::Backend(e.to_string()))?;
        match &$self.store {
            Store::Sqlite($store) => $call,
            Store::Postgres($store) => $call,
        }
    }};
}

impl Sessions {
    pub fn new(db: &Db) -> Self {
        let store = match db.pool() {
            Pool::Sqlite(pool) => Store::Sqlite(
                SqliteStore::new(pool.clone())
                    .with_table_name(TABLE)
                    .expect("a valid table name"),
            ),
            Pool::Postgres(pool) => Store::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name(TABLE))
                    .expect("a valid table name"),
            ),
        };
        Self {
            store,
            db: db.clone(),
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, |s| s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, |s| s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, |s| s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, |s| s.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, |s| s.delete_expired().await)
    }
}
