//! The account page's server functions: thin adapters over [`super::store`], each acting
//! for the signed-in caller.

use leptos::prelude::*;
use uuid::Uuid;

use super::ActiveSession;
use crate::{auth::User, error::AppError};

/// The page's own path, where its forms return.
#[cfg(feature = "ssr")]
const PAGE: &str = crate::auth::ACCOUNT_PAGE;

/// On the page, a wrong current password is that field's error.
#[cfg(feature = "ssr")]
const ON_THE_FORM: super::store::WrongPassword =
    super::store::WrongPassword::Field("current_password");

/// After a change that succeeded, back to the account page, which says what was done (the
/// hydrated app follows the redirect too, so both say it the same way).
#[cfg(feature = "ssr")]
fn back_to_page(notice: &str) {
    leptos_axum::redirect(&format!("{PAGE}?done={notice}"));
}

/// After a change to the user themselves: a plain form post is sent back to the page; the
/// hydrated app loads the page afresh instead (see `reload_after`).
#[cfg(feature = "ssr")]
fn back_to_page_unless_hydrated(notice: &str) {
    if crate::error::is_plain_form_post() {
        back_to_page(notice);
    }
}

#[server(prefix = "/rpc", endpoint = "account/profile")]
pub async fn update_profile(name: String, time_zone: String) -> Result<User, AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let change = super::ProfileChange::parse(Some(&name), Some(&time_zone))?;
        let user = super::store::update_profile(&state.db, &auth.user, &change).await?;
        back_to_page_unless_hydrated("profile");
        Ok(user)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/email")]
pub async fn change_email(current_password: String, email: String) -> Result<User, AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let current = crate::auth::current_password(&current_password);
        let new = crate::auth::Email::parse(&email);
        let (current, new) = match (current, new) {
            (Ok(c), Ok(n)) => (c, n),
            (c, n) => {
                return Err(AppError::validation(
                    [c.err(), n.err()].into_iter().flatten().collect(),
                ))
            }
        };
        let client = crate::auth::api::client_address().await?;
        let user = super::store::change_email(
            state.asker(client),
            &auth.user,
            &current,
            &new,
            ON_THE_FORM,
        )
        .await
        .map_err(|e| match e {
            AppError::Conflict(msg) => AppError::invalid_field(crate::error::FieldError::body(
                "email",
                "value_error.taken",
                msg,
            )),
            other => other,
        })?;
        back_to_page_unless_hydrated("email");
        Ok(user)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        let change = super::PasswordChange::parse(&current_password, &new_password)?;
        let client = crate::auth::api::client_address().await?;
        super::store::change_password(
            state.asker(client),
            &auth.user,
            &change,
            &auth.keep(),
            ON_THE_FORM,
        )
        .await?;
        back_to_page_unless_hydrated("password");
        Ok(())
    })
    .await
}

/// Ends every session and token of the caller, this browser's too: back to the login page.
#[server(prefix = "/rpc", endpoint = "account/logout-all")]
pub async fn logout_all() -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        crate::auth::sessions::end_everything(&state.db, auth.id(), &Default::default()).await?;
        crate::auth::api::session()?.log_out(&state.db).await?;
        leptos_axum::redirect(crate::auth::views::SIGNED_OUT_EVERYWHERE);
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/sessions")]
pub async fn list_sessions() -> Result<Vec<ActiveSession>, AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        let current = auth.keep().session_id;
        let zone = auth.user.time_zone.clone();
        super::store::list_sessions(&state.db, auth.id(), current.as_deref(), &zone).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end")]
pub async fn end_session(handle: Uuid) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_lenient(|state, auth| async move {
        super::store::end_session(&state.db, auth.id(), handle).await?;
        back_to_page("session");
        Ok(())
    })
    .await
}

/// Deletes the account for good (the password, and the confirmation box ticked).
#[server(prefix = "/rpc", endpoint = "account/delete")]
pub async fn delete_account(password: String, confirm: Option<String>) -> Result<(), AppError> {
    crate::auth::extract::as_signed_in_user(|state, auth| async move {
        let password = crate::auth::current_password(&password).map_err(|e| e.renamed("password"));
        let confirmed = match confirm.as_deref() {
            Some("yes") => Ok(()),
            _ => Err(crate::error::FieldError::body(
                "confirm",
                "value_error.unconfirmed",
                "Tick the box to confirm that everything should be deleted.",
            )),
        };
        let password = match (password, confirmed) {
            (Ok(password), Ok(())) => password,
            (p, c) => {
                return Err(AppError::validation(
                    [p.err(), c.err()].into_iter().flatten().collect(),
                ))
            }
        };
        let client = crate::auth::api::client_address().await?;
        super::store::delete_account(
            state.asker(client),
            &auth.user,
            &password,
            super::store::WrongPassword::Field("password"),
        )
        .await?;
        crate::auth::api::session()?.log_out(&state.db).await?;
        leptos_axum::redirect("/?deleted=1");
        Ok(())
    })
    .await
}
