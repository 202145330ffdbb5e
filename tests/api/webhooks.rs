//! Webhooks: a local receiver (`WEBHOOKS_ALLOW_PRIVATE=true`) gets every event once per
//! attempt, in order, signed; a failed delivery is retried and later events wait for it; a
//! ping; private targets are refused without the flag; each webhook is its owner's alone.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac as _};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, for_each_backend_with, TestApp, TestUser},
    requests::{call, create_ok, error_fields, send},
};

pub(crate) const ALLOW_PRIVATE: &[(&str, &str)] = &[("WEBHOOKS_ALLOW_PRIVATE", "true")];

/// One request the receiver got: its headers and body.
type Received = (HeaderMap, Vec<u8>);

/// What the receiver got.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) got: Arc<Mutex<Vec<Received>>>,
    /// The statuses to answer, in order; then 200.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Listens on 127.0.0.1:0; its URL.
    pub(crate) async fn start(answers: &[u16]) -> (Self, String) {
        let receiver = Self::default();
        receiver.answers.lock().unwrap().extend(answers);
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    /// The bodies received, once there are `count` (within 15 s).
    pub(crate) async fn bodies(&self, count: usize) -> Vec<Value> {
        for _ in 0..150 {
            if self.got.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let got = self.got.lock().unwrap();
        got.iter()
            .map(|(_, body)| serde_json::from_slice(body).unwrap())
            .collect()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::http::StatusCode {
    receiver.got.lock().unwrap().push((headers, body.to_vec()));
    let status = receiver.answers.lock().unwrap().pop_front().unwrap_or(200);
    axum::http::StatusCode::from_u16(status).unwrap()
}

async fn hook(app: &TestApp, user: &TestUser, url: &str, events: Value) -> Value {
    let (status, hook) = call(
        app,
        user,
        Method::POST,
        "/webhooks",
        Some(json!({"url": url, "events": events})),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    hook
}

/// Checks a delivery's Standard Webhooks signature, in constant time.
pub(crate) fn assert_signed(secret: &str, headers: &HeaderMap, body: &[u8]) {
    let id = headers["webhook-id"].to_str().unwrap();
    let timestamp: i64 = headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    let signature = headers["webhook-signature"].to_str().unwrap();
    let sent = STANDARD
        .decode(signature.strip_prefix("v1,").expect("v1,"))
        .unwrap();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&sent).expect("the signature verifies");
}

#[tokio::test]
async fn every_event_reaches_the_receiver_once_in_order_and_signed() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        // Before the webhook: not sent.
        create_ok(&app, &user, "before").await;
        let (receiver, url) = Receiver::start(&[]).await;
        let made = hook(&app, &user, &url, json!(["*"])).await;
        let secret = made["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"), "{made}");
        assert_eq!(made["active"], true);
        let (_, listed) = call(&app, &user, Method::GET, "/webhooks", None).await;
        assert_eq!(listed["webhooks"][0]["id"], made["id"]);
        assert!(listed["webhooks"][0].get("secret").is_none(), "{listed}");

        let first = create_ok(&app, &user, "first").await;
        create_ok(&app, &user, "second").await;
        let path = format!("/tasks/{}", first["id"].as_str().unwrap());
        let (status, _) = call(
            &app,
            &user,
            Method::PUT,
            &path,
            Some(json!({"title": "first, renamed"})),
        )
        .await;
        assert_eq!(status, 200);
        let (status, _) = call(&app, &user, Method::DELETE, &path, None).await;
        assert_eq!(status, 204);

        let bodies = receiver.bodies(4).await;
        let kinds: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "task.created",
                "task.created",
                "task.updated",
                "task.deleted"
            ]
        );
        assert_eq!(bodies[0]["data"]["title"], "first");
        assert_eq!(bodies[2]["data"]["title"], "first, renamed");
        assert_eq!(bodies[3]["data"], json!({"id": first["id"]}));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = receiver.got.lock().unwrap().clone();
        assert_eq!(got.len(), 4, "once each");
        let mut ids = Vec::new();
        for (headers, body) in &got {
            assert_signed(&secret, headers, body);
            assert_eq!(headers["content-type"], "application/json");
            ids.push(headers["webhook-id"].to_str().unwrap().to_string());
        }
        ids.dedup();
        assert_eq!(ids.len(), 4, "each event has its own id");

        let path = format!("/webhooks/{}/deliveries", made["id"].as_str().unwrap());
        let (status, log) = call(&app, &user, Method::GET, &path, None).await;
        assert_eq!(status, 200);
        let log = log["deliveries"].as_array().unwrap();
        assert_eq!(log.len(), 4);
        assert!(log.iter().all(|d| d["status_code"] == 200), "{log:?}");
        assert_eq!(log[0]["type"], "task.deleted", "newest first");
    })
    .await;
}

#[tokio::test]
async fn a_failed_delivery_is_retried_and_the_events_after_it_wait() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        let (receiver, url) = Receiver::start(&[500]).await;
        let made = hook(&app, &user, &url, json!(["task.created"])).await;
        create_ok(&app, &user, "one").await;
        create_ok(&app, &user, "two").await;
        // A deletion is not subscribed to: skipped.
        let three = create_ok(&app, &user, "three").await;
        let path = format!("/tasks/{}", three["id"].as_str().unwrap());
        call(&app, &user, Method::DELETE, &path, None).await;
        // The 500, then (5 s later) the retry and what waited behind it.
        let bodies = receiver.bodies(4).await;
        let titles: Vec<&str> = bodies
            .iter()
            .map(|b| b["data"]["title"].as_str().unwrap_or("?"))
            .collect();
        assert_eq!(titles, ["one", "one", "two", "three"], "{bodies:?}");
        let path = format!("/webhooks/{}/deliveries", made["id"].as_str().unwrap());
        let (_, log) = call(&app, &user, Method::GET, &path, None).await;
        let statuses: Vec<Value> = log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .map(|d| d["status_code"].clone())
            .collect();
        assert_eq!(statuses, [json!(500), json!(200), json!(200), json!(200)]);
    })
    .await;
}

#[tokio::test]
async fn a_test_sends_a_ping() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        let (receiver, url) = Receiver::start(&[]).await;
        let made = hook(&app, &user, &url, json!(["task.reminder"])).await;
        let path = format!("/webhooks/{}/test", made["id"].as_str().unwrap());
        let (status, _) = call(&app, &user, Method::POST, &path, None).await;
        assert_eq!(status, 202);
        let bodies = receiver.bodies(1).await;
        assert_eq!(bodies[0]["type"], "ping");
        assert_eq!(bodies[0]["data"]["webhook_id"], made["id"]);
    })
    .await;
}

#[tokio::test]
async fn private_targets_and_bad_events_are_refused_without_the_flag() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for url in [
            "http://127.0.0.1:9/hook",
            "http://10.0.0.1/hook",
            "https://192.168.1.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://localhost:8080/hook",
            "ftp://example.com/hook",
            "https://user:secret@example.com/hook",
            "not a url",
        ] {
            let (status, error) = call(
                &app,
                &user,
                Method::POST,
                "/webhooks",
                Some(json!({"url": url, "events": ["*"]})),
            )
            .await;
            assert_eq!(status, 422, "{url}: {error}");
            assert_eq!(error_fields(&error), ["body.url"], "{url}: {error}");
        }
        for events in [json!([]), json!(["task.exploded"])] {
            let body = json!({"url": "https://example.com/hook", "events": events});
            let (status, error) = call(&app, &user, Method::POST, "/webhooks", Some(body)).await;
            assert_eq!(status, 422, "{error}");
            assert_eq!(error_fields(&error), ["body.events"]);
        }
        let (_, listed) = call(&app, &user, Method::GET, "/webhooks", None).await;
        assert_eq!(listed["webhooks"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn a_webhook_is_its_owners_alone_and_an_account_keeps_ten() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let (owner, other) = (app.new_user().await, app.new_user().await);
        let made = hook(&app, &owner, "http://127.0.0.1:9/hook", json!(["*"])).await;
        let id = made["id"].as_str().unwrap();
        for (method, path, body) in [
            (
                Method::PATCH,
                format!("/webhooks/{id}"),
                Some(json!({"active": false})),
            ),
            (Method::DELETE, format!("/webhooks/{id}"), None),
            (Method::GET, format!("/webhooks/{id}/deliveries"), None),
            (Method::POST, format!("/webhooks/{id}/test"), None),
        ] {
            let (status, _) = call(&app, &other, method.clone(), &path, body).await;
            assert_eq!(status, 404, "{method} {path}");
        }
        let (_, theirs) = call(&app, &other, Method::GET, "/webhooks", None).await;
        assert_eq!(theirs["webhooks"], json!([]));
        let response = send(
            &app,
            &other.token,
            Method::GET,
            &format!("/api/{}/webhooks", owner.id),
            None,
        )
        .await;
        assert_eq!(response.status(), 403);

        let (status, paused) = call(
            &app,
            &owner,
            Method::PATCH,
            &format!("/webhooks/{id}"),
            Some(json!({"active": false})),
        )
        .await;
        assert_eq!((status, paused["active"].clone()), (200, json!(false)));
        for _ in 1..10 {
            hook(&app, &owner, "http://127.0.0.1:9/hook", json!(["*"])).await;
        }
        let (status, error) = call(
            &app,
            &owner,
            Method::POST,
            "/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/x", "events": ["*"]})),
        )
        .await;
        assert_eq!(status, 422, "{error}");
        assert!(
            error["detail"].as_str().unwrap().contains("at most 10"),
            "{error}"
        );
        let (status, _) = call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/webhooks/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (status, _) = call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/webhooks/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn a_retry_due_while_the_server_was_stopped_is_made_after_it_starts() {
    for backend in crate::helpers::backends() {
        let database = crate::helpers::FreshDatabase::create(backend).await;
        let config = database.config_with(ALLOW_PRIVATE);
        let (app, server) = crate::helpers::spawn_on(backend, config.clone()).await;
        let user = app.new_user().await;
        let (receiver, url) = Receiver::start(&[503]).await;
        hook(&app, &user, &url, json!(["task.created"])).await;
        create_ok(&app, &user, "kept").await;
        assert_eq!(receiver.bodies(1).await.len(), 1, "the first attempt");
        server.stop().await;
        let (_app, server) = crate::helpers::spawn_on(backend, config).await;
        let bodies = receiver.bodies(2).await;
        assert_eq!(bodies.len(), 2, "{backend:?}: the retry, after the restart");
        assert_eq!(bodies[1]["data"]["title"], "kept");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(receiver.got.lock().unwrap().len(), 2, "once");
        server.stop().await;
        database.drop_database().await;
    }
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_event_once_in_order() {
    crate::helpers::on_two_instances_with(ALLOW_PRIVATE, |first, second| async move {
        let user = first.new_user().await;
        let (receiver, url) = Receiver::start(&[]).await;
        hook(&first, &user, &url, json!(["task.created"])).await;
        for n in 0..20 {
            let app = if n % 2 == 0 { &first } else { &second };
            create_ok(app, &user, &format!("t{n:02}")).await;
        }
        let bodies = receiver.bodies(20).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let titles: Vec<String> = receiver
            .got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| {
                serde_json::from_slice::<Value>(body).unwrap()["data"]["title"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let expected: Vec<String> = (0..20).map(|n| format!("t{n:02}")).collect();
        assert_eq!(
            titles,
            expected,
            "each once, in order ({} bodies)",
            bodies.len()
        );
    })
    .await;
}

#[tokio::test]
async fn a_failing_event_the_webhook_no_longer_takes_is_passed_at_its_next_attempt() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        let (receiver, url) = Receiver::start(&[500]).await;
        let made = hook(&app, &user, &url, json!(["task.created"])).await;
        let task = create_ok(&app, &user, "refused").await;
        assert_eq!(
            receiver.bodies(1).await.len(),
            1,
            "the first attempt, refused"
        );
        let path = format!("/webhooks/{}", made["id"].as_str().unwrap());
        let change = json!({"events": ["task.deleted"]});
        let (status, _) = call(&app, &user, Method::PATCH, &path, Some(change)).await;
        assert_eq!(status, 200);
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let (status, _) = call(&app, &user, Method::DELETE, &path, None).await;
        assert_eq!(status, 204);
        // At the retry (5 s on), the creation is passed and the deletion sent at once.
        let bodies = receiver.bodies(2).await;
        assert_eq!(bodies.len(), 2, "{bodies:?}");
        assert_eq!(bodies[1]["type"], "task.deleted");
    })
    .await;
}

#[tokio::test]
async fn concurrent_creates_of_one_account_stop_at_ten() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let owner = app.new_user().await;
        let body = json!({"url": "http://127.0.0.1:9/x", "events": ["*"]});
        let statuses = futures_util::future::join_all((0..16).map(|_| {
            let body = body.clone();
            let (app, owner) = (&app, &owner);
            async move {
                call(app, owner, Method::POST, "/webhooks", Some(body))
                    .await
                    .0
            }
        }))
        .await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            10,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 422).count(),
            6,
            "{statuses:?}"
        );
        let (_, listed) = call(&app, &owner, Method::GET, "/webhooks", None).await;
        assert_eq!(listed["webhooks"].as_array().unwrap().len(), 10);
    })
    .await;
}
