//! One task in the list: its checkbox, text and actions; it opens into the inline editor
//! (`editor.rs`), and a failed Done or Delete is marked on it (`failures.rs`).

use chrono::{NaiveDate, NaiveDateTime};
use leptos::{ev, prelude::*};

use super::{
    editor::EditForm,
    feedback::{after_leaving, edit_id, toggle_id},
    repeat_picker::reminder_label,
    tasks_href, Actions,
};
use crate::forms::AfterFailedForm;
use crate::tasks::{
    fields::{due_label, Priority},
    repeat::Repeat,
    Task, TaskQuery,
};

/// A task's priority, due date, repeat, reminder and tags, under its title; a tag filters the
/// list by it.
#[component]
pub(super) fn TaskMeta(
    task: Task,
    query: TaskQuery,
    today: NaiveDate,
    reminder: Option<NaiveDateTime>,
) -> impl IntoView {
    let priority = (task.priority != Priority::None).then(|| {
        let p = task.priority;
        view! {
            <span class=format!("chip priority-{}", p.as_str())>
                <span class="priority-mark" aria-hidden="true">{"!".repeat(p.rank() as usize)}</span>
                {p.label()}
            </span>
        }
    });
    let due = task.due_date.map(|due| {
        let label = due_label(due, today);
        let overdue = label.past && !task.is_completed;
        let spoken = if overdue {
            format!("Overdue: due {}", label.text)
        } else {
            format!("Due {}", label.text)
        };
        let said = spoken.clone();
        view! {
            // What is read out is in the text: `aria-label` is not allowed on `<time>`.
            <time class="chip due" class:overdue=overdue class:due-today=label.today
                datetime=due.to_string() title=spoken.clone()>
                <span class="visually-hidden">{said}</span>
                <span aria-hidden="true">
                    {if overdue { format!("Overdue · {}", label.text) } else { label.text }}
                </span>
            </time>
        }
    });
    let repeat = task
        .repeat
        .as_deref()
        .and_then(|r| Repeat::parse(r).ok())
        .map(|repeat| {
            let words = repeat.describe();
            view! {
                <span class="chip repeat" title=format!("Repeats: {words}")>
                    <span aria-hidden="true">"↻ "</span>
                    <span class="visually-hidden">"Repeats: "</span>
                    {words.clone()}
                </span>
            }
        });
    let remind = reminder.map(|at| {
        let label = reminder_label(at, today);
        view! {
            <time class="chip reminder" datetime=at.format("%Y-%m-%dT%H:%M").to_string()
                title=format!("Reminder: {label}")>
                <Icon path=BELL />
                <span class="visually-hidden">"Reminder: "</span>
                {label.clone()}
            </time>
        }
    });
    let tags = task
        .tags
        .iter()
        .map(|tag| {
            let mut filtered = query.clone();
            if !filtered.tags.contains(tag) {
                filtered.tags.push(tag.clone());
            }
            view! {
                <a href=tasks_href(&filtered, 1, None) class="chip tag"
                    aria-label=format!("Show tasks tagged {tag}")>
                    {format!("#{tag}")}
                </a>
            }
        })
        .collect_view();
    let any = priority.is_some()
        || due.is_some()
        || repeat.is_some()
        || remind.is_some()
        || !task.tags.is_empty();
    any.then(|| {
        view! { <div class="task-meta">{priority}{due}{repeat}{remind}{tags}</div> }.into_any()
    })
}

#[component]
pub(super) fn TaskRow(
    task: Task,
    actions: Actions,
    /// Edit mode asked for by the URL (the way in without JavaScript).
    edit_in_url: bool,
    edit_href: String,
    back_href: String,
    /// The list shown, for the tag links.
    query: TaskQuery,
    /// The user's today, what due dates read against.
    today: NaiveDate,
    /// In a list the user may only read: no controls to change it.
    #[prop(optional)]
    read_only: bool,
    /// The name of whoever added it, when it was someone else.
    #[prop(optional_no_strip)]
    added_by: Option<String>,
    /// Its reminder, in the user's time zone.
    #[prop(optional_no_strip)]
    reminder: Option<NaiveDateTime>,
) -> impl IntoView {
    let id = task.id;
    // An editor whose save was refused stays open (with what was typed) across the list's
    // reload after the answer.
    let reopened = actions
        .draft
        .with_untracked(|d| d.as_ref().is_some_and(|d| d.id == id));
    let (editing, set_editing) = signal(edit_in_url || reopened);
    let title = task.title.clone();
    // Optimistic: while a toggle of this task is on its way, show where it is going.
    let completed = Signal::derive({
        let server_value = task.is_completed;
        move || {
            let pending = actions.toggle.pending().get();
            match actions.toggle.input().get() {
                Some(input) if pending && input.id == id => input.completed,
                _ => server_value,
            }
        }
    });
    let title_for_problem = task.title.clone();
    let deleting = Signal::derive(move || {
        actions.remove.pending().get() && actions.remove.input().get().is_some_and(|i| i.id == id)
    });

    view! {
        <li class="task" class:done=completed class:deleting=deleting>
            <Show
                when=move || editing.get()
                fallback={
                    let shown = StoredValue::new((
                        task.clone(),
                        title.clone(),
                        edit_href.clone(),
                        back_href.clone(),
                        query.clone(),
                    ));
                    let added_by = added_by.clone();
                    move || {
                        let (task, title, edit_href, back_href, query) = shown.get_value();
                        let title_for_toggle = title.clone();
                        let before_toggle = task.clone();
                        let added_by = added_by.clone().map(|name| {
                            view! { <p class="added-by">"Added by " {name}</p> }
                        });
                        if read_only {
                            return view! {
                                <span class="check read-only" role="checkbox" aria-disabled="true"
                                    aria-checked=task.is_completed.to_string()
                                    aria-label=format!("Done: {title}")></span>
                                <div class="task-text">
                                    <span class="title">{task.title.clone()}</span>
                                    {task.description.clone().map(|d| view! { <p class="description">{d}</p> })}
                                    <TaskMeta task=task.clone() query today reminder />
                                    {added_by}
                                </div>
                            }
                            .into_any();
                        }
                        view! {
                            <ActionForm action=actions.toggle attr:class="toggle">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="completed" value=move || (!completed.get()).to_string() />
                                <button
                                    type="submit"
                                    role="checkbox"
                                    class="check"
                                    id=toggle_id(id)
                                    aria-checked=move || completed.get().to_string()
                                    aria-label=format!("Done: {title_for_toggle}")
                                    on:click=move |_| {
                                        actions.feedback.completing(&before_toggle);
                                        // Its own row, unless the list stops showing it.
                                        let mut ids = vec![toggle_id(id)];
                                        ids.extend(after_leaving(id));
                                        actions.feedback.focus_after(ids);
                                    }
                                ></button>
                            </ActionForm>
                            <div class="task-text" on:dblclick=move |_| set_editing.set(true)>
                                <span class="title">{task.title.clone()}</span>
                                {task.description.clone().map(|d| view! { <p class="description">{d}</p> })}
                                <TaskMeta task=task.clone() query today reminder />
                                {added_by}
                            </div>
                            <div class="row-actions">
                                <a
                                    class="icon-button"
                                    id=edit_id(id)
                                    href=edit_href
                                    aria-label=format!("Edit: {}", title)
                                    title="Edit"
                                    on:click=move |ev: ev::MouseEvent| {
                                        ev.prevent_default();
                                        set_editing.set(true);
                                    }
                                >
                                    <Icon path=PENCIL />
                                    <span class="action-label">"Edit"</span>
                                </a>
                                <ActionForm action=actions.remove attr:class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <input type="hidden" name="next" value=back_href.clone() />
                                    <button type="submit" class="icon-button danger"
                                        aria-label=format!("Delete: {}", title) title="Delete"
                                        on:click=move |_| actions.feedback.focus_after(after_leaving(id))>
                                        <Icon path=TRASH />
                                        <span class="action-label">"Delete"</span>
                                    </button>
                                </ActionForm>
                            </div>
                        }
                        .into_any()
                    }
                }
            >
                {
                    let (task, back_href) = (task.clone(), back_href.clone());
                    if edit_in_url {
                        // Opened by its address: without JavaScript, a refused save comes back
                        // here as a failed form, which the editor opens with.
                        view! {
                            <AfterFailedForm>
                                <EditForm task=task.clone() actions back_href=back_href.clone()
                                    set_editing kept=true reminder />
                            </AfterFailedForm>
                        }
                        .into_any()
                    } else {
                        view! { <EditForm task actions back_href set_editing kept=false reminder /> }
                            .into_any()
                    }
                }
            </Show>
            {move || {
                let failure = actions.failed.with(|f| f.iter().find(|f| f.id == id).cloned())?;
                let words = failure.words(&title_for_problem);
                Some(view! {
                    <div class="row-problem" role="alert">
                        <span>{words}</span>
                        " "
                        <button type="button" class="link-button" on:click=move |_| failure.retry.send(id, actions)>
                            "Retry"
                        </button>
                        " "
                        <button type="button" class="link-button" on:click=move |_| {
                            actions.failed.update(|f| f.retain(|f| f.id != id));
                        }>"Dismiss"</button>
                    </div>
                }
                .into_any())
            }}
        </li>
    }
    .into_any()
}

/// A 20-pixel line icon beside (or, on a phone, instead of) an action's words; the action's
/// own label names it.
#[component]
pub(super) fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2"
                stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

pub(super) const PENCIL: &str = "M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4";
pub(super) const BELL: &str = "M18 16v-5a6 6 0 0 0-12 0v5l-2 2h16zM10 21a2 2 0 0 0 4 0";
pub(super) const TRASH: &str = "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6";
