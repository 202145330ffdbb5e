//! Server functions for the account pages: thin adapters over `auth::server`.
//!
//! Each works as a plain form post (no JavaScript: the answer is a redirect, and a failure is
//! kept in the session for the page it returns to, see `crate::forms`) and as a call from
//! the hydrated app. Errors keep their kind: a lockout is a 429, not a typo.

use leptos::prelude::*;

use super::User;
use crate::error::AppError;

#[server(prefix = "/rpc", endpoint = "signup")]
pub async fn signup(
    email: String,
    password: String,
    name: String,
    next: Option<String>,
) -> Result<User, AppError> {
    use super::{safe_next, server, NewAccount};
    use crate::error::FieldError;

    crate::error::respond(async {
        let state = crate::state::AppState::from_context()?;
        let account = NewAccount::parse(&email, &password, &name)?;
        let client = client_address().await?;
        let user = match server::create_account(state.asker(client), account).await {
            Err(AppError::Conflict(msg)) => Err(AppError::invalid_field(FieldError::body(
                "email",
                "value_error.taken",
                msg,
            ))),
            other => other,
        }?;
        session()?.log_in(user.id).await?;
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(user)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<User, AppError> {
    use super::{safe_next, server, Credentials};

    crate::error::respond(async {
        let state = crate::state::AppState::from_context()?;
        let credentials = Credentials::parse(&email, &password)?;
        let client = client_address().await?;
        let user = server::check_credentials(state.asker(client), &credentials).await?;
        session()?.log_in(user.id).await?;
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(user)
    })
    .await
}

/// The address the request came from (see `ClientAddress`).
#[cfg(feature = "ssr")]
async fn client_address() -> Result<std::net::IpAddr, AppError> {
    let super::extract::ClientAddress(client) = super::extract::in_server_fn(&()).await?;
    Ok(client)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::error::respond(async {
        session()?.log_out().await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// Who is logged in, if anyone.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    use super::extract::MaybeAuthUser;

    crate::error::respond(async {
        let state = crate::state::AppState::from_context()?;
        let MaybeAuthUser(user) = super::extract::in_server_fn::<MaybeAuthUser, _>(&state).await?;
        Ok(user.map(|u| u.user))
    })
    .await
}

#[cfg(feature = "ssr")]
fn session() -> Result<super::extract::AuthSession, AppError> {
    use_context::<http::request::Parts>()
        .as_ref()
        .and_then(super::extract::AuthSession::from_parts)
        .ok_or_else(|| {
            tracing::error!("no session on a server function request");
            AppError::Internal
        })
}
