//! Plain form posts (no JavaScript) that fail. The server function answers with a redirect
//! back whose URL carries the error (`__err`), where a crafted link could forge one. This
//! keeps the error instead, with what the form's known fields held (never a password; each
//! cut to its field's limit, see `FailedForm::kept_values`), for the page the browser
//! returns to (`app::forms`), and strips it from the redirect:
//!
//! - for a signed-in user, in their session, for one page view;
//! - for anyone else (signup, login, a form posted after the session ended), in a signed
//!   cookie of at most [`COOKIE_MAX_BYTES`] that lives [`COOKIE_LIFETIME_SECS`]: a request
//!   without an account stores nothing on the server.
//!
//! A page address that still carries the error parameters is redirected to the same page
//! without them. Every redirect target is a path on this site (`app::redirect`).

use crate::state::AppState;
use app::{
    auth::extract::AuthSession,
    error::AppError,
    forms::{FailedForm, FAILED_FORM_KEY},
    redirect::same_site_path,
};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use base64::{engine::general_purpose::URL_SAFE, Engine as _};
use leptos::server_fn::error::FromServerFnError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The fields a failed form keeps, each with its own limit in characters: the ones the
/// forms fill in again. Anything else a post carries (passwords among it) is dropped.
const KEPT_FIELDS: [(&str, usize); 8] = [
    ("email", app::auth::EMAIL_MAX_CHARS),
    ("name", app::auth::NAME_MAX_CHARS),
    ("time_zone", app::auth::TIME_ZONE_MAX_CHARS),
    ("title", app::tasks::TITLE_MAX_CHARS),
    ("description", app::tasks::DESCRIPTION_MAX_CHARS),
    ("due_date", 10),
    ("priority", 6),
    // A tag box: ten tags and their separators.
    (
        "tags",
        app::tasks::fields::MAX_TAGS * (app::tasks::fields::TAG_MAX_CHARS + 2),
    ),
];

/// The values of a post's fields worth keeping: known fields only, the first value of
/// each, cut to twice the field's own limit (an entry a little too long comes back whole,
/// to be shortened; a huge one does not).
fn kept_values<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::new();
    for (field, value) in pairs {
        let (field, value) = (field.as_ref(), value.as_ref());
        let Some((name, limit)) = KEPT_FIELDS.iter().find(|(name, _)| *name == field) else {
            continue;
        };
        if kept.iter().any(|(k, _)| k == name) {
            continue;
        }
        kept.push((name.to_string(), value.chars().take(limit * 2).collect()));
        if kept.len() == KEPT_FIELDS.len() {
            break;
        }
    }
    kept
}

/// Whether a form's refusal says the session had ended: a 401 from any form but the login
/// form, whose 401 is a wrong password.
pub fn session_ended(action: &str, error: &AppError) -> bool {
    use leptos::server_fn::ServerFn as _;
    matches!(error, AppError::Unauthorized(_)) && action != app::auth::api::Login::PATH
}

/// Whether `session` is signed in: what `take_failed_form` asks (see `app::forms::SignedIn`).
pub fn signed_in_session(session: Session) -> app::forms::SignedInAnswer {
    Box::pin(async move {
        Ok(AuthSession::from_session(session)
            .user_id()
            .await?
            .is_some())
    })
}

/// The query parameters the server-function redirect uses to carry an error.
const ERROR_PARAMS: [&str; 2] = ["__err", "__path"];

/// The cookie that carries a failed form for a visitor without an account.
pub const COOKIE: &str = "failed_form";
/// How long that cookie lives: long enough to come back to the page, or to sign in first.
pub const COOKIE_LIFETIME_SECS: i64 = 5 * 60;
/// The most that cookie holds, signature included (browsers keep 4 KB a cookie); a form
/// whose values do not fit keeps its error alone.
pub const COOKIE_MAX_BYTES: usize = 3 * 1024;
/// What the cookie's signature is for: nothing else signed with the same key opens it.
const SEAL_PURPOSE: &str = "failed-form";

/// What the middleware needs: the signing key (in the state) and the cookie's `Secure`.
#[derive(Clone)]
pub struct FailedForms {
    pub state: AppState,
    pub cookie_secure: bool,
}

/// The sealed content of the cookie.
#[derive(Serialize, Deserialize)]
struct Sealed {
    /// Unix seconds after which it is ignored.
    exp: i64,
    form: FailedForm,
}

/// On the pages: an address that still carries the error parameters is sent to the same
/// page without them, and a failed form kept in a cookie is handed to the page's session.
pub async fn after_failed_forms(
    State(forms): State<FailedForms>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    if let Some((clean, _)) = request.uri().query().and_then(split_error_params) {
        let path = same_site_path(request.uri().path()).unwrap_or("/");
        return Redirect::to(&with_query(path, &clean)).into_response();
    }
    hand_over_cookie(&forms, request, next).await
}

/// On the server functions (see `rpc`): a plain form post that failed is kept, and the
/// error taken out of the redirect back.
pub async fn capture(State(forms): State<FailedForms>, request: Request, next: Next) -> Response {
    let plain_form_post = request.method() == Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    if !plain_form_post {
        return next.run(request).await;
    }

    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, crate::serve::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let values = kept_values(form_urlencoded::parse(&bytes));
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return response;
    };
    let Some((target, query)) = location.split_once('?') else {
        return response;
    };
    let Some((clean, carried)) = split_error_params(query) else {
        return response;
    };
    // The redirect may name the page as a whole URL (from `Referer`): only its path counts,
    // and only a path on this site.
    let page = target
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| same_site_path(uri.path()).map(str::to_owned))
        .unwrap_or_else(|| "/".to_owned());
    // The last of each: the server function appends its own after any the page already had.
    let param = |name: &str| carried.iter().rfind(|(k, _)| k == name).map(|(_, v)| v);
    if let (Some(action), Some(error)) = (param("__path"), param("__err").and_then(decode_error)) {
        let failed = FailedForm {
            session_ended: session_ended(action, &error),
            action: action.chars().take(100).collect(),
            page: page.clone(),
            error,
            values,
        };
        let signed_in = matches!(
            AuthSession::from_session(session.clone()).user_id().await,
            Ok(Some(_))
        );
        if signed_in {
            if let Err(error) = session.insert(FAILED_FORM_KEY, failed).await {
                tracing::warn!(%error, "a failed form could not be kept in the session");
            }
        } else if let Some(cookie) = seal_cookie(&forms, failed) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    match HeaderValue::from_str(&with_query(&page, &clean)) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
            *response.status_mut() = StatusCode::SEE_OTHER;
        }
        Err(_) => return Redirect::to("/").into_response(),
    }
    response
}

/// A page view that the cookie's failed form is for takes it (as a request extension that
/// `take_failed_form` reads) and the cookie is cleared; other requests leave it be.
async fn hand_over_cookie(forms: &FailedForms, request: Request, next: Next) -> Response {
    let Some(form) = opened_cookie(forms, request.headers()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    // Most requests (the page's scripts, other pages) are not its page: no session read.
    let ready = form.page == parts.uri.path()
        && (!form.refused_for_an_ended_session() || signed_in(&parts).await);
    if !ready {
        return next.run(Request::from_parts(parts, body)).await;
    }
    parts.extensions.insert(form);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let cleared = cookie_header(forms, "", 0);
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn signed_in(parts: &Parts) -> bool {
    match AuthSession::from_parts(parts) {
        Some(session) => matches!(session.user_id().await, Ok(Some(_))),
        None => false,
    }
}

/// The failed form in the request's cookie, if it is one we signed and it has not expired.
fn opened_cookie(forms: &FailedForms, headers: &HeaderMap) -> Option<FailedForm> {
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))?;
    let bytes = forms.state.tokens.open(SEAL_PURPOSE, value)?;
    let sealed: Sealed = serde_json::from_slice(&bytes).ok()?;
    (sealed.exp > chrono::Utc::now().timestamp()).then_some(sealed.form)
}

/// The `Set-Cookie` that carries `form`, within [`COOKIE_MAX_BYTES`]: without its values if
/// they do not fit, nothing if even that does not.
fn seal_cookie(forms: &FailedForms, mut form: FailedForm) -> Option<HeaderValue> {
    let exp = chrono::Utc::now().timestamp() + COOKIE_LIFETIME_SECS;
    for attempt in 0..2 {
        if attempt == 1 {
            form.values.clear();
        }
        let json = serde_json::to_vec(&Sealed {
            exp,
            form: form.clone(),
        })
        .ok()?;
        let header = cookie_header(
            forms,
            &forms.state.tokens.seal(SEAL_PURPOSE, &json),
            COOKIE_LIFETIME_SECS,
        );
        if header.len() <= COOKIE_MAX_BYTES {
            return HeaderValue::from_str(&header).ok();
        }
    }
    tracing::debug!("a failed form was too large for its cookie and was dropped");
    None
}

fn cookie_header(forms: &FailedForms, value: &str, max_age: i64) -> String {
    let secure = if forms.cookie_secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The query without the error parameters, and those parameters, if it had any.
fn split_error_params(query: &str) -> Option<(String, Vec<(String, String)>)> {
    let (carried, kept): (Vec<_>, Vec<_>) = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .partition(|(k, _)| ERROR_PARAMS.contains(&k.as_str()));
    if carried.is_empty() {
        return None;
    }
    let clean = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&kept)
        .finish();
    Some((clean, carried))
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// The error the server function put in the redirect: base64 of its JSON encoding.
fn decode_error(encoded: &String) -> Option<AppError> {
    let bytes = URL_SAFE.decode(encoded).ok()?;
    Some(AppError::de(bytes.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_parameters_are_stripped_and_the_rest_kept() {
        let clean = |query| split_error_params(query).map(|(clean, _)| clean);
        assert_eq!(clean("filter=active&page=2"), None);
        assert_eq!(
            clean("filter=active&__path=%2Frpc%2Flogin&__err=eyJ9").as_deref(),
            Some("filter=active")
        );
        assert_eq!(clean("__err=x").as_deref(), Some(""));
        let (_, carried) = split_error_params("a=1&__path=%2Frpc%2Flogin&__err=eyJ9").unwrap();
        assert_eq!(
            carried,
            [
                ("__path".to_string(), "/rpc/login".to_string()),
                ("__err".to_string(), "eyJ9".to_string())
            ]
        );
    }

    #[test]
    fn the_carried_error_decodes_back_into_the_app_error() {
        let error = AppError::TooManyRequests {
            retry_after_secs: 7,
        };
        let encoded = URL_SAFE.encode(error.ser());
        assert_eq!(decode_error(&encoded), Some(error));
    }
}
