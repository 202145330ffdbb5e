//! The deliverer's side of the webhooks' rows (the API's side is [`super::store`]): what is due,
//! taking a webhook for a while, and recording its attempts. Every write takes the write turn
//! (`Db::write`, `Db::writer`).

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::store::{not_found, Row, COLUMNS};
use crate::{db::Db, error::AppError, ids::UserId};

/// What a deliverer may take now: active webhooks not taken by another, not waiting for a
/// retry, with a ping or an event after their cursor.
pub async fn due(db: &Db, now: DateTime<Utc>) -> Result<Vec<Uuid>, AppError> {
    Ok(db
        .read(
            "select id from webhooks
             where active and (lease_until is null or lease_until < $1)
               and (next_attempt_at is null or next_attempt_at <= $1)
               and (ping_at is not null or exists (select 1 from task_events e
                    where e.user_id = webhooks.user_id and e.seq > webhooks.cursor))
             limit 64",
        )
        .bind(now)
        .scalars()
        .await?)
}

/// When the next retry falls due, if any webhook waits for one.
pub async fn next_retry(db: &Db) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(db
        .read(
            "select next_attempt_at from webhooks where active and next_attempt_at is not null
             order by next_attempt_at limit 1",
        )
        .scalar_optional()
        .await?)
}

/// The users who have an active webhook.
pub async fn watched(db: &Db) -> Result<Vec<UserId>, AppError> {
    Ok(db
        .read("select distinct user_id from webhooks where active")
        .scalars()
        .await?)
}

/// Takes webhook `id` for `lease` (no other instance delivers it meanwhile), if it is free.
pub async fn take(db: &Db, id: Uuid, lease: TimeDelta) -> Result<Option<Row>, AppError> {
    let now = crate::db::now();
    Ok(db
        .write(format!(
            "update webhooks set lease_until = $2
             where id = $1 and active and (lease_until is null or lease_until < $3)
               and (next_attempt_at is null or next_attempt_at <= $3)
             returning {COLUMNS}"
        ))
        .bind(id)
        .bind(now + lease)
        .bind(now)
        .optional()
        .await?)
}

/// The first event of the webhook's user after its cursor: (seq, kind, data, when).
pub async fn next_event(
    db: &Db,
    hook: &Row,
) -> Result<Option<(i64, String, String, DateTime<Utc>)>, AppError> {
    Ok(db
        .read(
            "select seq, kind, data, created_at from task_events
             where user_id = $1 and seq > $2 order by seq limit 1",
        )
        .bind(hook.user_id)
        .bind(hook.cursor)
        .optional()
        .await?)
}

/// What one attempt came to.
pub struct Attempt<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub ok: bool,
}

/// The retries' schedule after the first failed attempt of an event.
const RETRY_AFTER: [TimeDelta; 6] = [
    TimeDelta::seconds(5),
    TimeDelta::minutes(1),
    TimeDelta::minutes(10),
    TimeDelta::hours(1),
    TimeDelta::hours(6),
    TimeDelta::hours(24),
];

/// How long a webhook may fail before it is turned off.
const GIVE_UP_AFTER: TimeDelta = TimeDelta::days(3);

/// Records an attempt at the event `seq` (`None`: a ping), keeping the last 100, and moves
/// the webhook on: past the event when it went through, else to its next retry (or off).
/// Returns the row as it is now, the lease renewed for `lease`.
pub async fn record(
    db: &Db,
    hook: &Row,
    seq: Option<i64>,
    attempt: Attempt<'_>,
    lease: TimeDelta,
) -> Result<Row, AppError> {
    let now = crate::db::now();
    let (attempts, failing_since, next) = match (seq, attempt.ok) {
        // A ping is tried once, whatever comes of it.
        (None, _) | (Some(_), true) => (hook.attempt, hook.failing_since, None),
        (Some(_), false) => {
            let n = usize::try_from(hook.attempt)
                .unwrap_or(0)
                .min(RETRY_AFTER.len() - 1);
            (
                hook.attempt + 1,
                Some(hook.failing_since.unwrap_or(now)),
                Some(now + RETRY_AFTER[n]),
            )
        }
    };
    let (attempts, failing_since) = if seq.is_some() && attempt.ok {
        (0, None)
    } else {
        (attempts, failing_since)
    };
    let active = failing_since.is_none_or(|since| now - since < GIVE_UP_AFTER);
    let cursor = match (seq, attempt.ok) {
        (Some(seq), true) => seq,
        _ => hook.cursor,
    };
    // Three statements, each committed on its own, under one write turn.
    let mut w = db.writer().await?;
    w.sql(
        "insert into webhook_deliveries (id, webhook_id, event_id, event_type, status_code,
                                             error, duration_ms, at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(hook.id)
    .bind(attempt.event_id)
    .bind(attempt.event_type)
    .bind(attempt.status_code)
    .bind(attempt.error.as_deref())
    .bind(attempt.duration_ms)
    .bind(now)
    .execute()
    .await?;
    w.sql(
        "delete from webhook_deliveries where webhook_id = $1 and id not in
                 (select id from webhook_deliveries where webhook_id = $1
                  order by at desc, id desc limit 100)",
    )
    .bind(hook.id)
    .execute()
    .await?;
    let row: Option<Row> = w
        .sql(format!(
            "update webhooks set cursor = $2, attempt = $3, failing_since = $4,
                    next_attempt_at = $5, active = active and $6,
                    ping_at = case when $7 then null else ping_at end,
                    lease_until = case when $5 is null then $8 else null end
             where id = $1 returning {COLUMNS}"
        ))
        .bind(hook.id)
        .bind(cursor)
        .bind(attempts)
        .bind(failing_since)
        .bind(next)
        .bind(active)
        .bind(seq.is_none())
        .bind(now + lease)
        .optional()
        .await?;
    row.ok_or_else(not_found)
}

/// Moves the webhook past event `seq`, which it does not subscribe to (any more: failures of
/// an event it has since stopped subscribing to end with it).
pub async fn skip(db: &Db, hook: &Row, seq: i64) -> Result<(), AppError> {
    db.write(
        "update webhooks set cursor = $2, attempt = 0, failing_since = null,
                    next_attempt_at = null
             where id = $1 and cursor < $2",
    )
    .bind(hook.id)
    .bind(seq)
    .execute()
    .await?;
    Ok(())
}

/// Gives the webhook back for others to take.
pub async fn release(db: &Db, id: Uuid) -> Result<(), AppError> {
    db.write("update webhooks set lease_until = null where id = $1")
        .bind(id)
        .execute()
        .await?;
    Ok(())
}
