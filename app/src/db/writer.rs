//! The one way to write: a [`Writer`], which only [`Db::writer`] hands out, and only with
//! what every write needs. On SQLite it holds this process's write turn for as long as it
//! lives; on both engines it exists only while the database is not known to be down; and as
//! an executor it reads every statement to its end, even through `fetch_one` and
//! `fetch_optional` (see the notes of [`crate::db`]). Its transactions ([`WriterTx`]) are
//! executors of the same kind. Neither gives out its raw connection.

use std::{borrow::Cow, fmt};

use futures_util::{future::BoxFuture, stream::BoxStream, TryStreamExt as _};
use sqlx::{
    pool::PoolConnection, Database, Describe, Either, Execute, Executor, Postgres, Sqlite,
    Transaction,
};
use tokio::sync::SemaphorePermit;

use super::{Db, Pool};

/// A connection to write through, with the write turn on SQLite: see the module notes.
pub struct Writer<'db, DB: Database> {
    connection: PoolConnection<DB>,
    /// SQLite's write turn; `None` on PostgreSQL, where row locks order writers.
    _turn: Option<SemaphorePermit<'db>>,
}

/// A [`Writer`] of whichever engine the database runs on.
pub enum Writers<'db> {
    Sqlite(Writer<'db, Sqlite>),
    Postgres(Writer<'db, Postgres>),
}

/// A transaction of a [`Writer`]: rolled back if dropped before [`WriterTx::commit`].
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
    pub async fn writer(&self) -> Result<Writers<'_>, sqlx::Error> {
        self.available()?;
        Ok(match self.unguarded_pool() {
            Pool::Sqlite(pool) => {
                let connection = pool.acquire().await?;
                let turn = self.write_turn().await;
                Writers::Sqlite(Writer {
                    connection,
                    _turn: turn,
                })
            }
            Pool::Postgres(pool) => Writers::Postgres(Writer {
                connection: pool.acquire().await?,
                _turn: None,
            }),
        })
    }
}

impl<'db, DB: Database> Writer<'db, DB> {
    /// Begins a transaction.
    pub async fn begin(&mut self) -> Result<WriterTx<'_, DB>, sqlx::Error> {
        Ok(WriterTx {
            tx: sqlx::Connection::begin(&mut *self.connection).await?,
        })
    }

    /// Begins a transaction with `statement` (`begin immediate` on SQLite).
    pub async fn begin_with(
        &mut self,
        statement: impl Into<Cow<'static, str>>,
    ) -> Result<WriterTx<'_, DB>, sqlx::Error> {
        Ok(WriterTx {
            tx: sqlx::Connection::begin_with(&mut *self.connection, statement).await?,
        })
    }

    /// Ends this writer after `result`: a connection whose statement or COMMIT failed is
    /// closed, never reused. It may be left inside a transaction SQLite has (or has not)
    /// rolled back while sqlx counts it as still open: its next "transaction" would then be
    /// a savepoint whose release commits nothing, and a write would be acknowledged that was
    /// never stored. (On PostgreSQL a failed transaction is rolled back when dropped.)
    pub fn settle<T>(mut self, result: &Result<T, sqlx::Error>) {
        if result.is_err() && DB::NAME == Sqlite::NAME {
            self.connection.close_on_drop();
        }
    }
}

impl<DB: Database> WriterTx<'_, DB> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl<DB: Database> fmt::Debug for Writer<'_, DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer").field("engine", &DB::NAME).finish()
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

/// `impl Executor` for a writer type of both engines, passing statements to the connection
/// `$connection` gives, but reading every statement to its end.
macro_rules! drained_executor {
    ($writer:ident, |$this:ident| $connection:expr) => {
        impl<'c, 'h, DB> Executor<'c> for &'c mut $writer<'h, DB>
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
                let $this = self;
                $connection.fetch_many(query)
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
                let $this = self;
                $connection.prepare_with(sql, parameters)
            }

            fn describe<'e, 'q: 'e>(
                self,
                sql: &'q str,
            ) -> BoxFuture<'e, Result<Describe<DB>, sqlx::Error>>
            where
                'c: 'e,
            {
                let $this = self;
                $connection.describe(sql)
            }
        }
    };
}

drained_executor!(Writer, |this| &mut *this.connection);
drained_executor!(WriterTx, |this| &mut *this.tx);

/// Runs a statement or transaction that writes: `with_writer!(db, |writer| expr)`, where
/// `writer` is a `&mut` [`Writer`] of the engine in use (the code is expanded once per
/// engine) and `expr` a `Result<_, sqlx::Error>`. Fails at once while the database is known
/// to be down, and an unavailable error marks it down; see [`Db::writer`] and
/// [`Writer::settle`].
#[macro_export]
macro_rules! with_writer {
    ($db:expr, |$writer:ident| $body:expr) => {{
        let db: &$crate::db::Db = &*$db;
        let result = match db.writer().await {
            Err(error) => Err(error),
            Ok($crate::db::Writers::Sqlite(mut writer)) => {
                let result = {
                    let $writer = &mut writer;
                    $body
                };
                writer.settle(&result);
                result
            }
            Ok($crate::db::Writers::Postgres(mut writer)) => {
                let result = {
                    let $writer = &mut writer;
                    $body
                };
                writer.settle(&result);
                result
            }
        };
        db.observe(&result);
        result
    }};
}
