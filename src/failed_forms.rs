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
        if let Some((clean, _)) = request.uri().query().and_then(split_error_params) {
            return Redirect::to(&with_query(request.uri().path(), &clean)).into_response();
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
    let Some((clean, carried)) = split_error_params(query) else {
        return response;
    };
    let param = |name: &str| carried.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if let (Some(action), Some(error)) = (param("__path"), param("__err").and_then(decode_error)) {
        let failed = FailedForm {
            action: action.clone(),
            // The redirect may name the page as a whole URL (from `Referer`): keep its path.
            page: path
                .parse::<axum::http::Uri>()
                .map(|uri| uri.path().to_owned())
                .unwrap_or_default(),
            error,
            values,
        };
        if let Err(error) = session.insert(FAILED_FORM_KEY, failed).await {
            tracing::warn!(%error, "a failed form could not be kept in the session");
        }
    }
    match HeaderValue::from_str(&with_query(path, &clean)) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
            *response.status_mut() = StatusCode::SEE_OTHER;
        }
        Err(_) => return Redirect::to("/").into_response(),
    }
    response
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
