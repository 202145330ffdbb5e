//! The list itself: the rows of one page, the bulk actions under it, and the page links.

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::{
    controls::ConfirmStep,
    feedback::{Feedback, Notice, ADD_FIELD},
    items_left,
    row::TaskRow,
    tasks_href, with, Actions, Confirm,
};
use crate::tasks::{quick_add::QuickAdd, Filter, Task, TaskBoard, TaskQuery};

/// The id of page `page`'s list of tasks, where focus goes after moving to that page (the
/// page's number in it, so the list still shown while the next one loads never takes it).
pub(super) fn list_id(page: u32) -> String {
    format!("task-list-{page}")
}

/// The list's query as hidden fields (`params[name]`), for a form whose action works on
/// every task the list selects.
#[component]
pub(super) fn ListFields(query: TaskQuery) -> impl IntoView {
    query
        .pairs()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=format!("params[{name}]") value=value /> })
        .collect_view()
}

#[component]
pub(super) fn BoardView(
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
        changeable,
        page_number,
        page_count,
        today,
        tags,
        sharing,
        reminders,
    } = board;
    // The list shown is one the user may only read: it says so, and offers no bulk change.
    let shown_read_only = query.list.is_some_and(|list| sharing.reads_only(list));
    // "Mark all" and "Clear completed" act on what the list selects, every page of it, in
    // the lists the user may change.
    let total = changeable.active + changeable.completed;
    // Under filters, what is left of what they select; else the account's.
    let left = if query.narrows() {
        selected.active
    } else {
        counts.active
    };
    let all_done = total > 0 && changeable.active == 0;
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
            Confirm::ClearCompleted => (changeable.completed > 0).then(|| {
                let question = match changeable.completed {
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
    // (Only when there is one: on the server, where there never is, a write here could meet
    // a read on another task.)
    if !actions.add.pending().get_untracked() && actions.adding.with_untracked(Option::is_some) {
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
        {shown_read_only.then(|| view! {
            <p class="read-only-note" role="note">
                "You can see this list, not change it: its owner shared it with you as a viewer."
            </p>
        })}
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
                            let read_only = sharing.reads_only(task.list_id);
                            let added_by = sharing.added_by(&task).map(str::to_string);
                            let reminder = reminders
                                .iter()
                                .find(|(id, _)| *id == task.id)
                                .map(|(_, at)| *at);
                            view! {
                                <TaskRow
                                    task
                                    actions
                                    read_only
                                    added_by
                                    reminder
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
            {(total > 0 && !shown_read_only).then(|| view! {
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
            {(changeable.completed > 0 && !shown_read_only).then(|| view! {
                <ActionForm action=actions.clear attr:class="inline-form">
                    <input type="hidden" name="next" value=here />
                    <ListFields query=clear_query />
                    <button type="submit" class="link-button"
                        on:click=move |_| feedback.focus_after(vec![ADD_FIELD.to_string()])>
                        {format!("Clear completed ({})", changeable.completed)}
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

/// "Added “Buy milk”", or, when the list shown hides it, why: its filters (with where it
/// can be seen: "Added “Buy milk” to Active. Show Active tasks"), or its order (another page).
pub(super) fn announce_added(feedback: Feedback, task: &Task, shown: bool, filtered: bool) {
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
