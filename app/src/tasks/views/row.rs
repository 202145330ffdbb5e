//! One task in the list: its checkbox, text and actions, and the inline editor it opens
//! into (a plain form with Save and Cancel without JavaScript).

use chrono::NaiveDate;
use leptos::{ev, html, prelude::*, server_fn::ServerFn as _, wasm_bindgen::JsCast as _};

use super::{
    feedback::{after_leaving, edit_id, toggle_id},
    tasks_href, Actions, PrioritySelect,
};
use crate::components::textarea_text;
use crate::tasks::{
    api::{DeleteTask, EditTask},
    fields::{due_label, Priority},
    Task, TaskQuery,
};

/// A task's priority, due date and tags, under its title; a tag filters the list by it.
#[component]
fn TaskMeta(task: Task, query: TaskQuery, today: NaiveDate) -> impl IntoView {
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
    let any = priority.is_some() || due.is_some() || !task.tags.is_empty();
    any.then(|| view! { <div class="task-meta">{priority}{due}{tags}</div> }.into_any())
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
) -> impl IntoView {
    let (editing, set_editing) = signal(edit_in_url);
    let id = task.id;
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
                    move || {
                        let (task, title, edit_href, back_href, query) = shown.get_value();
                        let title_for_toggle = title.clone();
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
                                <TaskMeta task=task.clone() query today />
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
                    }
                }
            >
                <EditForm task=task.clone() actions back_href=back_href.clone() set_editing />
            </Show>
        </li>
    }
    .into_any()
}

/// Inline edit: Enter or leaving the form saves, Escape cancels, an emptied title offers to
/// delete. Without JavaScript it is a plain form with Save and a Cancel link.
#[component]
fn EditForm(
    task: Task,
    actions: Actions,
    back_href: String,
    set_editing: WriteSignal<bool>,
) -> impl IntoView {
    let id = task.id;
    // What the save expects the task still to be: a change made elsewhere meanwhile is not
    // overwritten (the server refuses the save, and this form says so as soon as it knows).
    let version = task
        .updated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let live = actions.live;
    live.editor_opened(id);
    on_cleanup(move || live.editor_closed(id));
    let form = NodeRef::<html::Form>::new();
    let title_input = NodeRef::<html::Input>::new();
    let (confirm_delete, set_confirm_delete) = signal(false);
    let original = Edited::of(&task);
    // Closing removes this form, and the browser then sends a `focusout` from the field that
    // had focus: by then the form's signals are gone. Once closed, the handlers do nothing.
    let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Focus goes back to the row's Edit link (or, if the row is gone, where a deletion
    // sends it): at once when nothing is saved, after the list's next render otherwise.
    let close = {
        let closed = closed.clone();
        move |reloads: bool| {
            closed.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut ids = vec![edit_id(id)];
            ids.extend(after_leaving(id));
            set_editing.set(false);
            let feedback = actions.feedback;
            feedback.focus_after(ids.clone());
            request_animation_frame(move || {
                if reloads {
                    feedback.focus_now(&ids);
                } else {
                    feedback.apply_focus();
                }
            });
        }
    };

    let read = move || {
        let form = form.get()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let title = data.get("title").as_string().unwrap_or_default();
        let text = |name: &str| data.get(name).as_string().filter(|v| !v.trim().is_empty());
        Some(Edited {
            title,
            description: text("description"),
            due_date: text("due_date"),
            priority: text("priority"),
            tags: text("tags"),
        })
    };
    let save = {
        let close = close.clone();
        let version = version.clone();
        move || {
            let Some(edited) = read() else {
                return;
            };
            if edited.title.trim().is_empty() {
                set_confirm_delete.set(true);
                return;
            }
            let changed = !edited.same_as(&original);
            if changed {
                actions.edit.dispatch(EditTask {
                    id,
                    title: edited.title,
                    description: edited.description,
                    due_date: edited.due_date,
                    priority: edited.priority,
                    tags: edited.tags,
                    next: None,
                    version: Some(version.clone()),
                });
            }
            close(changed);
        }
    };
    let on_submit = {
        let save = save.clone();
        move |ev: ev::SubmitEvent| {
            ev.prevent_default();
            save();
        }
    };
    let on_focusout = {
        let save = save.clone();
        let closed = closed.clone();
        move |ev: ev::FocusEvent| {
            if closed.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            // Only when focus leaves the whole form, not when it moves between its fields.
            let leaving = match (ev.related_target(), form.get_untracked()) {
                (Some(next), Some(form)) => !form.contains(next.dyn_ref::<web_sys::Node>()),
                _ => true,
            };
            if leaving && confirm_delete.try_get_untracked() == Some(false) {
                save();
            }
        }
    };
    let (close_on_escape, close_on_cancel) = (close.clone(), close.clone());
    let close_on_delete = close;
    Effect::new(move |_| {
        if let Some(input) = title_input.get() {
            let _ = input.focus();
        }
    });

    view! {
        <form
            class="edit-form"
            method="post"
            action=EditTask::PATH
            node_ref=form
            aria-label=format!("Edit task {}", task.title)
            on:submit=on_submit
            on:focusout=on_focusout
            on:keydown=move |ev: ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close_on_escape(false);
                }
            }
        >
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="next" value=back_href.clone() />
            <input type="hidden" name="version" value=version.clone() />
            <Show when=move || live.changed_elsewhere(id)>
                <p class="form-message" role="alert">
                    "This task was changed elsewhere since you opened it. Cancel to see the change; \
                     a save now will not overwrite it."
                </p>
            </Show>
            <label class="visually-hidden" for=format!("edit-title-{id}")>"Title"</label>
            <input
                id=format!("edit-title-{id}")
                name="title"
                value=task.title.clone()
                node_ref=title_input
                autocomplete="off"
                // Without JavaScript too, an editor opened by its address (`?edit=`) has focus.
                autofocus=true
            />
            <label class="visually-hidden" for=format!("edit-description-{id}")>"Details"</label>
            <textarea id=format!("edit-description-{id}") name="description" rows="2">
                {textarea_text(task.description.clone().unwrap_or_default())}
            </textarea>
            <div class="field-row">
                <div class="field">
                    <label for=format!("edit-due-{id}")>"Due date"</label>
                    <input id=format!("edit-due-{id}") type="date" name="due_date"
                        value=task.due_date.map(|d| d.to_string()).unwrap_or_default() />
                </div>
                <div class="field">
                    <label for=format!("edit-priority-{id}")>"Priority"</label>
                    <PrioritySelect id=format!("edit-priority-{id}") selected=task.priority />
                </div>
                <div class="field">
                    <label for=format!("edit-tags-{id}")>"Tags"</label>
                    <input id=format!("edit-tags-{id}") name="tags" autocomplete="off"
                        value=task.tags.join(", ") />
                </div>
            </div>
            <div class="edit-actions">
                <button type="submit" class="button">"Save"</button>
                <a href=back_href class="link-button" on:click=move |ev: ev::MouseEvent| {
                    ev.prevent_default();
                    close_on_cancel(false);
                }>"Cancel"</a>
            </div>
            <Show when=move || confirm_delete.get()>
                <div class="confirm" role="alertdialog" aria-label="Delete this task?">
                    <p>"The title is empty. Delete this task?"</p>
                    <button type="button" class="button danger" on:click={
                        let close = close_on_delete.clone();
                        move |_| {
                            actions.remove.dispatch(DeleteTask { id, next: None, confirmed: None });
                            close(true);
                        }
                    }>"Delete task"</button>
                    <button type="button" class="button secondary" on:click=move |_| {
                        set_confirm_delete.set(false);
                        if let Some(input) = title_input.get() {
                            let _ = input.focus();
                        }
                    }>"Keep editing"</button>
                </div>
            </Show>
        </form>
    }
}

/// What the inline editor holds, as the form sends it.
#[derive(Clone, Debug, PartialEq)]
struct Edited {
    title: String,
    description: Option<String>,
    due_date: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
}

impl Edited {
    fn of(task: &Task) -> Self {
        Self {
            title: task.title.clone(),
            description: task.description.clone(),
            due_date: task.due_date.map(|d| d.to_string()),
            priority: Some(task.priority.as_str().to_string()),
            tags: (!task.tags.is_empty()).then(|| task.tags.join(", ")),
        }
    }

    /// Whether saving would change nothing (blanks and spacing aside).
    fn same_as(&self, other: &Self) -> bool {
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
    }
}

/// A 20-pixel line icon beside (or, on a phone, instead of) an action's words; the action's
/// own label names it.
#[component]
fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2"
                stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

const PENCIL: &str = "M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4";
const TRASH: &str = "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6";
