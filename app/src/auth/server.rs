//! Accounts on the server: the SQL and the rules. The only place account queries live.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::{token::Claims, Credentials, NewAccount, User};
use crate::{
    db::{self, Db},
    error::AppError,
    state::AppState,
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

/// How many failed logins, within what window, lock an account or an address out.
#[derive(Clone, Copy, Debug)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window: Duration,
}

/// Creates an account; 409 when the email (in any case) is already registered.
pub async fn create_account(state: &AppState, account: NewAccount) -> Result<User, AppError> {
    let hash = state.passwords.hash(&account.password).await?;
    let now = db::now();
    let id = Uuid::new_v4();
    let inserted = with_pool!(&state.db, |pool| {
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
    state: &AppState,
    credentials: &Credentials,
    client: IpAddr,
) -> Result<User, AppError> {
    let account_key = format!("account:{}", credentials.email);
    let address_key = format!("address:{client}");
    refuse_while_locked_out(state, &account_key, &address_key).await?;

    let row = with_pool!(&state.db, |pool| {
        sqlx::query_as::<_, LoginRow>(
            "select id, email, name, created_at, password_hash from users where email = $1",
        )
        .bind(&credentials.email)
        .fetch_optional(pool)
        .await
    })?;
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let verified = state
        .passwords
        .verify(&credentials.password, stored)
        .await?;

    match row {
        Some(row) if verified => {
            with_pool!(&state.db, |pool| {
                sqlx::query("delete from login_failures where subject = $1")
                    .bind(&account_key)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            Ok(User {
                id: row.id,
                email: row.email,
                name: row.name,
                created_at: row.created_at,
            })
        }
        _ => {
            with_pool!(&state.db, |pool| {
                sqlx::query(
                    "insert into login_failures (subject, failed_at) values ($1, $3), ($2, $3)",
                )
                .bind(&account_key)
                .bind(&address_key)
                .bind(db::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })?;
            Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()))
        }
    }
}

async fn refuse_while_locked_out(
    state: &AppState,
    account_key: &str,
    address_key: &str,
) -> Result<(), AppError> {
    let throttle = state.login_throttle;
    let now = db::now();
    let since = now - chrono::Duration::from_std(throttle.window).unwrap_or_default();
    let counts: Vec<(i64, DateTime<Utc>)> = with_pool!(&state.db, |pool| {
        sqlx::query_as(
            "select count(*), min(failed_at) from login_failures
             where subject in ($1, $2) and failed_at > $3
             group by subject",
        )
        .bind(account_key)
        .bind(address_key)
        .bind(since)
        .fetch_all(pool)
        .await
    })?;
    let locked_until = counts
        .into_iter()
        .filter(|(failures, _)| *failures >= i64::from(throttle.max_failures))
        .map(|(_, oldest)| oldest + chrono::Duration::from_std(throttle.window).unwrap_or_default())
        .max();
    match locked_until {
        Some(until) => {
            let wait_ms = (until - now).num_milliseconds().max(0) as u64;
            Err(AppError::TooManyRequests {
                retry_after_secs: wait_ms.div_ceil(1000).max(1),
            })
        }
        None => Ok(()),
    }
}

/// The user a session names, if it still exists.
pub async fn find_user(db: &Db, id: Uuid) -> Result<Option<User>, AppError> {
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

/// Deletes what no longer matters: revocations of expired tokens and failures older than
/// the throttle window. Returns how many rows went.
pub async fn delete_expired(db: &Db, throttle: LoginThrottle) -> Result<u64, AppError> {
    let now = db::now();
    let failures_before = now - chrono::Duration::from_std(throttle.window).unwrap_or_default();
    let removed = with_pool!(db, |pool| {
        let tokens = sqlx::query("delete from revoked_tokens where expires_at < $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
        let failures = sqlx::query("delete from login_failures where failed_at < $1")
            .bind(failures_before)
            .execute(pool)
            .await?
            .rows_affected();
        Ok::<u64, sqlx::Error>(tokens + failures)
    })?;
    Ok(removed)
}
