//! `/api/auth/*`: signup, login, logout and me, and what a user controls about their
//! account (profile, e-mail, password, signing out everywhere, deletion), as the contract
//! fixes them.

use crate::state::AppState;
use app::{
    account::{store as manage, PasswordChange, ProfileChange},
    auth::{
        current_password,
        extract::{AuthUser, ClientAddress, Credential, SignedIn},
        server, sessions, Credentials, Email, NewAccount, User,
    },
    error::AppError,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A wrong current password is this API's 401.
const WRONG: manage::WrongPassword = manage::WrongPassword::Unauthorized;

use app::error::ErrorBody;

use super::{
    json::AppJson,
    responses::{Invalid, ResetPending, StorageFull, TooLarge, TooMany, Unauthorized, Unavailable},
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
    /// An IANA time zone name; "UTC" when left out.
    #[serde(default)]
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
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
    let account = NewAccount::parse(
        &body.email,
        &body.password,
        &body.name,
        body.time_zone.as_deref(),
    )?;
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
    let login = server::check_credentials(state.asker(client), &credentials).await?;
    let issued = server::issue_token(&state.tokens, &login).await?;
    let user = login.user;
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
pub async fn logout(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Result<StatusCode, AppError> {
    match auth.credential {
        Credential::Bearer(claims) => server::revoke_token(&state.db, &claims).await?,
        Credential::Session(session) => session.log_out(&state.db).await?,
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
pub async fn me(SignedIn(auth): SignedIn) -> Json<User> {
    Json(auth.user)
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileRequest {
    /// Trimmed; no line breaks. Left out: unchanged.
    #[serde(default)]
    #[schema(example = "Ada King")]
    pub name: Option<String>,
    /// An IANA time zone name. Left out: unchanged.
    #[serde(default)]
    #[schema(example = "Europe/Paris")]
    pub time_zone: Option<String>,
}

/// Change the caller's name and/or time zone.
#[utoipa::path(
    patch, path = "/auth/me", tag = "account",
    security(("bearer" = [])),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "The caller, changed", body = User),
        Unauthorized, ResetPending, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<ProfileRequest>,
) -> Result<Json<User>, AppError> {
    let change = ProfileChange::parse(body.name.as_deref(), body.time_zone.as_deref())?;
    Ok(Json(
        manage::update_profile(&state.db, &auth.user, &change).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    #[schema(example = "correct horse battery")]
    pub current_password: String,
    /// Trimmed and stored lower-case.
    #[schema(example = "ada@lovelace.example")]
    pub email: String,
}

/// Move the account to another e-mail address (the current password is required).
#[utoipa::path(
    post, path = "/auth/email", tag = "account",
    security(("bearer" = [])),
    request_body = EmailRequest,
    responses(
        (status = 200, description = "The caller, with the new address", body = User),
        (status = 401, description = "No valid token, or the current password is wrong", body = ErrorBody,
         headers(("WWW-Authenticate" = String, description = "Bearer"))),
        ResetPending,
        (status = 409, description = "Another account uses this address", body = ErrorBody),
        TooLarge, Invalid, TooMany, Unavailable, StorageFull,
    )
)]
pub async fn change_email(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    auth: AuthUser,
    AppJson(body): AppJson<EmailRequest>,
) -> Result<Json<User>, AppError> {
    let (current, email) = both(
        current_password(&body.current_password),
        Email::parse(&body.email),
    )?;
    let user =
        manage::change_email(state.asker(client), &auth.user, &current, &email, WRONG).await?;
    Ok(Json(user))
}

/// Two checked fields, or every problem with them at once.
fn both<A, B>(
    a: Result<A, app::error::FieldError>,
    b: Result<B, app::error::FieldError>,
) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(AppError::validation(
            [a.err(), b.err()].into_iter().flatten().collect(),
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// The password now (after an operator's reset: the one-time password).
    #[schema(example = "correct horse battery")]
    pub current_password: String,
    /// 8 to 128 characters, different from the current one.
    #[schema(example = "battery staple horse")]
    pub new_password: String,
}

/// Change the password: every other browser session and token of the caller ends at once,
/// on every instance; the token used for this request keeps working.
#[utoipa::path(
    post, path = "/auth/password", tag = "account",
    security(("bearer" = [])),
    request_body = PasswordRequest,
    responses(
        (status = 204, description = "Changed; every other session and token has ended"),
        (status = 401, description = "No valid token, or the current password is wrong", body = ErrorBody,
         headers(("WWW-Authenticate" = String, description = "Bearer"))),
        TooLarge, Invalid, TooMany, Unavailable, StorageFull,
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    SignedIn(auth): SignedIn,
    AppJson(body): AppJson<PasswordRequest>,
) -> Result<StatusCode, AppError> {
    let change = PasswordChange::parse(&body.current_password, &body.new_password)?;
    manage::change_password(
        state.asker(client),
        &auth.user,
        &change,
        &auth.keep(),
        WRONG,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End every browser session and every token of the caller, this one included.
#[utoipa::path(
    post, path = "/auth/logout-all", tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session and token of the caller has ended"),
        Unauthorized, Unavailable, StorageFull,
    )
)]
pub async fn logout_all(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Result<StatusCode, AppError> {
    sessions::end_everything(&state.db, auth.id(), &sessions::Keep::default()).await?;
    if let Credential::Session(session) = &auth.credential {
        session.log_out(&state.db).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    #[schema(example = "correct horse battery")]
    pub password: String,
}

/// Delete the account: the user, their tasks, sessions and tokens are gone for good.
#[utoipa::path(
    delete, path = "/auth/me", tag = "account",
    security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token, or the password is wrong", body = ErrorBody,
         headers(("WWW-Authenticate" = String, description = "Bearer"))),
        ResetPending, TooLarge, Invalid, TooMany, Unavailable, StorageFull,
    )
)]
pub async fn delete_me(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    auth: AuthUser,
    AppJson(body): AppJson<DeleteAccountRequest>,
) -> Result<StatusCode, AppError> {
    let password = current_password(&body.password)
        .map_err(|e| AppError::invalid_field(e.renamed("password")))?;
    manage::delete_account(state.asker(client), &auth.user, &password, WRONG).await?;
    Ok(StatusCode::NO_CONTENT)
}
