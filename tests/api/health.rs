use serde_json::Value;

use crate::helpers::for_each_backend;

#[tokio::test]
async fn healthz_says_the_process_is_alive() {
    for_each_backend(|app| async move {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    })
    .await;
}

#[tokio::test]
async fn readyz_reports_the_database_backend_when_reachable() {
    for_each_backend(|app| async move {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        let expected = match app.backend {
            crate::helpers::Backend::Sqlite => "sqlite",
            crate::helpers::Backend::Postgres => "postgres",
        };
        assert_eq!(body["database"], expected);
    })
    .await;
}

#[tokio::test]
async fn readyz_answers_503_in_the_error_shape_when_the_database_is_gone() {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    for backend in crate::helpers::backends() {
        let database = crate::helpers::FreshDatabase::create(backend).await;
        let config = database.config();
        let db = todo::startup::connect_database(&config).await.unwrap();
        db.close().await;
        let router = todo::startup::build_router(
            todo::startup::build_state(&config, db, crate::helpers::JWT_SECRET.as_bytes()),
            &config.http,
        );

        let response = router
            .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .unwrap();

        assert_eq!(response.status(), 503, "{backend:?}");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["status_code"], 503);
        assert_eq!(body["detail"], "The database is unreachable.");
        database.drop_database().await;
    }
}
