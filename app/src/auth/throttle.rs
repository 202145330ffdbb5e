//! Login and signup throttling, in the database so every instance behind a load balancer
//! agrees.
//!
//! An attempt is recorded *before* the work it limits (a password check, an account
//! creation), in the same atomic step that checks every ceiling it is counted against: N
//! parallel attempts cannot all slip under a ceiling, because each sees the ones before it.
//! A login attempt whose password was right, and a signup that created nothing, are removed
//! again afterwards; what stays is a failed login or a created account.
//!
//! Atomicity: on SQLite the check and the insert are one statement, and a writing statement
//! holds the database's write lock from its start. On PostgreSQL the statement runs in a
//! transaction that first takes an advisory lock per subject (in one global order, so two
//! attempts never wait for each other in a cycle).

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    db::{self, Db},
    error::AppError,
};

/// The ceilings, all configurable (their defaults are in the table of variables in docs/operations.md).
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    /// Failed logins for one account from one address within `login_window`.
    pub login_failures_per_account_and_address: u32,
    /// Failed logins for one account from every address together.
    pub login_failures_per_account: u32,
    /// Failed logins from one address across every account.
    pub login_failures_per_address: u32,
    pub login_window: Duration,
    /// Accounts created from one address within `signup_window`.
    pub signups_per_address: u32,
    pub signup_window: Duration,
}

/// The window share attempts are counted in.
const SHARE_WINDOW: Duration = Duration::from_secs(3600);

/// One ceiling an attempt counts against: at most `max` events for `subject` in `window`.
struct Ceiling {
    subject: String,
    max: u32,
    window: Duration,
}

/// An attempt that has been counted. Drop it to let it stand (a failure, an account made);
/// [`Attempt::withdraw`] removes it again.
#[must_use]
pub struct Attempt {
    id: Uuid,
}

impl Throttle {
    /// Counts a login attempt for `email` from `client`, or refuses it with 429 (and how long
    /// to wait) when one of the three ceilings is reached.
    pub async fn start_login(
        &self,
        db: &Db,
        email: &str,
        client: IpAddr,
    ) -> Result<Attempt, AppError> {
        let window = self.login_window;
        count_attempt(
            db,
            &[
                Ceiling {
                    subject: login_pair(email, client),
                    max: self.login_failures_per_account_and_address,
                    window,
                },
                Ceiling {
                    subject: format!("login-account:{email}"),
                    max: self.login_failures_per_account,
                    window,
                },
                Ceiling {
                    subject: format!("login-address:{}", client_key(client)),
                    max: self.login_failures_per_address,
                    window,
                },
            ],
        )
        .await
    }

    /// Counts an account creation from `client`, or refuses it with 429.
    pub async fn start_signup(&self, db: &Db, client: IpAddr) -> Result<Attempt, AppError> {
        count_attempt(
            db,
            &[Ceiling {
                subject: format!("signup:{}", client_key(client)),
                max: self.signups_per_address,
                window: self.signup_window,
            }],
        )
        .await
    }

    /// Counts an attempt by `user` to share a list, or refuses it with 429 past `max` an
    /// hour (sharing looks an account up by its e-mail address).
    pub async fn start_share(
        &self,
        db: &Db,
        user: uuid::Uuid,
        max: u32,
    ) -> Result<Attempt, AppError> {
        count_attempt(
            db,
            &[Ceiling {
                subject: format!("share:{user}"),
                max,
                window: SHARE_WINDOW,
            }],
        )
        .await
    }

    /// Deletes events too old to count against any ceiling; returns how many went.
    pub async fn delete_expired(&self, db: &Db) -> Result<u64, AppError> {
        let longest = self.login_window.max(self.signup_window).max(SHARE_WINDOW);
        let before = db::now() - span(longest);
        let removed = db
            .write("delete from throttle_events where happened_at < $1")
            .bind(before)
            .execute()
            .await?;
        Ok(removed)
    }
}

/// A window's length, as the database's timestamps count it.
fn span(window: Duration) -> chrono::Duration {
    chrono::Duration::from_std(window).unwrap_or_default()
}

fn login_pair(email: &str, client: IpAddr) -> String {
    // The address has no spaces, so the pair reads back one way only.
    format!("login:{} {email}", client_key(client))
}

/// Whom a client address stands for: an IPv4 address itself, an IPv6 address by its /64
/// (one subscriber's network: its owner picks any of its 2^64 addresses at will, so counting
/// each address alone would let one client try without end).
pub fn client_key(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

impl Attempt {
    /// Takes the attempt back: it did not happen as far as the ceilings are concerned.
    pub async fn withdraw(self, db: &Db) -> Result<(), AppError> {
        db.write("delete from throttle_events where attempt = $1")
            .bind(self.id)
            .execute()
            .await?;
        Ok(())
    }

    /// A login that succeeded: this attempt and the earlier failures for the same account
    /// from the same address no longer count (failures from elsewhere still do).
    pub async fn login_succeeded(
        self,
        db: &Db,
        email: &str,
        client: IpAddr,
    ) -> Result<(), AppError> {
        db.write("delete from throttle_events where attempt = $1 or subject = $2")
            .bind(self.id)
            .bind(login_pair(email, client))
            .execute()
            .await?;
        Ok(())
    }
}

/// Checks every ceiling and records the attempt against all of them, in one atomic step.
async fn count_attempt(db: &Db, ceilings: &[Ceiling]) -> Result<Attempt, AppError> {
    let now = db::now();
    let attempt = Attempt { id: Uuid::new_v4() };
    let subjects: Vec<String> = ceilings.iter().map(|c| c.subject.clone()).collect();
    let statement = counting_statement(ceilings.len());
    let inserted = {
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        db::lock_subjects(&mut tx, &subjects).await?;
        let mut query = tx.sql(&statement).bind(attempt.id).bind(now);
        for ceiling in ceilings {
            query = query
                .bind(ceiling.subject.as_str())
                .bind(now - span(ceiling.window))
                .bind(i64::from(ceiling.max));
        }
        let inserted = query.execute().await?;
        tx.commit().await?;
        inserted
    };
    if inserted == ceilings.len() as u64 {
        return Ok(attempt);
    }
    Err(AppError::TooManyRequests {
        retry_after_secs: seconds_until_a_slot_frees(db, ceilings, now).await?,
    })
}

/// `insert ... select` one row per ceiling, only when every ceiling has room. Parameters:
/// `$1` the attempt, `$2` now, then per ceiling its subject, the window's start and its max.
fn counting_statement(ceilings: usize) -> String {
    let param = |ceiling: usize, offset: usize| format!("${}", 3 + ceiling * 3 + offset);
    let subjects: Vec<String> = (0..ceilings)
        .map(|c| format!("select {} as subject", param(c, 0)))
        .collect();
    let room: Vec<String> = (0..ceilings)
        .map(|c| {
            format!(
                "(select count(*) from throttle_events where subject = {} and happened_at > {}) < {}",
                param(c, 0),
                param(c, 1),
                param(c, 2)
            )
        })
        .collect();
    format!(
        "insert into throttle_events (attempt, subject, happened_at)
         select $1, subjects.subject, $2 from ({}) as subjects
         where {}",
        subjects.join(" union all "),
        room.join(" and ")
    )
}

/// How long until every full ceiling has a free slot again (at least a second).
async fn seconds_until_a_slot_frees(
    db: &Db,
    ceilings: &[Ceiling],
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut free_at = now;
    for ceiling in ceilings {
        let window = span(ceiling.window);
        // The event whose expiry brings the count back under the ceiling.
        let oldest_counted: Option<DateTime<Utc>> = db
            .read(
                "select happened_at from throttle_events
                 where subject = $1 and happened_at > $2
                 order by happened_at desc limit 1 offset $3",
            )
            .bind(ceiling.subject.as_str())
            .bind(now - window)
            .bind(i64::from(ceiling.max) - 1)
            .scalar_optional()
            .await?;
        if let Some(at) = oldest_counted {
            free_at = free_at.max(at + window);
        }
    }
    let wait_ms = (free_at - now).num_milliseconds().max(0) as u64;
    Ok(wait_ms.div_ceil(1000).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_by_address() {
        let key = |text: &str| client_key(text.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn the_counting_statement_numbers_its_parameters_per_ceiling() {
        let sql = counting_statement(2);
        assert!(sql.contains("select $3 as subject union all select $6 as subject"));
        assert!(sql.contains("subject = $3 and happened_at > $4) < $5"));
        assert!(sql.contains("subject = $6 and happened_at > $7) < $8"));
    }

    #[test]
    fn a_login_pair_cannot_be_confused_with_another() {
        let a = login_pair("x y@example.com", "10.0.0.1".parse().unwrap());
        let b = login_pair("y@example.com", "10.0.0.1".parse().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("login:10.0.0.1 "));
    }
}
