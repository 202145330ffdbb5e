//! The webhooks' rows: the API's changes (each the owner's alone); the deliverer's progress
//! is in [`super::progress`]. Every write takes the write turn (`Db::write`, `Db::writer`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Delivery, Webhook, PER_ACCOUNT};
use crate::{db::Db, error::AppError, ids::UserId};

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

pub(super) const COLUMNS: &str =
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

pub(super) fn not_found() -> AppError {
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
    let mut writer = db.writer().await?;
    let mut tx = writer.begin().await?;
    tx.sql(lock).bind(owner).execute().await?;
    let row: Option<Row> = tx
        .sql(format!(
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
        .bind(events.as_str())
        .bind(secret.as_str())
        .bind(now)
        .bind(PER_ACCOUNT)
        .optional()
        .await?;
    tx.commit().await?;
    let Some(row) = row else {
        return Err(super::rules::too_many());
    };
    Ok(Webhook {
        secret: Some(secret),
        ..row.shown()
    })
}

/// `owner`'s webhooks, oldest first.
pub async fn all(db: &Db, owner: UserId) -> Result<Vec<Webhook>, AppError> {
    let rows: Vec<Row> = db
        .read(format!(
            "select {COLUMNS} from webhooks where user_id = $1 order by created_at, id"
        ))
        .bind(owner)
        .all()
        .await?;
    Ok(rows.into_iter().map(Row::shown).collect())
}

/// `owner`'s webhooks for the page, oldest first, each with its last deliveries.
pub async fn on_page(
    db: &Db,
    owner: UserId,
    zone: &str,
) -> Result<Vec<super::WebhookOnPage>, AppError> {
    let hooks = all(db, owner).await?;
    let rows: Vec<DeliveryOf> = db
        .read(
            "select webhook_id, event_id, event_type, status_code, error, duration_ms, at
                 from (select d.*, row_number() over
                           (partition by d.webhook_id order by d.at desc, d.id desc) as n
                       from webhook_deliveries d
                       where d.webhook_id in (select id from webhooks where user_id = $1)) newest
                 where n <= $2 order by at desc, id desc",
        )
        .bind(owner)
        .bind(super::DELIVERIES_ON_PAGE as i64)
        .all()
        .await?;
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
    let row: Option<Row> = db
        .write(format!(
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
        .optional()
        .await?;
    row.map(Row::shown).ok_or_else(not_found)
}

pub async fn delete(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
    let gone = db
        .write("delete from webhooks where id = $1 and user_id = $2")
        .bind(id)
        .bind(owner)
        .execute()
        .await?;
    if gone == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Queues a `ping` delivery.
pub async fn ping(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
    let queued = db
        .write("update webhooks set ping_at = $3 where id = $1 and user_id = $2")
        .bind(id)
        .bind(owner)
        .bind(crate::db::now())
        .execute()
        .await?;
    if queued == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// The last 100 attempts of `owner`'s webhook `id`, newest first.
pub async fn deliveries(db: &Db, owner: UserId, id: Uuid) -> Result<Vec<Delivery>, AppError> {
    let found: Option<i32> = db
        .read("select 1 from webhooks where id = $1 and user_id = $2")
        .bind(id)
        .bind(owner)
        .scalar_optional()
        .await?;
    let deliveries: Vec<Delivery> = db
        .read(
            "select event_id, event_type, status_code, error, duration_ms, at
             from webhook_deliveries where webhook_id = $1 order by at desc, id desc limit 100",
        )
        .bind(id)
        .all()
        .await?;
    found.map(|_| deliveries).ok_or_else(not_found)
}
