//! The deliverer: sends each webhook the events of its user's log, in order, one attempt at a
//! time, by whichever instance takes the webhook first. A slow or dead endpoint holds only
//! its own webhook: each delivery has a 10 s limit, at most [`IN_FLIGHT`] run at once in all
//! and one per webhook, and nothing here is on a request's path.

use std::{
    collections::HashSet,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use app::{db::Db, ids::UserId};
use chrono::TimeDelta;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use app::webhooks::{
    progress::{self, Attempt},
    rules::is_public,
    store::Row,
};

/// Deliveries in flight at once, over every webhook.
const IN_FLIGHT: usize = 16;
/// How long one delivery may take, answer included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read (the rest is dropped unread).
const ANSWER_MAX: usize = 64 * 1024;
/// How long a taken webhook stays this instance's without news of it.
const LEASE: TimeDelta = TimeDelta::seconds(60);
/// How often the users with webhooks (and any retry due) are looked at without news.
const LOOK_AGAIN: Duration = Duration::from_secs(10);
/// The least time between two looks for work: a burst of events (hundreds a second from one
/// busy user) is taken in one look, not one look (two queries) per event.
const MIN_PASS: Duration = Duration::from_millis(100);
/// Events delivered to one webhook before it is given back (so others get their turn).
const BATCH: usize = 100;

/// Resolves names to their public addresses only (unless private ones are allowed): a name
/// that points inside the network is refused at delivery time, whatever it pointed to when
/// the webhook was made.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err("the name has no public address".into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client of the deliveries: no redirects, the time limit, public addresses only.
fn client(allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .dns_resolver(Arc::new(PublicOnly { allow_private }))
        .user_agent(concat!("todo-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client builds")
}

/// Runs for as long as the server: wakes when a watched user's events commit (on any
/// instance), when a retry falls due, and every [`LOOK_AGAIN`].
pub async fn deliver_webhooks(db: Db, settings: app::webhooks::rules::Settings) {
    let (allow_private, changed) = (settings.allow_private, settings.changed);
    let client = client(allow_private);
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let running: Arc<std::sync::Mutex<HashSet<uuid::Uuid>>> = Arc::default();
    let mut changes = db.changes();
    let mut watched: HashSet<UserId> = HashSet::new();
    // When the watched users were last read (`None`: read them now).
    let mut looked: Option<Instant> = None;
    let mut last_pass: Option<Instant> = None;
    loop {
        if let Some(wait) = last_pass.and_then(|at| MIN_PASS.checked_sub(at.elapsed())) {
            tokio::time::sleep(wait).await;
        }
        last_pass = Some(Instant::now());
        if looked.is_none_or(|at| at.elapsed() >= LOOK_AGAIN) {
            looked = Some(Instant::now());
            if let Ok(users) = progress::watched(&db).await {
                watched = users.into_iter().collect();
            }
        }
        match progress::due(&db, app::db::now()).await {
            Ok(due) => {
                for id in due {
                    if !running.lock().map(|mut r| r.insert(id)).unwrap_or(false) {
                        continue;
                    }
                    let (db, client, slots, running) =
                        (db.clone(), client.clone(), slots.clone(), running.clone());
                    tokio::spawn(async move {
                        if let Ok(_slot) = slots.acquire().await {
                            run(&db, &client, allow_private, id).await;
                        }
                        if let Ok(mut running) = running.lock() {
                            running.remove(&id);
                        }
                    });
                }
            }
            Err(error) => tracing::warn!(%error, "looking for webhook deliveries failed"),
        }
        let retry = match progress::next_retry(&db).await {
            Ok(Some(at)) => (at - app::db::now()).to_std().unwrap_or_default(),
            _ => LOOK_AGAIN,
        };
        let wait = tokio::time::sleep(retry.clamp(Duration::from_millis(50), LOOK_AGAIN));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                () = &mut wait => break,
                () = changed.notified() => {
                    looked = None;
                    break;
                }
                change = changes.recv() => match change {
                    Ok(Some(user)) if !watched.contains(&user) => continue,
                    _ => break,
                },
            }
        }
    }
}

/// Delivers what webhook `id` has waiting, if this instance can take it.
async fn run(db: &Db, client: &reqwest::Client, allow_private: bool, id: uuid::Uuid) {
    let mut hook = match progress::take(db, id, LEASE).await {
        Ok(Some(hook)) => hook,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "taking a webhook failed");
            return;
        }
    };
    for _ in 0..BATCH {
        let step = next(db, client, allow_private, &hook).await;
        match step {
            Ok(Some(row)) if row.active && row.attempt == 0 => hook = row,
            // Waiting for a retry (the lease went with the failure), or off.
            Ok(Some(_)) => return,
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, webhook = %id, "a webhook delivery could not be recorded");
                break;
            }
        }
    }
    if let Err(error) = progress::release(db, id).await {
        tracing::warn!(%error, "giving a webhook back failed");
    }
}

/// Makes the webhook's next attempt (its ping, else its next event); `None` when nothing is
/// waiting.
async fn next(
    db: &Db,
    client: &reqwest::Client,
    allow_private: bool,
    hook: &Row,
) -> Result<Option<Row>, app::error::AppError> {
    let now = app::db::now();
    let (seq, kind, data, at) = if hook.ping_at.is_some() {
        let data = serde_json::json!({ "webhook_id": hook.id }).to_string();
        (None, "ping".to_string(), data, now)
    } else {
        match progress::next_event(db, hook).await? {
            None => return Ok(None),
            Some((seq, kind, _, _)) if !hook.takes(&kind) => {
                progress::skip(db, hook, seq).await?;
                return Ok(Some(Row {
                    cursor: seq,
                    attempt: 0,
                    failing_since: None,
                    ..hook.clone()
                }));
            }
            Some((seq, kind, data, at)) => (Some(seq), kind, data, at),
        }
    };
    let event_id = match seq {
        Some(seq) => format!("evt_{}_{seq}", hook.user_id.as_uuid().simple()),
        None => format!("ping_{}", uuid::Uuid::now_v7().simple()),
    };
    let data: serde_json::Value = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
    let body = serde_json::json!({
        "type": kind,
        "timestamp": app::timestamp::format(&at),
        "data": data,
    })
    .to_string();
    let started = Instant::now();
    let outcome = send(client, allow_private, hook, &event_id, body).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (status_code, error) = match outcome {
        Ok(status) => (Some(i32::from(status)), None),
        Err(error) => (None, Some(error)),
    };
    let ok = status_code.is_some_and(|s| (200..300).contains(&s));
    let attempt = Attempt {
        event_id: &event_id,
        event_type: &kind,
        status_code,
        error,
        duration_ms,
        ok,
    };
    progress::record(db, hook, seq, attempt, LEASE)
        .await
        .map(Some)
}

/// Sends one signed delivery; the answer's status, or why there was none.
async fn send(
    client: &reqwest::Client,
    allow_private: bool,
    hook: &Row,
    event_id: &str,
    body: String,
) -> Result<u16, String> {
    // An address written in the URL is not resolved: it is checked here.
    let url = reqwest::Url::parse(&hook.url).map_err(|_| "the URL cannot be read".to_string())?;
    let literal = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
        _ => None,
    };
    if literal.is_some_and(|a| !allow_private && !is_public(a)) {
        return Err("refused: the URL points to a private address".into());
    }
    let timestamp = chrono::Utc::now().timestamp();
    let signature = super::signature(&hook.secret, event_id, timestamp, body.as_bytes());
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let mut answer = sent.map_err(|e| describe(&e))?;
    let status = answer.status().as_u16();
    // Read a little of the answer (some servers wait for it to be read), never all of it.
    let mut read = 0;
    while read < ANSWER_MAX {
        match answer.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    Ok(status)
}

/// Why a delivery had no answer, in a few words (no internals).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer within 10 s".into()
    } else if error.is_connect() {
        "could not connect (or the address is not public)".into()
    } else if error.is_redirect() {
        "redirected (redirects are not followed)".into()
    } else {
        "the delivery failed".into()
    }
}
