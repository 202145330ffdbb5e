//! `/api/{user_id}/webhooks`: the caller's endpoints that receive their events, signed (see
//! `crate::webhooks`). Each is its owner's alone: anyone else's is 404.

use crate::state::AppState;
use app::{
    error::AppError,
    ids::UserId,
    webhooks::{rules, store, Delivery, Webhook},
};
use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    json::AppJson,
    responses::{Invalid, NoSuchWebhook, NotYours, TooLarge, Unauthorized, Unavailable},
    task_access::{own_path_ids, Owner},
};

const USER_ID: &str = "The caller's own id (the token's `sub`); anyone else's is 403.";

/// The body of a create.
#[derive(Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// `https`, or `http`, to a public address (loopback, private, link-local and multicast
    /// addresses are refused, unless the operator sets `WEBHOOKS_ALLOW_PRIVATE=true`).
    /// Redirects are not followed.
    #[schema(example = "https://example.com/hooks/todo")]
    pub url: String,
    /// Event names (`task.created`, `task.updated`, `task.deleted`, `task.reminder`,
    /// `list.updated`, `list.deleted`, `member.added`, `member.removed`), or `["*"]`.
    #[schema(example = json!(["*"]))]
    pub events: Vec<String>,
}

/// The body of a change: what is given changes.
#[derive(Deserialize, ToSchema)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `false` pauses it; `true` starts it again (its retries afresh).
    pub active: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhooksResponse {
    /// Oldest first; no secrets.
    pub webhooks: Vec<Webhook>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveriesResponse {
    /// The last 100 attempts, newest first.
    pub deliveries: Vec<Delivery>,
}

/// The caller and the `{webhook_id}` they ask about.
pub struct OwnWebhook {
    pub me: UserId,
    pub id: Uuid,
}

impl FromRequestParts<AppState> for OwnWebhook {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([me, id], _) = own_path_ids(parts, state, ["user_id", "webhook_id"]).await?;
        Ok(Self { me: UserId(me), id })
    }
}

/// Add a webhook: every event it subscribes to is `POST`ed to its URL as
/// `{"type", "timestamp", "data"}`, signed by the Standard Webhooks scheme (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
/// keyed by the secret's base64 after `whsec_`), at least once and in order. An answer other
/// than 2xx within 10 s is retried after 5 s, 1 min, 10 min, 1 h, 6 h and then daily; after
/// 3 days of failures the webhook turns `active: false`. At most 10 per account.
#[utoipa::path(
    post, path = "/{user_id}/webhooks", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID)),
    request_body = WebhookRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; its `secret` is shown this once", body = Webhook,
            headers(("Location" = String, description = "The new webhook's URL"))),
        Unauthorized, NotYours, TooLarge, Invalid, Unavailable,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Owner(me, ..): Owner,
    AppJson(body): AppJson<WebhookRequest>,
) -> Result<impl IntoResponse, AppError> {
    let events = rules::parse_events(&body.events)?;
    let url = rules::parse_url(&body.url, state.webhooks.allow_private).await?;
    let hook = store::create(&state.db, me, url.as_str(), &events).await?;
    state.webhooks.changed.notify_one();
    let location = HeaderValue::from_str(&format!("/api/{me}/webhooks/{}", hook.id))
        .map_err(|_| AppError::Internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(hook),
    ))
}

/// List your webhooks.
#[utoipa::path(
    get, path = "/{user_id}/webhooks", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your webhooks", body = WebhooksResponse),
        Unauthorized, NotYours, Invalid, Unavailable,
    )
)]
pub async fn all(
    State(state): State<AppState>,
    Owner(me, ..): Owner,
) -> Result<Json<WebhooksResponse>, AppError> {
    Ok(Json(WebhooksResponse {
        webhooks: store::all(&state.db, me).await?,
    }))
}

/// Change a webhook's URL or events, or pause or restart it.
#[utoipa::path(
    patch, path = "/{user_id}/webhooks/{webhook_id}", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("webhook_id" = Uuid, Path)),
    request_body = WebhookChange,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = Webhook),
        Unauthorized, NotYours, NoSuchWebhook, TooLarge, Invalid, Unavailable,
    )
)]
pub async fn update(
    State(state): State<AppState>,
    path: OwnWebhook,
    AppJson(body): AppJson<WebhookChange>,
) -> Result<Json<Webhook>, AppError> {
    let events = body
        .events
        .as_deref()
        .map(rules::parse_events)
        .transpose()?;
    let url = match body.url.as_deref() {
        Some(url) => Some(rules::parse_url(url, state.webhooks.allow_private).await?),
        None => None,
    };
    let hook = store::update(
        &state.db,
        path.me,
        path.id,
        url.as_ref().map(|u| u.as_str()),
        events.as_deref(),
        body.active,
    )
    .await?;
    state.webhooks.changed.notify_one();
    Ok(Json(hook))
}

/// Delete a webhook.
#[utoipa::path(
    delete, path = "/{user_id}/webhooks/{webhook_id}", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("webhook_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized, NotYours, NoSuchWebhook, Invalid, Unavailable,
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    path: OwnWebhook,
) -> Result<StatusCode, AppError> {
    store::delete(&state.db, path.me, path.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The last 100 delivery attempts of a webhook: the event, the answer's status or why there
/// was none, how long it took, when.
#[utoipa::path(
    get, path = "/{user_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("webhook_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its last attempts", body = DeliveriesResponse),
        Unauthorized, NotYours, NoSuchWebhook, Invalid, Unavailable,
    )
)]
pub async fn deliveries(
    State(state): State<AppState>,
    path: OwnWebhook,
) -> Result<Json<DeliveriesResponse>, AppError> {
    Ok(Json(DeliveriesResponse {
        deliveries: store::deliveries(&state.db, path.me, path.id).await?,
    }))
}

/// Send a test: a `ping` delivery (`{"type": "ping", "data": {"webhook_id"}}`) is queued.
#[utoipa::path(
    post, path = "/{user_id}/webhooks/{webhook_id}/test", tag = "webhooks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("webhook_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued"),
        Unauthorized, NotYours, NoSuchWebhook, Invalid, Unavailable,
    )
)]
pub async fn test(State(state): State<AppState>, path: OwnWebhook) -> Result<StatusCode, AppError> {
    store::ping(&state.db, path.me, path.id).await?;
    state.webhooks.changed.notify_one();
    Ok(StatusCode::ACCEPTED)
}
