//! The OpenAPI document, generated from the handlers and types (never written by hand), and
//! the pages that show it: Swagger UI at `/docs` and ReDoc at `/redoc`, with their scripts
//! served by this application so they render without internet access.

use axum::response::Html;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};

/// Every error, whatever its cause, has this body.
#[derive(ToSchema)]
pub struct ApiError {
    /// What went wrong, for a person.
    #[schema(example = "There is no such task.")]
    pub detail: String,
    /// The HTTP status, repeated.
    #[schema(example = 404)]
    pub status_code: u16,
    /// With 422 only: one entry per offending field.
    pub errors: Option<Vec<ApiFieldError>>,
}

/// One offending field of a 422.
#[derive(ToSchema)]
#[schema(as = FieldError)]
pub struct ApiFieldError {
    /// Where the value sits, e.g. `["body", "title"]` or `["path", "task_id"]`.
    #[schema(example = json!(["body", "title"]))]
    pub loc: Vec<String>,
    #[schema(example = "A title has at most 200 characters.")]
    pub msg: String,
    /// A stable machine-readable kind, e.g. `value_error.too_long`.
    #[serde(rename = "type")]
    #[schema(example = "value_error.too_long")]
    pub kind: String,
}

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
    components(schemas(ApiError, ApiFieldError)),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "tasks", description = "Your tasks; the path's user_id must be yours"),
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
