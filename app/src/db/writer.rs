//! The one way to write: a [`Writer`], which only [`Db::writer`] hands out, and only with
//! what every write needs. On SQLite it holds this process's write turn for as long as it
//! lives; on both engines it exists only while the database is not known to be down; its
//! statements ([`Writer::sql`], [`Tx::sql`], [`Db::write`]) are read to their end (see the
//! notes of [`crate::db`]), and a connection left unsettled by a failure is closed. The
//! engine's own transaction ([`Tx::engine`]) is an executor of the same kind. Neither gives
//! out its raw connection.

use std::{borrow::Cow, fmt};

use futures_util::{future::BoxFuture, stream::BoxStream, TryStreamExt as _};
use sqlx::{
    pool::PoolConnection, Database, Describe, Either, Execute, Executor, Postgres, Sqlite,
    Transaction,
};
use tokio::sync::SemaphorePermit;

use super::{
    statement::{Conn, Done, Fetch, Query, Row, Statement, Target},
    Db, Pool,
};

/// A connection to write through, with the write turn on SQLite: see the module notes.
pub struct Writer<'db> {
    db: &'db Db,
    connection: Connection,
    /// Whether the connection may be left in a state sqlx does not know of: a statement,
    /// COMMIT or ROLLBACK failed, or a transaction was dropped unfinished. On SQLite it is
    /// then closed rather than reused: it may be left inside a transaction SQLite has (or
    /// has not) rolled back while sqlx counts it as still open, its next "transaction" would
    /// be a savepoint whose release commits nothing, and a write would be acknowledged that
    /// was never stored. (On PostgreSQL a failed transaction is rolled back when dropped.)
    unsettled: bool,
    /// SQLite's write turn; `None` on PostgreSQL, where row locks order writers.
    _turn: Option<SemaphorePermit<'db>>,
}

/// The connection of a [`Writer`], of the engine in use.
enum Connection {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A transaction of a [`Writer`]: rolled back if dropped before [`Tx::commit`].
pub struct Tx<'w> {
    db: &'w Db,
    tx: EngineTx<'w>,
    unsettled: &'w mut bool,
}

/// A transaction of the engine in use, for what only one engine says (locks, arrays): see
/// [`Tx::engine`]. Each is an executor that reads every statement to its end.
pub enum EngineTx<'w> {
    Sqlite(WriterTx<'w, Sqlite>),
    Postgres(WriterTx<'w, Postgres>),
}

/// A transaction of one engine: see [`EngineTx`].
pub struct WriterTx<'w, DB: Database> {
    tx: Transaction<'w, DB>,
}

impl Db {
    /// A [`Writer`]: fails at once while the database is known to be down. On SQLite it
    /// takes a connection of the write pool, then waits for this process's one write turn:
    /// writers queue here, in order and asleep, instead of racing for SQLite's write lock,
    /// where each loser sleeps in SQLite's busy handler (1, 2, 5, 10 ms and up) and a
    /// write's tail grew to tens of milliseconds under concurrency. The connection is taken
    /// first so that waiting for one is not part of the one-at-a-time stretch. Readers never
    /// wait for the turn.
    pub async fn writer(&self) -> Result<Writer<'_>, sqlx::Error> {
        self.available()?;
        let acquired = match self.unguarded_pool() {
            Pool::Sqlite(pool) => pool.acquire().await.map(Connection::Sqlite),
            Pool::Postgres(pool) => pool.acquire().await.map(Connection::Postgres),
        };
        self.observe(&acquired);
        let connection = acquired?;
        let turn = self.write_turn().await;
        Ok(Writer {
            db: self,
            connection,
            unsettled: false,
            _turn: turn,
        })
    }

    /// One statement that writes, on a [`Writer`] of its own, committed on its own.
    pub fn write<'q>(&self, sql: impl Into<Cow<'q, str>>) -> Query<'q, Writing<'_>> {
        Query::new(Writing(self), Statement::new(sql, self.is_sqlite()))
    }
}

/// The handle of [`Db::write`].
pub struct Writing<'db>(&'db Db);

impl Target for Writing<'_> {
    async fn run<R: Row>(
        self,
        statement: Statement<'_>,
        fetch: Fetch,
    ) -> Result<Done<R>, sqlx::Error> {
        let mut writer = self.0.writer().await?;
        writer.run(statement, fetch).await
    }
}

impl Target for &mut Writer<'_> {
    async fn run<R: Row>(
        self,
        statement: Statement<'_>,
        fetch: Fetch,
    ) -> Result<Done<R>, sqlx::Error> {
        let conn = match &mut self.connection {
            Connection::Sqlite(connection) => Conn::Sqlite(connection),
            Connection::Postgres(connection) => Conn::Postgres(connection),
        };
        let done = statement.run(conn, fetch).await;
        self.unsettled |= done.is_err();
        self.db.observe(&done);
        done
    }
}

impl Target for &mut Tx<'_> {
    async fn run<R: Row>(
        self,
        statement: Statement<'_>,
        fetch: Fetch,
    ) -> Result<Done<R>, sqlx::Error> {
        let conn = match &mut self.tx {
            EngineTx::Sqlite(tx) => Conn::Sqlite(&mut tx.tx),
            EngineTx::Postgres(tx) => Conn::Postgres(&mut tx.tx),
        };
        let done = statement.run(conn, fetch).await;
        self.note(&done);
        done
    }
}

impl<'db> Writer<'db> {
    /// A statement outside any transaction (committed on its own).
    pub fn sql<'q>(&mut self, sql: impl Into<Cow<'q, str>>) -> Query<'q, &mut Self> {
        let sqlite = self.db.is_sqlite();
        Query::new(self, Statement::new(sql, sqlite))
    }

    /// Begins a transaction (a deferred one on SQLite: this process's other writers wait
    /// for the turn this writer holds).
    pub async fn begin(&mut self) -> Result<Tx<'_>, sqlx::Error> {
        self.begin_with("begin").await
    }

    /// Begins a transaction that takes SQLite's write lock at once (`begin immediate`): one
    /// that read first could not take it later once another connection had written since
    /// (SQLITE_BUSY_SNAPSHOT, at once, whatever the busy timeout).
    pub async fn begin_immediate(&mut self) -> Result<Tx<'_>, sqlx::Error> {
        let begin = if self.db.is_sqlite() {
            "begin immediate"
        } else {
            "begin"
        };
        self.begin_with(begin).await
    }

    async fn begin_with(&mut self, begin: &'static str) -> Result<Tx<'_>, sqlx::Error> {
        // Unsettled until committed or rolled back.
        self.unsettled = true;
        let begun = match &mut self.connection {
            Connection::Sqlite(connection) => {
                sqlx::Connection::begin_with(&mut **connection, begin)
                    .await
                    .map(|tx| EngineTx::Sqlite(WriterTx { tx }))
            }
            Connection::Postgres(connection) => {
                sqlx::Connection::begin_with(&mut **connection, begin)
                    .await
                    .map(|tx| EngineTx::Postgres(WriterTx { tx }))
            }
        };
        self.db.observe(&begun);
        Ok(Tx {
            db: self.db,
            tx: begun?,
            unsettled: &mut self.unsettled,
        })
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if let (true, Connection::Sqlite(connection)) = (self.unsettled, &mut self.connection) {
            connection.close_on_drop();
        }
    }
}

impl<'w> Tx<'w> {
    /// A statement in this transaction.
    pub fn sql<'q>(&mut self, sql: impl Into<Cow<'q, str>>) -> Query<'q, &mut Self> {
        let sqlite = self.db.is_sqlite();
        Query::new(self, Statement::new(sql, sqlite))
    }

    /// The transaction as its engine's, for what only that engine says. Whoever runs a
    /// statement through it passes the outcome to [`Tx::note`].
    pub fn engine(&mut self) -> &mut EngineTx<'w> {
        &mut self.tx
    }

    /// Looks at the outcome of a statement run through [`Tx::engine`]: an error may say the
    /// database is down. (The connection is closed after any failure anyway: its writer
    /// counts a transaction unsettled from its begin until it commits or rolls back.)
    pub fn note<T>(&mut self, outcome: &Result<T, sqlx::Error>) {
        self.db.observe(outcome);
    }

    /// The database this transaction writes to.
    pub fn db(&self) -> &'w Db {
        self.db
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let committed = match self.tx {
            EngineTx::Sqlite(tx) => tx.tx.commit().await,
            EngineTx::Postgres(tx) => tx.tx.commit().await,
        };
        self.db.observe(&committed);
        *self.unsettled = committed.is_err();
        committed
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        let rolled_back = match self.tx {
            EngineTx::Sqlite(tx) => tx.tx.rollback().await,
            EngineTx::Postgres(tx) => tx.tx.rollback().await,
        };
        self.db.observe(&rolled_back);
        *self.unsettled = rolled_back.is_err();
        rolled_back
    }
}

impl fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("engine", &self.db.backend())
            .finish()
    }
}

impl fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx")
            .field("engine", &self.db.backend())
            .finish()
    }
}

impl<DB: Database> fmt::Debug for WriterTx<'_, DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriterTx")
            .field("engine", &DB::NAME)
            .finish()
    }
}

/// What a statement gives, step by step: a statement's outcome or a row.
type Steps<'e, DB> = BoxStream<
    'e,
    Result<Either<<DB as Database>::QueryResult, <DB as Database>::Row>, sqlx::Error>,
>;

/// Reads `rows` to their end and keeps the first row: what `fetch_one` and `fetch_optional`
/// do through a writer.
async fn first_of_all<DB: Database>(
    mut rows: Steps<'_, DB>,
) -> Result<Option<DB::Row>, sqlx::Error> {
    let mut first = None;
    while let Some(step) = rows.try_next().await? {
        if let (None, Either::Right(row)) = (&first, step) {
            first = Some(row);
        }
    }
    Ok(first)
}

/// A [`WriterTx`] is an executor of its engine that passes statements to its transaction,
/// but reads every statement to its end.
impl<'c, DB> Executor<'c> for &'c mut WriterTx<'_, DB>
where
    DB: Database,
    for<'x> &'x mut DB::Connection: Executor<'x, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> Steps<'e, DB>
    where
        'c: 'e,
        E: 'q + Execute<'q, DB>,
    {
        (&mut *self.tx).fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, DB>,
    {
        Box::pin(first_of_all::<DB>(self.fetch_many(query)))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [DB::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        (&mut *self.tx).prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<DB>, sqlx::Error>>
    where
        'c: 'e,
    {
        (&mut *self.tx).describe(sql)
    }
}
