//! The server's configuration, read once from the environment (and `.env` in development).
//!
//! Every variable is listed in [`VARIABLES`], which is also what `--help` prints, so the
//! documentation cannot drift from what is read. A bad value is reported as one line naming
//! the variable, never as a panic.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use axum_client_ip::ClientIpSource;
use leptos::config::{Env, LeptosOptions};
use secrecy::SecretString;

mod variables;

use variables::default_of;
pub use variables::{help_text, Variable, VARIABLES};

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

/// How long the server waits on the database, and how large SQLite may grow.
#[derive(Clone, Copy, Debug)]
pub struct DatabaseLimits {
    pub startup_timeout: Duration,
    pub acquire_timeout: Duration,
    pub statement_timeout: Duration,
    /// `None`: no limit.
    pub sqlite_max_bytes: Option<u64>,
    pub sqlite_wal_limit_bytes: u64,
    /// How long an SQLite write waits for another process's write lock.
    pub sqlite_busy_timeout: Duration,
    /// The most tasks one account holds (imports included).
    pub tasks_per_account: u64,
}

/// What the HTTP layer needs and the shared application state does not: cookies, CORS,
/// client addresses, and how long clients, requests and shutting down may take.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Mark the session cookie `Secure` (the site is served over HTTPS).
    pub cookie_secure: bool,
    /// A browser session ends after this long without a visit.
    pub session_ttl: Duration,
    /// Where the client's address comes from: the socket, or a proxy's header.
    pub client_ip_source: ClientIpSource,
    /// Origins whose pages may call the JSON API with a bearer token.
    pub cors_origins: Vec<String>,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub shutdown_grace: Duration,
    /// Pages rendered at once; further page requests wait for a turn.
    pub page_renders: usize,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    pub database: DatabaseLimits,
    pub http: HttpSettings,
    pub log_filter: String,
    pub leptos_options: LeptosOptions,
    /// `None`: generate one into `data_dir` on first start.
    pub jwt_secret: Option<SecretString>,
    pub data_dir: PathBuf,
    pub throttle: app::auth::throttle::Throttle,
    /// Password hashes that may wait for a core before signups and logins answer 503.
    pub password_queue: u32,
    /// Live event streams.
    pub events: EventSettings,
    /// Let webhooks point to loopback, private and link-local addresses (tests, a closed
    /// network): `WEBHOOKS_ALLOW_PRIVATE`.
    pub webhooks_allow_private: bool,
}

/// The live event streams (`/api/{user_id}/events` and the page's).
#[derive(Clone, Copy, Debug)]
pub struct EventSettings {
    /// Streams one user may hold open on this instance at once; one more is 429.
    pub streams_per_user: usize,
    /// An idle stream sends a comment this often, so proxies keep it open.
    pub keep_alive: Duration,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, falling back to each variable's default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| -> (&'static str, String) {
            let value = lookup(name).filter(|v| !v.trim().is_empty());
            (name, value.unwrap_or_else(|| default_of(name).to_string()))
        };

        let (name, database_url) = get("DATABASE_URL");
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(problem(name, "must start with sqlite: or postgres:"));
        }

        let number = |name: &'static str, low: u32, high: u32| -> Result<u32, ConfigError> {
            let (name, raw) = get(name);
            match raw.trim().parse::<u32>() {
                Ok(n) if (low..=high).contains(&n) => Ok(n),
                _ => Err(problem(
                    name,
                    format!("'{raw}' is not a whole number from {low} to {high}"),
                )),
            }
        };
        let database_max_connections = number("DATABASE_MAX_CONNECTIONS", 1, 1000)?;
        let session_ttl_hours = number("SESSION_TTL_HOURS", 1, 8760)?;
        let secs = |name, low, high| number(name, low, high).map(|n| Duration::from_secs(n.into()));
        let throttle = app::auth::throttle::Throttle {
            login_failures_per_account_and_address: number("LOGIN_MAX_FAILURES", 1, 100_000)?,
            login_failures_per_account: number("LOGIN_MAX_FAILURES_PER_ACCOUNT", 1, 100_000)?,
            login_failures_per_address: number("LOGIN_MAX_FAILURES_PER_ADDRESS", 1, 100_000)?,
            login_window: secs("LOGIN_FAILURE_WINDOW_SECS", 1, 86_400)?,
            signups_per_address: number("SIGNUPS_PER_HOUR", 1, 1_000_000)?,
            signup_window: Duration::from_secs(3600),
        };
        let password_queue = number("PASSWORD_QUEUE", 0, 100_000)?;
        let page_renders = match number("PAGE_RENDERS", 0, 100_000)? {
            0 => 4 * cores(),
            n => n as usize,
        };
        let events = EventSettings {
            streams_per_user: number("EVENT_STREAMS_PER_USER", 1, 100_000)? as usize,
            keep_alive: secs("EVENT_KEEP_ALIVE_SECS", 1, 3600)?,
        };
        const MIB: u64 = 1024 * 1024;
        let database = DatabaseLimits {
            startup_timeout: secs("DATABASE_STARTUP_TIMEOUT_SECS", 0, 3600)?,
            acquire_timeout: secs("DATABASE_ACQUIRE_TIMEOUT_SECS", 1, 300)?,
            statement_timeout: secs("DATABASE_STATEMENT_TIMEOUT_SECS", 1, 3600)?,
            sqlite_max_bytes: match number("SQLITE_MAX_SIZE_MB", 0, 16 * 1024 * 1024)? {
                0 => None,
                mib => Some(u64::from(mib) * MIB),
            },
            sqlite_wal_limit_bytes: u64::from(number("SQLITE_WAL_LIMIT_MB", 1, 4096)?) * MIB,
            sqlite_busy_timeout: Duration::from_millis(
                number("SQLITE_BUSY_TIMEOUT_MS", 0, 60_000)?.into(),
            ),
            tasks_per_account: u64::from(number("TASKS_PER_ACCOUNT", 1, 100_000_000)?),
        };
        let request_timeout = secs("REQUEST_TIMEOUT_SECS", 1, 3600)?;
        let header_read_timeout = secs("HEADER_READ_TIMEOUT_SECS", 1, 3600)?;
        let shutdown_grace = secs("SHUTDOWN_GRACE_SECS", 0, 3600)?;

        let jwt_secret = match lookup("JWT_SECRET").filter(|v| !v.is_empty()) {
            Some(secret) if secret.len() < 32 => {
                return Err(problem(
                    "JWT_SECRET",
                    format!(
                        "is {} bytes long; use at least 32 random bytes",
                        secret.len()
                    ),
                ))
            }
            Some(secret) => Some(SecretString::from(secret)),
            None => None,
        };

        let boolean = |variable: &'static str| {
            let (name, value) = get(variable);
            match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(problem(
                    name,
                    format!("'{value}' is neither true nor false"),
                )),
            }
        };
        let cookie_secure = boolean("COOKIE_SECURE")?;
        let webhooks_allow_private = boolean("WEBHOOKS_ALLOW_PRIVATE")?;

        let mut cors_origins = Vec::new();
        for origin in lookup("CORS_ORIGINS").unwrap_or_default().split(',') {
            let origin = origin.trim().trim_end_matches('/');
            if origin.is_empty() {
                continue;
            }
            let well_formed = origin.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains('/')
            });
            if !well_formed {
                return Err(problem(
                    "CORS_ORIGINS",
                    format!("'{origin}' is not an origin such as https://app.example.com"),
                ));
            }
            cors_origins.push(origin.to_string());
        }

        let (name, source) = get("CLIENT_IP_SOURCE");
        let client_ip_source = ClientIpSource::from_str(source.trim())
            .map_err(|_| problem(name, format!("'{source}' is not a known source")))?;

        let (name, addr) = get("LEPTOS_SITE_ADDR");
        let site_addr = SocketAddr::from_str(addr.trim()).map_err(|_| {
            problem(
                name,
                format!("'{addr}' is not an address and port such as 127.0.0.1:3000"),
            )
        })?;

        let (name, env) = get("LEPTOS_ENV");
        let env = match env.trim().to_ascii_uppercase().as_str() {
            "PROD" | "PRODUCTION" => Env::PROD,
            "DEV" | "DEVELOPMENT" => Env::DEV,
            _ => return Err(problem(name, format!("'{env}' is neither PROD nor DEV"))),
        };

        let (name, log_filter) = get("RUST_LOG");
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
            return Err(problem(
                name,
                format!("'{log_filter}' is not a valid filter: {e}"),
            ));
        }

        // Leptos looks for the hash file beside the running binary (an absolute name is
        // taken as it is).
        let hash_file = get("LEPTOS_HASH_FILE_NAME").1;
        let (name, hash_files) = get("LEPTOS_HASH_FILES");
        let hash_files = match hash_files.trim().to_ascii_lowercase().as_str() {
            "(auto)" | "auto" => std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(&hash_file)))
                .is_some_and(|path| path.is_file()),
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            other => {
                return Err(problem(
                    name,
                    format!("'{other}' is neither true nor false"),
                ))
            }
        };

        let leptos_options = LeptosOptions::builder()
            .output_name(Arc::<str>::from(get("LEPTOS_OUTPUT_NAME").1))
            .site_root(Arc::<str>::from(get("LEPTOS_SITE_ROOT").1))
            .site_pkg_dir(Arc::<str>::from(get("LEPTOS_SITE_PKG_DIR").1))
            .site_addr(site_addr)
            .env(env)
            .hash_files(hash_files)
            .hash_file(Arc::<str>::from(hash_file))
            .build();

        Ok(Self {
            database_url,
            database_max_connections,
            database,
            log_filter,
            leptos_options,
            jwt_secret,
            data_dir: PathBuf::from(get("DATA_DIR").1),
            throttle,
            password_queue,
            events,
            webhooks_allow_private,
            http: HttpSettings {
                cookie_secure,
                session_ttl: Duration::from_secs(u64::from(session_ttl_hours) * 3600),
                client_ip_source,
                cors_origins,
                request_timeout,
                header_read_timeout,
                shutdown_grace,
                page_renders,
            },
        })
    }

    /// The SQLite database file, if the database is SQLite on a file.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let path = self.database_url.strip_prefix("sqlite:")?;
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

fn problem(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        problem: problem.into(),
    }
}

/// The cores this process may use (two when it cannot tell): one password hash runs per
/// core, and `PAGE_RENDERS` defaults to four page renders per core.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

#[cfg(test)]
mod tests;
