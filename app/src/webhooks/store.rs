//! The webhooks' rows: the API's changes (each the owner's alone) and the deliverer's
//! progress. Every write takes the write turn (`with_writer!`).

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{Delivery, Webhook, PER_ACCOUNT};
use crate::{db::Db, error::AppError, ids::UserId, with_reader, with_writer};

/// A webhook's row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub user_id: UserId,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub cursor: i64,
    pub attempt: i32,
    pub failing_since: Option<DateTime<Utc>>,
    pub ping_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, user_id, url, events, secret, active, created_at, cursor, attempt, failing_since, ping_at";

impl Row {
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    /// Whether the webhook takes events named `kind`.
    pub fn takes(&self, kind: &str) -> bool {
        self.events().iter().any(|e| e == "*" || e == kind)
    }

    fn shown(self) -> Webhook {
        Webhook {
            events: self.events(),
            id: self.id,
            url: self.url,
            secret: None,
            active: self.active,
            created_at: self.created_at,
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such webhook.".into())
}

/// Makes a webhook of `owner`'s, at most [`PER_ACCOUNT`]; only events after now go out.
pub async fn create(
    db: &Db,
    owner: UserId,
    url: &str,
    events: &[String],
) -> Result<Webhook, AppError> {
    let (id, now, secret) = (Uuid::now_v7(), crate::db::now(), super::rules::new_secret());
    let events = serde_json::to_string(events).unwrap_or_else(|_| "[]".into());
    // The count and the insert see the same rows: concurrent creates of one account take
    // turns (each would otherwise count the same ones and insert one too many).
    let lock = db.lock_user();
    let rows: Vec<Row> = with_writer!(db, |w| {
        async {
            let mut tx = w.begin().await?;
            sqlx::query(lock).bind(owner).execute(&mut tx).await?;
            let rows = sqlx::query_as(&format!(
                "insert into webhooks (id, user_id, url, events, secret, active, created_at,
                                       updated_at, cursor)
                 select $1, $2, $3, $4, $5, true, $6, $6,
                        coalesce((select last from event_seqs where user_id = $2), 0)
                 where (select count(*) from webhooks where user_id = $2) < $7
                 returning {COLUMNS}"
            ))
            .bind(id)
            .bind(owner)
            .bind(url)
            .bind(&events)
            .bind(&secret)
            .bind(now)
            .bind(PER_ACCOUNT)
            .fetch_all(&mut tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await
    })?;
    let Some(row) = rows.into_iter().next() else {
        return Err(super::rules::too_many());
    };
    Ok(Webhook {
        secret: Some(secret),
        ..row.shown()
    })
}

/// `owner`'s webhooks, oldest first.
pub async fn all(db: &Db, owner: UserId) -> Result<Vec<Webhook>, AppError> {
    let rows: Vec<Row> = with_reader!(db, |pool| {
        sqlx::query_as(&format!(
            "select {COLUMNS} from webhooks where user_id = $1 order by created_at, id"
        ))
        .bind(owner)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(Row::shown).collect())
}

/// `owner`'s webhooks for the page, oldest first, each with its last deliveries.
pub async fn on_page(
    db: &Db,
    owner: UserId,
    zone: &str,
) -> Result<Vec<super::WebhookOnPage>, AppError> {
    let hooks = all(db, owner).await?;
    let rows: Vec<DeliveryOf> = with_reader!(db, |pool| {
        sqlx::query_as(
            "select webhook_id, event_id, event_type, status_code, error, duration_ms, at
                 from (select d.*, row_number() over
                           (partition by d.webhook_id order by d.at desc, d.id desc) as n
                       from webhook_deliveries d
                       where d.webhook_id in (select id from webhooks where user_id = $1)) newest
                 where n <= $2 order by at desc, id desc",
        )
        .bind(owner)
        .bind(super::DELIVERIES_ON_PAGE as i64)
        .fetch_all(pool)
        .await
    })?;
    Ok(hooks
        .into_iter()
        .map(|hook| super::WebhookOnPage {
            deliveries: rows
                .iter()
                .filter(|row| row.webhook_id == hook.id)
                .map(|row| super::DeliveryOnPage::of(row.delivery.clone(), zone))
                .collect(),
            id: hook.id,
            url: hook.url,
            events: hook.events,
            active: hook.active,
        })
        .collect())
}

/// A delivery and the webhook it was for.
#[derive(sqlx::FromRow)]
struct DeliveryOf {
    webhook_id: Uuid,
    #[sqlx(flatten)]
    delivery: Delivery,
}

/// Changes what is given; turning a webhook on again starts its schedule afresh.
pub async fn update(
    db: &Db,
    owner: UserId,
    id: Uuid,
    url: Option<&str>,
    events: Option<&[String]>,
    active: Option<bool>,
) -> Result<Webhook, AppError> {
    let events = events.map(|e| serde_json::to_string(e).unwrap_or_else(|_| "[]".into()));
    let rows: Vec<Row> = with_writer!(db, |w| {
        sqlx::query_as(&format!(
            "update webhooks set url = coalesce($3, url), events = coalesce($4, events),
                    attempt = case when $5 and not active then 0 else attempt end,
                    failing_since = case when $5 and not active then null else failing_since end,
                    next_attempt_at = case when $5 and not active then null else next_attempt_at end,
                    active = coalesce($5, active), updated_at = $6
             where id = $1 and user_id = $2 returning {COLUMNS}"
        ))
        .bind(id)
        .bind(owner)
        .bind(url)
        .bind(events)
        .bind(active)
        .bind(crate::db::now())
        .fetch_all(&mut *w)
        .await
    })?;
    rows.into_iter()
        .next()
        .map(Row::shown)
        .ok_or_else(not_found)
}

pub async fn delete(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
    let gone = with_writer!(db, |w| {
        sqlx::query("delete from webhooks where id = $1 and user_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *w)
            .await
            .map(|r| r.rows_affected())
    })?;
    if gone == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Queues a `ping` delivery.
pub async fn ping(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
    let queued = with_writer!(db, |w| {
        sqlx::query("update webhooks set ping_at = $3 where id = $1 and user_id = $2")
            .bind(id)
            .bind(owner)
            .bind(crate::db::now())
            .execute(&mut *w)
            .await
            .map(|r| r.rows_affected())
    })?;
    if queued == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// The last 100 attempts of `owner`'s webhook `id`, newest first.
pub async fn deliveries(db: &Db, owner: UserId, id: Uuid) -> Result<Vec<Delivery>, AppError> {
    let (found, deliveries): (Option<i32>, Vec<Delivery>) = with_reader!(db, |pool| {
        let found = sqlx::query_scalar("select 1 from webhooks where id = $1 and user_id = $2")
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await?;
        let deliveries = sqlx::query_as(
            "select event_id, event_type, status_code, error, duration_ms, at
             from webhook_deliveries where webhook_id = $1 order by at desc, id desc limit 100",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>((found, deliveries))
    })?;
    found.map(|_| deliveries).ok_or_else(not_found)
}

/// What a deliverer may take now: active webhooks not taken by another, not waiting for a
/// retry, with a ping or an event after their cursor.
pub async fn due(db: &Db, now: DateTime<Utc>) -> Result<Vec<Uuid>, AppError> {
    Ok(with_reader!(db, |pool| {
        sqlx::query_scalar(
            "select id from webhooks
             where active and (lease_until is null or lease_until < $1)
               and (next_attempt_at is null or next_attempt_at <= $1)
               and (ping_at is not null or exists (select 1 from task_events e
                    where e.user_id = webhooks.user_id and e.seq > webhooks.cursor))
             limit 64",
        )
        .bind(now)
        .fetch_all(pool)
        .await
    })?)
}

/// When the next retry falls due, if any webhook waits for one.
pub async fn next_retry(db: &Db) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(with_reader!(db, |pool| {
        sqlx::query_scalar(
            "select next_attempt_at from webhooks where active and next_attempt_at is not null
             order by next_attempt_at limit 1",
        )
        .fetch_optional(pool)
        .await
    })?)
}

/// The users who have an active webhook.
pub async fn watched(db: &Db) -> Result<Vec<UserId>, AppError> {
    Ok(with_reader!(db, |pool| {
        sqlx::query_scalar("select distinct user_id from webhooks where active")
            .fetch_all(pool)
            .await
    })?)
}

/// Takes webhook `id` for `lease` (no other instance delivers it meanwhile), if it is free.
pub async fn take(db: &Db, id: Uuid, lease: TimeDelta) -> Result<Option<Row>, AppError> {
    let now = crate::db::now();
    let rows: Vec<Row> = with_writer!(db, |w| {
        sqlx::query_as(&format!(
            "update webhooks set lease_until = $2
             where id = $1 and active and (lease_until is null or lease_until < $3)
               and (next_attempt_at is null or next_attempt_at <= $3)
             returning {COLUMNS}"
        ))
        .bind(id)
        .bind(now + lease)
        .bind(now)
        .fetch_all(&mut *w)
        .await
    })?;
    Ok(rows.into_iter().next())
}

/// The first event of the webhook's user after its cursor: (seq, kind, data, when).
pub async fn next_event(
    db: &Db,
    hook: &Row,
) -> Result<Option<(i64, String, String, DateTime<Utc>)>, AppError> {
    Ok(with_reader!(db, |pool| {
        sqlx::query_as(
            "select seq, kind, data, created_at from task_events
             where user_id = $1 and seq > $2 order by seq limit 1",
        )
        .bind(hook.user_id)
        .bind(hook.cursor)
        .fetch_optional(pool)
        .await
    })?)
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
    let rows: Vec<Row> = with_writer!(db, |w| {
        sqlx::query(
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
        .execute(&mut *w)
        .await?;
        sqlx::query(
            "delete from webhook_deliveries where webhook_id = $1 and id not in
                 (select id from webhook_deliveries where webhook_id = $1
                  order by at desc, id desc limit 100)",
        )
        .bind(hook.id)
        .execute(&mut *w)
        .await?;
        sqlx::query_as(&format!(
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
        .fetch_all(&mut *w)
        .await
    })?;
    rows.into_iter().next().ok_or_else(not_found)
}

/// Moves the webhook past event `seq`, which it does not subscribe to (any more: failures of
/// an event it has since stopped subscribing to end with it).
pub async fn skip(db: &Db, hook: &Row, seq: i64) -> Result<(), AppError> {
    with_writer!(db, |w| {
        sqlx::query(
            "update webhooks set cursor = $2, attempt = 0, failing_since = null,
                    next_attempt_at = null
             where id = $1 and cursor < $2",
        )
        .bind(hook.id)
        .bind(seq)
        .execute(&mut *w)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Gives the webhook back for others to take.
pub async fn release(db: &Db, id: Uuid) -> Result<(), AppError> {
    with_writer!(db, |w| {
        sqlx::query("update webhooks set lease_until = null where id = $1")
            .bind(id)
            .execute(&mut *w)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
