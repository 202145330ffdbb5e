use serde_json::Value;

use crate::helpers::for_each_backend;

#[tokio::test]
async fn the_home_page_is_complete_html_before_any_script_runs() {
    for_each_backend(|app| async move {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = response.text().await.unwrap();
        assert!(html.contains("<title>Todo</title>"), "{html}");
        assert!(html.contains("Your tasks, your server."));
        assert!(html.contains("/pkg/todo.css"), "the stylesheet is linked");
        assert!(
            html.contains("/pkg/todo.js"),
            "the hydration script is linked"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_page_gets_a_404_page() {
    for_each_backend(|app| async move {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_api_route_gets_a_json_404_in_the_error_shape() {
    for_each_backend(|app| async move {
        let response = app.get("/api/no-such-route").await;
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status_code"], 404);
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    })
    .await;
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    for_each_backend(|app| async move {
        let response = app
            .client
            .get(app.url("/"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(response.headers()["vary"], "accept-encoding");

        // Brotli when it is accepted, and a body that decodes to the page.
        let plain = app.get("/").await.text().await.unwrap();
        let response = app
            .client
            .get(app.url("/"))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "br");
        let packed = response.bytes().await.unwrap();
        assert!(
            packed.len() < plain.len() / 2,
            "{} of {}",
            packed.len(),
            plain.len()
        );

        // Not below 1 KiB, and never for a client that accepts no encoding.
        let small = app
            .client
            .get(app.url("/healthz"))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(small.status(), 200);
        assert!(small.headers().get("content-encoding").is_none());
        let unasked = app.client.get(app.url("/")).send().await.unwrap();
        assert!(unasked.headers().get("content-encoding").is_none());
    })
    .await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    for_each_backend(|app| async move {
        let response = app.get("/healthz").await;
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    })
    .await;
}

#[tokio::test]
async fn page_loads_beyond_the_render_limit_wait_their_turn_and_all_arrive() {
    // One render at a time: thirty page loads at once queue for it, and each gets its page.
    crate::helpers::for_each_backend_with(&[("PAGE_RENDERS", "1")], |app| async move {
        let loads = (0..30).map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let path = if i % 2 == 0 { "/login" } else { "/signup" };
                let response = app.get(path).await;
                assert_eq!(response.status(), 200, "{path}");
                let html = response.text().await.unwrap();
                assert!(html.contains("</html>"), "a whole page for {path}");
            })
        });
        for load in loads.collect::<Vec<_>>() {
            load.await.unwrap();
        }
        // The API does not wait for page renders.
        assert_eq!(app.get("/healthz").await.status(), 200);
    })
    .await;
}
