//! The server: configuration, start-up and the JSON API around the shared `app` crate.

pub mod account_files;
pub mod assets;
pub mod background;
pub mod compression;
pub mod config;
pub mod cross_site;
pub mod database;
pub mod dav;
pub mod failed_forms;
pub mod idempotency;
pub mod precompress;
pub mod private_files;
pub mod rest;
pub mod rpc;
pub mod secrets;
pub mod security_headers;
pub mod serve;
pub mod sessions;
pub mod startup;
pub mod startup_error;
pub mod state;
pub mod telemetry;
pub mod webhooks;
pub mod whole_renders;
