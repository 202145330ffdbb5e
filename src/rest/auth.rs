//! `/api/auth/*`: signup, login, logout and me, as the contract fixes them.

use app::{
    auth::{
        extract::{AuthUser, ClientAddress, Credential},
        server, Credentials, NewAccount, User,
    },
    error::AppError,
    state::AppState,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use app::error::ErrorBody;

use super::{
    json::AppJson,
    responses::{Invalid, StorageFull, TooLarge, TooMany, Unauthorized, Unavailable},
};

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    /// Trimmed and stored lower-case; shaped like an address.
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// Never trimmed; stored only as an Argon2id hash.
    #[schema(example = "correct horse battery")]
    pub password: String,
    /// Trimmed; no line breaks.
    #[schema(example = "Ada Lovelace")]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// An HS256 JWT with `sub`, `iat`, `exp` and `jti`.
    pub access_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires (1800).
    #[schema(example = 1800)]
    pub expires_in: i64,
    pub user: UserSummary,
}

#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// Create an account.
#[utoipa::path(
    post, path = "/auth/signup", tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 409, description = "The email is already registered (in any case)", body = ErrorBody),
        TooLarge, Invalid, TooMany, Unavailable, StorageFull,
    )
)]
pub async fn signup(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    AppJson(body): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<User>), AppError> {
    let account = NewAccount::parse(&body.email, &body.password, &body.name)?;
    let user = server::create_account(state.asker(client), account).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Exchange an email and password for a 30-minute access token.
#[utoipa::path(
    post, path = "/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Wrong email or password (one answer for both)", body = ErrorBody),
        Invalid, TooMany, Unavailable,
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    AppJson(body): AppJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let credentials = Credentials::parse(&body.email, &body.password)?;
    let user = server::check_credentials(state.asker(client), &credentials).await?;
    let issued = state.tokens.issue(user.id)?;
    Ok(Json(LoginResponse {
        access_token: issued.token,
        token_type: "bearer",
        expires_in: issued.claims.exp - issued.claims.iat,
        user: UserSummary {
            id: user.id,
            email: user.email,
            name: user.name,
        },
    }))
}

/// End the access token used for this request (or the browser session).
#[utoipa::path(
    post, path = "/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out; the token no longer works"),
        Unauthorized, Unavailable,
    )
)]
pub async fn logout(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode, AppError> {
    match auth.credential {
        Credential::Bearer(claims) => server::revoke_token(&state.db, &claims).await?,
        Credential::Session(session) => session.log_out().await?,
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Who the token belongs to.
#[utoipa::path(
    get, path = "/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = User),
        Unauthorized, Unavailable,
    )
)]
pub async fn me(auth: AuthUser) -> Json<User> {
    Json(auth.user)
}
