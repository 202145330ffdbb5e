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

use chrono::TimeDelta;
use uuid::Uuid;

use super::Task;

mod feeds;
mod log;
mod stream;

pub use feeds::Feeds;
pub use log::{last_seq, prune, since, EventLog, Since, LOG_PAGE};
pub use stream::{
    parse_last_event_id, sse_event, sse_response, Item, Recheck, Stream, RECHECK_EVERY,
};

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
