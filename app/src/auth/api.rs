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
    /// The browser's time zone, filled in by the page's script (none without JavaScript).
    time_zone: Option<String>,
    next: Option<String>,
) -> Result<User, AppError> {
    use super::{safe_next, server, NewAccount};
    use crate::error::FieldError;

    crate::error::respond(async {
        let state = crate::auth::extract::Identity::from_context()?;
        // The page's hidden field: a zone this server does not know falls back to UTC (the
        // user never saw the field, so an error about it would help no one).
        let time_zone = time_zone.filter(|zone| super::TimeZoneName::parse(zone).is_ok());
        let account = NewAccount::parse(&email, &password, &name, time_zone.as_deref())?;
        let client = client_address().await?;
        let user = match server::create_account(state.asker(client), account).await {
            Err(AppError::Conflict(msg)) => Err(AppError::invalid_field(FieldError::body(
                "email",
                "value_error.taken",
                msg,
            ))),
            other => other,
        }?;
        session()?.log_in(&state.db, user.id, &user_agent()).await?;
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
        let state = crate::auth::extract::Identity::from_context()?;
        let credentials = Credentials::parse(&email, &password)?;
        let client = client_address().await?;
        let user = server::check_credentials(state.asker(client), &credentials)
            .await?
            .user;
        session()?.log_in(&state.db, user.id, &user_agent()).await?;
        // A password an operator reset is changed first, on the account page.
        let next = match user.must_change_password {
            true => super::ACCOUNT_PAGE.to_string(),
            false => safe_next(next.as_deref()),
        };
        leptos_axum::redirect(&next);
        Ok(user)
    })
    .await
}

/// The address the request came from (see `ClientAddress`).
#[cfg(feature = "ssr")]
pub(crate) async fn client_address() -> Result<std::net::IpAddr, AppError> {
    let super::extract::ClientAddress(client) = super::extract::in_server_fn(&()).await?;
    Ok(client)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::error::respond(async {
        let state = crate::auth::extract::Identity::from_context()?;
        session()?.log_out(&state.db).await?;
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
        let state = crate::auth::extract::Identity::from_context()?;
        let MaybeAuthUser(user) = super::extract::in_server_fn::<MaybeAuthUser, _>(&state).await?;
        Ok(user.map(|u| u.user))
    })
    .await
}

/// The request's `User-Agent`, for the account's list of sessions.
#[cfg(feature = "ssr")]
pub(crate) fn user_agent() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
pub(crate) fn session() -> Result<super::extract::AuthSession, AppError> {
    use_context::<http::request::Parts>()
        .as_ref()
        .and_then(super::extract::AuthSession::from_parts)
        .ok_or_else(|| {
            tracing::error!("no session on a server function request");
            AppError::Internal
        })
}
