//! The webhooks section's server functions: thin adapters over [`super::store`], each for
//! the signed-in caller and their own webhooks only.

use leptos::prelude::*;
use uuid::Uuid;

use super::{NewSecret, WebhooksOnPage};
use crate::error::AppError;

/// The session key that holds a new webhook's secret from a plain form post until the page
/// shows it, once.
#[cfg(feature = "ssr")]
const NEW_SECRET_KEY: &str = "webhook_secret";

/// The webhooks' settings, provided by the server as context.
#[cfg(feature = "ssr")]
fn settings() -> Result<super::rules::Settings, AppError> {
    use_context::<super::rules::Settings>().ok_or_else(|| {
        tracing::error!("the webhooks' settings are missing from the server function context");
        AppError::Internal
    })
}

/// After a plain form post: back to the section, which says what was done (with
/// JavaScript, the section says it from the action's answer and stays where it is).
#[cfg(feature = "ssr")]
fn back_to_section(done: &str) {
    if crate::error::is_plain_form_post() {
        leptos_axum::redirect(&format!(
            "{}?done={done}#webhooks",
            crate::auth::ACCOUNT_PAGE
        ));
    }
}

/// The caller's webhooks with their last deliveries, and the secret of one just added by a
/// plain form post, taken out of the session as it is shown.
#[server(prefix = "/rpc", endpoint = "webhooks/list")]
pub async fn list_webhooks() -> Result<WebhooksOnPage, AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        let webhooks = super::store::on_page(&state.db, auth.id(), &auth.user.time_zone).await?;
        let new_secret = crate::auth::extract::take_once::<NewSecret>(NEW_SECRET_KEY).await;
        Ok(WebhooksOnPage {
            webhooks,
            new_secret,
        })
    })
    .await
}

/// Adds a webhook; its secret is shown this once.
#[server(prefix = "/rpc", endpoint = "webhooks/add")]
pub async fn add_webhook(url: String, events: String) -> Result<NewSecret, AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let settings = settings()?;
        let (events, url) = AppError::both(
            super::rules::events_in_words(&events),
            super::rules::parse_url(&url, settings.allow_private).await,
        )?;
        let hook = super::store::create(&state.db, auth.id(), url.as_str(), &events).await?;
        settings.changed.notify_one();
        let new = NewSecret {
            url: hook.url,
            secret: hook.secret.unwrap_or_default(),
        };
        if crate::error::is_plain_form_post() {
            crate::auth::extract::keep_once(NEW_SECRET_KEY, &new).await?;
            back_to_section("webhook-added");
        }
        Ok(new)
    })
    .await
}

/// Pauses a webhook, or starts it again (its retries afresh); answers whether it is active.
#[server(prefix = "/rpc", endpoint = "webhooks/active")]
pub async fn set_webhook_active(id: Uuid, active: bool) -> Result<bool, AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let hook = super::store::update(&state.db, auth.id(), id, None, None, Some(active)).await?;
        settings()?.changed.notify_one();
        back_to_section(if active {
            "webhook-resumed"
        } else {
            "webhook-paused"
        });
        Ok(hook.active)
    })
    .await
}

/// Queues a `ping` delivery.
#[server(prefix = "/rpc", endpoint = "webhooks/test")]
pub async fn test_webhook(id: Uuid) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        super::store::ping(&state.db, auth.id(), id).await?;
        settings()?.changed.notify_one();
        back_to_section("webhook-tested");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "webhooks/delete")]
pub async fn delete_webhook(id: Uuid) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        super::store::delete(&state.db, auth.id(), id).await?;
        back_to_section("webhook-deleted");
        Ok(())
    })
    .await
}
