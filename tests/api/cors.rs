//! Cross-origin calls: only configured origins, with a bearer token, never with cookies.

#[tokio::test]
async fn only_configured_origins_may_call_the_api_and_never_with_cookies() {
    crate::helpers::for_each_backend_with(
        &[("CORS_ORIGINS", "https://app.example")],
        |app| async move {
            let preflight = |origin: &'static str| {
                app.client
                    .request(reqwest::Method::OPTIONS, app.url("/api/auth/me"))
                    .header("origin", origin)
                    .header("access-control-request-method", "GET")
                    .header("access-control-request-headers", "authorization")
                    .send()
            };
            let allowed = preflight("https://app.example").await.unwrap();
            assert_eq!(
                allowed.headers()["access-control-allow-origin"],
                "https://app.example"
            );
            assert!(allowed
                .headers()
                .get("access-control-allow-credentials")
                .is_none());
            let allowed_headers = allowed.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_lowercase();
            assert!(
                allowed_headers.contains("authorization"),
                "{allowed_headers}"
            );

            let refused = preflight("https://evil.example").await.unwrap();
            assert!(refused
                .headers()
                .get("access-control-allow-origin")
                .is_none());

            let user = app.new_user().await;
            let response = app
                .client
                .get(app.url("/api/auth/me"))
                .header("origin", "https://app.example")
                .bearer_auth(&user.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                "https://app.example"
            );
        },
    )
    .await;
}
