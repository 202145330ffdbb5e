//! The state every request handler and server function shares.

use std::sync::Arc;

use axum::extract::FromRef;
use axum_client_ip::ClientIpSource;
use leptos::config::LeptosOptions;

use crate::{
    auth::{password::Passwords, server::LoginThrottle, token::Tokens},
    db::Db,
    error::AppError,
};

/// Cheap to clone (one reference count): every request and server function takes a copy.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub tokens: Tokens,
    pub passwords: Passwords,
    pub login_throttle: LoginThrottle,
    /// Where the client's address comes from: the socket, or a proxy's header.
    pub client_ip_source: ClientIpSource,
    /// Mark the session cookie `Secure` (the site is served over HTTPS).
    pub cookie_secure: bool,
    /// A browser session ends after this long without a visit.
    pub session_ttl: std::time::Duration,
    /// Origins whose pages may call the JSON API with a bearer token.
    pub cors_origins: Vec<String>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state inside a server function (provided as context by the router).
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }
}
