//! A statement written once for both engines: its SQL, and its values bound for the engine
//! the database runs on. It is made by a handle ([`Db::read`](super::Db::read),
//! [`Db::write`](super::Db::write), [`Writer::sql`](super::Writer::sql),
//! [`Tx::sql`](super::Tx::sql)), which runs it with what that kind of statement needs (see
//! the module notes of [`crate::db`]); the choice of engine is made here, once, for every
//! query of the product.

use std::borrow::Cow;

use sqlx::{
    encode::Encode,
    error::BoxDynError,
    postgres::{PgArguments, PgQueryResult, PgRow},
    sqlite::{SqliteArguments, SqliteQueryResult, SqliteRow},
    Arguments as _, Decode, FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection,
    SqlitePool, Type,
};

/// A value either engine can bind.
pub trait Value<'q>:
    Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}

impl<'q, T> Value<'q> for T where
    T: Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}

/// A row either engine can decode into (`#[derive(sqlx::FromRow)]` structs, tuples).
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// A column either engine can decode: what [`Query::scalar`] and its kin read.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}

impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// The values of a statement, for the engine it will run on.
enum Arguments<'q> {
    Sqlite(SqliteArguments<'q>),
    Postgres(PgArguments),
}

/// A statement's SQL and its values.
pub struct Statement<'q> {
    sql: Cow<'q, str>,
    arguments: Arguments<'q>,
    /// The first value that could not be encoded: the statement then fails when run.
    unencodable: Option<BoxDynError>,
}

/// Where a statement runs: a connection of either engine, or a pool of read-only work.
pub(super) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
    SqliteReads(&'c SqlitePool),
    PostgresReads(&'c PgPool),
}

/// What a statement's run gives: its rows, or how many rows it changed.
#[doc(hidden)]
pub enum Done<R> {
    Rows(Vec<R>),
    Optional(Option<R>),
    Affected(u64),
}

/// What to read of a statement.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Fetch {
    All,
    /// The first row. A statement that writes is still read to its end (see [`crate::db`]).
    First,
    Affected,
}

/// Runs statements for [`Query`]: with the outage check, the write turn or the
/// transaction its handle stands for.
pub trait Target: Send {
    #[doc(hidden)]
    fn run<R: Row>(
        self,
        statement: Statement<'_>,
        fetch: Fetch,
    ) -> impl std::future::Future<Output = Result<Done<R>, sqlx::Error>> + Send;
}

/// The error of a statement run on an engine it was not made for: cannot happen, since a
/// handle makes its statements for its own engine.
fn other_engine() -> sqlx::Error {
    sqlx::Error::Protocol("a statement was run on another engine than it was made for".into())
}

impl<'q> Statement<'q> {
    pub(super) fn new(sql: impl Into<Cow<'q, str>>, sqlite: bool) -> Self {
        Self {
            sql: sql.into(),
            arguments: if sqlite {
                Arguments::Sqlite(SqliteArguments::default())
            } else {
                Arguments::Postgres(PgArguments::default())
            },
            unencodable: None,
        }
    }

    fn bind<T: Value<'q>>(&mut self, value: T) {
        if self.unencodable.is_some() {
            return;
        }
        let added = match &mut self.arguments {
            Arguments::Sqlite(arguments) => arguments.add(value),
            Arguments::Postgres(arguments) => arguments.add(value),
        };
        if let Err(error) = added {
            self.unencodable = Some(error);
        }
    }

    /// Runs the statement on `conn`. A connection's rows (a write's) are read to their
    /// end whatever `fetch` says; a read stops at the first row when only it is wanted.
    pub(super) async fn run<R: Row>(
        self,
        conn: Conn<'_>,
        fetch: Fetch,
    ) -> Result<Done<R>, sqlx::Error> {
        if let Some(error) = self.unencodable {
            return Err(sqlx::Error::Encode(error));
        }
        let sql = self.sql.as_ref();
        let (sqlite, postgres) = (
            SqliteQueryResult::rows_affected,
            PgQueryResult::rows_affected,
        );
        match (conn, self.arguments) {
            (Conn::Sqlite(conn), Arguments::Sqlite(values)) => {
                run_on(conn, sql, values, fetch, true, sqlite).await
            }
            (Conn::SqliteReads(pool), Arguments::Sqlite(values)) => {
                run_on(pool, sql, values, fetch, false, sqlite).await
            }
            (Conn::Postgres(conn), Arguments::Postgres(values)) => {
                run_on(conn, sql, values, fetch, true, postgres).await
            }
            (Conn::PostgresReads(pool), Arguments::Postgres(values)) => {
                run_on(pool, sql, values, fetch, false, postgres).await
            }
            _ => Err(other_engine()),
        }
    }
}

/// Runs `sql` with `values` on `executor`; `drain` reads every row even when only the first
/// is wanted; `affected` reads the engine's count of changed rows.
async fn run_on<'e, DB, E, R>(
    executor: E,
    sql: &'e str,
    values: <DB as sqlx::Database>::Arguments<'e>,
    fetch: Fetch,
    drain: bool,
    affected: fn(&DB::QueryResult) -> u64,
) -> Result<Done<R>, sqlx::Error>
where
    DB: sqlx::Database,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
    E: sqlx::Executor<'e, Database = DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
{
    match fetch {
        Fetch::Affected => {
            let done = sqlx::query_with::<DB, _>(sql, values)
                .execute(executor)
                .await?;
            Ok(Done::Affected(affected(&done)))
        }
        Fetch::All => {
            let rows = sqlx::query_as_with::<DB, R, _>(sql, values)
                .fetch_all(executor)
                .await?;
            Ok(Done::Rows(rows))
        }
        Fetch::First if drain => {
            let rows = sqlx::query_as_with::<DB, R, _>(sql, values)
                .fetch_all(executor)
                .await?;
            Ok(Done::Optional(rows.into_iter().next()))
        }
        Fetch::First => {
            let row = sqlx::query_as_with::<DB, R, _>(sql, values)
                .fetch_optional(executor)
                .await?;
            Ok(Done::Optional(row))
        }
    }
}

/// A statement being bound, then run by its handle `T` (see [`Target`]).
pub struct Query<'q, T> {
    target: T,
    statement: Statement<'q>,
}

impl<'q, T: Target> Query<'q, T> {
    pub(super) fn new(target: T, statement: Statement<'q>) -> Self {
        Self { target, statement }
    }

    /// Binds the next `$n`.
    pub fn bind<V: Value<'q>>(mut self, value: V) -> Self {
        self.statement.bind(value);
        self
    }

    /// Every row.
    pub async fn all<R: Row>(self) -> Result<Vec<R>, sqlx::Error> {
        match self.target.run::<R>(self.statement, Fetch::All).await? {
            Done::Rows(rows) => Ok(rows),
            _ => Err(other_engine()),
        }
    }

    /// The first row, if any.
    pub async fn optional<R: Row>(self) -> Result<Option<R>, sqlx::Error> {
        match self.target.run::<R>(self.statement, Fetch::First).await? {
            Done::Optional(row) => Ok(row),
            _ => Err(other_engine()),
        }
    }

    /// The first row; `RowNotFound` if there is none.
    pub async fn one<R: Row>(self) -> Result<R, sqlx::Error> {
        self.optional().await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of every row.
    pub async fn scalars<S: Scalar>(self) -> Result<Vec<S>, sqlx::Error> {
        Ok(self
            .all::<(S,)>()
            .await?
            .into_iter()
            .map(|(s,)| s)
            .collect())
    }

    /// The first column of the first row, if any.
    pub async fn scalar_optional<S: Scalar>(self) -> Result<Option<S>, sqlx::Error> {
        Ok(self.optional::<(S,)>().await?.map(|(s,)| s))
    }

    /// The first column of the first row; `RowNotFound` if there is none.
    pub async fn scalar<S: Scalar>(self) -> Result<S, sqlx::Error> {
        Ok(self.one::<(S,)>().await?.0)
    }

    /// Runs it for what it changes: how many rows.
    pub async fn execute(self) -> Result<u64, sqlx::Error> {
        match self
            .target
            .run::<NoRow>(self.statement, Fetch::Affected)
            .await?
        {
            Done::Affected(count) => Ok(count),
            _ => Err(other_engine()),
        }
    }
}

/// The row type of a statement run for what it changes (never decoded).
struct NoRow;

impl<'r, R: sqlx::Row> FromRow<'r, R> for NoRow {
    fn from_row(_: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self)
    }
}
