//! The server's configuration, read once from the environment (and `.env` in development).
//!
//! Every variable is listed in [`VARIABLES`], which is also what `--help` prints, so the
//! documentation cannot drift from what is read. A bad value is reported as one line naming
//! the variable, never as a panic.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, sync::Arc};

use axum_client_ip::ClientIpSource;
use leptos::config::{Env, LeptosOptions};
use secrecy::SecretString;

/// One environment variable the server reads.
pub struct Variable {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

/// Every variable, its default and what it does.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "DATABASE_URL",
        default: "sqlite://data/todo.db",
        help: "sqlite://PATH (file and folder created on first start) or postgres://USER@HOST/DB",
    },
    Variable {
        name: "DATABASE_MAX_CONNECTIONS",
        default: "10",
        help: "size of the database connection pool (1 to 1000)",
    },
    Variable {
        name: "LEPTOS_SITE_ADDR",
        default: "127.0.0.1:3000",
        help: "address and port to listen on",
    },
    Variable {
        name: "LEPTOS_SITE_ROOT",
        default: "target/site",
        help: "folder holding the compiled site (pkg/, favicon)",
    },
    Variable {
        name: "LEPTOS_SITE_PKG_DIR",
        default: "pkg",
        help: "folder under LEPTOS_SITE_ROOT holding the wasm, JS and CSS",
    },
    Variable {
        name: "LEPTOS_OUTPUT_NAME",
        default: "todo",
        help: "base name of the wasm, JS and CSS files",
    },
    Variable {
        name: "LEPTOS_ENV",
        default: "PROD",
        help: "PROD or DEV",
    },
    Variable {
        name: "JWT_SECRET",
        default: "(generated)",
        help: "key for signing access tokens, at least 32 bytes; when unset, one is generated \
               into DATA_DIR/jwt_secret on first start (set it when running several instances)",
    },
    Variable {
        name: "DATA_DIR",
        default: "data",
        help: "folder for files the server keeps (the generated JWT secret)",
    },
    Variable {
        name: "COOKIE_SECURE",
        default: "false",
        help: "true when the site is served over HTTPS: the session cookie gets Secure",
    },
    Variable {
        name: "SESSION_TTL_HOURS",
        default: "168",
        help: "a browser session ends after this many hours without a visit (1 to 8760)",
    },
    Variable {
        name: "CLIENT_IP_SOURCE",
        default: "ConnectInfo",
        help: "where the client address comes from: ConnectInfo (the socket), or behind a \
               proxy RightmostXForwardedFor, XRealIp, CfConnectingIp, ...",
    },
    Variable {
        name: "LOGIN_MAX_FAILURES",
        default: "10",
        help: "failed logins per account or per address before login answers 429 (1 to 1000)",
    },
    Variable {
        name: "LOGIN_FAILURE_WINDOW_SECS",
        default: "60",
        help: "the window those failures are counted in, in seconds (1 to 86400)",
    },
    Variable {
        name: "CORS_ORIGINS",
        default: "(none)",
        help: "comma-separated origins (https://app.example.com) whose pages may call the JSON \
               API with a bearer token; cookies are never allowed cross-origin",
    },
    Variable {
        name: "RUST_LOG",
        default: "info",
        help: "log filter, e.g. info or todo=debug,tower_http=debug",
    },
];

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    pub log_filter: String,
    pub leptos_options: LeptosOptions,
    /// `None`: generate one into `data_dir` on first start.
    pub jwt_secret: Option<SecretString>,
    pub data_dir: PathBuf,
    pub cookie_secure: bool,
    pub session_ttl: std::time::Duration,
    pub client_ip_source: ClientIpSource,
    pub login_max_failures: u32,
    pub login_failure_window: std::time::Duration,
    pub cors_origins: Vec<String>,
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
        let login_max_failures = number("LOGIN_MAX_FAILURES", 1, 1000)?;
        let login_failure_window_secs = number("LOGIN_FAILURE_WINDOW_SECS", 1, 86_400)?;

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

        let (name, secure) = get("COOKIE_SECURE");
        let cookie_secure = match secure.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => {
                return Err(problem(
                    name,
                    format!("'{secure}' is neither true nor false"),
                ))
            }
        };

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

        let leptos_options = LeptosOptions::builder()
            .output_name(Arc::<str>::from(get("LEPTOS_OUTPUT_NAME").1))
            .site_root(Arc::<str>::from(get("LEPTOS_SITE_ROOT").1))
            .site_pkg_dir(Arc::<str>::from(get("LEPTOS_SITE_PKG_DIR").1))
            .site_addr(site_addr)
            .env(env)
            .build();

        Ok(Self {
            database_url,
            database_max_connections,
            log_filter,
            leptos_options,
            jwt_secret,
            data_dir: PathBuf::from(get("DATA_DIR").1),
            cookie_secure,
            session_ttl: std::time::Duration::from_secs(u64::from(session_ttl_hours) * 3600),
            client_ip_source,
            login_max_failures,
            login_failure_window: std::time::Duration::from_secs(login_failure_window_secs.into()),
            cors_origins,
        })
    }

    /// The folder the SQLite database lives in, if the database is SQLite on a file.
    pub fn sqlite_folder(&self) -> Option<PathBuf> {
        let path = self.database_url.strip_prefix("sqlite:")?;
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        PathBuf::from(path).parent().map(PathBuf::from)
    }
}

/// The text `--help` prints: usage and every variable with its default.
pub fn help_text() -> String {
    let mut text = String::from(
        "todo: a self-hosted, multi-user task manager (web pages and a JSON API)\n\n\
         Usage: todo [--help]\n\n\
         Configuration comes from environment variables, and from a .env file in the\n\
         working directory when present:\n\n",
    );
    for v in VARIABLES {
        text.push_str(&format!(
            "  {:<26} {}\n  {:<26} default: {}\n",
            v.name, v.help, "", v.default
        ));
    }
    text
}

fn default_of(name: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|v| v.name == name)
        .map(|v| v.default)
        .unwrap_or_default()
}

fn problem(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config_with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_give_a_local_sqlite_file_on_port_3000() {
        let config = config_with(&[]).unwrap();
        assert_eq!(config.database_url, "sqlite://data/todo.db");
        assert_eq!(
            config.leptos_options.site_addr.to_string(),
            "127.0.0.1:3000"
        );
        assert_eq!(config.sqlite_folder(), Some(PathBuf::from("data")));
    }

    #[test]
    fn a_bad_address_names_the_variable() {
        let error = config_with(&[("LEPTOS_SITE_ADDR", "localhost")]).unwrap_err();
        assert_eq!(error.name, "LEPTOS_SITE_ADDR");
        assert!(error
            .to_string()
            .starts_with("LEPTOS_SITE_ADDR: 'localhost'"));
    }

    #[test]
    fn an_unknown_database_scheme_is_refused() {
        let error = config_with(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(error.name, "DATABASE_URL");
    }

    #[test]
    fn a_pool_size_out_of_range_is_refused() {
        for bad in ["0", "1001", "ten", "-1"] {
            let error = config_with(&[("DATABASE_MAX_CONNECTIONS", bad)]).unwrap_err();
            assert_eq!(error.name, "DATABASE_MAX_CONNECTIONS", "value {bad}");
        }
        let error = config_with(&[("LOGIN_FAILURE_WINDOW_SECS", "0")]).unwrap_err();
        assert_eq!(error.name, "LOGIN_FAILURE_WINDOW_SECS");
    }

    #[test]
    fn an_invalid_log_filter_is_refused() {
        let error = config_with(&[("RUST_LOG", "info,[[[")]).unwrap_err();
        assert_eq!(error.name, "RUST_LOG");
    }

    #[test]
    fn a_short_jwt_secret_is_refused_without_echoing_it() {
        let error = config_with(&[("JWT_SECRET", "hunter2")]).unwrap_err();
        assert_eq!(error.name, "JWT_SECRET");
        assert!(!error.to_string().contains("hunter2"));
    }

    #[test]
    fn an_unset_jwt_secret_means_generate_one() {
        assert!(config_with(&[]).unwrap().jwt_secret.is_none());
    }

    #[test]
    fn booleans_and_ip_sources_are_checked() {
        assert_eq!(
            config_with(&[("COOKIE_SECURE", "maybe")]).unwrap_err().name,
            "COOKIE_SECURE"
        );
        assert!(
            config_with(&[("COOKIE_SECURE", "true")])
                .unwrap()
                .cookie_secure
        );
        assert_eq!(
            config_with(&[("CLIENT_IP_SOURCE", "Carrier pigeon")])
                .unwrap_err()
                .name,
            "CLIENT_IP_SOURCE"
        );
        assert!(config_with(&[("CLIENT_IP_SOURCE", "RightmostXForwardedFor")]).is_ok());
    }

    #[test]
    fn cors_origins_are_a_checked_comma_separated_list() {
        let config =
            config_with(&[("CORS_ORIGINS", "https://a.example, http://localhost:5173/")]).unwrap();
        assert_eq!(
            config.cors_origins,
            ["https://a.example", "http://localhost:5173"]
        );
        let error = config_with(&[("CORS_ORIGINS", "a.example")]).unwrap_err();
        assert_eq!(error.name, "CORS_ORIGINS");
        assert!(config_with(&[]).unwrap().cors_origins.is_empty());
    }

    #[test]
    fn postgres_urls_have_no_sqlite_folder() {
        let config = config_with(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
        assert_eq!(config.sqlite_folder(), None);
    }

    #[test]
    fn help_lists_every_variable_with_its_default() {
        let help = help_text();
        for v in VARIABLES {
            assert!(help.contains(v.name), "{} missing from --help", v.name);
            assert!(help.contains(v.default), "default of {} missing", v.name);
        }
    }
}
