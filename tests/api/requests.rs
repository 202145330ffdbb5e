//! Requests and assertions every test file shares: one place for each.

use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

/// A fresh, unique email address.
pub fn new_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Any request with a bearer token and an optional JSON body.
pub async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// `POST /api/{user}/tasks` with this body.
pub async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    send(
        app,
        &user.token,
        reqwest::Method::POST,
        &format!("/api/{}/tasks", user.id),
        Some(body),
    )
    .await
}

/// Creates a task from `body`, which must succeed; its JSON.
pub async fn created(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let (status, body) = status_and_body(create(app, user, body).await).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Creates a task that must succeed; its JSON.
pub async fn create_ok(app: &TestApp, user: &TestUser, title: &str) -> Value {
    let response = create(app, user, serde_json::json!({"title": title})).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// A successful list of the user's tasks with the given query string.
pub async fn list(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let response = send(
        app,
        &user.token,
        reqwest::Method::GET,
        &format!("/api/{}/tasks?{query}", user.id),
        None,
    )
    .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

pub async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The contract's error shape with this status.
pub fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status_code"], expected, "{body}");
    assert!(body["detail"].is_string(), "{body}");
}

/// The response is a JSON error in the contract's shape with this status; its body.
pub async fn assert_error_shape(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status_code"], status, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// The `loc` of every entry in a 422's `errors`.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| {
            e["loc"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

/// Posts a form the way a browser without JavaScript does.
pub async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    referer: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(referer))
        .header("origin", app.address.clone())
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A browser (its own cookies) signed in as `user` through the login form.
pub async fn signed_in_browser(app: &TestApp, user: &TestUser) -> reqwest::Client {
    let browser = TestApp::new_client();
    browser_login(app, &browser, user).await;
    browser
}

/// Signs `client` in through the login form, as a browser without JavaScript does, so it
/// carries the session cookie from then on.
pub async fn browser_login(app: &TestApp, client: &reqwest::Client, user: &TestUser) {
    let form = [("email", user.email.as_str()), ("password", &user.password)];
    let response = post_form(app, client, "/rpc/login", "/login", &form).await;
    assert_eq!(response.status(), 302, "{:?}", response.headers());
}

/// A server function called as the hydrated page calls it (not a plain form post): its
/// status and its JSON (or its text as a JSON string).
pub async fn call_server_fn(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = browser
        .post(app.url(path))
        .header("accept", "application/json")
        .header("origin", app.address.clone())
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A request as `user` to `path` under their own `/api/{user_id}`; its status and JSON body.
pub async fn call(
    app: &TestApp,
    user: &TestUser,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let path = format!("/api/{}{path}", user.id);
    status_and_body(send(app, &user.token, method, &path, body).await).await
}

/// Makes a list that must be made; its JSON.
pub async fn new_list(app: &TestApp, user: &TestUser, name: &str) -> Value {
    let body = serde_json::json!({"name": name});
    let (status, list) = call(app, user, reqwest::Method::POST, "/lists", Some(body)).await;
    assert_eq!(status, 201, "{list}");
    list
}
