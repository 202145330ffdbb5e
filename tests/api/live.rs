//! Live updates and safe retries: the event stream (`/api/{user_id}/events`) sends each of
//! its user's changes once, in order, and resumes where a dropped connection left off;
//! `Idempotency-Key` makes a retried create create once; `ETag` makes reads cheap and
//! writes from a stale copy fail instead of overwriting.
//!
//! Every read of a stream has a deadline, so a server that stays silent fails the test
//! instead of hanging it.

use std::{collections::VecDeque, pin::Pin, time::Duration};

use futures_util::StreamExt as _;
use reqwest::{header::HeaderValue, Method};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::{
    helpers::{for_each_backend, for_each_backend_with, on_two_instances, TestApp, TestUser},
    requests::{
        assert_error_shape, browser_login, create, create_ok, error_fields, list, send,
        status_and_body,
    },
};

/// How long any one read of a stream may take before the test fails.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How soon a change committed on one instance reaches a stream on another.
const ACROSS_INSTANCES: Duration = Duration::from_secs(1);

/// How soon a stream ends once its credential has, on any instance.
const CREDENTIAL_ENDS: Duration = Duration::from_secs(2);

/// One thing a stream sent: an event, or a comment line (`: ...`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    Event(Event),
    Comment(String),
}

/// A server-sent event's fields, as an `EventSource` reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Event {
    id: Option<String>,
    event: Option<String>,
    data: Vec<String>,
}

impl Event {
    /// `event:`, or the default type when there is none.
    pub(crate) fn kind(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }

    /// `id:` as the number it must be.
    pub(crate) fn seq(&self) -> u64 {
        self.id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("an event with a numeric id: {self:?}"))
    }

    /// `data:` (every line of it) as JSON.
    pub(crate) fn json(&self) -> Value {
        let text = self.data.join("\n");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("data is not JSON ({e}): {text}"))
    }
}

type Chunks = Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// Reads a `text/event-stream` body as it arrives, line by line.
pub(crate) struct EventStream {
    chunks: Chunks,
    /// Bytes received that do not end a line yet.
    unread: Vec<u8>,
    /// The event whose fields are being read, until the blank line that ends it.
    building: Option<Event>,
    ready: VecDeque<Item>,
    /// The reconnection delay the server last asked for (`retry:`, milliseconds).
    retry: Option<u64>,
}

impl EventStream {
    fn new(response: reqwest::Response) -> Self {
        let chunks = response
            .bytes_stream()
            .map(|chunk| chunk.map(|bytes| bytes.to_vec()));
        Self {
            chunks: Box::pin(chunks),
            unread: Vec::new(),
            building: None,
            ready: VecDeque::new(),
            retry: None,
        }
    }

    /// The stream of an accepted request, past its greeting (`: connected`).
    async fn opened(response: reqwest::Response) -> Self {
        let status = response.status();
        if status != 200 {
            let body = response.text().await.unwrap_or_default();
            panic!("the stream was refused: {status} {body}");
        }
        let mut stream = Self::new(response);
        assert_eq!(stream.next().await, Item::Comment("connected".into()));
        stream
    }

    /// The next item, or `None` if none comes within `wait`. A stream that ends or breaks
    /// fails the test: streams end only when the server stops.
    pub(crate) async fn next_within(&mut self, wait: Duration) -> Option<Item> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            let chunk = match tokio::time::timeout_at(deadline, self.chunks.next()).await {
                Err(_) => return None,
                Ok(None) => panic!("the stream ended"),
                Ok(Some(Err(error))) => panic!("reading the stream failed: {error}"),
                Ok(Some(Ok(chunk))) => chunk,
            };
            self.unread.extend_from_slice(&chunk);
            while let Some(end) = self.unread.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.unread.drain(..=end).collect();
                let line = String::from_utf8(line).expect("an event stream is UTF-8");
                self.read_line(line.trim_end_matches(['\n', '\r']));
            }
        }
    }

    /// Whether the server ends the stream within `wait` (whatever it sends before).
    async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.chunks.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    async fn next(&mut self) -> Item {
        self.next_within(READ_TIMEOUT)
            .await
            .unwrap_or_else(|| panic!("nothing came within {READ_TIMEOUT:?}"))
    }

    /// The next event within `wait`, past any comments.
    pub(crate) async fn next_event_within(&mut self, wait: Duration) -> Event {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_within(left).await {
                Some(Item::Event(event)) => return event,
                Some(Item::Comment(_)) => {}
                None => panic!("no event came within {wait:?}"),
            }
        }
    }

    pub(crate) async fn next_event(&mut self) -> Event {
        self.next_event_within(READ_TIMEOUT).await
    }

    fn read_line(&mut self, line: &str) {
        if line.is_empty() {
            if let Some(event) = self.building.take() {
                self.ready.push_back(Item::Event(event));
            }
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            self.ready.push_back(Item::Comment(comment.to_string()));
            return;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_string();
        match field {
            "retry" => self.retry = value.parse().ok(),
            "id" => self.building().id = Some(value),
            "event" => self.building().event = Some(value),
            "data" => self.building().data.push(value),
            _ => {}
        }
    }

    fn building(&mut self) -> &mut Event {
        self.building.get_or_insert_with(Event::default)
    }

    /// Reads the next events: each must be of its kind, carry its data and be numbered
    /// after the one before (the first after `after`). The last one's number.
    async fn assert_next(&mut self, mut after: u64, expected: &[(&str, Value)]) -> u64 {
        for (kind, data) in expected {
            let event = self.next_event().await;
            assert_eq!(event.kind(), *kind, "{event:?}");
            assert_eq!(&event.json(), data, "{event:?}");
            assert!(event.seq() > after, "ids increase: {event:?} after {after}");
            after = event.seq();
        }
        after
    }
}

/// `GET /api/{owner}/events`, with a token and a `Last-Event-ID` if given.
async fn open_as(
    app: &TestApp,
    owner: &str,
    token: Option<&str>,
    last_event_id: Option<&str>,
) -> reqwest::Response {
    sent(stream_request(app, owner, token, last_event_id)).await
}

/// `GET /api/{owner}/events`, with a token and a `Last-Event-ID` if given, not sent yet.
fn stream_request(
    app: &TestApp,
    owner: &str,
    token: Option<&str>,
    last_event_id: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut request = app.client.get(app.url(&format!("/api/{owner}/events")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    request
}

/// The response head of a stream request, within [`READ_TIMEOUT`].
async fn sent(request: reqwest::RequestBuilder) -> reqwest::Response {
    tokio::time::timeout(READ_TIMEOUT, request.send())
        .await
        .expect("the stream answered in time")
        .expect("request failed")
}

/// The user's own stream, as a client opens it.
async fn open(app: &TestApp, user: &TestUser, last_event_id: Option<&str>) -> reqwest::Response {
    open_as(app, &user.id, Some(user.token.as_str()), last_event_id).await
}

/// The user's own stream, open and greeted.
pub(crate) async fn follow(
    app: &TestApp,
    user: &TestUser,
    last_event_id: Option<&str>,
) -> EventStream {
    EventStream::opened(open(app, user, last_event_id).await).await
}

/// The JSON body of a response that must have this status.
async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let (actual, body) = status_and_body(response).await;
    assert_eq!(actual, status, "{body}");
    body
}

fn task_path(user: &TestUser, task: &Value) -> String {
    format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap())
}

/// A request with a bearer token, one extra header and an optional JSON body.
async fn send_with(
    app: &TestApp,
    user: &TestUser,
    method: Method,
    path: &str,
    (name, value): (&str, &str),
    body: Option<Value>,
) -> reqwest::Response {
    let value = HeaderValue::from_bytes(value.as_bytes()).expect("a header value");
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&user.token)
        .header(name, value);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request failed")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    let value = response.headers().get(name);
    let value = value.unwrap_or_else(|| panic!("no {name}: {:?}", response.headers()));
    value.to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_stream_sends_each_of_its_users_changes_in_order_as_the_api_answered_them() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other = app.new_user().await;
        let response = open(&app, &user, None).await;
        assert_eq!(response.status(), 200);
        let content_type = header(&response, "content-type");
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let mut stream = EventStream::opened(response).await;
        let mut theirs = follow(&app, &other, None).await;

        let created = create_ok(&app, &user, "Buy milk").await;
        // Someone else's change in between: it is not on this user's stream.
        let their_task = create_ok(&app, &other, "Not yours to see").await;
        let path = task_path(&user, &created);
        let body = Some(json!({"title": "Buy oat milk"}));
        let updated = json_of(send(&app, &user.token, Method::PUT, &path, body).await, 200).await;
        let body = Some(json!({"is_completed": true}));
        let complete = format!("{path}/complete");
        let completion = send(&app, &user.token, Method::PATCH, &complete, body).await;
        let completed = json_of(completion, 200).await;
        let deleted = send(&app, &user.token, Method::DELETE, &path, None).await;
        assert_eq!(deleted.status(), 204);

        stream
            .assert_next(
                0,
                &[
                    ("task.created", created.clone()),
                    ("task.updated", updated),
                    ("task.updated", completed),
                    ("task.deleted", json!({"id": created["id"]})),
                ],
            )
            .await;
        assert_eq!(
            stream.retry,
            Some(2000),
            "clients reconnect after two seconds"
        );

        // Nor is any of this user's on theirs.
        let their_next = create_ok(&app, &other, "Still not yours").await;
        theirs
            .assert_next(
                0,
                &[("task.created", their_task), ("task.created", their_next)],
            )
            .await;
    })
    .await;
}

/// An event stream is never compressed, whatever the client accepts: an encoder would hold
/// events back until its buffer fills.
#[tokio::test]
async fn a_stream_is_sent_as_it_is_to_a_client_that_accepts_compression() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let request = stream_request(&app, &user.id, Some(user.token.as_str()), None);
        let response = sent(request.header("accept-encoding", "gzip, br")).await;
        assert!(response.headers().get("content-encoding").is_none());
        let mut stream = EventStream::opened(response).await;
        let created = create_ok(&app, &user, "Sent at once").await;
        stream.assert_next(0, &[("task.created", created)]).await;
    })
    .await;
}

/// The stream's documented schema describes one event as an SSE parser reads it (what
/// schemathesis checks each received event against): `id`, `event`, `data`, `retry`.
#[tokio::test]
async fn the_document_describes_each_event_of_the_stream() {
    for_each_backend(|app| async move {
        let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
        let content = &doc["paths"]["/api/{user_id}/events"]["get"]["responses"]["200"]["content"];
        let schema = &content["text/event-stream"]["schema"];
        let name = schema["$ref"].as_str().expect("a named schema");
        let name = name.trim_start_matches("#/components/schemas/");
        let event = &doc["components"]["schemas"][name];
        assert_eq!(event["type"], "object", "{event}");
        assert_eq!(event["required"], json!(["event", "data"]), "{event}");
        let fields = &event["properties"];
        assert_eq!(fields["data"]["type"], "string", "{event}");
        let id_types = fields["id"]["type"].as_array().expect("id may be absent");
        assert!(id_types.contains(&json!("string")), "{event}");
        let kinds = match &fields["event"]["$ref"] {
            Value::String(r) => {
                &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
            }
            _ => &fields["event"],
        };
        let mut kinds: Vec<&str> = kinds["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        kinds.sort_unstable();
        assert_eq!(
            kinds,
            [
                "list.deleted",
                "list.updated",
                "member.added",
                "member.removed",
                "reset",
                "task.created",
                "task.deleted",
                "task.updated"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_stream_is_its_owners_alone_and_needs_a_token() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other = app.new_user().await;

        let theirs = open_as(&app, &other.id, Some(user.token.as_str()), None).await;
        assert_error_shape(theirs, 403).await;

        let anonymous = open_as(&app, &user.id, None, None).await;
        assert_eq!(header(&anonymous, "www-authenticate"), "Bearer");
        assert_error_shape(anonymous, 401).await;

        let garbled = open_as(&app, "not-a-uuid", Some(user.token.as_str()), None).await;
        assert_error_shape(garbled, 422).await;
    })
    .await;
}

#[tokio::test]
async fn a_stream_reopened_with_last_event_id_gets_exactly_what_it_missed_then_live_changes() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        let first = create_ok(&app, &user, "First").await;
        let second = create_ok(&app, &user, "Second").await;
        let seen = stream
            .assert_next(
                0,
                &[
                    ("task.created", first.clone()),
                    ("task.created", second.clone()),
                ],
            )
            .await;
        drop(stream);

        // Changes while disconnected.
        let body = Some(json!({"title": "First, renamed"}));
        let path = task_path(&user, &first);
        let renamed = json_of(send(&app, &user.token, Method::PUT, &path, body).await, 200).await;
        let third = create_ok(&app, &user, "Third").await;
        let path = task_path(&user, &second);
        let deleted = send(&app, &user.token, Method::DELETE, &path, None).await;
        assert_eq!(deleted.status(), 204);

        let mut stream = follow(&app, &user, Some(seen.to_string().as_str())).await;
        let caught_up = stream
            .assert_next(
                seen,
                &[
                    ("task.updated", renamed),
                    ("task.created", third),
                    ("task.deleted", json!({"id": second["id"]})),
                ],
            )
            .await;
        // Then what commits from now on, and nothing from before a second time.
        let fourth = create_ok(&app, &user, "Fourth").await;
        let last = stream
            .assert_next(caught_up, &[("task.created", fourth)])
            .await;

        // Reopened at the very last event: nothing to catch up on, only what comes next.
        let mut current = follow(&app, &user, Some(last.to_string().as_str())).await;
        let fifth = create_ok(&app, &user, "Fifth").await;
        current.assert_next(last, &[("task.created", fifth)]).await;

        for bad in ["abc", "-1", "1.5"] {
            let refused = open(&app, &user, Some(bad)).await;
            assert_error_shape(refused, 422).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_stream_that_missed_pruned_events_is_told_to_reset_then_continues_live() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        let seen_task = create_ok(&app, &user, "Seen").await;
        let seen = stream.assert_next(0, &[("task.created", seen_task)]).await;
        drop(stream);
        create_ok(&app, &user, "Missed, then pruned").await;

        // As if the hourly pruning had removed them.
        let db = app.db().await;
        let owner = uuid::Uuid::parse_str(&user.id).unwrap();
        let pruned = app::match_pool!(db, |pool| {
            sqlx::query("delete from task_events where user_id = $1")
                .bind(owner)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected()
        });
        assert_eq!(pruned, 2, "both changes were recorded");

        let mut stream = follow(&app, &user, Some(seen.to_string().as_str())).await;
        let reset = stream.next_event().await;
        assert_eq!(reset.kind(), "reset", "{reset:?}");
        assert_eq!(reset.json(), json!({}));
        let live = create_ok(&app, &user, "After the reset").await;
        stream.assert_next(seen, &[("task.created", live)]).await;

        // An id this user never had: reset too.
        let mut stream = follow(&app, &user, Some("1000000")).await;
        assert_eq!(stream.next_event().await.kind(), "reset");

        // A user with no events yet resumes from 0 without a reset.
        let newcomer = app.new_user().await;
        let mut stream = follow(&app, &newcomer, Some("0")).await;
        let first = create_ok(&app, &newcomer, "First ever").await;
        stream.assert_next(0, &[("task.created", first)]).await;
    })
    .await;
}

#[tokio::test]
async fn an_idle_stream_sends_comments_to_keep_the_connection_open() {
    for_each_backend_with(&[("EVENT_KEEP_ALIVE_SECS", "1")], |app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        for _ in 0..2 {
            let item = stream.next_within(Duration::from_secs(3)).await;
            assert!(matches!(item, Some(Item::Comment(_))), "{item:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn one_stream_more_than_the_limit_is_429_until_one_closes() {
    // Keep-alives every second: a write is how the server notices a client hung up.
    let overrides = [
        ("EVENT_STREAMS_PER_USER", "2"),
        ("EVENT_KEEP_ALIVE_SECS", "1"),
    ];
    for_each_backend_with(&overrides, |app| async move {
        let user = app.new_user().await;
        let first = follow(&app, &user, None).await;
        let _second = follow(&app, &user, None).await;

        let refused = open(&app, &user, None).await;
        assert!(refused.headers().contains_key("retry-after"));
        assert_error_shape(refused, 429).await;

        // The bound is per user.
        let other = app.new_user().await;
        let _theirs = follow(&app, &other, None).await;

        drop(first);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut third = loop {
            let response = open(&app, &user, None).await;
            if response.status() == 200 {
                break EventStream::opened(response).await;
            }
            assert_eq!(response.status(), 429);
            assert!(
                Instant::now() < deadline,
                "the closed stream's place was never given back"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let task = create_ok(&app, &user, "Seen on the new stream").await;
        third.assert_next(0, &[("task.created", task)]).await;
        assert_error_shape(open(&app, &user, None).await, 429).await;
    })
    .await;
}

#[tokio::test]
async fn the_task_page_follows_the_same_stream_with_its_session_cookie() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        let page_stream = || {
            browser
                .get(app.url("/tasks/events"))
                .header("accept", "text/event-stream")
                .send()
        };
        assert_error_shape(page_stream().await.unwrap(), 401).await;

        browser_login(&app, &browser, &user).await;
        let response = page_stream().await.unwrap();
        assert!(header(&response, "content-type").starts_with("text/event-stream"));
        let mut stream = EventStream::opened(response).await;
        let task = create_ok(&app, &user, "Made through the API").await;
        stream.assert_next(0, &[("task.created", task)]).await;
    })
    .await;
}

/// `POST /api/{user}/{route}` with an `Idempotency-Key`.
async fn post_keyed(
    app: &TestApp,
    user: &TestUser,
    route: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    let path = format!("/api/{}/{route}", user.id);
    let key_header = ("idempotency-key", key);
    send_with(
        app,
        user,
        Method::POST,
        &path,
        key_header,
        Some(body.clone()),
    )
    .await
}

#[tokio::test]
async fn a_create_repeated_with_its_idempotency_key_gets_the_first_answer_and_creates_once() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        let body = json!({"title": "Pay rent", "priority": "high"});
        let first = post_keyed(&app, &user, "tasks", "rent-2031-05", &body).await;
        assert_eq!(first.status(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let (location, etag) = (header(&first, "location"), header(&first, "etag"));
        let task: Value = first.json().await.unwrap();

        let again = post_keyed(&app, &user, "tasks", "rent-2031-05", &body).await;
        assert_eq!(again.status(), 201);
        assert_eq!(header(&again, "idempotent-replayed"), "true");
        assert_eq!(header(&again, "location"), location);
        assert_eq!(header(&again, "etag"), etag);
        assert_eq!(again.json::<Value>().await.unwrap(), task);
        assert_eq!(list(&app, &user, "").await["total"], 1);

        // The same key for another request is a mistake, not a replay.
        let other_body = json!({"title": "Pay rent twice"});
        let misused = post_keyed(&app, &user, "tasks", "rent-2031-05", &other_body).await;
        assert_error_shape(misused, 422).await;
        assert_eq!(list(&app, &user, "").await["total"], 1);

        // Keys are per user.
        let other = app.new_user().await;
        let theirs = post_keyed(&app, &other, "tasks", "rent-2031-05", &body).await;
        assert_eq!(theirs.status(), 201);
        assert!(theirs.headers().get("idempotent-replayed").is_none());
        let theirs: Value = theirs.json().await.unwrap();
        assert_eq!(theirs["user_id"], other.id.as_str());
        assert_ne!(theirs["id"], task["id"]);
        assert_eq!(list(&app, &other, "").await["total"], 1);
        assert_eq!(list(&app, &user, "").await["total"], 1);

        // A refusal changed nothing and is not kept: a retry runs anew, and the key may
        // then carry the corrected request.
        let blank = json!({"title": "   "});
        let refused = post_keyed(&app, &user, "tasks", "blank", &blank).await;
        assert_error_shape(refused, 422).await;
        let again = post_keyed(&app, &user, "tasks", "blank", &blank).await;
        assert!(again.headers().get("idempotent-replayed").is_none());
        assert_error_shape(again, 422).await;
        let fixed = json!({"title": "Not blank"});
        let created = post_keyed(&app, &user, "tasks", "blank", &fixed).await;
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();

        // One creation per request that made one, so one event each.
        let next = create_ok(&app, &user, "Next").await;
        let events = [
            ("task.created", task),
            ("task.created", created),
            ("task.created", next),
        ];
        stream.assert_next(0, &events).await;
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_is_1_to_255_printable_ascii_characters() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let body = json!({"title": "Keyed"});
        let too_long = "k".repeat(256);
        for key in ["", too_long.as_str(), "tab\there", "clé"] {
            let refused = post_keyed(&app, &user, "tasks", key, &body).await;
            let refused = assert_error_shape(refused, 422).await;
            assert_eq!(
                error_fields(&refused),
                ["header.Idempotency-Key"],
                "{key:?}"
            );
        }
        assert_eq!(list(&app, &user, "").await["total"], 0);

        let longest = "k".repeat(255);
        let accepted = post_keyed(&app, &user, "tasks", &longest, &body).await;
        assert_eq!(accepted.status(), 201);
        let one_char = post_keyed(&app, &user, "tasks", "~", &body).await;
        assert_eq!(one_char.status(), 201);
        assert_eq!(list(&app, &user, "").await["total"], 2);
    })
    .await;
}

#[tokio::test]
async fn twenty_identical_keyed_creates_at_once_create_one_task() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let body = json!({"title": "Once only"});
        let burst = (0..20).map(|_| {
            let (app, user, body) = (&app, &user, &body);
            async move {
                let response = post_keyed(app, user, "tasks", "burst", body).await;
                let status = response.status().as_u16();
                (status, response.text().await.unwrap())
            }
        });
        let answers = futures_util::future::join_all(burst).await;
        assert!(
            answers.iter().all(|(s, _)| *s == 201 || *s == 409),
            "{answers:?}"
        );
        let created: Vec<&String> = answers
            .iter()
            .filter(|(s, _)| *s == 201)
            .map(|(_, body)| body)
            .collect();
        assert!(!created.is_empty(), "{answers:?}");
        assert!(created.iter().all(|b| *b == created[0]), "{answers:?}");
        assert_eq!(list(&app, &user, "").await["total"], 1);

        // Once the first has finished, a retry is a replay.
        let retry = post_keyed(&app, &user, "tasks", "burst", &body).await;
        assert_eq!(retry.status(), 201);
        assert_eq!(header(&retry, "idempotent-replayed"), "true");
        assert_eq!(&retry.text().await.unwrap(), created[0]);
    })
    .await;
}

#[tokio::test]
async fn an_import_repeated_with_its_idempotency_key_imports_once() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        let created_at = "2026-01-06T10:00:00.123456Z";
        let task = |title: &str| json!({"title": title, "created_at": created_at});
        let document = json!({"format": "todo-export", "version": 1,
            "tasks": [task("one"), task("two")]});
        let first = post_keyed(&app, &user, "import", "import-1", &document).await;
        assert!(first.headers().get("idempotent-replayed").is_none());
        assert_eq!(json_of(first, 200).await, json!({"imported": 2}));

        let again = post_keyed(&app, &user, "import", "import-1", &document).await;
        assert_eq!(header(&again, "idempotent-replayed"), "true");
        assert_eq!(json_of(again, 200).await, json!({"imported": 2}));
        assert_eq!(list(&app, &user, "").await["total"], 2);

        // One event per task imported, once.
        let mut titles = Vec::new();
        for _ in 0..2 {
            let event = stream.next_event().await;
            assert_eq!(event.kind(), "task.created", "{event:?}");
            titles.push(event.json()["title"].clone());
        }
        titles.sort_by_key(Value::to_string);
        assert_eq!(titles, [json!("one"), json!("two")]);
        let next = create_ok(&app, &user, "After the import").await;
        assert_eq!(stream.next_event().await.json(), next);
    })
    .await;
}

/// A strong entity tag: quoted, 22 base64url characters, not `W/`.
fn assert_strong_tag(tag: &str) {
    let inner = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_else(|| panic!("a quoted tag: {tag}"));
    assert_eq!(inner.len(), 22, "{tag}");
    assert!(
        inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{tag}"
    );
}

#[tokio::test]
async fn a_task_read_again_unchanged_is_304_and_a_changed_one_has_a_new_etag() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let created = create(&app, &user, json!({"title": "Draft", "description": "v1"})).await;
        assert_eq!(created.status(), 201);
        let tag = header(&created, "etag");
        assert_strong_tag(&tag);
        let task: Value = created.json().await.unwrap();
        let path = task_path(&user, &task);

        let read = send(&app, &user.token, Method::GET, &path, None).await;
        assert_eq!(header(&read, "etag"), tag, "the same state, the same tag");
        assert_eq!(json_of(read, 200).await, task);

        let listed = format!("\"not-this-one\", {tag}");
        for if_none_match in [tag.as_str(), listed.as_str(), "*"] {
            let header_pair = ("if-none-match", if_none_match);
            let unchanged = send_with(&app, &user, Method::GET, &path, header_pair, None).await;
            assert_eq!(unchanged.status(), 304, "{if_none_match}");
            assert_eq!(header(&unchanged, "etag"), tag);
            assert!(unchanged.text().await.unwrap().is_empty());
        }

        let body = Some(json!({"is_completed": true}));
        let complete = format!("{path}/complete");
        let completed = send(&app, &user.token, Method::PATCH, &complete, body).await;
        let new_tag = header(&completed, "etag");
        assert_strong_tag(&new_tag);
        assert_ne!(new_tag, tag);
        let completed = json_of(completed, 200).await;

        let header_pair = ("if-none-match", tag.as_str());
        let read = send_with(&app, &user, Method::GET, &path, header_pair, None).await;
        assert_eq!(header(&read, "etag"), new_tag);
        assert_eq!(json_of(read, 200).await, completed);
    })
    .await;
}

#[tokio::test]
async fn a_write_with_a_stale_if_match_is_412_and_changes_nothing() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = create_ok(&app, &user, "Shared").await;
        let path = task_path(&user, &task);
        let complete = format!("{path}/complete");
        let read = send(&app, &user.token, Method::GET, &path, None).await;
        let stale = header(&read, "etag");

        // Someone else changes it.
        let body = Some(json!({"title": "Changed elsewhere", "description": "theirs"}));
        let changed = send(&app, &user.token, Method::PUT, &path, body).await;
        let current = header(&changed, "etag");
        let changed = json_of(changed, 200).await;

        let weak = format!("W/{current}");
        let refusals = [
            (
                Method::PUT,
                &path,
                stale.as_str(),
                Some(json!({"title": "Mine"})),
            ),
            (
                Method::PATCH,
                &complete,
                stale.as_str(),
                Some(json!({"is_completed": true})),
            ),
            (Method::DELETE, &path, stale.as_str(), None),
            (
                Method::PUT,
                &path,
                weak.as_str(),
                Some(json!({"title": "Mine"})),
            ),
        ];
        for (method, route, tag, body) in refusals {
            let header_pair = ("if-match", tag);
            let refused = send_with(&app, &user, method.clone(), route, header_pair, body).await;
            assert_error_shape(refused, 412).await;
            let now = send(&app, &user.token, Method::GET, &path, None).await;
            assert_eq!(
                json_of(now, 200).await,
                changed,
                "{method} {tag}: unchanged"
            );
        }

        let header_pair = ("if-match", current.as_str());
        let body = Some(json!({"title": "Mine, on top of theirs"}));
        let updated = send_with(&app, &user, Method::PUT, &path, header_pair, body).await;
        let newest = header(&updated, "etag");
        assert_ne!(newest, current);
        assert_eq!(
            json_of(updated, 200).await["title"],
            "Mine, on top of theirs"
        );

        let body = Some(json!({"is_completed": true}));
        let any = send_with(
            &app,
            &user,
            Method::PATCH,
            &complete,
            ("if-match", "*"),
            body,
        )
        .await;
        assert_eq!(json_of(any, 200).await["is_completed"], true);

        // A task that is not there is 404, whatever If-Match says.
        let missing = format!("/api/{}/tasks/{}", user.id, uuid::Uuid::new_v4());
        for tag in ["*", current.as_str()] {
            let attempts = [
                (
                    Method::PUT,
                    missing.clone(),
                    Some(json!({"title": "Ghost"})),
                ),
                (
                    Method::PATCH,
                    format!("{missing}/complete"),
                    Some(json!({"is_completed": true})),
                ),
                (Method::DELETE, missing.clone(), None),
            ];
            for (method, route, body) in attempts {
                let absent = send_with(&app, &user, method, &route, ("if-match", tag), body).await;
                assert_error_shape(absent, 404).await;
            }
        }

        let read = send(&app, &user.token, Method::GET, &path, None).await;
        let latest = header(&read, "etag");
        let header_pair = ("if-match", latest.as_str());
        let deleted = send_with(&app, &user, Method::DELETE, &path, header_pair, None).await;
        assert_eq!(deleted.status(), 204);
    })
    .await;
}

#[tokio::test]
async fn a_change_made_through_one_instance_reaches_a_stream_on_another_at_once() {
    on_two_instances(|first, second| async move {
        let user = first.new_user().await;
        let mut on_second = follow(&second, &user, None).await;
        let mut on_first = follow(&first, &user, None).await;

        let task = create_ok(&first, &user, "Made on the first").await;
        let event = on_second.next_event_within(ACROSS_INSTANCES).await;
        assert_eq!((event.kind(), event.json()), ("task.created", task.clone()));

        let body = Some(json!({"title": "Renamed on the second"}));
        let path = task_path(&user, &task);
        let renamed = send(&second, &user.token, Method::PUT, &path, body).await;
        let renamed = json_of(renamed, 200).await;
        let created = on_first.next_event_within(ACROSS_INSTANCES).await;
        assert_eq!(created.json(), task);
        let updated = on_first.next_event_within(ACROSS_INSTANCES).await;
        assert_eq!(
            (updated.kind(), updated.json()),
            ("task.updated", renamed.clone())
        );
        assert!(updated.seq() > created.seq());
        let seen_on_second = on_second.next_event_within(ACROSS_INSTANCES).await;
        assert_eq!(
            seen_on_second, updated,
            "the same event, the same id, on both"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stream_resuming_from_the_start_reads_a_long_log_a_page_at_a_time_in_order() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = json!({"title": "imported", "created_at": "2026-01-06T10:00:00.123456Z"});
        let document = json!({"format": "todo-export", "version": 1, "tasks": vec![task; 250]});
        let path = format!("/api/{}/import", user.id);
        let imported = send(&app, &user.token, Method::POST, &path, Some(document)).await;
        assert_eq!(imported.status(), 200);

        let mut stream = follow(&app, &user, Some("0")).await;
        for seq in 1..=250 {
            let event = stream.next_event().await;
            assert_eq!((event.seq(), event.kind()), (seq, "task.created"));
        }
        let live = create_ok(&app, &user, "after the catching up").await;
        stream.assert_next(250, &[("task.created", live)]).await;

        // The log is read a page at a time: never all of it at once.
        let db = app.db().await;
        let owner = app::ids::UserId(user.id.parse().unwrap());
        match app::tasks::events::since(&db, owner, 0).await.unwrap() {
            app::tasks::events::Since::Events(events) => {
                assert_eq!(events.len() as i64, app::tasks::events::LOG_PAGE);
                assert_eq!(events[0].seq, 1);
            }
            reset => panic!("{reset:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_stream_ends_within_two_seconds_of_its_credential() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let second = TestUser {
            token: app.login(&user.email, &user.password).await,
            ..user.clone()
        };
        let mut first_stream = follow(&app, &user, None).await;
        let mut second_stream = follow(&app, &second, None).await;
        let logout = send(&app, &user.token, Method::POST, "/api/auth/logout", None).await;
        assert_eq!(logout.status(), 204);
        assert!(first_stream.ends_within(CREDENTIAL_ENDS).await);
        // The other token's stream goes on.
        assert!(!second_stream.ends_within(Duration::from_millis(500)).await);

        // "Sign out everywhere", from a third token, ends it too.
        let third = app.login(&user.email, &user.password).await;
        let everywhere = send(&app, &third, Method::POST, "/api/auth/logout-all", None).await;
        assert_eq!(everywhere.status(), 204);
        assert!(second_stream.ends_within(CREDENTIAL_ENDS).await);

        // The page's stream, by its session cookie, ends with the session.
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &user).await;
        let page_stream = browser
            .get(app.url("/tasks/events"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        let mut page_stream = EventStream::opened(page_stream).await;
        let fourth = app.login(&user.email, &user.password).await;
        let everywhere = send(&app, &fourth, Method::POST, "/api/auth/logout-all", None).await;
        assert_eq!(everywhere.status(), 204);
        assert!(page_stream.ends_within(CREDENTIAL_ENDS).await);
    })
    .await;
}

#[tokio::test]
async fn a_credential_ended_on_one_instance_ends_its_streams_on_another() {
    on_two_instances(|first, second| async move {
        let user = first.new_user().await;
        let mut on_second = follow(&second, &user, None).await;
        let other = first.login(&user.email, &user.password).await;
        let everywhere = send(&first, &other, Method::POST, "/api/auth/logout-all", None).await;
        assert_eq!(everywhere.status(), 204);
        assert!(on_second.ends_within(CREDENTIAL_ENDS).await);
    })
    .await;
}

#[tokio::test]
async fn a_change_in_a_shared_list_reaches_every_member_and_a_removed_one_hears_of_it() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let member = app.new_user().await;
        let list = json_of(
            crate::requests::send(
                &app,
                &owner.token,
                reqwest::Method::POST,
                &format!("/api/{}/lists", owner.id),
                Some(json!({"name": "Shared"})),
            )
            .await,
            201,
        )
        .await;
        let list_id = list["id"].as_str().unwrap();
        let mut owners = follow(&app, &owner, None).await;
        let mut members = follow(&app, &member, None).await;
        json_of(
            crate::requests::send(
                &app,
                &owner.token,
                reqwest::Method::PUT,
                &format!("/api/{}/lists/{list_id}/members", owner.id),
                Some(json!({"email": member.email, "role": "editor"})),
            )
            .await,
            200,
        )
        .await;
        for stream in [&mut owners, &mut members] {
            let event = stream.next_event().await;
            assert_eq!(event.kind(), "member.added");
            assert_eq!(event.json()["user_id"], member.id.as_str());
            assert_eq!(event.json()["list_id"], list_id);
        }
        // The member's task reaches the owner, and the owner's edit reaches the member.
        let task = json_of(
            crate::requests::send(
                &app,
                &member.token,
                reqwest::Method::POST,
                &format!("/api/{}/tasks", member.id),
                Some(json!({"title": "Theirs", "list_id": list_id})),
            )
            .await,
            201,
        )
        .await;
        for stream in [&mut owners, &mut members] {
            let event = stream.next_event().await;
            assert_eq!(
                (event.kind(), event.json()["id"].clone()),
                ("task.created", task["id"].clone())
            );
        }
        // A task in the owner's own list stays the owner's alone.
        json_of(
            crate::requests::send(
                &app,
                &owner.token,
                reqwest::Method::POST,
                &format!("/api/{}/tasks", owner.id),
                Some(json!({"title": "Private"})),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(owners.next_event().await.json()["title"], "Private");
        // Removed, the member hears of it, and nothing after.
        let removed = crate::requests::send(
            &app,
            &owner.token,
            reqwest::Method::DELETE,
            &format!("/api/{}/lists/{list_id}/members/{}", owner.id, member.id),
            None,
        )
        .await;
        assert_eq!(removed.status(), 204);
        for stream in [&mut owners, &mut members] {
            let event = stream.next_event().await;
            assert_eq!(event.kind(), "member.removed");
            assert_eq!(event.json()["user_id"], member.id.as_str());
        }
        let renamed = crate::requests::send(
            &app,
            &owner.token,
            reqwest::Method::PATCH,
            &format!("/api/{}/lists/{list_id}", owner.id),
            Some(json!({"name": "Mine again"})),
        )
        .await;
        assert_eq!(renamed.status(), 200);
        let event = owners.next_event().await;
        assert_eq!(
            (event.kind(), event.json()["name"].clone()),
            ("list.updated", json!("Mine again"))
        );
        assert!(members
            .next_within(Duration::from_millis(500))
            .await
            .is_none_or(|item| !matches!(item, Item::Event(_))));
        let deleted = crate::requests::send(
            &app,
            &owner.token,
            reqwest::Method::DELETE,
            &format!("/api/{}/lists/{list_id}", owner.id),
            None,
        )
        .await;
        assert_eq!(deleted.status(), 204);
        let event = owners.next_event().await;
        assert_eq!(
            (event.kind(), event.json()["id"].clone()),
            ("list.deleted", json!(list_id))
        );
    })
    .await;
}

/// An account deleted: each list it owned goes for its members (`list.deleted`), and the
/// members of each list it had joined hear that it is no longer one of them.
#[tokio::test]
async fn a_deleted_account_takes_its_lists_from_their_members_and_leaves_the_others() {
    for_each_backend(|app| async move {
        let (leaving, friend) = (app.new_user().await, app.new_user().await);
        let theirs = crate::requests::new_list(&app, &leaving, "Theirs").await;
        let friends = crate::requests::new_list(&app, &friend, "Friend's").await;
        for (owner, list, with) in [(&leaving, &theirs, &friend), (&friend, &friends, &leaving)] {
            let path = format!(
                "/api/{}/lists/{}/members",
                owner.id,
                list["id"].as_str().unwrap()
            );
            let body = json!({"email": with.email, "role": "editor"});
            let shared =
                crate::requests::send(&app, &owner.token, reqwest::Method::PUT, &path, Some(body));
            json_of(shared.await, 200).await;
        }
        let mut stream = follow(&app, &friend, None).await;
        let response = app
            .client
            .delete(app.url("/api/auth/me"))
            .bearer_auth(&leaving.token)
            .json(&json!({"password": leaving.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        let mut heard = [stream.next_event().await, stream.next_event().await];
        heard.sort_by_key(|e| e.kind().to_string());
        assert_eq!(heard[0].kind(), "list.deleted");
        assert_eq!(heard[0].json(), json!({"id": theirs["id"]}));
        assert_eq!(heard[1].kind(), "member.removed");
        assert_eq!(
            heard[1].json(),
            json!({"list_id": friends["id"], "user_id": leaving.id})
        );
    })
    .await;
}
