//! Live updates: each user's event log, and the streams that follow it.
//!
//! Every change to a user's tasks writes one event per task into `task_events`, in the same
//! transaction as the change ([`EventLog::record`]), so a stream can neither miss a committed
//! change nor report one that rolled back. Events are numbered per user (`seq`, the stream's
//! `id:`), in commit order, and kept for [`KEPT_FOR`].
//!
//! After a commit the writer announces the owner ([`Db::announce`]); on PostgreSQL the commit
//! also notifies every instance (`LISTEN task_events`), whose listener announces it locally.
//! [`Feeds`] turns an announcement into one read of the new events per user, whatever the
//! number of that user's streams, and hands them to every stream of the user.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, Weak,
    },
    time::Duration,
};

use chrono::TimeDelta;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use super::Task;
use crate::{db, db::Db, error::AppError, ids::UserId, with_reader, with_writer};

/// How long events are kept: a stream that reconnects within this gets what it missed.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(1);

/// The PostgreSQL channel every commit of events notifies, with the owner's id.
pub const CHANNEL: &str = "task_events";

/// What happened to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "task.created",
            Self::Updated => "task.updated",
            Self::Deleted => "task.deleted",
        }
    }
}

/// A change about to be recorded: its kind and the JSON a stream sends.
#[derive(Clone, Debug)]
pub struct Change {
    kind: EventKind,
    data: String,
}

impl Change {
    fn of(kind: EventKind, task: &Task) -> Self {
        Self {
            kind,
            data: serde_json::to_string(task).unwrap_or_default(),
        }
    }

    pub fn created(task: &Task) -> Self {
        Self::of(EventKind::Created, task)
    }

    pub fn updated(task: &Task) -> Self {
        Self::of(EventKind::Updated, task)
    }

    pub fn deleted(id: Uuid) -> Self {
        Self {
            kind: EventKind::Deleted,
            data: serde_json::json!({ "id": id }).to_string(),
        }
    }
}

/// One recorded event, as streams send it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    pub seq: i64,
    pub kind: String,
    pub data: String,
}

/// Writing events inside a transaction, on either engine.
pub trait EventLog {
    /// Records `changes` for `owner`, numbered after the owner's last event. On PostgreSQL
    /// taking the numbers locks the owner's counter until commit, so one user's events
    /// commit in the order of their numbers; the commit notifies [`CHANNEL`].
    fn record(
        &mut self,
        owner: UserId,
        changes: &[Change],
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
}

/// Rows per insert statement: 5 parameters each, well under either engine's limit.
const ROWS_PER_INSERT: usize = 500;

macro_rules! event_log {
    ($connection:ty, $database:ty, $notify:literal) => {
        impl EventLog for $connection {
            async fn record(&mut self, owner: UserId, changes: &[Change]) -> Result<(), sqlx::Error> {
                if changes.is_empty() {
                    return Ok(());
                }
                let count = changes.len() as i64;
                let last: i64 = sqlx::query_scalar(
                    "insert into event_seqs (user_id, last) values ($1, $2)
                     on conflict (user_id) do update set last = event_seqs.last + excluded.last
                     returning last",
                )
                .bind(owner)
                .bind(count)
                .fetch_all(&mut *self)
                .await?
                .into_iter()
                .next()
                .ok_or(sqlx::Error::RowNotFound)?;
                let now = db::now();
                let mut seq = last - count;
                for chunk in changes.chunks(ROWS_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::<$database>::new(
                        "insert into task_events (user_id, seq, kind, data, created_at) ",
                    );
                    insert.push_values(chunk, |mut row, change| {
                        seq += 1;
                        row.push_bind(owner)
                            .push_bind(seq)
                            .push_bind(change.kind.as_str())
                            .push_bind(change.data.clone())
                            .push_bind(now);
                    });
                    insert.build().execute(&mut *self).await?;
                }
                if $notify {
                    sqlx::query("select pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(owner.to_string())
                        .execute(&mut *self)
                        .await?;
                }
                Ok(())
            }
        }
    };
}

event_log!(sqlx::SqliteConnection, sqlx::Sqlite, false);
event_log!(sqlx::PgConnection, sqlx::Postgres, true);

/// The owner's last event number (0 before their first).
pub async fn last_seq(db: &Db, owner: UserId) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = with_reader!(db, |pool| {
        sqlx::query_scalar("select last from event_seqs where user_id = $1")
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    Ok(last.unwrap_or(0))
}

/// The most events read from the log at once: a stream catching up (or a feed reading a
/// large change) holds no more than this many in memory, and reads the next page only once
/// it has sent these.
pub const LOG_PAGE: i64 = 100;

/// What a stream that has seen up to `after` must send to catch up.
#[derive(Debug, PartialEq, Eq)]
pub enum Since {
    /// The events just after it, in order: at most [`LOG_PAGE`], fewer only when they are
    /// all there is (perhaps none).
    Events(Vec<Event>),
    /// Some were pruned, or `after` is not one of the owner's numbers: reload everything.
    /// Carries the last number now.
    Reset(i64),
}

/// The owner's next [`LOG_PAGE`] events after `after`, or [`Since::Reset`] when they are
/// not all kept.
pub async fn since(db: &Db, owner: UserId, after: i64) -> Result<Since, sqlx::Error> {
    let last = last_seq(db, owner).await?;
    if after > last || after < 0 {
        return Ok(Since::Reset(last));
    }
    if after == last {
        return Ok(Since::Events(Vec::new()));
    }
    let upto = last.min(after.saturating_add(LOG_PAGE));
    let events: Vec<Event> = with_reader!(db, |pool| {
        sqlx::query_as(
            "select seq, kind, data from task_events
             where user_id = $1 and seq > $2 and seq <= $3 order by seq",
        )
        .bind(owner)
        .bind(after)
        .bind(upto)
        .fetch_all(pool)
        .await
    })?;
    // Numbers are unique and kept from the oldest pruned on: the page is whole when it has
    // every number, starting just after `after`.
    let whole =
        events.len() as i64 == upto - after && events.first().is_some_and(|e| e.seq == after + 1);
    Ok(if whole {
        Since::Events(events)
    } else {
        Since::Reset(last)
    })
}

/// Deletes events older than [`KEPT_FOR`].
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    with_writer!(db, |pool| {
        sqlx::query("delete from task_events where created_at < $1")
            .bind(db::now() - KEPT_FOR)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
}

/// Every user's feed with at least one stream open, in this process.
#[derive(Debug)]
pub struct Feeds {
    by_user: Mutex<HashMap<UserId, Weak<Feed>>>,
    /// The most streams one user may hold open here at once.
    per_user: usize,
    /// How often an idle stream sends a comment, so proxies keep it open.
    pub keep_alive: Duration,
    /// Becomes true when the server shuts down: every stream then ends.
    closing: watch::Sender<bool>,
}

/// One user's streams in this process: the events read once for all of them.
#[derive(Debug)]
struct Feed {
    owner: UserId,
    sender: broadcast::Sender<Arc<Event>>,
    /// The last event handed to the streams.
    last: tokio::sync::Mutex<i64>,
    /// An announcement came that no read has followed yet.
    pending: AtomicBool,
    streams: AtomicUsize,
    /// Moves when some of the owner's credentials end: each stream then checks its own.
    rechecks: watch::Sender<u64>,
}

/// Events a slow stream may fall behind by before it reads what it missed from the log.
const FEED_BUFFER: usize = 256;

impl Feeds {
    pub fn new(per_user: usize, keep_alive: Duration) -> Self {
        Self {
            by_user: Mutex::default(),
            per_user: per_user.max(1),
            keep_alive,
            closing: watch::channel(false).0,
        }
    }

    fn feed(&self, owner: UserId) -> Option<Arc<Feed>> {
        let by_user = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
        by_user.get(&owner).and_then(Weak::upgrade)
    }

    /// Ends every stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Follows the announcements of `db` (commits in this process, and on PostgreSQL those
    /// the listener passes on) until the process ends: each makes the owner's feed read its
    /// new events, if the owner has a stream open here.
    pub async fn follow(self: Arc<Self>, db: Db) {
        let mut changes = db.changes();
        let mut ended = db.ended_credentials();
        loop {
            let change = tokio::select! {
                change = changes.recv() => change,
                user = ended.recv() => {
                    match user {
                        Ok(user) => {
                            if let Some(feed) = self.feed(user) {
                                feed.rechecks.send_modify(|n| *n = n.wrapping_add(1));
                            }
                        }
                        // Missed some: every stream checks.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            let by_user = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
                            for feed in by_user.values().filter_map(Weak::upgrade) {
                                feed.rechecks.send_modify(|n| *n = n.wrapping_add(1));
                            }
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                    continue;
                }
            };
            match change {
                Ok(Some(owner)) => {
                    if let Some(feed) = self.feed(owner) {
                        feed.announce(&db);
                    }
                }
                Ok(None) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    let feeds: Vec<Arc<Feed>> = {
                        let by_user = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
                        by_user.values().filter_map(Weak::upgrade).collect()
                    };
                    // Announcements may have been lost (the listener reconnected), credential
                    // ends among them: every stream reads the log and checks its credential.
                    for feed in feeds {
                        feed.announce(&db);
                        feed.rechecks.send_modify(|n| *n = n.wrapping_add(1));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Opens a stream of the owner's events: those after `last_event_id` still kept (or a
    /// reset), then each one as it commits. 429 when the owner already holds
    /// [`Feeds::new`]'s `per_user` streams here.
    pub async fn open(
        self: &Arc<Self>,
        db: &Db,
        owner: UserId,
        last_event_id: Option<i64>,
    ) -> Result<Stream, AppError> {
        let feed = match self.feed(owner) {
            Some(feed) => feed,
            None => {
                let last = last_seq(db, owner).await?;
                let mut by_user = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
                by_user.retain(|_, feed| feed.strong_count() > 0);
                match by_user.get(&owner).and_then(Weak::upgrade) {
                    Some(feed) => feed,
                    None => {
                        let feed = Arc::new(Feed {
                            owner,
                            sender: broadcast::channel(FEED_BUFFER).0,
                            last: tokio::sync::Mutex::new(last),
                            pending: AtomicBool::new(false),
                            streams: AtomicUsize::new(0),
                            rechecks: watch::channel(0).0,
                        });
                        by_user.insert(owner, Arc::downgrade(&feed));
                        feed
                    }
                }
            }
        };
        if feed.streams.fetch_add(1, Ordering::AcqRel) >= self.per_user {
            feed.streams.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::TooManyStreams(format!(
                "This account already has {} event streams open here; close one first.",
                self.per_user
            )));
        }
        let guard = StreamSlot(feed.clone());
        // Subscribed before reading where to start, so nothing committed in between is lost
        // (what arrives twice is recognised by its number).
        let receiver = feed.sender.subscribe();
        // Checked once at the start too: a credential that ended between the request's own
        // check and this subscription is not missed.
        let mut rechecks = feed.rechecks.subscribe();
        rechecks.mark_changed();
        // A resuming stream reads what it missed from the log page by page as it sends it
        // (see `Stream::next`); a new one starts after the last event now.
        let (sent, catching_up) = match last_event_id {
            None => (last_seq(db, owner).await?, false),
            Some(after) => (after, true),
        };
        // Whatever committed before this feed existed, or was announced while it had no
        // reader, is read now.
        feed.announce(db);
        Ok(Stream {
            recheck: None,
            next_recheck: tokio::time::Instant::now() + RECHECK_EVERY,
            rechecks,
            db: db.clone(),
            owner,
            receiver,
            backlog: VecDeque::new(),
            sent,
            catching_up,
            closing: self.closing.subscribe(),
            _slot: guard,
        })
    }
}

impl Feed {
    /// Reads the events after the last one handed out and hands them to every stream; many
    /// announcements close together make one read.
    fn announce(self: &Arc<Self>, db: &Db) {
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let (feed, db) = (self.clone(), db.clone());
        tokio::spawn(async move {
            let mut last = feed.last.lock().await;
            feed.pending.store(false, Ordering::Release);
            // Page by page: a large change (an import) is never read whole; streams that
            // fall behind the feed read the log themselves, page by page.
            loop {
                match since(&db, feed.owner, *last).await {
                    Ok(Since::Events(events)) => {
                        let full = events.len() as i64 == LOG_PAGE;
                        for event in events {
                            *last = event.seq;
                            let _ = feed.sender.send(Arc::new(event));
                        }
                        if !full {
                            break;
                        }
                    }
                    // Pruned under a stream that was idle for an hour and more: each stream
                    // finds out itself when it next reads the log.
                    Ok(Since::Reset(now)) => {
                        *last = now;
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "reading new events failed");
                        break;
                    }
                }
            }
        });
    }
}

/// Holds one of the owner's stream places until the stream is dropped.
#[derive(Debug)]
struct StreamSlot(Arc<Feed>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::AcqRel);
    }
}

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
    recheck: Option<Recheck>,
    next_recheck: tokio::time::Instant,
    /// Moves when one of the owner's credentials ends somewhere.
    rechecks: watch::Receiver<u64>,
    db: Db,
    owner: UserId,
    receiver: broadcast::Receiver<Arc<Event>>,
    /// At most one page of the log ([`LOG_PAGE`]).
    backlog: VecDeque<Item>,
    /// The last event number sent (or skipped past by a reset).
    sent: i64,
    /// Still reading what it missed from the log, page by page; the feed's events wait
    /// (what arrives twice is recognised by its number).
    catching_up: bool,
    closing: watch::Receiver<bool>,
    _slot: StreamSlot,
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
    async fn read_log_page(&mut self) -> bool {
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
    async fn credential_holds(&mut self) -> bool {
        self.rechecks.borrow_and_update();
        self.next_recheck = tokio::time::Instant::now() + RECHECK_EVERY;
        match &self.recheck {
            Some(recheck) => recheck().await,
            None => true,
        }
    }
}

/// Resolves once the server starts shutting down (or the feeds are gone).
async fn closed(closing: &mut watch::Receiver<bool>) {
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
