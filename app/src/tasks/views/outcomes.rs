//! What the page says when an action or the list fails: a row's failures, the page's own changes coming back, the errors above the list.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use uuid::Uuid;

use super::{failures::RowFailure, tasks_href, Actions};
use crate::{
    auth::views::SessionEnded,
    error::AppError,
    forms::{form_error, use_failed_forms},
    tasks::{api::EditTask, Task, TaskQuery},
};

/// Why the list shown is the last one that loaded: signed out (with a way back in), or the
/// server out of reach (it loads again by itself).
#[component]
pub(super) fn ListProblem(error: AppError, query: TaskQuery) -> impl IntoView {
    let signed_out = matches!(error, AppError::Unauthorized(_));
    let login = format!(
        "/login?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &tasks_href(&query, 1, None))
            .finish()
    );
    view! {
        <p class="form-message" role="alert">
            {if signed_out {
                view! {
                    "You are signed out, so this list may be out of date and cannot be changed. "
                    <a href=login target="_blank" rel="noopener">"Sign in again"</a>
                    " in a new tab, then come back: the list loads again here."
                }
                .into_any()
            } else {
                view! {
                    {format!(
                        "Your tasks could not be refreshed: {error} This is the list as it was; \
                         it loads again once the server can be reached."
                    )}
                }
                .into_any()
            }}
        </p>
    }
}

/// Notes each Done or Delete that did not go through on its row (see [`failures::RowFailure`]),
/// takes it away when the task's next one does, and sends the ones that could not reach the
/// server again once the browser is back online or the page has focus again.
pub(super) fn follow_row_failures(actions: Actions) {
    use super::failures::Retry;
    let failed = actions.failed;
    let note = move |id: Uuid, retry: Retry, error: AppError| {
        if RowFailure::belongs_on_row(&error) {
            failed.update(|f| {
                f.retain(|f| f.id != id);
                f.push(RowFailure { id, retry, error });
            });
        }
    };
    let clear = move |ids: &[Uuid]| {
        if failed.with_untracked(|f| f.iter().any(|f| ids.contains(&f.id))) {
            failed.update(|f| f.retain(|f| !ids.contains(&f.id)));
        }
    };
    // The input of each action's latest dispatch: what its answer is about.
    let toggled = StoredValue::new(None::<(Uuid, bool)>);
    let removed = StoredValue::new(None::<Uuid>);
    Effect::new(move |_| {
        if let Some(input) = actions.toggle.input().get() {
            toggled.set_value(Some((input.id, input.completed)));
        }
    });
    Effect::new(move |_| {
        if let Some(input) = actions.remove.input().get() {
            removed.set_value(Some(input.id));
        }
    });
    Effect::new(move |_| match actions.toggle.value().get() {
        Some(Ok(task)) => clear(&[task.id]),
        Some(Err(error)) => {
            if let Some((id, completed)) = toggled.get_value() {
                note(id, Retry::Completed(completed), error);
            }
        }
        None => {}
    });
    Effect::new(move |_| match actions.remove.value().get() {
        Some(Ok(gone)) => clear(&gone.ids),
        Some(Err(error)) => {
            if let Some(id) = removed.get_value() {
                note(id, Retry::Delete, error);
            }
        }
        None => {}
    });
    #[cfg(feature = "hydrate")]
    for event in ["online", "focus"] {
        let again = leptos::leptos_dom::helpers::window_event_listener_untyped(event, move |_| {
            let passing: Vec<RowFailure> = failed
                .try_with_untracked(|f| f.iter().filter(|f| f.passing()).cloned().collect())
                .unwrap_or_default();
            for failure in passing {
                failure.retry.send(failure.id, actions);
            }
        });
        on_cleanup(move || again.remove());
    }
}

/// Tells the live updates which tasks the page changed itself, as the server confirms each
/// change: their events then need no second look at the list (the list is loaded again after
/// each action anyway).
pub(super) fn follow_own_changes(actions: Actions) {
    let live = actions.live;
    let own = move |task: Option<Result<Task, AppError>>| {
        if let Some(Ok(task)) = task {
            live.own_change(&[task.id]);
        }
    };
    Effect::new(move |_| own(actions.add.value().get()));
    Effect::new(move |_| own(actions.toggle.value().get()));
    Effect::new(move |_| own(actions.edit.value().get()));
    Effect::new(move |_| own(actions.unmove.value().get()));
    Effect::new(move |_| {
        if let Some(Ok(removed)) = actions.remove.value().get() {
            if removed.count as usize == removed.ids.len() {
                live.own_change(&removed.ids);
            }
        }
    });
}

/// Whether an answer is said at the top of the list rather than on a row: a success (it
/// clears an older message), or a refusal with no row to go on.
pub(super) fn not_on_a_row<T>(result: &Result<T, AppError>) -> bool {
    match result {
        Ok(_) => true,
        Err(error) => !RowFailure::belongs_on_row(error),
    }
}

/// Makes each answer of `value` (an action's) the latest outcome: a success clears an
/// older failure, whichever action it was.
pub(super) fn follow_outcome<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    latest: RwSignal<Option<Option<AppError>>>,
) {
    Effect::new(move |_| {
        if let Some(result) = value.get() {
            latest.set(Some(result.err()));
        }
    });
}

/// What went wrong with the last change, if the server refused it: one message, for the
/// latest action only (the next success takes it away, and so does Dismiss). The list itself
/// always shows the server's truth, so a refused optimistic change is visibly undone.
#[component]
pub(super) fn ActionErrors(actions: Actions) -> impl IntoView {
    // `None` until an action of this page view has answered; then its outcome.
    let latest = RwSignal::new(None::<Option<AppError>>);
    // A refused edit is said in its editor, a refused Done or Delete on its row (see
    // `follow_row_failures`): here only their successes, which clear an older message, and
    // what has no row to go on.
    follow_outcome(
        Signal::derive(move || actions.edit.value().get().filter(Result::is_ok)),
        latest,
    );
    follow_outcome(
        Signal::derive(move || actions.toggle.value().get().filter(not_on_a_row)),
        latest,
    );
    follow_outcome(
        Signal::derive(move || actions.remove.value().get().filter(not_on_a_row)),
        latest,
    );
    follow_outcome(actions.toggle_all.value(), latest);
    follow_outcome(actions.clear.value(), latest);
    follow_outcome(actions.restore.value(), latest);
    follow_outcome(actions.unmove.value(), latest);
    follow_outcome(actions.unmark.value(), latest);
    // Without JavaScript a refused edit comes back as a failed form, which the editor (open
    // again at the same address) shows; here only what has no editor to go in.
    let edit_error = form_error(
        Signal::derive(move || actions.edit.value().get().filter(Result::is_ok)),
        use_failed_forms().of(EditTask::PATH),
    );
    let edit_error = Signal::derive(move || {
        edit_error
            .get()
            .filter(|e| matches!(e, AppError::NotFound(_)) || crate::forms::session_has_ended(e))
    });
    let error = Signal::derive(move || match latest.get() {
        Some(outcome) => outcome,
        None => edit_error.get(),
    });
    let message = move || {
        error.get().and_then(|e| match e.field_message("title") {
            Some(msg) => Some(format!("Not saved: {msg}")),
            None if crate::forms::session_has_ended(&e) => None,
            None => Some(e.to_string()),
        })
    };
    // Only an answer to this page's own script can be dismissed (without JavaScript the
    // message goes with the next page anyway).
    let dismissible = move || latest.with(Option::is_some);
    view! {
        <Show when=move || message().is_some()>
            <p class="form-message" role="alert">
                {message}
                <Show when=dismissible>
                    " "
                    <button type="button" class="link-button" on:click=move |_| latest.set(Some(None))>
                        "Dismiss"
                    </button>
                </Show>
            </p>
        </Show>
        <SessionEnded error />
    }
}
