//! Plain form posts (no JavaScript) that fail. The server function answers with a redirect
//! back whose URL carries the error (`__err`), where a crafted link could forge one. This
//! keeps the error in the session instead, with the values the form sent (never a
//! password), for the page the browser returns to (`app::forms`), and strips it from the
//! redirect. A page address that still carries one is redirected to the same page without it.

use app::{
    error::AppError,
    forms::{FailedForm, FAILED_FORM_KEY},
};
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use base64::{engine::general_purpose::URL_SAFE, Engine as _};
use leptos::server_fn::error::FromServerFnError;
use tower_sessions::Session;

/// The query parameters the server-function redirect uses to carry an error.
const ERROR_PARAMS: [&str; 2] = ["__err", "__path"];

pub async fn keep_failed_forms_in_session(request: Request, next: Next) -> Response {
    if request.method() == Method::GET {
        if let Some(clean) = request.uri().query().and_then(without_error_params) {
            let path = request.uri().path();
            let target = if clean.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{clean}")
            };
            return Redirect::to(&target).into_response();
        }
        return next.run(request).await;
    }
    let plain_form_post = request.method() == Method::POST
        && request.uri().path().starts_with("/rpc/")
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
    let bytes = match to_bytes(body, crate::startup::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let values: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .filter(|(name, _)| FailedForm::keeps(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
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
    let Some((path, query)) = location.split_once('?') else {
        return response;
    };
    let Some(clean) = without_error_params(query) else {
        return response;
    };
    let carried: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| carried.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if let (Some(action), Some(error)) = (param("__path"), param("__err").and_then(decode_error)) {
        let failed = FailedForm {
            action: action.clone(),
            error,
            values,
        };
        if let Err(error) = session.insert(FAILED_FORM_KEY, failed).await {
            tracing::warn!(%error, "a failed form could not be kept in the session");
        }
    }
    let target = if clean.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{clean}")
    };
    match HeaderValue::from_str(&target) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
            *response.status_mut() = StatusCode::SEE_OTHER;
        }
        Err(_) => return Redirect::to("/").into_response(),
    }
    response
}

/// The query without the error parameters, if it had any.
fn without_error_params(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if !pairs
        .iter()
        .any(|(k, _)| ERROR_PARAMS.contains(&k.as_str()))
    {
        return None;
    }
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs
        .iter()
        .filter(|(k, _)| !ERROR_PARAMS.contains(&k.as_str()))
    {
        kept.append_pair(k, v);
    }
    Some(kept.finish())
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
        assert_eq!(without_error_params("filter=active&page=2"), None);
        assert_eq!(
            without_error_params("filter=active&__path=%2Frpc%2Flogin&__err=eyJ9").as_deref(),
            Some("filter=active")
        );
        assert_eq!(without_error_params("__err=x").as_deref(), Some(""));
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
