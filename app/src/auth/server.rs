//! Accounts on the server: the SQL and the rules. The only place account queries live.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::{
    password::{Passwords, QueuePlace},
    throttle::Throttle,
    token::{Claims, IssuedToken, Tokens},
    Credentials, NewAccount, User,
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::UserId,
};

/// The one answer to a failed login, whether the email or the password was wrong.
pub const WRONG_CREDENTIALS: &str = "Wrong email or password.";

/// The columns a [`User`] is read from.
const USER_COLUMNS: &str = "id, email, name, created_at, time_zone, must_change_password";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    created_at: DateTime<Utc>,
    time_zone: String,
    must_change_password: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            created_at: row.created_at,
            time_zone: row.time_zone,
            must_change_password: row.must_change_password,
        }
    }
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
    tokens_not_before: i64,
}

/// Who logged in, and the earliest second a token of theirs may be issued at.
pub struct LoggedIn {
    pub user: User,
    tokens_not_before: i64,
}

/// Who is asking to sign up or log in, and the limits they are held to.
pub struct Asker<'a> {
    pub db: &'a Db,
    pub passwords: &'a Passwords,
    pub throttle: Throttle,
    pub client: IpAddr,
}

/// Creates an account; 409 when the email (in any case) is already registered, 429 when
/// the address has made its hourly share of attempts. A created account counts, and so
/// does a 409 (an address that is taken says an account exists: asking about many would
/// otherwise be a fast way to learn who has one).
pub async fn create_account(asker: Asker<'_>, account: NewAccount) -> Result<User, AppError> {
    let db = asker.db;
    // Queue first: a signup turned away for a busy server must not count as an account.
    let place = asker.passwords.queue_place()?;
    let attempt = asker.throttle.start_signup(db, asker.client).await?;
    let created = insert_account(db, asker.passwords, place, account).await;
    if created
        .as_ref()
        .is_err_and(|error| !matches!(error, AppError::Conflict(_)))
    {
        if let Err(error) = attempt.withdraw(db).await {
            tracing::warn!(%error, "a signup attempt could not be withdrawn");
        }
    }
    created
}

async fn insert_account(
    db: &Db,
    passwords: &Passwords,
    place: QueuePlace,
    account: NewAccount,
) -> Result<User, AppError> {
    let hash = passwords.hash(place, &account.password).await?;
    let now = db::now();
    let id = Uuid::new_v4();
    let inserted = db
        .write(format!(
            "insert into users (id, email, name, password_hash, created_at, updated_at, time_zone)
             values ($1, $2, $3, $4, $5, $5, $6)
             returning {USER_COLUMNS}"
        ))
        .bind(id)
        .bind(account.email.as_str())
        .bind(account.name.as_str())
        .bind(hash)
        .bind(now)
        .bind(account.time_zone.as_str())
        .optional::<UserRow>()
        .await;
    match inserted {
        Ok(Some(row)) => Ok(row.into()),
        Ok(None) => Err(AppError::Internal),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            "An account with this email address already exists.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The user these credentials belong to. The attempt is counted before the password is
/// checked: 429 once a ceiling is reached (see `throttle`), and the same 401 for an unknown
/// email and a wrong password.
pub async fn check_credentials(
    asker: Asker<'_>,
    credentials: &Credentials,
) -> Result<LoggedIn, AppError> {
    let Asker {
        db,
        passwords,
        throttle,
        client,
    } = asker;
    let email = credentials.email.as_str();
    // Queue first: an attempt turned away for a busy server is not counted, so a burst of
    // logins cannot fill the ceilings with attempts that never checked a password.
    let place = passwords.queue_place()?;
    let attempt = throttle.start_login(db, email, client).await?;

    let checked = async {
        let row = db
            .read(format!(
                "select {USER_COLUMNS}, password_hash, tokens_not_before from users where email = $1"
            ))
            .bind(email)
            .optional::<LoginRow>()
            .await?;
        let stored = row.as_ref().map(|r| r.password_hash.clone());
        let verified = passwords
            .verify(place, &credentials.password, stored)
            .await?;
        Ok::<_, AppError>(row.filter(|_| verified))
    }
    .await;

    match checked {
        Ok(Some(row)) => {
            attempt.login_succeeded(db, email, client).await?;
            Ok(LoggedIn {
                user: row.user.into(),
                tokens_not_before: row.tokens_not_before,
            })
        }
        // The attempt stands as a failure.
        Ok(None) => Err(AppError::Unauthorized(WRONG_CREDENTIALS.into())),
        // Not a wrong password (the database or the hashing queue failed): not counted.
        Err(error) => {
            if let Err(also) = attempt.withdraw(db).await {
                tracing::warn!(error = %also, "a login attempt could not be withdrawn");
            }
            Err(error)
        }
    }
}

/// The user a session names, if it still exists.
pub async fn find_user(db: &Db, id: UserId) -> Result<Option<User>, AppError> {
    let row = db
        .read(format!("select {USER_COLUMNS} from users where id = $1"))
        .bind(id)
        .optional::<UserRow>()
        .await?;
    Ok(row.map(User::from))
}

/// The user a verified token names, unless the token was revoked (a logout), ended with all
/// the user's tokens (a password change, "sign out everywhere", an operator's reset), or the
/// user deleted.
pub async fn user_for_token(db: &Db, claims: &Claims) -> Result<Option<User>, AppError> {
    let row = db
        .read(format!(
            "select {USER_COLUMNS} from users
             where id = $1 and (tokens_not_before <= $3 or surviving_jti = $2)
               and not exists (select 1 from revoked_tokens where jti = $2)"
        ))
        .bind(claims.sub)
        .bind(claims.jti)
        .bind(claims.iat)
        .optional::<UserRow>()
        .await?;
    Ok(row.map(User::from))
}

/// A token for a user who just proved who they are. A token's `iat` counts whole seconds:
/// when every token of theirs ended within this very second, the new one is issued at the
/// next, so it is not ended with them.
pub async fn issue_token(tokens: &Tokens, login: &LoggedIn) -> Result<IssuedToken, AppError> {
    let wait_ms = (login.tokens_not_before * 1000 - Utc::now().timestamp_millis()).clamp(0, 1000);
    if wait_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait_ms as u64)).await;
    }
    tokens.issue(login.user.id)
}

/// Ends a token before it expires, for every instance sharing the database.
pub async fn revoke_token(db: &Db, claims: &Claims) -> Result<(), AppError> {
    let expires_at = Utc
        .timestamp_opt(claims.exp, 0)
        .single()
        .unwrap_or_else(Utc::now);
    db.write(
        "insert into revoked_tokens (jti, expires_at) values ($1, $2) on conflict (jti) do nothing",
    )
    .bind(claims.jti)
    .bind(expires_at)
    .execute()
    .await?;
    db.credentials_ended(UserId(claims.sub)).await;
    Ok(())
}

/// Deletes revocations of tokens that have expired anyway; returns how many went.
pub async fn delete_expired_revocations(db: &Db) -> Result<u64, AppError> {
    let removed = db
        .write("delete from revoked_tokens where expires_at < $1")
        .bind(db::now())
        .execute()
        .await?;
    Ok(removed)
}
