//! Login throttling: failed logins are counted in the database (so every instance agrees),
//! per account and per client address, and either lock out logins for the window once it
//! holds `max_failures` of them.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};

use crate::{
    db::{self, Db},
    error::AppError,
    with_pool,
};

/// How many failed logins, within what window, lock an account or an address out.
#[derive(Clone, Copy, Debug)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window: Duration,
}

/// The two subjects a login attempt is counted against.
pub struct Keys {
    account: String,
    address: String,
}

impl Keys {
    pub fn new(email: &str, client: IpAddr) -> Self {
        Self {
            account: format!("account:{email}"),
            address: format!("address:{client}"),
        }
    }
}

impl LoginThrottle {
    fn window(self) -> chrono::Duration {
        chrono::Duration::from_std(self.window).unwrap_or_default()
    }

    /// 429 (with how long to wait) while the account or the address is locked out.
    pub async fn refuse_while_locked_out(self, db: &Db, keys: &Keys) -> Result<(), AppError> {
        let now = db::now();
        let counts: Vec<(i64, DateTime<Utc>)> = with_pool!(db, |pool| {
            sqlx::query_as(
                "select count(*), min(failed_at) from login_failures
                 where subject in ($1, $2) and failed_at > $3
                 group by subject",
            )
            .bind(&keys.account)
            .bind(&keys.address)
            .bind(now - self.window())
            .fetch_all(pool)
            .await
        })?;
        let locked_until = counts
            .into_iter()
            .filter(|(failures, _)| *failures >= i64::from(self.max_failures))
            .map(|(_, oldest)| oldest + self.window())
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

    /// Deletes failures older than the window; returns how many went.
    pub async fn delete_expired(self, db: &Db) -> Result<u64, AppError> {
        let before = db::now() - self.window();
        let removed = with_pool!(db, |pool| {
            sqlx::query("delete from login_failures where failed_at < $1")
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(removed)
    }
}

/// Counts one failed attempt against both the account and the address.
pub async fn record_failure(db: &Db, keys: &Keys) -> Result<(), AppError> {
    with_pool!(db, |pool| {
        sqlx::query("insert into login_failures (subject, failed_at) values ($1, $3), ($2, $3)")
            .bind(&keys.account)
            .bind(&keys.address)
            .bind(db::now())
            .execute(pool)
            .await
            .map(drop)
    })?;
    Ok(())
}

/// A correct password clears the account's failures (the address's stay counted).
pub async fn forget_account_failures(db: &Db, keys: &Keys) -> Result<(), AppError> {
    with_pool!(db, |pool| {
        sqlx::query("delete from login_failures where subject = $1")
            .bind(&keys.account)
            .execute(pool)
            .await
            .map(drop)
    })?;
    Ok(())
}
