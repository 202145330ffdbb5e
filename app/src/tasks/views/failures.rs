//! A Done or Delete that did not go through, marked on its row with a way to send it again.

use leptos::prelude::*;

use super::Actions;
use crate::error::AppError;
use crate::tasks::api::{DeleteTask, SetTaskCompleted};

/// A Done or Delete the server did not take (or that never reached it), shown on its row
/// with Retry until it goes through or is dismissed.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RowFailure {
    pub(super) id: uuid::Uuid,
    pub(super) retry: Retry,
    pub(super) error: AppError,
}

/// What to send again for a [`RowFailure`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Retry {
    Completed(bool),
    Delete,
}

impl Retry {
    /// Sends it again; the row's failure goes with it (and comes back if it fails again).
    pub(super) fn send(self, id: uuid::Uuid, actions: Actions) {
        actions.failed.update(|f| f.retain(|f| f.id != id));
        match self {
            Retry::Completed(completed) => {
                actions.toggle.dispatch(SetTaskCompleted { id, completed });
            }
            Retry::Delete => {
                actions.remove.dispatch(DeleteTask {
                    id,
                    next: None,
                    confirmed: None,
                });
            }
        }
    }
}

impl RowFailure {
    /// Whether the failure goes on its row: not a task deleted elsewhere (its row goes) nor
    /// an ended session (the page says how to sign in again).
    pub(super) fn belongs_on_row(error: &AppError) -> bool {
        !matches!(error, AppError::NotFound(_)) && !crate::forms::session_has_ended(error)
    }

    /// Whether it may be sent again by itself, once the browser is back online or the page
    /// has focus again.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn passing(&self) -> bool {
        matches!(
            self.error,
            AppError::Transport(_) | AppError::Unavailable(_)
        )
    }

    /// A sentence naming the task, what did not happen, and why.
    pub(super) fn words(&self, title: &str) -> String {
        let what = match self.retry {
            Retry::Completed(true) => "was not marked done",
            Retry::Completed(false) => "was not marked not done",
            Retry::Delete => "was not deleted",
        };
        let why = self.error.to_string();
        let mut letters = why.chars();
        let why = match letters.next() {
            Some(first) => first.to_lowercase().chain(letters).collect::<String>(),
            None => why,
        };
        format!("“{title}” {what}: {why}")
    }
}
