//! Limits every route keeps: bodies over the size limit get 413 in the error shape whatever
//! their size or framing, and text with NUL or other control characters gets 422 on both
//! databases, with nothing stored.

use serde_json::{json, Value};

use crate::{
    helpers::for_each_backend,
    requests::{assert_error, create, send, status_and_body},
};

async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{status}: {content_type}"
    );
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_in_the_error_shape_at_every_size_and_route() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let tasks = format!("/api/{}/tasks", user.id);
        // Over the API's 64 KiB, over the server's 1 MiB, and far over both.
        for size in [70_000, 1_100_000, 4_000_000] {
            let body = format!(r#"{{"title": "{}"}}"#, "x".repeat(size));
            // Pages and server functions share the server's 1 MiB limit; the API has its own.
            let paths = if size > 1024 * 1024 {
                vec![tasks.as_str(), "/api/auth/signup", "/rpc/login", "/login"]
            } else {
                vec![tasks.as_str(), "/api/auth/signup"]
            };
            for path in paths {
                let sized = app
                    .client
                    .post(app.url(path))
                    .bearer_auth(&user.token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let (status, json) = status_and_json(sized).await;
                assert_eq!(status, 413, "{path} {size}: {json}");
                assert_eq!(json["status_code"], 413);
                assert!(json["detail"].as_str().unwrap().contains("too large"));
            }
            // The same without a Content-Length: streamed in chunks.
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
                .clone()
                .into_bytes()
                .chunks(16 * 1024)
                .map(|c| Ok(c.to_vec()))
                .collect();
            let streamed = app
                .client
                .post(app.url(&tasks))
                .bearer_auth(&user.token)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                    chunks,
                )))
                .send()
                .await
                .unwrap();
            let (status, json) = status_and_json(streamed).await;
            assert_eq!(status, 413, "chunked {size}: {json}");
        }
        let listed: Value = app
            .get_with_token(&tasks, &user.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn nul_and_control_characters_in_any_text_field_get_422_and_nothing_is_stored() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let tasks = format!("/api/{}/tasks", user.id);
        for (body, field) in [
            (json!({"title": "a\u{0}b"}), "title"),
            (json!({"title": "ring\u{7}"}), "title"),
            (
                json!({"title": "ok", "description": "x\u{0}"}),
                "description",
            ),
            (
                json!({"title": "ok", "description": "\u{1b}[31mred"}),
                "description",
            ),
        ] {
            let (status, json) = status_and_json(
                app.client
                    .post(app.url(&tasks))
                    .bearer_auth(&user.token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, 422, "{body}: {json}");
            assert_eq!(json["errors"][0]["loc"], json!(["body", field]), "{json}");
            assert_eq!(json["errors"][0]["type"], "value_error.control_characters");
        }
        let listed: Value = app
            .get_with_token(&tasks, &user.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0);

        // Replacing a task is held to the same rule, and the task keeps its title.
        let created: Value = app
            .client
            .post(app.url(&tasks))
            .bearer_auth(&user.token)
            .json(&json!({"title": "tab\there", "description": "line one\r\nline two"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(created["title"], "tab\there");
        assert_eq!(created["description"], "line one\nline two");
        let task = format!("{tasks}/{}", created["id"].as_str().unwrap());
        let (status, _) = status_and_json(
            app.client
                .put(app.url(&task))
                .bearer_auth(&user.token)
                .json(&json!({"title": "\u{0}"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422);
        let kept: Value = app
            .get_with_token(&task, &user.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(kept["title"], "tab\there");

        // Accounts: signup and login fields.
        for (body, field) in [
            (
                json!({"email": "a\u{0}@example.com", "password": "password1", "name": "A"}),
                "email",
            ),
            (
                json!({"email": "nul@example.com", "password": "pass\u{0}word", "name": "A"}),
                "password",
            ),
            (
                json!({"email": "nul@example.com", "password": "password1", "name": "A\u{0}"}),
                "name",
            ),
        ] {
            let (status, json) =
                status_and_json(app.post_json("/api/auth/signup", &body).await).await;
            assert_eq!(status, 422, "{body}: {json}");
            assert_eq!(json["errors"][0]["loc"], json!(["body", field]), "{json}");
        }
        let (status, json) = status_and_json(
            app.post_json(
                "/api/auth/login",
                &json!({"email": "x\u{0}@example.com", "password": "password1"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{json}");
    })
    .await;
}

#[tokio::test]
async fn titles_and_descriptions_are_limited_in_characters_not_bytes() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for (body, expected) in [
            (json!({"title": "🦀".repeat(200)}), 201),
            (json!({"title": "é".repeat(200)}), 201),
            (json!({"title": "🦀".repeat(201)}), 422),
            (json!({"title": "   "}), 422),
            (json!({"title": "ok", "description": "д".repeat(2000)}), 201),
            (json!({"title": "ok", "description": "д".repeat(2001)}), 422),
            (json!({"description": "no title"}), 422),
            (json!({"title": 7}), 422),
        ] {
            let (status, response) = status_and_body(create(&app, &user, body.clone()).await).await;
            assert_eq!(status, expected, "{body} gave {response}");
            if expected == 422 {
                assert_error(status, &response, 422);
                assert!(!response["errors"].as_array().unwrap().is_empty());
            }
        }
        let list: Value = send(
            &app,
            &user.token,
            reqwest::Method::GET,
            &format!("/api/{}/tasks", user.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(list["total"], 3, "refused tasks were not stored");
    })
    .await;
}
