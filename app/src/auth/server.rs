//! Accounts on the server: the SQL and the rules. The only place account queries live.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::{
    password::Passwords,
    throttle::{self, LoginThrottle},
    token::Claims,
    Credentials, NewAccount, User,
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::UserId,
    with_pool,
};

/// The one answer to a failed login, whether the email or the password was wrong.
pub const WRONG_CREDENTIALS: &str = "Wrong email or password.";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    id: Uuid,
    email: String,
    name: String,
    created_at: DateTime<Utc>,
    password_hash: String,
}

/// Creates an account; 409 when the email (in any case) is already registered.
pub async fn create_account(
    db: &Db,
    passwords: &Passwords,
    account: NewAccount,
) -> Result<User, AppError> {
    let hash = passwords.hash(&account.password).await?;
    let now = db::now();
    let id = Uuid::new_v4();
    let inserted = with_pool!(db, |pool| {
        sqlx::query_as::<_, UserRow>(
            "insert into users (id, email, name, password_hash, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $5)
             returning id, email, name, created_at",
        )
        .bind(id)
        .bind(account.email.as_str())
        .bind(account.name.as_str())
        .bind(hash)
        .bind(now)
        .fetch_all(pool)
        .await
        .map(db::first_row)
    });
    match inserted {
        Ok(Some(row)) => Ok(row.into()),
        Ok(None) => Err(AppError::Internal),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            "An account with this email address already exists.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The user these credentials belong to. Refuses with 429 while the account or the address
/// is locked out, and with the same 401 for an unknown email and a wrong password.
pub async fn check_credentials(
    db: &Db,
    passwords: &Passwords,
    throttle: LoginThrottle,
    credentials: &Credentials,
    client: IpAddr,
) -> Result<User, AppError> {
    let keys = throttle::Keys::new(&credentials.email, client);
    throttle.refuse_while_locked_out(db, &keys).await?;

    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, LoginRow>(
            "select id, email, name, created_at, password_hash from users where email = $1",
        )
        .bind(&credentials.email)
        .fetch_optional(pool)
        .await
    })?;
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let verified = passwords.verify(&credentials.password, stored).await?;

    match row {
        Some(row) if verified => {
            throttle::forget_account_failures(db, &keys).await?;
            Ok(User {
                id: row.id,
                email: row.email,
                name: row.name,
                created_at: row.created_at,
            })
        }
        _ => {
            throttle::record_failure(db, &keys).await?;
            Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()))
        }
    }
}

/// The user a session names, if it still exists.
pub async fn find_user(db: &Db, id: UserId) -> Result<Option<User>, AppError> {
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, UserRow>("select id, email, name, created_at from users where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(User::from))
}

/// The user a verified token names, unless the token was revoked or the user deleted.
pub async fn user_for_token(db: &Db, claims: &Claims) -> Result<Option<User>, AppError> {
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, UserRow>(
            "select id, email, name, created_at from users
             where id = $1 and not exists (select 1 from revoked_tokens where jti = $2)",
        )
        .bind(claims.sub)
        .bind(claims.jti)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.map(User::from))
}

/// Ends a token before it expires, for every instance sharing the database.
pub async fn revoke_token(db: &Db, claims: &Claims) -> Result<(), AppError> {
    let expires_at = Utc
        .timestamp_opt(claims.exp, 0)
        .single()
        .unwrap_or_else(Utc::now);
    with_pool!(db, |pool| {
        sqlx::query("insert into revoked_tokens (jti, expires_at) values ($1, $2) on conflict (jti) do nothing")
            .bind(claims.jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Deletes revocations of tokens that have expired anyway; returns how many went.
pub async fn delete_expired_revocations(db: &Db) -> Result<u64, AppError> {
    let removed = with_pool!(db, |pool| {
        sqlx::query("delete from revoked_tokens where expires_at < $1")
            .bind(db::now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(removed)
}
