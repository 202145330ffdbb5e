//! Who is asking: one extractor for the JSON API and the server functions alike.
//!
//! A request authenticates with `Authorization: Bearer <jwt>` or with the session cookie.
//! Bad credentials are refused (401), never quietly treated as anonymous.

use axum::{
    extract::FromRequestParts,
    http::{header::AUTHORIZATION, request::Parts},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    server,
    token::{Claims, Tokens},
    User,
};
use crate::{db::Db, error::AppError, ids::UserId};

/// What authenticating a request needs. The application's state provides it; this module
/// names only what it uses, so it does not depend on the state that depends on it.
pub trait AuthContext: Send + Sync {
    fn db(&self) -> &Db;
    fn tokens(&self) -> &Tokens;
}

/// What the features' server functions need from the server, provided to them as context
/// (see [`Identity::from_context`]): the database, and identity's keys and limits.
#[derive(Clone, Debug)]
pub struct Identity {
    pub db: Db,
    pub tokens: Tokens,
    pub passwords: super::password::Passwords,
    pub throttle: super::throttle::Throttle,
}

impl AuthContext for Identity {
    fn db(&self) -> &Db {
        &self.db
    }

    fn tokens(&self) -> &Tokens {
        &self.tokens
    }
}

impl Identity {
    /// The identity inside a server function (provided as context by the router).
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("Identity missing from the server function context");
            AppError::Internal
        })
    }

    /// A signup or login from `client`, held to this server's limits.
    pub fn asker(&self, client: std::net::IpAddr) -> super::server::Asker<'_> {
        super::server::Asker {
            db: &self.db,
            passwords: &self.passwords,
            throttle: self.throttle,
            client,
        }
    }
}

const SESSION_USER_KEY: &str = "user_id";

/// How the request proved who it is.
#[derive(Clone, Debug)]
pub enum Credential {
    Bearer(Claims),
    Session(AuthSession),
}

/// An authenticated user whose password is not waiting to be changed; 401 (with
/// `WWW-Authenticate: Bearer`) without credentials, 403 after an operator's reset until the
/// user has chosen a new password (see [`SignedIn`] for the routes that allow that).
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user: User,
    pub credential: Credential,
}

impl AuthUser {
    /// Whose data this request may touch.
    pub fn id(&self) -> UserId {
        UserId(self.user.id)
    }

    /// What survives when this request ends every other session and token of its user.
    pub fn keep(&self) -> super::sessions::Keep {
        match &self.credential {
            Credential::Bearer(claims) => super::sessions::Keep {
                session_id: None,
                token: Some(claims.jti),
            },
            Credential::Session(session) => super::sessions::Keep {
                session_id: session.id(),
                token: None,
            },
        }
    }
}

/// What a user whose password an operator reset is told everywhere but where they can
/// choose a new one.
pub const MUST_CHANGE_PASSWORD: &str = "Your password was reset: choose a new one first (POST /api/auth/password with the one-time password as current_password, or the account page).";

/// Any authenticated user, including one who must change their password first: only for
/// the routes that let them do so (change the password, see who they are, log out).
#[derive(Clone, Debug)]
pub struct SignedIn(pub AuthUser);

/// Names the user in the request's log lines from here on (the `user` field of the request
/// span, see the server's `request_span`).
fn in_the_log(auth: AuthUser) -> AuthUser {
    tracing::Span::current().record("user", tracing::field::display(auth.user.id));
    auth
}

/// The user if there is one. Still 401 for a bad bearer token.
#[derive(Clone, Debug)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S: AuthContext> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        MaybeAuthUser::from_request_parts(parts, state)
            .await?
            .0
            .map(Self)
            .ok_or_else(|| AppError::Unauthorized("Authentication required.".into()))
    }
}

impl<S: AuthContext> FromRequestParts<S> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let SignedIn(auth) = SignedIn::from_request_parts(parts, state).await?;
        if auth.user.must_change_password {
            return Err(AppError::Forbidden(MUST_CHANGE_PASSWORD.into()));
        }
        Ok(auth)
    }
}

impl<S: AuthContext> FromRequestParts<S> for MaybeAuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = bearer_token(header.to_str().unwrap_or_default()).ok_or_else(|| {
                AppError::Unauthorized("The Authorization header must be 'Bearer <token>'.".into())
            })?;
            let claims = state.tokens().verify(token)?;
            let user = server::user_for_token(state.db(), &claims)
                .await?
                .ok_or_else(|| {
                    AppError::Unauthorized("The access token is no longer valid.".into())
                })?;
            return Ok(Self(Some(in_the_log(AuthUser {
                user,
                credential: Credential::Bearer(claims),
            }))));
        }

        let Some(session) = AuthSession::from_parts(parts) else {
            return Ok(Self(None));
        };
        let Some(user_id) = session.user_id().await? else {
            return Ok(Self(None));
        };
        let user_id = UserId(user_id);
        let current = match session.id() {
            Some(id) => super::sessions::session_is_current(state.db(), user_id, &id).await?,
            None => false,
        };
        let user = match current {
            true => server::find_user(state.db(), user_id).await?,
            false => None,
        };
        match user {
            Some(user) => Ok(Self(Some(in_the_log(AuthUser {
                user,
                credential: Credential::Session(session),
            })))),
            None => {
                // Ended elsewhere, or the account is gone: end the session here too rather
                // than keep a dangling one.
                session.log_out(state.db()).await?;
                Ok(Self(None))
            }
        }
    }
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The browser session, typed: who is logged in, and the two moves that change it.
#[derive(Clone, Debug)]
pub struct AuthSession(Session);

impl AuthSession {
    /// The session the session layer attached to this request, if the layer ran.
    pub fn from_parts(parts: &Parts) -> Option<Self> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(Self::from_session)
    }

    pub fn from_session(session: Session) -> Self {
        Self(session)
    }

    pub async fn user_id(&self) -> Result<Option<Uuid>, AppError> {
        self.0
            .get::<Uuid>(SESSION_USER_KEY)
            .await
            .map_err(session_error)
    }

    /// The session's id (the cookie's secret), once it has one.
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// Starts a logged-in session under a new id, so an id planted before login is useless,
    /// and records it among the user's sessions (saved now, so it has its id).
    pub async fn log_in(&self, db: &Db, user_id: Uuid, user_agent: &str) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(session_error)?;
        self.0
            .insert(SESSION_USER_KEY, user_id)
            .await
            .map_err(session_error)?;
        self.0.save().await.map_err(session_error)?;
        let id = self.id().ok_or_else(|| {
            tracing::error!("a saved session has no id");
            AppError::Internal
        })?;
        super::sessions::register_session(db, &id, UserId(user_id), user_agent).await
    }

    /// Deletes the session from the store and the user's list, and expires the cookie.
    pub async fn log_out(&self, db: &Db) -> Result<(), AppError> {
        let user = self.user_id().await?;
        if let Some(id) = self.id() {
            super::sessions::forget_session(db, &id).await?;
        }
        self.0.flush().await.map_err(session_error)?;
        if let Some(user) = user {
            db.credentials_ended(UserId(user)).await;
        }
        Ok(())
    }
}

/// The session store is the database: when it fails, the database is down or busy.
fn session_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Unavailable("Your session could not be read right now; please try again.".into())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("abc"), None);
    }
}

/// The address a request came from, for throttling: what `CLIENT_IP_SOURCE` says (a
/// proxy's header), or the socket's peer when that header is absent (a request that did not
/// come through the proxy, so its peer is the client).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if let Ok(axum_client_ip::ClientIp(ip)) =
            axum_client_ip::ClientIp::from_request_parts(parts, state).await
        {
            return Ok(Self(ip));
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| Self(info.0.ip()))
            .ok_or_else(|| {
                tracing::error!("the client address is unknown (no ConnectInfo)");
                AppError::Internal
            })
    }
}

/// Runs an extractor inside a server function and keeps its own error: a 401 stays a 401.
/// (`leptos_axum::extract` turns every rejection into a server error, which answered an
/// ended session with 500.)
pub async fn in_server_fn<T, S>(state: &S) -> Result<T, AppError>
where
    T: FromRequestParts<S, Rejection = AppError>,
    S: Send + Sync,
{
    let mut parts = leptos::prelude::use_context::<Parts>().ok_or_else(|| {
        tracing::error!("a server function ran without its request");
        AppError::Internal
    })?;
    T::from_request_parts(&mut parts, state).await
}

/// Runs a server function's body for the signed-in caller (401 without one, 403 while an
/// operator's password reset waits), with identity's shared pieces; its error keeps its
/// status.
pub async fn as_signed_in_user<T, F>(
    body: impl FnOnce(Identity, AuthUser) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    signed_in(true, body).await
}

/// [`as_signed_in_user`] even while an operator's password reset waits: for what the account
/// page reads then (it shows only the password form, and a 403 would be a console error) and
/// for the password change itself. 401 without a caller, never 403.
pub async fn as_signed_in_lenient<T, F>(
    body: impl FnOnce(Identity, AuthUser) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    signed_in(false, body).await
}

/// [`as_signed_in_user`] (`strict`) or [`as_signed_in_lenient`].
async fn signed_in<T, F>(
    strict: bool,
    body: impl FnOnce(Identity, AuthUser) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    crate::error::respond(async {
        let state = Identity::from_context()?;
        let auth = match strict {
            true => in_server_fn::<AuthUser, _>(&state).await?,
            false => in_server_fn::<SignedIn, _>(&state).await?.0,
        };
        body(state, auth).await
    })
    .await
}

/// The request's browser session, inside a server function (none without the session layer).
pub fn request_session() -> Option<Session> {
    leptos::prelude::use_context::<Parts>()?
        .extensions
        .get::<Session>()
        .cloned()
}

/// Keeps `value` in the request's session under `key`, for the one page view after a plain
/// form post that shows it (a secret shown once): see [`take_once`].
pub async fn keep_once<T: serde::Serialize + Send + Sync>(
    key: &str,
    value: &T,
) -> Result<(), AppError> {
    let Some(session) = request_session() else {
        return Ok(());
    };
    session.insert(key, value).await.map_err(|error| {
        tracing::warn!(%error, key, "a value could not be kept in the session");
        AppError::Unavailable("Your session could not be written right now.".into())
    })
}

/// Takes out what [`keep_once`] kept under `key`, if anything: it is gone once read.
pub async fn take_once<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let session = request_session()?;
    session.remove::<T>(key).await.unwrap_or_else(|error| {
        tracing::warn!(%error, key, "a value kept in the session could not be read");
        None
    })
}
