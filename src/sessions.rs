//! Browser sessions live in the application's database (SQLite or PostgreSQL), so every
//! instance sharing the database shares them. This picks the store for the pool in use, and
//! fails at once while the database is known to be down, as every other query does.

use app::db::{Db, LibraryPools};
use async_trait::async_trait;
use sqlx::SqlitePool;
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
    /// Loads read through `reads` (read-only connections); saves and deletions go through
    /// `writes` (`Db::library_pools`) while holding the write turn, so they queue with the
    /// application's other writes instead of racing for SQLite's lock.
    Sqlite {
        reads: SqliteStore,
        writes: SqliteStore,
    },
    Postgres(PostgresStore),
}

impl Sessions {
    pub fn new(db: &Db) -> Self {
        let sqlite = |pool: SqlitePool| {
            SqliteStore::new(pool)
                .with_table_name(TABLE)
                .expect("a valid table name")
        };
        let store = match db.library_pools() {
            LibraryPools::Postgres(pool) => Store::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name(TABLE))
                    .expect("a valid table name"),
            ),
            LibraryPools::Sqlite { reads, turn_first } => Store::Sqlite {
                reads: sqlite(reads.clone()),
                writes: sqlite(turn_first.clone()),
            },
        };
        Self {
            store,
            db: db.clone(),
        }
    }
}

/// Runs the same call on the store in use, unless the database is known down: `read` on
/// SQLite's read-only connections, `write` with the write turn.
macro_rules! on_store {
    ($self:ident, read, |$store:ident| $call:expr) => {{
        $self.available()?;
        match &$self.store {
            Store::Sqlite { reads: $store, .. } => $call,
            Store::Postgres($store) => $call,
        }
    }};
    ($self:ident, write, |$store:ident| $call:expr) => {{
        $self.available()?;
        match &$self.store {
            Store::Sqlite { writes: $store, .. } => {
                let _turn = $self.db.write_turn().await;
                $call
            }
            Store::Postgres($store) => $call,
        }
    }};
}

impl Sessions {
    fn available(&self) -> session_store::Result<()> {
        self.db
            .available()
            .map_err(|e| session_store::Error::Backend(e.to_string()))
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, write, |s| s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, write, |s| s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, read, |s| s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, write, |s| s.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, write, |s| s.delete_expired().await)
    }
}
