//! The task list's frame: the form to add, the controls, the list, and what the page says after each action.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::{hooks::use_navigate, NavigateOptions};
use uuid::Uuid;

use super::{
    controls::ListControls,
    draft::Draft,
    feedback::{Feedback, Notice, NoticeBar, Undo, ADD_FIELD},
    href_of,
    list::BoardView,
    lists::ListNav,
    live::Live,
    new_task::NewTaskForm,
    outcomes::{follow_own_changes, follow_row_failures, ActionErrors, ListProblem},
    tasks_href, Actions, Confirm,
};
use crate::error::AppError;
use crate::tasks::{
    api::{load_board, RestoreDeleted, UndoCompletion, UndoMarking},
    Removed, TaskBoard, TaskQuery,
};

#[component]
pub(super) fn Board(
    query: Memo<TaskQuery>,
    page: Memo<u32>,
    editing_from_url: Memo<Option<Uuid>>,
    confirm: Memo<Option<Confirm>>,
) -> impl IntoView {
    let actions = Actions {
        add: ServerAction::new(),
        toggle: ServerAction::new(),
        edit: ServerAction::new(),
        remove: ServerAction::new(),
        toggle_all: ServerAction::new(),
        clear: ServerAction::new(),
        restore: ServerAction::new(),
        unmark: ServerAction::new(),
        unmove: ServerAction::new(),
        feedback: Feedback::new(),
        live: Live::new(),
        draft: RwSignal::new(None),
        failed: RwSignal::new(Vec::new()),
        adding: RwSignal::new(None),
    };
    follow_row_failures(actions);
    follow_own_changes(actions);
    Effect::new(move |_| {
        if let Some(input) = actions.add.input().get() {
            actions.adding.set(Some(input.title));
        }
    });
    Effect::new(move |_| {
        if let Some(Err(_)) = actions.add.value().get() {
            actions.adding.set(None);
        }
    });
    // Moves with every action done and every reload asked for: the list, and the lists'
    // counts, are read again.
    let changes = Signal::derive(move || {
        [
            actions.add.version().get(),
            actions.toggle.version().get(),
            actions.edit.version().get(),
            actions.remove.version().get(),
            actions.toggle_all.version().get(),
            actions.clear.version().get(),
            actions.restore.version().get(),
            actions.unmark.version().get(),
            actions.unmove.version().get(),
            actions.live.reloads.try_get().unwrap_or(0) as usize,
        ]
        .into_iter()
        .fold(0usize, usize::wrapping_add)
    });
    let board = Resource::new(
        move || (query.get(), page.get(), changes.get()),
        |(query, page, _)| load_board(query.params(), page),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        super::live::follow(
            actions.live,
            move || super::live::check_list(actions, board, query, page),
            move |title: String| super::reminders::remind(actions.feedback, &title),
        );
    });
    // What the add box's preview reads dates against, once the first list has come. A plain
    // signal the list fills: were the add form to read the resource itself, its `<Suspense>`
    // would take the form off the page while each reload is under way (and focus with it).
    let today = RwSignal::new(None::<NaiveDate>);

    announce_outcomes(actions, query, page, confirm);
    let undo = Callback::new(move |what: Undo| match what {
        Undo::Deletion(batch) => {
            actions.feedback.focus_after_undo(batch);
            actions.restore.dispatch(RestoreDeleted { batch });
        }
        Undo::Marking(batch) => {
            actions
                .feedback
                .focus_after(vec!["toggle-all".into(), ADD_FIELD.to_string()]);
            actions.unmark.dispatch(UndoMarking { batch });
        }
        Undo::Occurrence(id) => {
            if let Some((before, version)) = actions.feedback.moved_from(id) {
                let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map(|t| crate::timestamp::format(&t))
                };
                actions
                    .feedback
                    .focus_after(vec![super::feedback::toggle_id(id)]);
                actions.unmove.dispatch(UndoCompletion {
                    id,
                    due_date: before.due_date.map(|d| d.to_string()),
                    remind_at: at(before.remind_at),
                    last_completed_at: at(before.last_completed_at),
                    version: crate::timestamp::format(&version),
                });
            }
        }
    });

    // The last list shown and the query it was loaded for: it stays on screen when a reload
    // fails, and a reload is tried again when the browser is back online or the page gets
    // focus again.
    let shown = StoredValue::new(None::<(TaskBoard, TaskQuery)>);
    #[cfg(feature = "hydrate")]
    {
        let failed = move || matches!(board.get_untracked(), Some(Err(_)));
        for event in ["online", "focus"] {
            let retry =
                leptos::leptos_dom::helpers::window_event_listener_untyped(event, move |_| {
                    if failed() {
                        actions.live.reloads.try_update(|n| *n += 1);
                    }
                });
            on_cleanup(move || retry.remove());
        }
    }

    view! {
        <div class="tasks-layout">
        // Beside the list on a wide screen (the lists, then search and filters), so that
        // neither pushes the tasks down; above it on a phone, the lists folded into a menu.
        <aside class="tasks-side">
            <ListNav current=Signal::derive(move || query.get().list) changes />
            <ListControls query />
        </aside>
        <section class="card tasks" aria-labelledby="tasks-title">
            // The list's name when one list is shown.
            <h1 id="tasks-title">
                <Transition fallback=|| "Your tasks">
                    {move || board.get().map(|loaded| {
                        loaded.ok().and_then(|b| b.sharing.shown_name).unwrap_or_else(|| "Your tasks".into())
                    })}
                </Transition>
            </h1>
            <NewTaskForm add=actions.add today=today.into() feedback=actions.feedback
                autofocus=confirm.get_untracked().is_none()
                    && editing_from_url.get_untracked().is_none()
                list=Signal::derive(move || query.get().list) />
            <ActionErrors actions />
            // A save refused because its task was deleted elsewhere: the row (and its editor)
            // went, what was typed has not.
            {move || {
                let title = actions.draft.with(|d| d.as_ref().and_then(Draft::orphaned_title))?;
                Some(view! {
                    <div class="form-message" role="alert">
                        "Not saved: this task was deleted elsewhere. What you typed: “"{title}"”. "
                        <button type="button" class="link-button" on:click=move |_| actions.draft.set(None)>
                            "Dismiss"
                        </button>
                    </div>
                })
            }}
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading tasks…"</p> }>
                <ErrorBoundary fallback=|errors| {
                    view! {
                        <p class="form-message" role="alert">
                            "Your tasks could not be loaded: "
                            {move || {
                                errors.get().into_iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()
                            }}
                        </p>
                    }
                }>
                    {move || {
                        board.get().map(|result| match result {
                            Ok(board) => {
                                // In the browser only: on the server this runs on the
                                // Transition's own task while the add form, on the page's,
                                // reads `today`, and a read that meets a write panics (as a
                                // disposed value). The server has nothing to preview and loads
                                // the list once, so neither is needed there.
                                #[cfg(feature = "hydrate")]
                                {
                                    if today.get_untracked() != Some(board.today) {
                                        today.set(Some(board.today));
                                    }
                                    shown.set_value(Some((board.clone(), query.get_untracked())));
                                }
                                Ok(view! {
                                    <BoardView board query=query.get() editing=editing_from_url.get()
                                        confirm=confirm.get() actions />
                                }
                                .into_any())
                            }
                            // The list shown went (deleted, or the user was removed from
                            // it): its tasks go from the page at once.
                            Err(AppError::NotFound(_)) if query.with_untracked(|q| q.list.is_some()) => {
                                #[cfg(feature = "hydrate")]
                                shown.set_value(None);
                                Ok(view! { <ListGone /> }.into_any())
                            }
                            // A reload failed: the list stays as it was, with why above it.
                            Err(error) => match shown.get_value() {
                                Some((last, last_query)) => Ok(view! {
                                    <ListProblem error query=last_query.clone() />
                                    <BoardView board=last query=last_query editing=None
                                        confirm=None actions />
                                }
                                .into_any()),
                                None => Err(error),
                            },
                        })
                    }}
                </ErrorBoundary>
            </Transition>
            // Under the list: offered, never asked on load.
            <super::reminders::NotificationsControl feedback=actions.feedback />
            <NoticeBar feedback=actions.feedback undo />
        </section>
        </div>
    }
}

/// What the page shows for a list that is not there for the user (any more).
#[component]
fn ListGone() -> impl IntoView {
    view! {
        <p class="form-message" role="alert">
            "This list is not there: it was deleted, or you are no longer one of its members. "
            <a href="/tasks">"Show all your lists"</a>
        </p>
    }
}

/// Says what each action did, once it is done: in the notice bar, with "Undo" after a
/// deletion. A deletion confirmed on the page's confirmation step (an address opened before
/// the app had loaded) also leaves that step.
pub(super) fn announce_outcomes(
    actions: Actions,
    query: Memo<TaskQuery>,
    page: Memo<u32>,
    confirm: Memo<Option<Confirm>>,
) {
    let feedback = actions.feedback;
    let navigate = use_navigate();
    let on_removed = move |removed: Removed| {
        if removed.count == 0 {
            return;
        }
        feedback.say_removed(removed);
        if confirm.get_untracked().is_some() {
            navigate(
                &tasks_href(&query.get_untracked(), page.get_untracked(), None),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };
    let on_removed_too = on_removed.clone();
    Effect::new(move |_| {
        if let Some(Ok(removed)) = actions.remove.value().get() {
            on_removed(removed);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(removed)) = actions.clear.value().get() {
            on_removed_too(removed);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(task)) = actions.toggle.value().get() {
            if feedback.say_moved(&task) {
                return;
            }
            let state = if task.is_completed {
                "done"
            } else {
                "not done"
            };
            feedback.say(Notice::text(format!("Marked “{}” {state}.", task.title)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(task)) = actions.edit.value().get() {
            feedback.say(Notice::text(format!("Saved “{}”.", task.title)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(marked)) = actions.toggle_all.value().get() {
            feedback.say_marked(&marked);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(task)) = actions.unmove.value().get() {
            feedback.say(Notice::text(format!(
                "Put “{}” back as it was.",
                task.title
            )));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(put_back)) = actions.unmark.value().get() {
            feedback.say(Notice::text(match put_back {
                1 => "Put 1 task back as it was.".to_string(),
                n => format!("Put {n} tasks back as they were."),
            }));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(restored)) = actions.restore.value().get() {
            feedback.say(Notice::text(match restored {
                1 => "Restored the task.".to_string(),
                n => format!("Restored {n} tasks."),
            }));
        }
    });
}

/// One address per list: a search form sends every field, blank ones too, and old links
/// say `filter`; the page moves to the address its own links use (the server with a
/// redirect, the hydrated app by replacing the history entry), so reload, back, forward and
/// bookmarks all see the same clean URL. Parameters are compared, not strings, so two
/// spellings of one value never bounce between each other.
pub(super) fn keep_address_canonical(
    url: Memo<leptos_router::params::ParamsMap>,
    canonical: Signal<Vec<(String, String)>>,
) {
    let is_canonical = move || {
        let mut have: Vec<(String, String)> = url.with(|map| {
            map.into_iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        });
        let mut want = canonical.get();
        have.sort();
        want.sort();
        have == want
    };
    let href = move || href_of(canonical.get());
    #[cfg(feature = "ssr")]
    if !untrack(is_canonical) {
        leptos_axum::redirect(&untrack(href));
    }
    let navigate = use_navigate();
    Effect::new(move |_| {
        if !is_canonical() {
            navigate(
                &href(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
}
