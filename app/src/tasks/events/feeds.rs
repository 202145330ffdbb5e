//! One feed per user with open streams: an announcement becomes one read of the log, handed
//! to every stream of the user; the number of streams a user holds is bounded.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, Weak,
    },
    time::Duration,
};

use tokio::sync::{broadcast, watch};

use super::{
    log::{last_seq, since, Since, LOG_PAGE},
    stream::{Stream, RECHECK_EVERY},
    Event,
};
use crate::{db::Db, error::AppError, ids::UserId};

/// Every user's feed with at least one stream open, in this process.
#[derive(Debug)]
pub struct Feeds {
    pub(super) by_user: Mutex<HashMap<UserId, Weak<Feed>>>,
    /// The most streams one user may hold open here at once.
    pub(super) per_user: usize,
    /// How often an idle stream sends a comment, so proxies keep it open.
    pub keep_alive: Duration,
    /// Becomes true when the server shuts down: every stream then ends.
    pub(super) closing: watch::Sender<bool>,
}

/// One user's streams in this process: the events read once for all of them.
#[derive(Debug)]
pub(super) struct Feed {
    pub(super) owner: UserId,
    pub(super) sender: broadcast::Sender<Arc<Event>>,
    /// The last event handed to the streams.
    pub(super) last: tokio::sync::Mutex<i64>,
    /// An announcement came that no read has followed yet.
    pub(super) pending: AtomicBool,
    pub(super) streams: AtomicUsize,
    /// Moves when some of the owner's credentials end: each stream then checks its own.
    pub(super) rechecks: watch::Sender<u64>,
}

/// Events a slow stream may fall behind by before it reads what it missed from the log.
pub(super) const FEED_BUFFER: usize = 256;

impl Feeds {
    pub fn new(per_user: usize, keep_alive: Duration) -> Self {
        Self {
            by_user: Mutex::default(),
            per_user: per_user.max(1),
            keep_alive,
            closing: watch::channel(false).0,
        }
    }

    pub(super) fn feed(&self, owner: UserId) -> Option<Arc<Feed>> {
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
            _slot: Box::new(guard),
        })
    }
}

impl Feed {
    /// Reads the events after the last one handed out and hands them to every stream; many
    /// announcements close together make one read.
    pub(super) fn announce(self: &Arc<Self>, db: &Db) {
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
pub(super) struct StreamSlot(Arc<Feed>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::AcqRel);
    }
}
