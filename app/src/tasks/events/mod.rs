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

use super::{
    lists::{List, Member},
    Task,
};
use crate::ids::{ListId, UserId};

mod feeds;
mod log;
mod stream;

pub use feeds::Feeds;
pub use log::{last_seq, prune, record, since, EventLog, Since, LOG_PAGE};
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
    /// A task's reminder time has come.
    Reminder,
    ListUpdated,
    ListDeleted,
    MemberAdded,
    MemberRemoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "task.created",
            Self::Updated => "task.updated",
            Self::Deleted => "task.deleted",
            Self::Reminder => "task.reminder",
            Self::ListUpdated => "list.updated",
            Self::ListDeleted => "list.deleted",
            Self::MemberAdded => "member.added",
            Self::MemberRemoved => "member.removed",
        }
    }
}

/// Who hears of a change: each of them gets it in their own log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum To {
    /// Every member of this list, as they are when the change is recorded.
    Members(ListId),
    /// These accounts (a list's members read before it went, a member removed).
    Users(Vec<UserId>),
}

/// A change about to be recorded: its kind, the JSON a stream sends, and who hears of it.
#[derive(Clone, Debug)]
pub struct Change {
    kind: EventKind,
    data: String,
    to: Vec<To>,
}

impl Change {
    fn of(kind: EventKind, task: &Task) -> Self {
        Self {
            kind,
            data: serde_json::to_string(task).unwrap_or_default(),
            to: vec![To::Members(ListId(task.list_id))],
        }
    }

    pub fn created(task: &Task) -> Self {
        Self::of(EventKind::Created, task)
    }

    pub fn updated(task: &Task) -> Self {
        Self::of(EventKind::Updated, task)
    }

    /// The time of `task`'s reminder has come.
    pub fn reminder(task: &Task) -> Self {
        Self::of(EventKind::Reminder, task)
    }

    /// Task `id`, of list `list`, is gone.
    pub fn deleted(id: Uuid, list: ListId) -> Self {
        Self {
            kind: EventKind::Deleted,
            data: serde_json::json!({ "id": id }).to_string(),
            to: vec![To::Members(list)],
        }
    }

    /// The members of `list` hear of it too (a task moved out of it).
    pub fn and_members_of(mut self, list: ListId) -> Self {
        self.to.push(To::Members(list));
        self
    }

    /// A list made or renamed: the list as it is now.
    pub fn list_updated(list: &List) -> Self {
        Self {
            kind: EventKind::ListUpdated,
            data: serde_json::to_string(list).unwrap_or_default(),
            to: vec![To::Members(ListId(list.id))],
        }
    }

    /// List `id` is gone; `members` were its members.
    pub fn list_deleted(id: Uuid, members: Vec<UserId>) -> Self {
        Self {
            kind: EventKind::ListDeleted,
            data: serde_json::json!({ "id": id }).to_string(),
            to: vec![To::Users(members)],
        }
    }

    /// `member` joined list `list` (or their role there changed): the list's members hear
    /// of it, the new one included.
    pub fn member_added(list: ListId, member: &Member) -> Self {
        let mut data = serde_json::to_value(member).unwrap_or_default();
        data["list_id"] = serde_json::json!(list);
        Self {
            kind: EventKind::MemberAdded,
            data: data.to_string(),
            to: vec![To::Members(list)],
        }
    }

    /// `member` left list `list` (or was removed): the members left, and they, hear of it.
    pub fn member_removed(list: ListId, member: UserId) -> Self {
        Self {
            kind: EventKind::MemberRemoved,
            data: serde_json::json!({ "list_id": list, "user_id": member }).to_string(),
            to: vec![To::Members(list), To::Users(vec![member])],
        }
    }

    /// `member`'s account was deleted: the list's members left hear that it is no longer
    /// one of them.
    pub fn member_deleted(list: ListId, member: UserId) -> Self {
        Self {
            to: vec![To::Members(list)],
            ..Self::member_removed(list, member)
        }
    }

    pub fn kind(&self) -> EventKind {
        self.kind
    }

    pub fn data(&self) -> &str {
        &self.data
    }

    pub fn audience(&self) -> &[To] {
        &self.to
    }
}

/// One recorded event, as streams send it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    pub seq: i64,
    pub kind: String,
    pub data: String,
}
