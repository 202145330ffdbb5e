//! `Idempotency-Key` on the creating `POST`s (`/api/{user_id}/tasks`, `/api/{user_id}/import`):
//! a client on a flaky network retries with the same key and gets the first response again
//! instead of a second task.
//!
//! The first request with a key claims it (a row with no response yet), runs, and stores its
//! response beside the claim; a repeat with the same request gets that response back (plus
//! `Idempotent-Replayed: true`), a repeat with another request 422, and a repeat while the
//! first still runs 409. Claims are per user and kept for [`KEPT_FOR`]. A first response that
//! is a 5xx is not kept (the claim is released, so a retry runs anew), and a claim whose
//! request never finished (the process stopped) is taken over after [`ABANDONED_AFTER`].
//! The response is stored just after the handler's own commit: if the process stops exactly
//! between the two, a retry after [`ABANDONED_AFTER`] runs the request again.

use crate::state::AppState;
use app::{
    auth::extract::AuthUser,
    db::{self, Db},
    error::{AppError, FieldError},
};
use axum::{
    body::Body,
    extract::{FromRequestParts as _, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse as _, Response},
};
use chrono::TimeDelta;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

/// How long a key's first response is kept.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);

/// A claim with no response after this long belongs to a request that never finished.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(5);

/// The request header that names a retry-safe request.
pub const KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header that marks a replayed first response.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The response headers kept with a response (besides its status and body).
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// Answers a repeat of a keyed create from what the first one answered. Requests without
/// the header, other routes, callers without a valid token and paths naming another user
/// pass straight through (the route then answers them as usual: authentication comes before
/// the key is looked at).
pub async fn replay(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(raw) = request.headers().get(&KEY).cloned() else {
        return next.run(request).await;
    };
    let Some((path_user, limit)) = keyed_route(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let Ok(auth) = AuthUser::from_request_parts(&mut parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let owner = auth.user.id;
    // The path's id as a UUID, in any case: an upper-case one names the same user.
    if path_user != owner {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let key = match valid_key(&raw) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return AppError::PayloadTooLarge.into_response();
    };
    let fingerprint = {
        let mut hash = Sha256::new();
        hash.update(parts.method.as_str());
        hash.update([0]);
        hash.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
        hash.update([0]);
        hash.update(&bytes);
        hash.finalize().to_vec()
    };
    match claim(&state.db, owner, &key, &fingerprint).await {
        Err(error) => return AppError::from(error).into_response(),
        Ok(Claim::Replay(stored)) => return stored.into_response(),
        Ok(Claim::OtherRequest) => {
            return AppError::invalid_field(key_error(
                "This Idempotency-Key was already used with a different request: use a new key \
                 for a new request.",
            ))
            .into_response()
        }
        Ok(Claim::Running) => {
            return AppError::Conflict(
                "A request with this Idempotency-Key is still running: try again once it has \
                 finished."
                    .into(),
            )
            .into_response()
        }
        Ok(Claim::Mine) => {}
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => {
            release(&state.db, owner, &key).await;
            return AppError::Internal.into_response();
        }
    };
    // Only a success is kept: a refused request (a 4xx: invalid, over a quota) changed
    // nothing, and a 5xx may go better next time, so a retry with the key runs anew.
    if !parts.status.is_success() {
        release(&state.db, owner, &key).await;
    } else {
        let stored = Stored {
            status: parts.status.as_u16(),
            body: body.to_vec(),
            headers: KEPT_HEADERS
                .iter()
                .filter_map(|name| {
                    let value = parts.headers.get(name)?.to_str().ok()?;
                    Some((name.as_str().to_string(), value.to_string()))
                })
                .collect(),
        };
        if let Err(error) = keep(&state.db, owner, &key, &stored).await {
            // The change itself is committed; only a retry's replay is lost (it would then
            // find the claim running, or taken over after ABANDONED_AFTER).
            tracing::error!(%error, "storing an idempotent response failed");
        }
    }
    Response::from_parts(parts, Body::from(body))
}

/// The user a route that takes `Idempotency-Key` names and its body limit, or `None` for
/// the other routes.
fn keyed_route(method: &Method, path: &str) -> Option<(Uuid, usize)> {
    if method != Method::POST {
        return None;
    }
    let rest = path.strip_prefix("/api/")?;
    let (user, route) = rest.split_once('/')?;
    let user = Uuid::parse_str(user).ok()?;
    match route {
        "tasks" => Some((user, crate::rest::API_BODY_LIMIT)),
        "import" => Some((user, app::account::transfer::IMPORT_BODY_LIMIT)),
        _ => None,
    }
}

fn key_error(msg: &str) -> FieldError {
    FieldError {
        loc: vec!["header".into(), "Idempotency-Key".into()],
        msg: msg.into(),
        kind: "value_error.idempotency_key".into(),
    }
}

/// A key: 1 to 255 printable ASCII characters.
fn valid_key(raw: &HeaderValue) -> Result<String, AppError> {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(AppError::invalid_field(key_error(
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
        )));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// A first response, as kept.
struct Stored {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Stored {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.insert(name, value);
            }
        }
        headers.insert(REPLAYED, HeaderValue::from_static("true"));
        response
    }
}

enum Claim {
    /// This request holds the key now: run it.
    Mine,
    Replay(Stored),
    OtherRequest,
    Running,
}

type Row = (
    Vec<u8>,
    Option<i32>,
    Option<Vec<u8>>,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
);

async fn claim(db: &Db, owner: Uuid, key: &str, fingerprint: &[u8]) -> Result<Claim, sqlx::Error> {
    // Twice at most: a row pruned between the insert and the read is claimed again.
    for _ in 0..2 {
        let now = db::now();
        let inserted = db
            .write(
                "insert into idempotency_keys (user_id, key, fingerprint, created_at)
                 values ($1, $2, $3, $4) on conflict (user_id, key) do nothing",
            )
            .bind(owner)
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute()
            .await?;
        if inserted == 1 {
            return Ok(Claim::Mine);
        }
        let row: Option<Row> = db
            .read(
                "select fingerprint, status, body, headers, created_at from idempotency_keys
                 where user_id = $1 and key = $2",
            )
            .bind(owner)
            .bind(key)
            .optional()
            .await?;
        let Some((kept_fingerprint, status, body, headers, created_at)) = row else {
            continue;
        };
        let expired = created_at < now - KEPT_FOR;
        let abandoned = status.is_none() && created_at < now - ABANDONED_AFTER;
        if expired || abandoned {
            // Taken over only if still as read: of two takers, one wins.
            let taken = db
                .write(
                    "update idempotency_keys
                     set fingerprint = $3, status = null, body = null, headers = null, created_at = $4
                     where user_id = $1 and key = $2 and created_at = $5",
                )
                .bind(owner)
                .bind(key)
                .bind(fingerprint)
                .bind(now)
                .bind(created_at)
                .execute()
                .await?;
            return Ok(if taken == 1 {
                Claim::Mine
            } else {
                Claim::Running
            });
        }
        if kept_fingerprint != fingerprint {
            return Ok(Claim::OtherRequest);
        }
        return Ok(match status {
            None => Claim::Running,
            Some(status) => Claim::Replay(Stored {
                status: u16::try_from(status).unwrap_or(200),
                body: body.unwrap_or_default(),
                headers: headers
                    .and_then(|h| serde_json::from_str(&h).ok())
                    .unwrap_or_default(),
            }),
        });
    }
    Ok(Claim::Running)
}

async fn keep(db: &Db, owner: Uuid, key: &str, stored: &Stored) -> Result<(), sqlx::Error> {
    let headers = serde_json::to_string(&stored.headers).unwrap_or_else(|_| "[]".into());
    db.write(
        "update idempotency_keys set status = $3, body = $4, headers = $5
             where user_id = $1 and key = $2",
    )
    .bind(owner)
    .bind(key)
    .bind(i32::from(stored.status))
    .bind(stored.body.as_slice())
    .bind(headers.as_str())
    .execute()
    .await
    .map(drop)
}

/// Lets a retry run anew (the first attempt failed on the server's side).
async fn release(db: &Db, owner: Uuid, key: &str) {
    let released = db
        .write("delete from idempotency_keys where user_id = $1 and key = $2 and status is null")
        .bind(owner)
        .bind(key)
        .execute()
        .await;
    if let Err(error) = released {
        tracing::warn!(%error, "releasing an idempotency key failed");
    }
}

/// Deletes keys older than [`KEPT_FOR`].
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    db.write("delete from idempotency_keys where created_at < $1")
        .bind(db::now() - KEPT_FOR)
        .execute()
        .await
}
