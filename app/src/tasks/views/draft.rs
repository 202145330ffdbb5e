//! What the inline editor holds besides its fields: the draft kept across a refused save,
//! the words for a refusal and the choices it offers (with their panel), the notes and counters beside fields.

use leptos::prelude::*;

use crate::error::AppError;
use crate::forms::FailedForm;
use crate::tasks::{
    repeat::{Repeat, RepeatForm},
    Task,
};

/// What an open editor holds while its save is on its way, or after the server refused it.
/// The page keeps it: the list is drawn again after every answer, and the editor then opens
/// again as it was, with what was typed and why it was not saved.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Draft {
    pub(super) id: uuid::Uuid,
    pub(super) edited: Edited,
    /// The task's version when the editor opened: a save does not overwrite a change made
    /// elsewhere since (unless asked to, over a conflict).
    pub(super) version: String,
    /// The edit action's version when the save was sent (its answer is the next one); `None`
    /// once it has answered.
    pub(super) sent_at: Option<usize>,
    pub(super) refusal: Option<AppError>,
}

impl Draft {
    /// A save of `task` refused without JavaScript, as its failed form kept it: what was
    /// typed and why. Saved again, it goes over the task as it is now (the form's version was
    /// not kept).
    pub(super) fn came_back(task: &Task, failed: &FailedForm) -> Self {
        Self {
            id: task.id,
            edited: Edited::read(|name| failed.value(name)),
            version: task
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            sent_at: None,
            refusal: Some(failed.error.clone()),
        }
    }

    /// What was typed as the title, when the save was refused because the task had been
    /// deleted elsewhere (its row, and the editor with it, are gone).
    pub(super) fn orphaned_title(&self) -> Option<String> {
        matches!(self.refusal, Some(AppError::NotFound(_))).then(|| self.edited.title.clone())
    }
}

/// What a refused save offers besides Cancel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Choices {
    /// Changed elsewhere: save over it, or see it.
    Conflict,
    /// The server could not be reached, or failed: the same save again.
    TryAgain,
    /// The fields say what to change, or the task is gone.
    None,
}

/// Why a save was refused, as a sentence for a person, and what the editor offers.
pub(super) fn refusal_words(error: &AppError) -> (String, Choices) {
    match error {
        AppError::PreconditionFailed(message) => (message.clone(), Choices::Conflict),
        AppError::NotFound(_) => (
            "Not saved: this task was deleted elsewhere. What you typed is still here to copy."
                .into(),
            Choices::None,
        ),
        AppError::Validation { .. } => (
            "Not saved: change what is marked below, then save again.".into(),
            Choices::None,
        ),
        error if crate::forms::session_has_ended(error) => (
            "Not saved: you are signed out. Sign in again in another tab, then try again: what \
             you typed stays here."
                .into(),
            Choices::TryAgain,
        ),
        error => (format!("Not saved: {error}"), Choices::TryAgain),
    }
}

/// A refused save's message above the editor's fields, with what it offers: over a conflict,
/// `over` saves the form over the change and `discard` shows theirs; after a failure,
/// `retry` sends the same save again. `current` is the task's title as it is now.
pub(super) fn refusal_panel(
    error: &AppError,
    current: String,
    over: impl Fn() + Send + Sync + 'static,
    discard: impl Fn() + Send + Sync + 'static,
    retry: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let (words, choices) = refusal_words(error);
    view! {
        <div class="form-message" role="alert">
            <p>
                {words}
                {(choices == Choices::Conflict).then(|| format!(" It is now “{current}”."))}
            </p>
            {match choices {
                Choices::Conflict => view! {
                    <button type="button" class="button" on:click=move |_| over()>
                        "Save mine over it"
                    </button>
                    " "
                    <button type="button" class="button secondary" on:click=move |_| discard()>
                        "Discard mine and see theirs"
                    </button>
                }.into_any(),
                Choices::TryAgain => view! {
                    <button type="button" class="button" on:click=move |_| retry()>
                        "Try again"
                    </button>
                }.into_any(),
                Choices::None => ().into_any(),
            }}
        </div>
    }
}

/// The ids that describe a field: its error, and its counter once shown.
pub(super) fn described_by(
    has_error: bool,
    error_id: String,
    length: usize,
    limit: usize,
    counter_id: String,
) -> Option<String> {
    let ids: Vec<String> = [
        has_error.then_some(error_id),
        near_limit(length, limit).then_some(counter_id),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A field's error, under it, while there is one.
pub(super) fn field_note(
    id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    move || message().map(|message| view! { <p class="field-error" id=id.clone()>{message}</p> })
}

/// Whether a field is close enough to its limit to show how much room is left.
pub(super) fn near_limit(length: usize, limit: usize) -> bool {
    length * 4 >= limit * 3
}

/// "n of limit characters", once a field holds three quarters of what it may.
pub(super) fn counter(id: String, length: ReadSignal<usize>, limit: usize) -> impl IntoView {
    move || {
        let n = length.try_get().unwrap_or(0);
        near_limit(n, limit).then(|| {
            view! {
                <p class="char-count" id=id.clone() aria-live="polite">
                    {format!("{n} of {limit} characters")}
                </p>
            }
        })
    }
}

/// What the inline editor holds, as the form sends it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Edited {
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) due_date: Option<String>,
    pub(super) priority: Option<String>,
    pub(super) tags: Option<String>,
    pub(super) repeat: RepeatForm,
    /// The reminder's wall-clock time, `YYYY-MM-DDTHH:MM` in the user's zone.
    pub(super) remind_at: Option<String>,
}

impl Edited {
    /// `task` as its editor opens; `reminder` is its reminder in the user's time zone.
    pub(super) fn of(task: &Task, reminder: Option<chrono::NaiveDateTime>) -> Self {
        let repeat = task.repeat.as_deref().and_then(|r| Repeat::parse(r).ok());
        Self {
            title: task.title.clone(),
            description: task.description.clone(),
            due_date: task.due_date.map(|d| d.to_string()),
            priority: Some(task.priority.as_str().to_string()),
            tags: (!task.tags.is_empty()).then(|| task.tags.join(", ")),
            repeat: RepeatForm::of(repeat.as_ref()),
            // As a `datetime-local` field holds it.
            remind_at: reminder.map(|at| at.format("%Y-%m-%dT%H:%M").to_string()),
        }
    }

    /// What a form with these named fields holds (`get` reads one by its name).
    pub(super) fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Self {
            title: get("title").unwrap_or_default(),
            description: text("description"),
            due_date: text("due_date"),
            priority: text("priority"),
            tags: text("tags"),
            repeat: RepeatForm {
                freq: text("repeat[freq]"),
                every: text("repeat[every]"),
                mo: text("repeat[mo]"),
                tu: text("repeat[tu]"),
                we: text("repeat[we]"),
                th: text("repeat[th]"),
                fr: text("repeat[fr]"),
                sa: text("repeat[sa]"),
                su: text("repeat[su]"),
            },
            remind_at: text("remind_at"),
        }
    }

    /// Whether saving would change nothing (blanks and spacing aside).
    pub(super) fn same_as(&self, other: &Self) -> bool {
        let norm = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_string();
        let tags = |v: &Option<String>| {
            crate::tasks::fields::split_tags(v.as_deref().unwrap_or_default())
                .into_iter()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        self.title.trim() == other.title.trim()
            && norm(&self.description) == norm(&other.description)
            && norm(&self.due_date) == norm(&other.due_date)
            && norm(&self.priority).replace("none", "") == norm(&other.priority).replace("none", "")
            && tags(&self.tags) == tags(&other.tags)
            && self.repeat.rule().ok() == other.repeat.rule().ok()
            && norm(&self.remind_at) == norm(&other.remind_at)
    }
}
