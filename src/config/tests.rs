//! The configuration parser: defaults, and one clear error per bad variable.

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
    assert_eq!(config.sqlite_file(), Some(PathBuf::from("data/todo.db")));
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
            .http
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
        config.http.cors_origins,
        ["https://a.example", "http://localhost:5173"]
    );
    let error = config_with(&[("CORS_ORIGINS", "a.example")]).unwrap_err();
    assert_eq!(error.name, "CORS_ORIGINS");
    assert!(config_with(&[]).unwrap().http.cors_origins.is_empty());
}

#[test]
fn postgres_urls_have_no_sqlite_file() {
    let config = config_with(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
    assert_eq!(config.sqlite_file(), None);
}

#[test]
fn help_lists_every_variable_with_its_default() {
    let help = help_text();
    for v in VARIABLES {
        assert!(help.contains(v.name), "{} missing from --help", v.name);
        assert!(help.contains(v.default), "default of {} missing", v.name);
    }
}

#[test]
fn the_operations_guide_documents_every_variable() {
    let guide = include_str!("../../docs/operations.md");
    for v in VARIABLES {
        assert!(
            guide.contains(&format!("| `{}` |", v.name)),
            "{} is missing from the configuration table of docs/operations.md",
            v.name
        );
    }
}

#[test]
fn timeouts_and_limits_have_documented_defaults_and_bounds() {
    let config = config_with(&[]).unwrap();
    assert_eq!(config.http.request_timeout, Duration::from_secs(30));
    assert_eq!(config.http.header_read_timeout, Duration::from_secs(10));
    assert_eq!(config.http.shutdown_grace, Duration::from_secs(10));
    assert_eq!(config.database.sqlite_max_bytes, None);
    assert_eq!(
        config_with(&[("SQLITE_MAX_SIZE_MB", "2")])
            .unwrap()
            .database
            .sqlite_max_bytes,
        Some(2 * 1024 * 1024)
    );
    for (name, bad) in [
        ("REQUEST_TIMEOUT_SECS", "0"),
        ("HEADER_READ_TIMEOUT_SECS", "soon"),
        ("SHUTDOWN_GRACE_SECS", "3601"),
        ("SQLITE_WAL_LIMIT_MB", "0"),
    ] {
        assert_eq!(config_with(&[(name, bad)]).unwrap_err().name, name);
    }
}
