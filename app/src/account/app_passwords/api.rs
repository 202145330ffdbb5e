//! The app passwords section's server functions: thin adapters over [`super::store`], each
//! for the signed-in caller and their own app passwords only.

use leptos::prelude::*;
use uuid::Uuid;

use super::{AppPasswordsOnPage, NewAppPassword};
use crate::error::AppError;

/// The session key that holds a new app password from a plain form post until the page
/// shows it, once.
#[cfg(feature = "ssr")]
const NEW_PASSWORD_KEY: &str = "new_app_password";

/// After a plain form post: back to the section, which says what was done.
#[cfg(feature = "ssr")]
fn back_to_section(done: &str) {
    if crate::error::is_plain_form_post() {
        leptos_axum::redirect(&format!(
            "{}?done={done}#app-passwords",
            crate::auth::ACCOUNT_PAGE
        ));
    }
}

/// This server's CalDAV address as the browser reached it: the request's host, over https
/// when a proxy in front says so (`X-Forwarded-Proto`).
#[cfg(feature = "ssr")]
fn server_url() -> String {
    let parts = use_context::<http::request::Parts>();
    let header = |name: &str| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host = header("host").unwrap_or_else(|| "localhost".into());
    let scheme = match header("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}/dav/")
}

/// The caller's app passwords, and one just made by a plain form post (taken out of the
/// session as it is shown).
#[server(prefix = "/rpc", endpoint = "app-passwords/list")]
pub async fn list_app_passwords() -> Result<AppPasswordsOnPage, AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        let passwords = super::store::on_page(&state.db, auth.id(), &auth.user.time_zone).await?;
        let new_password = crate::auth::extract::take_once(NEW_PASSWORD_KEY).await;
        Ok(AppPasswordsOnPage {
            passwords,
            new_password,
            server_url: server_url(),
            email: auth.user.email.clone(),
        })
    })
    .await
}

/// Makes an app password; it is shown this once.
#[server(prefix = "/rpc", endpoint = "app-passwords/add")]
pub async fn add_app_password(name: String) -> Result<NewAppPassword, AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let name = super::parse_name(&name)?;
        let made = super::store::create(&state.db, auth.id(), &name).await?;
        let new = NewAppPassword {
            name: made.name,
            password: made.password.unwrap_or_default(),
        };
        if crate::error::is_plain_form_post() {
            crate::auth::extract::keep_once(NEW_PASSWORD_KEY, &new).await?;
            back_to_section("app-password-added");
        }
        Ok(new)
    })
    .await
}

/// Revokes an app password: the app that used it can no longer sign in.
#[server(prefix = "/rpc", endpoint = "app-passwords/delete")]
pub async fn delete_app_password(id: Uuid) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        super::store::delete(&state.db, auth.id(), id).await?;
        back_to_section("app-password-deleted");
        Ok(())
    })
    .await
}
