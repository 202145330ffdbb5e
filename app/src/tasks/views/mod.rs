//! The `/tasks` page: add, list, filter, paginate, complete, edit and delete, TodoMVC style.
//!
//! Every control is a real form or link first, so the page works without JavaScript (page,
//! filter and edit mode live in the URL); once hydrated the same forms run as server actions,
//! with pending items and optimistic toggles that fall back to the server's truth on failure.

use leptos::{html, prelude::*, server_fn::ServerFn as _};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use uuid::Uuid;

use super::{
    api::{
        load_board, AddTask, ClearCompleted, DeleteTask, EditTask, SetAllCompleted,
        SetTaskCompleted,
    },
    Filter, TaskBoard, TaskTitle, DESCRIPTION_MAX_CHARS,
};
use crate::{
    auth::views::{RequireUser, SessionEnded},
    components::{textarea_text, Field, FormMessage},
    error::AppError,
    forms::{
        form_error, form_message, kept_value, unless_session_ended, use_failed_forms,
        AfterFailedForm,
    },
};

mod row;

use row::TaskRow;

#[component]
pub fn TasksPage() -> impl IntoView {
    view! {
        <Title text="Your tasks" />
        <RequireUser>
            <Board />
        </RequireUser>
    }
}

/// The page's address for a filter, page and (without JavaScript) the task being edited.
fn tasks_href(filter: Filter, page: u32, edit: Option<Uuid>) -> String {
    let mut params = Vec::new();
    if filter != Filter::All {
        params.push(format!("filter={}", filter.as_str()));
    }
    if page > 1 {
        params.push(format!("page={page}"));
    }
    if let Some(id) = edit {
        params.push(format!("edit={id}"));
    }
    if params.is_empty() {
        "/tasks".into()
    } else {
        format!("/tasks?{}", params.join("&"))
    }
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
}

#[component]
fn Board() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| Filter::from_query(query.with(|q| q.get("filter")).as_deref()));
    let page = Memo::new(move |_| {
        query
            .with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()))
            .unwrap_or(1)
            .max(1)
    });
    let editing_from_url =
        Memo::new(move |_| query.with(|q| q.get("edit").and_then(|v| Uuid::parse_str(&v).ok())));

    let actions = Actions {
        add: ServerAction::new(),
        toggle: ServerAction::new(),
        edit: ServerAction::new(),
        remove: ServerAction::new(),
        toggle_all: ServerAction::new(),
        clear: ServerAction::new(),
    };
    let board = Resource::new(
        move || {
            (
                filter.get(),
                page.get(),
                actions.add.version().get(),
                actions.toggle.version().get(),
                actions.edit.version().get(),
                actions.remove.version().get(),
                actions.toggle_all.version().get(),
                actions.clear.version().get(),
            )
        },
        |(filter, page, ..)| load_board(filter, page),
    );

    view! {
        <section class="card tasks" aria-labelledby="tasks-title">
            <h1 id="tasks-title">"Your tasks"</h1>
            <NewTaskForm add=actions.add />
            <ActionErrors actions />
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
                        board.get().map(|result| result.map(|board| view! {
                            <BoardView board filter=filter.get() editing=editing_from_url.get() actions />
                        }))
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn NewTaskForm(add: ServerAction<AddTask>) -> impl IntoView {
    let form = NodeRef::<html::Form>::new();
    let failed = use_failed_forms().of(AddTask::PATH);
    let error = form_error(add.value(), failed);
    // Clear the form once the server has the task.
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    view! {
        <AfterFailedForm>
        <ActionForm action=add node_ref=form attr:class="new-task" attr:aria-label="Add a task">
            <FormMessage message=form_message(unless_session_ended(error)) />
            <SessionEnded error />
            <Field
                label="New task"
                name="title"
                required=true
                initial=kept_value(failed, "title")
                server_error=Signal::derive(move || error.get().and_then(|e| e.field_message("title")))
                check=|v| TaskTitle::parse(v).err().map(|e| e.msg)
            />
            <div class="field">
                <label for="field-description">"Details (optional)"</label>
                <textarea
                    id="field-description"
                    name="description"
                    rows="2"
                    maxlength=DESCRIPTION_MAX_CHARS
                >
                    {move || textarea_text(kept_value(failed, "description").get().unwrap_or_default())}
                </textarea>
                <p class="field-message" role="alert">
                    {move || error.get().and_then(|e| e.field_message("description"))}
                </p>
            </div>
            <button type="submit" class="button">"Add task"</button>
        </ActionForm>
        </AfterFailedForm>
        <Show when=move || add.pending().get()>
            <p class="pending" role="status">
                "Adding “"{move || add.input().get().map(|i| i.title).unwrap_or_default()}"”…"
            </p>
        </Show>
    }
}

/// What went wrong with the last change, if the server refused it. The list itself always
/// shows the server's truth, so a refused optimistic change is visibly undone.
#[component]
fn ActionErrors(actions: Actions) -> impl IntoView {
    fn err<T: 'static>(v: Option<Result<T, AppError>>) -> Option<AppError> {
        v.and_then(|r| r.err())
    }
    let error = Signal::derive(move || {
        err(actions.toggle.value().get())
            .or_else(|| err(actions.remove.value().get()))
            .or_else(|| err(actions.toggle_all.value().get()))
            .or_else(|| err(actions.clear.value().get()))
            .or_else(|| err(actions.edit.value().get()))
    });
    let message = move || {
        error.get().and_then(|e| match e.field_message("title") {
            Some(msg) => Some(format!("Not saved: {msg}")),
            None if crate::forms::session_has_ended(&e) => None,
            None => Some(e.to_string()),
        })
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="form-message" role="alert">{message}</p>
        </Show>
        <SessionEnded error />
    }
}

#[component]
fn BoardView(
    board: TaskBoard,
    filter: Filter,
    editing: Option<Uuid>,
    actions: Actions,
) -> impl IntoView {
    let TaskBoard {
        page,
        counts,
        page_number,
        page_count,
    } = board;
    let total = counts.active + counts.completed;
    let all_done = total > 0 && counts.active == 0;
    let empty_message = match filter {
        Filter::All => "Nothing to do yet. Add your first task above.",
        Filter::Active => "No active tasks. Well done!",
        Filter::Completed => "No completed tasks yet.",
    };
    let here = tasks_href(filter, page_number, None);
    let tasks = page.tasks;

    view! {
        <Show when=move || { total > 0 }>
            <ActionForm action=actions.toggle_all attr:class="toggle-all">
                <input type="hidden" name="completed" value=(!all_done).to_string() />
                <button type="submit" class="button secondary">
                    {if all_done { "Mark all as not done" } else { "Mark all as done" }}
                </button>
            </ActionForm>
        </Show>
        {if tasks.is_empty() {
            view! { <p class="empty">{empty_message}</p> }.into_any()
        } else {
            let here = here.clone();
            view! {
                <ul class="task-list" aria-label="Tasks">
                    {tasks
                        .into_iter()
                        .map(|task| {
                            let edit_in_url = editing == Some(task.id);
                            let edit_href = tasks_href(filter, page_number, Some(task.id));
                            view! {
                                <TaskRow
                                    task
                                    actions
                                    edit_in_url
                                    edit_href
                                    back_href=here.clone()
                                />
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <footer class="task-footer">
            <span class="count" role="status">{items_left(counts.active)}</span>
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
                                        href=tasks_href(f, 1, None)
                                        aria-current=(f == filter).then_some("page")
                                    >
                                        {label}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <Show when=move || { counts.completed > 0 }>
                <ActionForm action=actions.clear attr:class="inline-form">
                    <button type="submit" class="link-button">
                        {format!("Clear completed ({})", counts.completed)}
                    </button>
                </ActionForm>
            </Show>
        </footer>
        <Show when=move || { page_count > 1 }>
            <nav class="pagination" aria-label="Pages">
                {(page_number > 1).then(|| view! {
                    <A href=tasks_href(filter, page_number - 1, None) attr:rel="prev">"Previous page"</A>
                })}
                <span>{format!("Page {page_number} of {page_count}")}</span>
                {(page_number < page_count).then(|| view! {
                    <A href=tasks_href(filter, page_number + 1, None) attr:rel="next">"Next page"</A>
                })}
            </nav>
        </Show>
    }
}
