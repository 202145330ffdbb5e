//! The `/tasks` page: add, list, filter, paginate, complete, edit and delete, TodoMVC style.
//!
//! Every control is a real form or link first, so the page works without JavaScript (page,
//! filter and edit mode live in the URL); once hydrated the same forms run as server actions,
//! with pending items and optimistic toggles that fall back to the server's truth on failure.

use chrono::NaiveDate;
use leptos::{html, prelude::*, server_fn::ServerFn as _};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use uuid::Uuid;

use super::{
    api::{
        load_board, AddTask, ClearCompleted, DeleteTask, EditTask, RestoreDeleted, SetAllCompleted,
        SetTaskCompleted, UndoMarking,
    },
    fields::{due_label, Priority, MAX_TAGS},
    quick_add::QuickAdd,
    Filter, Removed, Sort, Task, TaskBoard, TaskQuery, TaskTitle, DESCRIPTION_MAX_CHARS,
};
use crate::{
    auth::views::{RequireUser, SessionEnded},
    components::{textarea_text, FormMessage},
    error::AppError,
    forms::{
        form_error, form_message, unless_session_ended, use_failed_forms, AfterFailedForm,
        FormState,
    },
};

mod feedback;
mod live;
mod row;

use feedback::{Feedback, Notice, NoticeBar, Undo, ADD_FIELD};
use live::Live;
use row::TaskRow;

/// A step the page asks to be confirmed, in its address: without JavaScript there is no
/// undo, so deleting asks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Confirm {
    Delete(Uuid),
    ClearCompleted,
}

impl Confirm {
    fn from_url(delete: Option<String>, clear: Option<String>) -> Option<Self> {
        match (delete, clear) {
            (Some(id), _) => Uuid::parse_str(&id).ok().map(Self::Delete),
            (None, Some(what)) if what == "completed" => Some(Self::ClearCompleted),
            _ => None,
        }
    }

    fn pair(self) -> (String, String) {
        match self {
            Self::Delete(id) => ("delete".into(), id.to_string()),
            Self::ClearCompleted => ("clear".into(), "completed".into()),
        }
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let url = use_query_map();
    // `filter` is what the status was called before the list had other filters.
    let query = Memo::new(move |_| {
        url.with(|q| {
            TaskQuery::from_url(|name| match name {
                "status" => q.get("status").or_else(|| q.get("filter")),
                name => q.get(name),
            })
        })
    });
    let page = Memo::new(move |_| {
        url.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()))
            .unwrap_or(1)
            .max(1)
    });
    let editing_from_url =
        Memo::new(move |_| url.with(|q| q.get("edit").and_then(|v| Uuid::parse_str(&v).ok())));
    let confirm =
        Memo::new(move |_| url.with(|q| Confirm::from_url(q.get("delete"), q.get("clear"))));
    // Here, before anything waits for the user: a redirect must be decided before the
    // server starts streaming the page.
    keep_address_canonical(
        url,
        Signal::derive(move || {
            let mut pairs = address_pairs(&query.get(), page.get(), editing_from_url.get());
            pairs.extend(confirm.get().map(Confirm::pair));
            pairs
        }),
    );

    view! {
        <Title text="Your tasks" />
        <RequireUser>
            <Board query page editing_from_url confirm />
        </RequireUser>
    }
}

/// The parameters of the page's address for a list (its search, filters and order), a page
/// of it and (without JavaScript) the task being edited.
fn address_pairs(query: &TaskQuery, page: u32, edit: Option<Uuid>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .pairs()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    if page > 1 {
        pairs.push(("page".into(), page.to_string()));
    }
    if let Some(id) = edit {
        pairs.push(("edit".into(), id.to_string()));
    }
    pairs
}

/// The page's address for a list, a page of it and the task being edited.
pub(super) fn tasks_href(query: &TaskQuery, page: u32, edit: Option<Uuid>) -> String {
    href_of(address_pairs(query, page, edit))
}

fn href_of(pairs: Vec<(String, String)>) -> String {
    if pairs.is_empty() {
        return "/tasks".into();
    }
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.extend_pairs(pairs);
    format!("/tasks?{}", url.finish())
}

/// The same list with `change` made to it.
fn with(query: &TaskQuery, change: impl FnOnce(&mut TaskQuery)) -> TaskQuery {
    let mut query = query.clone();
    change(&mut query);
    query
}

fn items_left(n: u64) -> String {
    match n {
        1 => "1 item left".into(),
        n => format!("{n} items left"),
    }
}

/// Every action the page dispatches, shared with the rows.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) add: ServerAction<AddTask>,
    pub(super) toggle: ServerAction<SetTaskCompleted>,
    pub(super) edit: ServerAction<EditTask>,
    pub(super) remove: ServerAction<DeleteTask>,
    pub(super) toggle_all: ServerAction<SetAllCompleted>,
    pub(super) clear: ServerAction<ClearCompleted>,
    pub(super) restore: ServerAction<RestoreDeleted>,
    pub(super) unmark: ServerAction<UndoMarking>,
    /// What the page says after each action, and where focus goes.
    pub(super) feedback: Feedback,
    /// Changes made elsewhere, as they come.
    pub(super) live: Live,
    /// An inline editor's save on its way, or refused.
    draft: RwSignal<Option<row::Draft>>,
    /// Done and Delete clicks that did not go through, each shown on its row.
    failed: RwSignal<Vec<row::RowFailure>>,
    /// The quick-add line of a task being added, shown at once (marked pending) until the
    /// list that holds it comes, or the add fails.
    adding: RwSignal<Option<String>>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Actions {
    /// Whether one of the page's own changes is on its way.
    fn any_pending(&self) -> bool {
        self.add.pending().get_untracked()
            || self.toggle.pending().get_untracked()
            || self.edit.pending().get_untracked()
            || self.remove.pending().get_untracked()
            || self.toggle_all.pending().get_untracked()
            || self.clear.pending().get_untracked()
            || self.restore.pending().get_untracked()
            || self.unmark.pending().get_untracked()
    }
}

/// After an event: loads the list quietly and reloads the page's list only if what the
/// server has differs from what is shown (the page's own changes come back as events too).
/// Waits while one of the page's own actions is under way; keeps focus where it was.
#[cfg(feature = "hydrate")]
fn check_list(
    actions: Actions,
    board: Resource<Result<TaskBoard, AppError>>,
    query: Memo<TaskQuery>,
    page: Memo<u32>,
) {
    // The page has gone (its list with it): nothing to look at.
    let Some(loading) = board.try_with_untracked(Option::is_none) else {
        return;
    };
    if loading || actions.any_pending() {
        set_timeout(
            move || check_list(actions, board, query, page),
            std::time::Duration::from_millis(200),
        );
        return;
    }
    // The events were the page's own changes coming back: the list loaded after each
    // action already shows them.
    if actions.live.only_own() {
        return;
    }
    let (list, number) = (query.get_untracked(), page.get_untracked());
    leptos::task::spawn_local(async move {
        let fresh = match load_board(list.params(), number).await {
            Ok(fresh) => fresh,
            // Signed out: the page says so at the next action.
            Err(AppError::Unauthorized(_) | AppError::Forbidden(_)) => return,
            // The network or the server failed just now: look again in a while, or the
            // list would stay behind until the next event.
            Err(_) => {
                set_timeout(
                    move || check_list(actions, board, query, page),
                    std::time::Duration::from_secs(2),
                );
                return;
            }
        };
        let same = board
            .try_with_untracked(|shown| matches!(shown, Some(Ok(shown)) if *shown == fresh))
            .unwrap_or(true);
        // An editor opened while this was loading: the list holds still until it closes.
        if !same && !actions.live.held() {
            actions.feedback.keep_focus();
            actions.live.reloads.try_update(|n| *n += 1);
        }
    });
}

#[component]
fn Board(
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
    let board = Resource::new(
        move || {
            (
                query.get(),
                page.get(),
                actions.add.version().get(),
                actions.toggle.version().get(),
                actions.edit.version().get(),
                actions.remove.version().get(),
                actions.toggle_all.version().get(),
                actions.clear.version().get(),
                actions.restore.version().get(),
                actions.unmark.version().get(),
                actions.live.reloads.get(),
            )
        },
        |(query, page, ..)| load_board(query.params(), page),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        live::follow(actions.live, move || {
            check_list(actions, board, query, page)
        });
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
                        actions.live.reloads.update(|n| *n += 1);
                    }
                });
            on_cleanup(move || retry.remove());
        }
    }

    view! {
        <section class="card tasks" aria-labelledby="tasks-title">
            <h1 id="tasks-title">"Your tasks"</h1>
            <NewTaskForm add=actions.add today=today.into() feedback=actions.feedback
                autofocus=confirm.get_untracked().is_none()
                    && editing_from_url.get_untracked().is_none() />
            <ListControls query />
            <ActionErrors actions />
            // A save refused because its task was deleted elsewhere: the row (and its editor)
            // went, what was typed has not.
            {move || {
                let title = actions.draft.with(|d| d.as_ref().and_then(row::Draft::orphaned_title))?;
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
                                if today.get_untracked() != Some(board.today) {
                                    today.set(Some(board.today));
                                }
                                shown.set_value(Some((board.clone(), query.get_untracked())));
                                Ok(view! {
                                    <BoardView board query=query.get() editing=editing_from_url.get()
                                        confirm=confirm.get() actions />
                                }
                                .into_any())
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
            <NoticeBar feedback=actions.feedback undo />
        </section>
    }
}

/// Says what each action did, once it is done: in the notice bar, with "Undo" after a
/// deletion. A deletion confirmed on the page's confirmation step (an address opened before
/// the app had loaded) also leaves that step.
fn announce_outcomes(
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

/// "Added “Buy milk”", or, when the list shown hides it, why: its filters (with where it
/// can be seen: "Added “Buy milk” to Active. Show Active tasks"), or its order (another page).
fn announce_added(feedback: Feedback, task: &Task, shown: bool, filtered: bool) {
    if shown {
        feedback.say(Notice::text(format!("Added “{}”.", task.title)));
        return;
    }
    // Nothing filters it out: the order put it on another page.
    if !filtered {
        feedback.say(Notice::text(format!(
            "Added “{}”. It is on another page of this list.",
            task.title
        )));
        return;
    }
    let active = TaskQuery {
        status: Filter::Active,
        ..TaskQuery::default()
    };
    feedback.say(Notice {
        link: Some((tasks_href(&active, 1, None), "Show Active tasks".into())),
        ..Notice::text(format!(
            "Added “{}” to Active. It is not in the list shown.",
            task.title
        ))
    });
}

/// One address per list: a search form sends every field, blank ones too, and old links
/// say `filter`; the page moves to the address its own links use (the server with a
/// redirect, the hydrated app by replacing the history entry), so reload, back, forward and
/// bookmarks all see the same clean URL. Parameters are compared, not strings, so two
/// spellings of one value never bounce between each other.
fn keep_address_canonical(
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

/// The chips under the add box: what the quick-add line will set besides the title.
#[component]
fn QuickAddPreview(parsed: QuickAdd, today: NaiveDate) -> impl IntoView {
    view! {
        <ul class="chips preview" aria-label="Will be added with">
            {parsed.priority.map(|p| view! {
                <li class=format!("chip priority-{}", p.as_str())>{p.label()}</li>
            })}
            {parsed.due_date.map(|due| view! {
                <li class="chip due">{format!("Due {}", due_label(due, today).text)}</li>
            })}
            {parsed.tags.into_iter().map(|tag| view! { <li class="chip tag">{format!("#{tag}")}</li> }).collect_view()}
        </ul>
    }
}

#[component]
fn NewTaskForm(
    add: ServerAction<AddTask>,
    today: Signal<Option<NaiveDate>>,
    feedback: Feedback,
    /// Whether the title field takes focus when the page loads.
    autofocus: bool,
) -> impl IntoView {
    let form = NodeRef::<html::Form>::new();
    let title_field = NodeRef::<html::Input>::new();
    let sent_form = FormState::of(add);
    let error = sent_form.error;
    let (typed, set_typed) = signal(String::new());
    let (local_error, set_local_error) = signal(None::<String>);
    // The title as it was sent, to tell it from what is typed while the task is being saved.
    let sent = StoredValue::new(String::new());
    // One task per click: while one is being saved, Add (clicked, or Enter in the field)
    // sends nothing. The button is not `disabled`, which would throw its focus to `<body>`.
    let more_fields = NodeRef::<leptos::html::Details>::new();
    let send_once = move |ev: leptos::ev::MouseEvent| {
        if add.pending().get_untracked() {
            ev.prevent_default();
        } else if let Some(field) = title_field.get_untracked() {
            sent.set_value(field.value());
        }
    };
    // Clear the form once the server has the task, keeping a title typed since it was sent,
    // and bring focus back to the add box for the next one.
    Effect::new(move |_| {
        if let Some(Ok(task)) = add.value().get() {
            let typed_since = title_field
                .get_untracked()
                .map(|field| field.value())
                .filter(|now| !now.is_empty() && *now != sent.get_value());
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            if let (Some(now), Some(field)) = (&typed_since, title_field.get_untracked()) {
                field.set_value(now);
            }
            set_typed.set(typed_since.unwrap_or_default());
            // The details are for one task: folded away again, so the list is back in view.
            if let Some(details) = more_fields.get_untracked() {
                let _ = details.remove_attribute("open");
            }
            feedback.note_added(task);
            feedback.focus_add_box_unless_moved();
        }
    });
    Effect::new(move |_| {
        error.track();
        set_local_error.set(None);
    });
    let title_error = move || {
        local_error
            .get()
            .or_else(|| error.get().and_then(|e| e.field_message("title")))
    };
    let preview = move || {
        let today = today.get()?;
        let parsed = QuickAdd::parse(&typed.get(), today);
        parsed
            .has_tokens()
            .then(|| view! { <QuickAddPreview parsed today /> })
    };
    let field_error = move |name: &'static str| sent_form.field(name);
    view! {
        <AfterFailedForm>
        <ActionForm action=add node_ref=form attr:class="new-task" attr:aria-label="Add a task">
            <FormMessage message=form_message(unless_session_ended(error)) />
            <SessionEnded error />
            <div class="add-row" class:invalid=move || title_error().is_some()>
                <label class="visually-hidden" for="field-title">"New task"</label>
                <input
                    id=ADD_FIELD
                    node_ref=title_field
                    name="title"
                    required
                    autofocus=autofocus
                    autocomplete="off"
                    placeholder="Add a task: #tag !high ^friday"
                    aria-describedby="quick-add-hint field-title-message"
                    aria-invalid=move || title_error().is_some().then_some("true")
                    value=move || sent_form.kept("title").get()
                    on:input=move |ev| set_typed.set(event_target_value(&ev))
                    on:blur=move |ev| {
                        let value = event_target_value(&ev);
                        let title = today
                            .get_untracked()
                            .map_or(value.clone(), |today| QuickAdd::parse(&value, today).title);
                        if !value.trim().is_empty() {
                            set_local_error.set(TaskTitle::parse(&title).err().map(|e| e.msg));
                        }
                    }
                />
                <button type="submit" class="button" on:click=send_once
                    aria-disabled=move || add.pending().get().then_some("true")>
                    "Add task"
                </button>
            </div>
            <p class="field-message" id="field-title-message" role="alert">{title_error}</p>
            <div aria-live="polite">{preview}</div>
            <details class="more-fields" node_ref=more_fields open=move || {
                ["description", "due_date", "tags"]
                    .into_iter()
                    .any(|name| sent_form.kept(name).get().is_some_and(|v| !v.trim().is_empty()))
            }>
                <summary>"Details, due date, priority, tags"</summary>
                <p class="hint" id="quick-add-hint">
                    "Or type them in the title: #tag, !low, !medium or !high, ^today, ^tomorrow, ^friday or ^2026-12-24."
                </p>
                <div class="field">
                    <label for="field-description">"Details"</label>
                    <textarea id="field-description" name="description" rows="2" maxlength=DESCRIPTION_MAX_CHARS>
                        {move || textarea_text(sent_form.kept("description").get().unwrap_or_default())}
                    </textarea>
                    <p class="field-message" role="alert">{field_error("description")}</p>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="field-due-date">"Due date"</label>
                        <input id="field-due-date" type="date" name="due_date"
                            value=move || sent_form.kept("due_date").get() />
                        <p class="field-message" role="alert">{field_error("due_date")}</p>
                    </div>
                    <div class="field">
                        <label for="field-priority">"Priority"</label>
                        {move || {
                            let kept = sent_form.kept("priority").get();
                            let selected = kept.as_deref().and_then(Priority::from_name).unwrap_or_default();
                            view! { <PrioritySelect id="field-priority" selected /> }
                        }}
                    </div>
                </div>
                <div class="field">
                    <label for="field-tags">"Tags"</label>
                    <input id="field-tags" name="tags" autocomplete="off"
                        aria-describedby="field-tags-hint"
                        value=move || sent_form.kept("tags").get() />
                    <p class="hint" id="field-tags-hint">{format!("Up to {MAX_TAGS}, separated by commas or spaces.")}</p>
                    <p class="field-message" role="alert">{field_error("tags")}</p>
                </div>
            </details>
        </ActionForm>
        </AfterFailedForm>
        <Show when=move || add.pending().get()>
            <p class="pending" role="status">
                "Adding “"{move || add.input().get().map(|i| i.title).unwrap_or_default()}"”…"
            </p>
        </Show>
    }
    .into_any()
}

/// A `<select name="priority">` of the four priorities.
#[component]
pub(super) fn PrioritySelect(#[prop(into)] id: String, selected: Priority) -> impl IntoView {
    view! {
        <select id=id name="priority">
            {Priority::ALL
                .into_iter()
                .map(|p| {
                    view! { <option value=p.as_str() selected=p == selected>{p.name()}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// Search, filters and order: a plain GET form on `/tasks`, so the list lives in the URL
/// (reload, back and forward keep it); hydrated, it navigates without a page load.
#[component]
fn ListControls(query: Memo<TaskQuery>) -> impl IntoView {
    move || {
        let query = query.get();
        let priority = match query.priorities.as_slice() {
            [one] => one.as_str(),
            _ => "",
        };
        // Left at "usual", each sort takes its own default order.
        let order = query.order.filter(|o| *o != query.sort.default_order());
        let more_open = query.due_after.is_some() || query.due_before.is_some() || query.overdue;
        // On a phone the options fold under "Sort and filter" (wider screens show them all):
        // open when one of them narrows or orders the list.
        let options_open = more_open
            || !query.priorities.is_empty()
            || query.sort != Sort::default()
            || query.order.is_some();
        let status = (query.status != Filter::All).then_some(query.status.as_str());
        let tags = (!query.tags.is_empty()).then(|| query.tags.join(","));
        let search = query.q.clone().unwrap_or_default();
        let (sort, overdue) = (query.sort, query.overdue);
        let (due_after, due_before) = (
            query.due_after.map(|d| d.to_string()).unwrap_or_default(),
            query.due_before.map(|d| d.to_string()).unwrap_or_default(),
        );
        view! {
            <Form method="GET" action="/tasks" attr:class="list-controls" attr:role="search" attr:aria-label="Search and sort tasks">
                {status.map(|status| view! { <input type="hidden" name="status" value=status /> })}
                {tags.map(|tags| view! { <input type="hidden" name="tag" value=tags /> })}
                <div class="control search">
                    <label class="visually-hidden" for="list-q">"Search tasks"</label>
                    // The property too: hydrated, this form is kept and updated in place, and
                    // an input the user typed in no longer follows its attribute.
                    <input id="list-q" type="search" name="q" placeholder="Search tasks"
                        value=search.clone() prop:value=search />
                </div>
                <details class="list-options" open=options_open>
                <summary>"Sort and filter"</summary>
                <div class="control">
                    <label for="list-priority">"Priority"</label>
                    <select id="list-priority" name="priority" on:change=apply_now>
                        <option value="" selected=priority.is_empty()>"Any"</option>
                        {[Priority::High, Priority::Medium, Priority::Low, Priority::None]
                            .into_iter()
                            .map(|p| view! {
                                <option value=p.as_str() selected=priority == p.as_str()>
                                    {p.name()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="control">
                    <label for="list-sort">"Sort by"</label>
                    <select id="list-sort" name="sort" on:change=apply_now>
                        {Sort::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == sort>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="control">
                    <label for="list-order">"Order"</label>
                    <select id="list-order" name="order" on:change=apply_now>
                        <option value="" selected=order.is_none()>"Usual"</option>
                        <option value="asc" selected=order == Some(super::Order::Asc)>"Ascending"</option>
                        <option value="desc" selected=order == Some(super::Order::Desc)>"Descending"</option>
                    </select>
                </div>
                <button type="submit" class="button secondary">"Apply"</button>
                <details class="more-filters" open=more_open>
                    <summary>"Due dates"</summary>
                    <div class="control">
                        <label for="list-due-after">"Due from"</label>
                        <input id="list-due-after" type="date" name="due_after"
                            value=due_after.clone() prop:value=due_after />
                    </div>
                    <div class="control">
                        <label for="list-due-before">"Due until"</label>
                        <input id="list-due-before" type="date" name="due_before"
                            value=due_before.clone() prop:value=due_before />
                    </div>
                    <label class="check-control">
                        <input type="checkbox" name="overdue" value="true" checked=overdue prop:checked=overdue />
                        "Overdue only"
                    </label>
                </details>
                </details>
            </Form>
            <ActiveFilters query />
        }
        .into_any()
    }
}

/// What narrows the list now, each with a link that takes it away.
#[component]
fn ActiveFilters(query: TaskQuery) -> impl IntoView {
    let mut chips: Vec<(String, TaskQuery)> = Vec::new();
    if let Some(q) = &query.q {
        chips.push((format!("Search: {q}"), with(&query, |l| l.q = None)));
    }
    for tag in &query.tags {
        chips.push((
            format!("#{tag}"),
            with(&query, |l| l.tags.retain(|t| t != tag)),
        ));
    }
    for p in &query.priorities {
        chips.push((
            p.label().to_string(),
            with(&query, |l| l.priorities.retain(|x| x != p)),
        ));
    }
    if let Some(d) = query.due_after {
        chips.push((
            format!("Due from {d}"),
            with(&query, |l| l.due_after = None),
        ));
    }
    if let Some(d) = query.due_before {
        chips.push((
            format!("Due until {d}"),
            with(&query, |l| l.due_before = None),
        ));
    }
    if query.overdue {
        chips.push(("Overdue".into(), with(&query, |l| l.overdue = false)));
    }
    (!chips.is_empty()).then(|| {
        let everything = TaskQuery {
            status: query.status,
            sort: query.sort,
            order: query.order,
            ..TaskQuery::default()
        };
        view! {
            <ul class="chips active-filters" aria-label="Active filters">
                {chips
                    .into_iter()
                    .map(|(label, without)| {
                        let spoken = format!("Remove filter {label}");
                        view! {
                        <li>
                            <a href=tasks_href(&without, 1, None) class="chip removable" aria-label=spoken>
                                {label}<span aria-hidden="true">" ×"</span>
                            </a>
                        </li>
                    }})
                    .collect_view()}
                <li><a href=tasks_href(&everything, 1, None) class="link-button">"Clear filters"</a></li>
            </ul>
        }
    })
}

/// A step that asks before something is deleted for good: the question, the form that does
/// it, and a way back.
#[component]
fn ConfirmStep(question: String, cancel: String, children: Children) -> impl IntoView {
    view! {
        <div class="confirm-step" role="alertdialog" aria-labelledby="confirm-question">
            <p id="confirm-question">{question}</p>
            <div class="confirm-actions">
                {children()}
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </div>
    }
}

/// With JavaScript a choice in a list option applies at once (the form's Apply stays for
/// the search and the dates, and for the page without JavaScript).
fn apply_now(ev: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast as _;
    let form = event_target::<web_sys::Element>(&ev)
        .closest("form")
        .ok()
        .flatten()
        .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok());
    if let Some(form) = form {
        let _ = form.request_submit();
    }
}

/// Why the list shown is the last one that loaded: signed out (with a way back in), or the
/// server out of reach (it loads again by itself).
#[component]
fn ListProblem(error: AppError, query: TaskQuery) -> impl IntoView {
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

/// Notes each Done or Delete that did not go through on its row (see [`row::RowFailure`]),
/// takes it away when the task's next one does, and sends the ones that could not reach the
/// server again once the browser is back online or the page has focus again.
fn follow_row_failures(actions: Actions) {
    use row::{Retry, RowFailure};
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
fn follow_own_changes(actions: Actions) {
    let live = actions.live;
    let own = move |task: Option<Result<Task, AppError>>| {
        if let Some(Ok(task)) = task {
            live.own_change(&[task.id]);
        }
    };
    Effect::new(move |_| own(actions.add.value().get()));
    Effect::new(move |_| own(actions.toggle.value().get()));
    Effect::new(move |_| own(actions.edit.value().get()));
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
fn not_on_a_row<T>(result: &Result<T, AppError>) -> bool {
    match result {
        Ok(_) => true,
        Err(error) => !row::RowFailure::belongs_on_row(error),
    }
}

/// Makes each answer of `value` (an action's) the latest outcome: a success clears an
/// older failure, whichever action it was.
fn follow_outcome<T: Send + Sync + 'static>(
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
fn ActionErrors(actions: Actions) -> impl IntoView {
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

/// The id of page `page`'s list of tasks, where focus goes after moving to that page (the
/// page's number in it, so the list still shown while the next one loads never takes it).
fn list_id(page: u32) -> String {
    format!("task-list-{page}")
}

/// The list's query as hidden fields (`params[name]`), for a form whose action works on
/// every task the list selects.
#[component]
fn ListFields(query: TaskQuery) -> impl IntoView {
    query
        .pairs()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=format!("params[{name}]") value=value /> })
        .collect_view()
}

#[component]
fn BoardView(
    board: TaskBoard,
    query: TaskQuery,
    editing: Option<Uuid>,
    confirm: Option<Confirm>,
    actions: Actions,
) -> impl IntoView {
    let TaskBoard {
        page,
        counts,
        matching: selected,
        page_number,
        page_count,
        today,
        tags,
    } = board;
    // "Mark all" and "Clear completed" act on what the list selects, every page of it.
    let total = selected.active + selected.completed;
    // Under filters, what is left of what they select; else the account's.
    let left = if query.narrows() {
        selected.active
    } else {
        counts.active
    };
    let all_done = total > 0 && selected.active == 0;
    let empty_message = if query.narrows() {
        "No tasks match these filters."
    } else {
        match query.status {
            Filter::All => "Nothing to do yet. Add your first task above.",
            Filter::Active => "No active tasks. Well done!",
            Filter::Completed => "No completed tasks yet.",
        }
    };
    let here = tasks_href(&query, page_number, None);
    let tasks = page.tasks;
    let matching = page.total;
    let href_at = {
        let query = query.clone();
        move |page: u32| tasks_href(&query, page, None)
    };
    // Once these rows are on screen: say whether a task just added is among them, and move
    // focus where the last action asked.
    let feedback = actions.feedback;
    let shown: Vec<Uuid> = tasks.iter().map(|t| t.id).collect();
    // A new task is active: the list hides it by its filters, or else by its order.
    let filtered = query.status == Filter::Completed || query.narrows();
    Effect::new(move |_| {
        if let Some(task) = feedback.take_added() {
            announce_added(feedback, &task, shown.contains(&task.id), filtered);
        }
        feedback.apply_focus();
    });
    let confirm_query = query.clone();
    let confirmation = confirm.and_then(|step| {
        let (cancel, next) = (here.clone(), here.clone());
        match step {
            Confirm::Delete(id) => tasks.iter().find(|t| t.id == id).map(|task| {
                let question = format!("Delete “{}”? This cannot be undone.", task.title);
                view! {
                    <ConfirmStep question cancel>
                        <ActionForm action=actions.remove attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string() />
                            <input type="hidden" name="next" value=next />
                            <input type="hidden" name="confirmed" value="true" />
                            <button type="submit" class="button danger" autofocus>"Delete task"</button>
                        </ActionForm>
                    </ConfirmStep>
                }
                .into_any()
            }),
            Confirm::ClearCompleted => (selected.completed > 0).then(|| {
                let question = match selected.completed {
                    1 => "Delete the 1 completed task? This cannot be undone.".to_string(),
                    n => format!("Delete all {n} completed tasks? This cannot be undone."),
                };
                view! {
                    <ConfirmStep question cancel>
                        <ActionForm action=actions.clear attr:class="inline-form">
                            <input type="hidden" name="next" value=next />
                            <input type="hidden" name="confirmed" value="true" />
                            <ListFields query=confirm_query />
                            <button type="submit" class="button danger" autofocus>"Delete completed tasks"</button>
                        </ActionForm>
                    </ConfirmStep>
                }
                .into_any()
            }),
        }
    });

    let (toggle_next, toggle_query, clear_query) = (here.clone(), query.clone(), query.clone());
    // A list loaded after the add answered holds the new task: its pending row goes.
    if !actions.add.pending().get_untracked() {
        actions.adding.set(None);
    }
    let adding = move || {
        let line = actions.adding.get()?;
        let title = QuickAdd::parse(&line, today).title;
        Some(view! {
            <ul class="task-list adding" aria-label="Being added">
                <li class="task pending" aria-busy="true">
                    <span class="check" aria-hidden="true"></span>
                    <div class="task-text">
                        <span class="title">{title}</span>
                        <span class="muted">" · Adding…"</span>
                    </div>
                </li>
            </ul>
        })
    };
    view! {
        {confirmation}
        {adding}
        {query.narrows().then(|| view! {
            <p class="muted" role="status">{match matching { 1 => "1 task matches".to_string(), n => format!("{n} tasks match") }}</p>
        })}
        {if tasks.is_empty() {
            // Not while the first task is on its way: it is shown as being added.
            view! {
                <Show when=move || actions.adding.with(Option::is_none)>
                    <p class="empty">{empty_message}</p>
                </Show>
            }
            .into_any()
        } else {
            let here = here.clone();
            view! {
                <ul class="task-list" id=list_id(page_number) aria-label="Tasks" tabindex="-1">
                    {tasks
                        .into_iter()
                        .map(|task| {
                            let edit_in_url = editing == Some(task.id);
                            let edit_href = tasks_href(&query, page_number, Some(task.id));
                            view! {
                                <TaskRow
                                    task
                                    actions
                                    edit_in_url
                                    edit_href
                                    back_href=here.clone()
                                    query=query.clone()
                                    today
                                />
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <footer class="task-footer">
            <span class="count" role="status">{items_left(left)}</span>
            {(total > 0).then(|| view! {
                <ActionForm action=actions.toggle_all attr:class="toggle-all">
                    <input type="hidden" name="completed" value=(!all_done).to_string() />
                    <input type="hidden" name="next" value=toggle_next />
                    <ListFields query=toggle_query />
                    <button type="submit" class="link-button" id="toggle-all"
                        on:click=move |_| feedback.focus_after(vec!["toggle-all".into()])>
                        {if all_done { "Mark all as not done" } else { "Mark all as done" }}
                    </button>
                </ActionForm>
            })}
            <nav aria-label="Filter tasks">
                <ul class="filters">
                    {[Filter::All, Filter::Active, Filter::Completed]
                        .into_iter()
                        .map(|f| {
                            let label = match f {
                                Filter::All => "All",
                                Filter::Active => "Active",
                                Filter::Completed => "Completed",
                            };
                            view! {
                                <li>
                                    <a
                                        href=tasks_href(&with(&query, |l| l.status = f), 1, None)
                                        aria-current=(f == query.status).then_some("page")
                                    >
                                        {label}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            {(selected.completed > 0).then(|| view! {
                <ActionForm action=actions.clear attr:class="inline-form">
                    <input type="hidden" name="next" value=here />
                    <ListFields query=clear_query />
                    <button type="submit" class="link-button"
                        on:click=move |_| feedback.focus_after(vec![ADD_FIELD.to_string()])>
                        {format!("Clear completed ({})", selected.completed)}
                    </button>
                </ActionForm>
            })}
        </footer>
        {(!tags.is_empty()).then(|| view! {
            <nav class="tag-cloud" aria-label="Your tags">
                <ul class="chips">
                    {tags.into_iter().map(|tag| {
                        let active = query.tags.contains(&tag.name);
                        // A tag in use takes itself away again.
                        let href = tasks_href(
                            &with(&query, |l| {
                                if active {
                                    l.tags.retain(|t| *t != tag.name);
                                } else {
                                    l.tags.push(tag.name.clone());
                                }
                            }),
                            1,
                            None,
                        );
                        let spoken = format!("Tag {}: {} tasks", tag.name, tag.count);
                        view! {
                            <li>
                                <a href=href class="chip tag" aria-current=active.then_some("true") aria-label=spoken>
                                    {format!("#{}", tag.name)}<span class="chip-count">{tag.count}</span>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </nav>
        })}
        <Show when=move || { page_count > 1 }>
            // Another page: focus goes to its list, not back to the page's start.
            <nav class="pagination" aria-label="Pages">
                {(page_number > 1).then(|| view! {
                    <span on:click=move |_| feedback.focus_after(vec![list_id(page_number - 1)])>
                        <A href=href_at(page_number - 1) attr:rel="prev">"Previous page"</A>
                    </span>
                })}
                <span>{format!("Page {page_number} of {page_count}")}</span>
                {(page_number < page_count).then(|| view! {
                    <span on:click=move |_| feedback.focus_after(vec![list_id(page_number + 1)])>
                        <A href=href_at(page_number + 1) attr:rel="next">"Next page"</A>
                    </span>
                })}
            </nav>
        </Show>
    }
    .into_any()
}
