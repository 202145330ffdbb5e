//! The state every request handler and server function shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use app::{
    auth::{
        extract::{AuthContext, Identity},
        password::Passwords,
        server::Asker,
        throttle::Throttle,
        token::Tokens,
    },
    db::Db,
    tasks::events::Feeds,
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
    pub throttle: Throttle,
    /// The live event streams open in this process.
    pub feeds: Arc<Feeds>,
    /// What webhooks may point to, and the deliverer's bell.
    pub webhooks: app::webhooks::rules::Settings,
}

impl AuthContext for AppState {
    fn db(&self) -> &Db {
        &self.db
    }

    fn tokens(&self) -> &Tokens {
        &self.tokens
    }
}

impl Shared {
    /// What the features' server functions find as context: identity's pieces.
    pub fn identity(&self) -> Identity {
        Identity {
            db: self.db.clone(),
            tokens: self.tokens.clone(),
            passwords: self.passwords.clone(),
            throttle: self.throttle,
        }
    }

    /// A signup or login from `client`, held to this server's limits.
    pub fn asker(&self, client: std::net::IpAddr) -> Asker<'_> {
        Asker {
            db: &self.db,
            passwords: &self.passwords,
            throttle: self.throttle,
            client,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
