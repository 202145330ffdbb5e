//! Why the server could not start: the database, the signing key or a file.

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the database could not be opened: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database could not be reached within {waited_secs}s: {cause}")]
    Unreachable { waited_secs: u64, cause: String },
    #[error("the database schema could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Secret(String),
}
