//! One open stream: what it sends (events, resets, credential checks), and its SSE form.

use std::{collections::VecDeque, sync::Arc, time::Duration};

use tokio::sync::{broadcast, watch};

use super::{
    log::{since, Since, LOG_PAGE},
    Event,
};
use crate::{db::Db, error::AppError, ids::UserId};

/// What a stream sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Event(Event),
    /// Events were missed that are no longer kept: reload everything.
    Reset,
}

/// Whether the stream's credential (token or session) still holds; asked every
/// [`RECHECK_EVERY`], and the stream ends when it no longer does (a logout, "sign out
/// everywhere", an expired token or a deleted account).
pub type Recheck = Box<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync,
>;

/// How often an open stream checks that its credential still holds, besides each time one
/// of its owner's credentials ends ([`Db::credentials_ended`]).
pub const RECHECK_EVERY: Duration = Duration::from_secs(60);

/// One open stream of a user's events.
pub struct Stream {
    pub(super) recheck: Option<Recheck>,
    pub(super) next_recheck: tokio::time::Instant,
    /// Moves when one of the owner's credentials ends somewhere.
    pub(super) rechecks: watch::Receiver<u64>,
    pub(super) db: Db,
    pub(super) owner: UserId,
    pub(super) receiver: broadcast::Receiver<Arc<Event>>,
    /// At most one page of the log ([`LOG_PAGE`]).
    pub(super) backlog: VecDeque<Item>,
    /// The last event number sent (or skipped past by a reset).
    pub(super) sent: i64,
    /// Still reading what it missed from the log, page by page; the feed's events wait
    /// (what arrives twice is recognised by its number).
    pub(super) catching_up: bool,
    pub(super) closing: watch::Receiver<bool>,
    /// Held until the stream is dropped: the owner's stream place (see `Feeds::open`).
    pub(super) _slot: Box<dyn Send + Sync>,
}

impl Stream {
    /// Ends the stream once `recheck` says its credential no longer holds.
    pub fn rechecked_by(mut self, recheck: Recheck) -> Self {
        self.recheck = Some(recheck);
        self
    }

    /// The next thing to send; `None` once the server shuts down or the credential has
    /// ended.
    pub async fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.backlog.pop_front() {
                return Some(item);
            }
            if self.catching_up {
                // Between pages, as between events: the server stopping or the credential
                // ending ends even a long catching up.
                if *self.closing.borrow() {
                    return None;
                }
                if self.recheck.is_some()
                    && self.rechecks.has_changed().unwrap_or(true)
                    && !self.credential_holds().await
                {
                    return None;
                }
                if !self.read_log_page().await {
                    return None;
                }
                continue;
            }
            let received = tokio::select! {
                received = self.receiver.recv() => received,
                () = closed(&mut self.closing) => return None,
                () = tokio::time::sleep_until(self.next_recheck), if self.recheck.is_some() => {
                    if !self.credential_holds().await {
                        return None;
                    }
                    continue;
                }
                changed = self.rechecks.changed(), if self.recheck.is_some() => {
                    if changed.is_err() || !self.credential_holds().await {
                        return None;
                    }
                    continue;
                }
            };
            match received {
                Ok(event) if event.seq > self.sent => {
                    self.sent = event.seq;
                    return Some(Item::Event((*event).clone()));
                }
                Ok(_) => {}
                // Fell behind the feed: read what was missed from the log.
                Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Reads the next page of missed events into the backlog; the catching up ends with a
    /// page shorter than [`LOG_PAGE`], or a reset. False if the log could not be read.
    pub(super) async fn read_log_page(&mut self) -> bool {
        match since(&self.db, self.owner, self.sent).await {
            Ok(Since::Events(events)) => {
                self.catching_up = events.len() as i64 == LOG_PAGE;
                if let Some(last) = events.last() {
                    self.sent = last.seq;
                }
                self.backlog.extend(events.into_iter().map(Item::Event));
                true
            }
            Ok(Since::Reset(last)) => {
                self.catching_up = false;
                self.sent = last;
                self.backlog.push_back(Item::Reset);
                true
            }
            Err(error) => {
                tracing::warn!(%error, "catching up a stream failed; ending it");
                false
            }
        }
    }

    /// Asks the stream's credential again; the next periodic check is a full period on.
    pub(super) async fn credential_holds(&mut self) -> bool {
        self.rechecks.borrow_and_update();
        self.next_recheck = tokio::time::Instant::now() + RECHECK_EVERY;
        match &self.recheck {
            Some(recheck) => recheck().await,
            None => true,
        }
    }
}

/// Resolves once the server starts shutting down (or the feeds are gone).
pub(super) async fn closed(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

/// The stream's `Last-Event-ID`: absent, or a whole number (422 otherwise).
pub fn parse_last_event_id(value: Option<&str>) -> Result<Option<i64>, AppError> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| {
                AppError::invalid_field(crate::error::FieldError {
                    loc: vec!["header".into(), "Last-Event-ID".into()],
                    msg: "Last-Event-ID must be the id of an event this stream sent.".into(),
                    kind: "value_error.last_event_id".into(),
                })
            }),
    }
}

/// An item as a server-sent event: `id:` the event's number, `event:` its kind, `data:` the
/// task (or `{"id": ...}` for a deletion).
pub fn sse_event(item: &Item) -> axum::response::sse::Event {
    use axum::response::sse::Event as Sse;
    match item {
        Item::Event(event) => Sse::default()
            .id(event.seq.to_string())
            .event(&event.kind)
            .data(&event.data),
        Item::Reset => Sse::default().event("reset").data("{}"),
    }
}

/// The response for a stream: `retry: 2000` and a `: connected` comment first, then each
/// item, with a keep-alive comment whenever it is quiet for `keep_alive`.
pub fn sse_response(stream: Stream, keep_alive: Duration) -> axum::response::Response {
    use axum::response::{
        sse::{Event as Sse, KeepAlive},
        IntoResponse as _,
    };
    use futures_util::StreamExt as _;
    let hello = Sse::default()
        .comment("connected")
        .retry(Duration::from_secs(2));
    let items = futures_util::stream::unfold(stream, |mut stream| async move {
        let item = stream.next().await?;
        Some((sse_event(&item), stream))
    });
    let events = futures_util::stream::iter([hello])
        .chain(items)
        .map(Ok::<_, std::convert::Infallible>);
    let mut response = axum::response::sse::Sse::new(events)
        .keep_alive(KeepAlive::new().interval(keep_alive))
        .into_response();
    // Proxies that buffer (nginx) pass the stream on as it comes.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}
