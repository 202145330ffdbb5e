//! The OpenAPI document, generated from the handlers and types (never written by hand), and
//! the pages that show it: Swagger UI at `/docs` and ReDoc at `/redoc`, with their scripts
//! served by this application so they render without internet access.

use app::{
    auth::{EMAIL_MAX_CHARS, NAME_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    error::{ErrorBody, FieldError},
    tasks::{DEFAULT_LIMIT, DESCRIPTION_MAX_CHARS, MAX_LIMIT, TITLE_MAX_CHARS},
};
use axum::{
    body::Body,
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
};
use utoipa::{
    openapi::{
        schema::{Object, Schema},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        RefOr,
    },
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Todo API",
        version = "1.0.0",
        description = "Accounts and tasks for external clients. Authenticate with \
            `POST /api/auth/login` and send `Authorization: Bearer <access_token>`. Every error \
            has the body `{\"detail\", \"status_code\"}`; 422s add `errors`, one per field. \
            401 responses carry `WWW-Authenticate: Bearer`."
    ),
    modifiers(&BearerSecurity),
    components(schemas(ErrorBody, FieldError, app::error::LocPart)),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "tasks", description = "Your tasks; the path's user_id must be yours"),
        (name = "lists", description = "Your lists, own and shared; the path's user_id must be yours"),
        (name = "webhooks", description = "Your endpoints that receive your events, signed (Standard Webhooks)"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /api/auth/login (30 minutes).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Writes the validation limits into the document from the constants the validators use,
/// so the documented bounds are the enforced ones. Applied to the finished document (the
/// routes add their schemas after `ApiDoc` is built).
pub struct Limits;

impl Modify for Limits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // Where the server trims what it is sent (and counts a CRLF as one line break), the
        // bound holds for the trimmed text, which a schema cannot state: such request fields
        // keep their minimum but document their maximum in words only, so that no request
        // the schema calls invalid is accepted (a 201-character title ending in a space is a
        // valid 200-character title). Stored values (`Task`) are trimmed: both bounds hold.
        let text = |min: usize, max: usize, trimmed: bool| {
            let span = if min > 0 {
                format!("{min} to {max} characters")
            } else {
                format!("At most {max} characters")
            };
            let words = if trimmed {
                format!("{span} once trimmed.")
            } else {
                format!("{span}.")
            };
            (
                Some(min).filter(|m| *m > 0),
                Some(max).filter(|_| !trimmed),
                words,
            )
        };
        let fields = [
            ("TaskRequest", "title", text(1, TITLE_MAX_CHARS, true)),
            (
                "TaskRequest",
                "description",
                text(0, DESCRIPTION_MAX_CHARS, true),
            ),
            ("SignupRequest", "email", text(0, EMAIL_MAX_CHARS, true)),
            (
                "SignupRequest",
                "password",
                text(PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, false),
            ),
            ("SignupRequest", "name", text(1, NAME_MAX_CHARS, true)),
            ("Task", "title", text(1, TITLE_MAX_CHARS, false)),
            ("Task", "description", text(0, DESCRIPTION_MAX_CHARS, false)),
        ];
        if let Some(components) = openapi.components.as_mut() {
            for (schema, field, (min, max, words)) in fields {
                let Some(property) = object_of(components.schemas.get_mut(schema))
                    .and_then(|o| object_of(o.properties.get_mut(field)))
                else {
                    continue;
                };
                property.min_length = min;
                property.max_length = max;
                property.description = Some(match property.description.take() {
                    Some(before) => format!("{words} {before}"),
                    None => words,
                });
            }
        }
        let list = openapi
            .paths
            .paths
            .get_mut("/api/{user_id}/tasks")
            .and_then(|item| item.get.as_mut());
        let parameters = list
            .into_iter()
            .flat_map(|op| op.parameters.iter_mut().flatten());
        for parameter in parameters {
            let RefOr::T(parameter) = parameter else {
                continue;
            };
            if parameter.name != "limit" {
                continue;
            }
            parameter.description = Some(format!(
                "How many tasks to return, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."
            ));
            if let Some(schema) = object_of(parameter.schema.as_mut()) {
                schema.minimum = Some(1.into());
                schema.maximum = Some(MAX_LIMIT.into());
                schema.default = Some(DEFAULT_LIMIT.into());
            }
        }
    }
}

fn object_of(schema: Option<&mut RefOr<Schema>>) -> Option<&mut Object> {
    match schema? {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    }
}

/// The ReDoc page; its script is `redoc.standalone.js` from the npm `redoc` package, which
/// `make` places under the site root.
pub async fn redoc() -> Html<&'static str> {
    Html(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Todo API · ReDoc</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>body { margin: 0; }</style>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>"#,
    )
}

/// Swagger UI's page comes without a viewport meta tag, so a phone shows it as a shrunken
/// desktop page; its HTML gets one on the way out. Nothing else it serves is touched.
pub async fn fit_docs_to_phones(response: Response) -> Response {
    const VIEWPORT: &str =
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = String::from_utf8_lossy(&bytes);
    let html = if html.contains(r#"name="viewport""#) {
        html.into_owned()
    } else {
        html.replacen("<head>", &format!("<head>\n    {VIEWPORT}"), 1)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
