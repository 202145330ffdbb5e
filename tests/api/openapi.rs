//! The OpenAPI document matches the router: every documented route answers, every method the
//! router serves on a documented path is documented, and the docs pages render their assets
//! from this server.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::for_each_backend;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn concrete(path: &str) -> String {
    path.replace("{user_id}", &uuid::Uuid::new_v4().to_string())
        .replace("{task_id}", &uuid::Uuid::new_v4().to_string())
}

#[tokio::test]
async fn the_document_and_the_router_list_the_same_routes() {
    for_each_backend(|app| async move {
        let response = app.get("/openapi.json").await;
        assert_eq!(response.status(), 200);
        let doc: Value = response.json().await.unwrap();
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let paths = doc["paths"].as_object().unwrap();

        let documented: BTreeSet<(String, String)> = paths
            .iter()
            .flat_map(|(path, item)| {
                METHODS
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .map(move |m| (path.clone(), m.to_string()))
            })
            .collect();
        let expected: BTreeSet<(String, String)> = [
            ("/api/auth/signup", "post"),
            ("/api/auth/login", "post"),
            ("/api/auth/logout", "post"),
            ("/api/auth/me", "get"),
            ("/api/auth/me", "patch"),
            ("/api/auth/me", "delete"),
            ("/api/auth/email", "post"),
            ("/api/auth/password", "post"),
            ("/api/auth/logout-all", "post"),
            ("/api/auth/app-passwords", "get"),
            ("/api/auth/app-passwords", "post"),
            ("/api/auth/app-passwords/{app_password_id}", "delete"),
            ("/api/{user_id}/export", "get"),
            ("/api/{user_id}/import", "post"),
            ("/api/{user_id}/tasks", "post"),
            ("/api/{user_id}/tasks", "get"),
            ("/api/{user_id}/tasks/{task_id}", "get"),
            ("/api/{user_id}/tasks/{task_id}", "put"),
            ("/api/{user_id}/tasks/{task_id}", "delete"),
            ("/api/{user_id}/tasks/{task_id}/complete", "patch"),
            ("/api/{user_id}/tags", "get"),
            ("/api/{user_id}/lists", "get"),
            ("/api/{user_id}/lists", "post"),
            ("/api/{user_id}/lists/{list_id}", "get"),
            ("/api/{user_id}/lists/{list_id}", "patch"),
            ("/api/{user_id}/lists/{list_id}", "delete"),
            ("/api/{user_id}/lists/{list_id}/members", "get"),
            ("/api/{user_id}/lists/{list_id}/members", "put"),
            (
                "/api/{user_id}/lists/{list_id}/members/{member_id}",
                "delete",
            ),
            ("/api/{user_id}/events", "get"),
            ("/api/{user_id}/webhooks", "get"),
            ("/api/{user_id}/webhooks", "post"),
            ("/api/{user_id}/webhooks/{webhook_id}", "patch"),
            ("/api/{user_id}/webhooks/{webhook_id}", "delete"),
            ("/api/{user_id}/webhooks/{webhook_id}/deliveries", "get"),
            ("/api/{user_id}/webhooks/{webhook_id}/test", "post"),
            ("/healthz", "get"),
            ("/readyz", "get"),
        ]
        .into_iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
        assert_eq!(
            documented, expected,
            "the contract's routes (and its additions), all documented"
        );

        for path in paths.keys() {
            // The router says which methods it serves on a path in a 405's Allow header.
            let response = app
                .client
                .request(reqwest::Method::OPTIONS, app.url(&concrete(path)))
                .send()
                .await
                .unwrap();
            let allow = response
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_lowercase())
                .unwrap_or_default();
            let served: BTreeSet<String> = allow
                .split(',')
                .map(|m| m.trim().to_string())
                .filter(|m| METHODS.contains(&m.as_str()))
                .collect();
            let documented_here: BTreeSet<String> = documented
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, m)| m.clone())
                .collect();
            assert_eq!(served, documented_here, "{path}: served {allow:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_document_describes_errors_statuses_and_bearer_security() {
    for_each_backend(|app| async move {
        let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
        let schemes = &doc["components"]["securitySchemes"]["bearer"];
        assert_eq!(schemes["type"], "http");
        assert_eq!(schemes["scheme"], "bearer");
        let error = &doc["components"]["schemas"]["ApiError"];
        for field in ["detail", "status_code", "errors"] {
            assert!(
                error["properties"].get(field).is_some(),
                "ApiError lacks {field}"
            );
        }
        for field in ["loc", "msg", "type"] {
            assert!(
                doc["components"]["schemas"]["FieldError"]["properties"]
                    .get(field)
                    .is_some(),
                "FieldError lacks {field}"
            );
        }
        let list = &doc["paths"]["/api/{user_id}/tasks"]["get"];
        for status in ["200", "401", "403", "422"] {
            assert!(
                list["responses"].get(status).is_some(),
                "list lacks {status}"
            );
        }
        assert!(list["security"].is_array());
        let one = &doc["paths"]["/api/{user_id}/tasks/{task_id}"]["delete"];
        for status in ["204", "401", "403", "404", "422"] {
            assert!(
                one["responses"].get(status).is_some(),
                "delete lacks {status}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn swagger_ui_and_redoc_load_their_assets_from_this_server() {
    for_each_backend(|app| async move {
        let swagger = app.client.get(app.url("/docs/")).send().await.unwrap();
        assert_eq!(swagger.status(), 200);
        let html = swagger.text().await.unwrap();
        assert!(!html.contains("https://"), "no CDN: {html}");
        let css = app.get("/docs/swagger-ui.css").await;
        assert_eq!(css.status(), 200);
        let bundle = app.get("/docs/swagger-ui-bundle.js").await;
        assert_eq!(bundle.status(), 200);

        let redoc = app.get("/redoc").await.text().await.unwrap();
        assert!(redoc.contains(r#"src="/redoc/redoc.standalone.js""#));
        assert!(redoc.contains(r#"spec-url="/openapi.json""#));
        assert!(!redoc.contains("https://"));
    })
    .await;
}

#[tokio::test]
async fn the_documented_limits_are_the_ones_enforced() {
    use app::{
        auth::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
        tasks::{DESCRIPTION_MAX_CHARS, MAX_LIMIT, TITLE_MAX_CHARS},
    };
    for_each_backend(|app| async move {
        let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
        let schemas = &doc["components"]["schemas"];
        // What a client sends is trimmed before it is counted, so a request's text fields
        // keep their minimum in the schema and state their maximum in words; the stored
        // task's schema holds both bounds.
        let title = &schemas["TaskRequest"]["properties"]["title"];
        assert_eq!(title["minLength"], 1);
        assert!(title.get("maxLength").is_none(), "{title}");
        let words = format!("1 to {TITLE_MAX_CHARS} characters once trimmed.");
        assert!(
            title["description"].as_str().unwrap().starts_with(&words),
            "{title}"
        );
        let description = &schemas["TaskRequest"]["properties"]["description"];
        assert!(description.get("maxLength").is_none(), "{description}");
        let words = format!("At most {DESCRIPTION_MAX_CHARS} characters once trimmed.");
        assert!(description["description"]
            .as_str()
            .unwrap()
            .starts_with(&words));
        let stored = &schemas["Task"]["properties"]["title"];
        assert_eq!(stored["maxLength"], TITLE_MAX_CHARS, "{stored}");
        assert_eq!(stored["minLength"], 1);
        let password = &schemas["SignupRequest"]["properties"]["password"];
        assert_eq!(password["minLength"], PASSWORD_MIN_CHARS);
        assert_eq!(password["maxLength"], PASSWORD_MAX_CHARS);
        let limit = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap()
            .clone();
        assert_eq!(limit["schema"]["maximum"], MAX_LIMIT, "{limit}");

        // The documented bound is where the API starts refusing.
        let user = app.new_user().await;
        let padded = format!("\t{} ", "t".repeat(TITLE_MAX_CHARS));
        for (title, status) in [
            ("t".repeat(TITLE_MAX_CHARS), 201),
            ("t".repeat(TITLE_MAX_CHARS + 1), 422),
            (padded, 201),
        ] {
            let response =
                crate::requests::create(&app, &user, serde_json::json!({ "title": title })).await;
            assert_eq!(response.status(), status, "{title:?}");
            if status == 201 {
                let task: Value = response.json().await.unwrap();
                assert_eq!(task["title"], "t".repeat(TITLE_MAX_CHARS));
            }
        }

        // Shared responses point at the one error schema.
        let delete = &doc["paths"]["/api/{user_id}/tasks/{task_id}"]["delete"]["responses"];
        for status in ["401", "403", "404", "422", "503", "507"] {
            let schema = &delete[status]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(
                schema, "#/components/schemas/ApiError",
                "{status}: {delete}"
            );
        }
    })
    .await;
}
