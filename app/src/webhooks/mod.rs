//! Webhooks: a user's own endpoints, each sent the events of the user's log it subscribes
//! to. Here: their rules ([`rules`]), their rows ([`store`], and
//! [`progress`] for the deliverer), the account page's section
//! ([`views`]) and its server functions ([`api`]); the server delivers them. Builds on
//! `auth` (whose they are) and nothing else of the app.

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
pub mod progress;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most webhooks one account keeps.
pub const PER_ACCOUNT: i64 = 10;

/// The events a webhook may subscribe to (or `*`: every one).
pub const EVENTS: [&str; 8] = [
    "task.created",
    "task.updated",
    "task.deleted",
    "task.reminder",
    "list.updated",
    "list.deleted",
    "member.added",
    "member.removed",
];

/// A webhook as the API shows it (its secret only once, at creation).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    #[schema(example = "https://example.com/hooks/todo")]
    pub url: String,
    /// Event names, or `["*"]`.
    #[schema(example = json!(["task.created", "task.reminder"]))]
    pub events: Vec<String>,
    /// Shown once, in the answer to the create: `whsec_` and base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// False once paused, or after three days of failed deliveries.
    pub active: bool,
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One attempt to deliver an event.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Delivery {
    /// The `webhook-id` sent.
    pub event_id: String,
    /// The event's name, or `ping`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The endpoint's answer, if it answered.
    pub status_code: Option<i32>,
    /// Why there was no answer (a timeout, a refused address, …), if there was none.
    pub error: Option<String>,
    pub duration_ms: i32,
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The account page's webhooks section: each webhook with its last deliveries, and the
/// secret of the one just added by a plain form post (shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksOnPage {
    pub webhooks: Vec<WebhookOnPage>,
    pub new_secret: Option<NewSecret>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookOnPage {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    /// The newest first, at most [`DELIVERIES_ON_PAGE`].
    pub deliveries: Vec<DeliveryOnPage>,
}

/// How many of each webhook's last deliveries the page shows.
pub const DELIVERIES_ON_PAGE: usize = 10;

/// A delivery as the page says it, its time read in the account's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOnPage {
    pub event_type: String,
    /// "200", or why there was no answer.
    pub outcome: String,
    /// Whether the endpoint took it (a 2xx).
    pub ok: bool,
    pub duration_ms: i32,
    pub at: String,
}

/// A new webhook's signing secret, for the page to show once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub url: String,
    pub secret: String,
}

#[cfg(feature = "ssr")]
impl DeliveryOnPage {
    pub fn of(delivery: Delivery, zone: &str) -> Self {
        let ok = delivery
            .status_code
            .is_some_and(|code| (200..300).contains(&code));
        let outcome = match (delivery.status_code, delivery.error) {
            (Some(code), _) => code.to_string(),
            (None, Some(error)) => error,
            (None, None) => "no answer".to_string(),
        };
        Self {
            event_type: delivery.event_type,
            outcome,
            ok,
            duration_ms: delivery.duration_ms,
            at: crate::timestamp::in_zone(delivery.at, zone),
        }
    }
}
