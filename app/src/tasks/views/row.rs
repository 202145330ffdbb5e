//! One task in the list: its checkbox, text and actions, and the inline editor it opens
//! into (a plain form with Save and Cancel without JavaScript).

use chrono::NaiveDate;
use leptos::{ev, html, prelude::*, server_fn::ServerFn as _, wasm_bindgen::JsCast as _};

use super::{
    feedback::{after_leaving, edit_id, toggle_id},
    tasks_href, Actions, PrioritySelect,
};
use crate::components::textarea_text;
use crate::error::AppError;
use crate::forms::{use_failed_forms, AfterFailedForm, FailedForm};
use crate::tasks::{
    api::{DeleteTask, EditTask, SetTaskCompleted},
    fields::{due_label, Priority},
    Task, TaskQuery, DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS,
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
                {
                    let (task, back_href) = (task.clone(), back_href.clone());
                    if edit_in_url {
                        // Opened by its address: without JavaScript, a refused save comes back
                        // here as a failed form, which the editor opens with.
                        view! {
                            <AfterFailedForm>
                                <EditForm task=task.clone() actions back_href=back_href.clone()
                                    set_editing kept=true />
                            </AfterFailedForm>
                        }
                        .into_any()
                    } else {
                        view! { <EditForm task actions back_href set_editing kept=false /> }
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

/// What an open editor holds while its save is on its way, or after the server refused it.
/// The page keeps it: the list is drawn again after every answer, and the editor then opens
/// again as it was, with what was typed and why it was not saved.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Draft {
    pub(super) id: uuid::Uuid,
    edited: Edited,
    /// The task's version when the editor opened: a save does not overwrite a change made
    /// elsewhere since (unless asked to, over a conflict).
    version: String,
    /// The edit action's version when the save was sent (its answer is the next one); `None`
    /// once it has answered.
    sent_at: Option<usize>,
    refusal: Option<AppError>,
}

impl Draft {
    /// A save of `task` refused without JavaScript, as its failed form kept it: what was
    /// typed and why. Saved again, it goes over the task as it is now (the form's version was
    /// not kept).
    fn came_back(task: &Task, failed: &FailedForm) -> Self {
        let field = |name: &str| failed.value(name).filter(|v| !v.trim().is_empty());
        Self {
            id: task.id,
            edited: Edited {
                title: failed.value("title").unwrap_or_default(),
                description: field("description"),
                due_date: field("due_date"),
                priority: field("priority"),
                tags: field("tags"),
            },
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

/// Inline edit: Enter or leaving the form saves, Escape cancels, an emptied title offers to
/// delete. The editor closes once the save is stored; a refused save keeps it open with the
/// text and the reason (beside the field it is about). Without JavaScript it is a plain form
/// with Save and a Cancel link.
#[component]
fn EditForm(
    task: Task,
    actions: Actions,
    back_href: String,
    set_editing: WriteSignal<bool>,
    /// Whether a failed plain post of this editor may have come back (it was opened by the
    /// page's address, inside `AfterFailedForm`).
    kept: bool,
) -> impl IntoView {
    let id = task.id;
    let drafts = actions.draft;
    if kept && drafts.with_untracked(Option::is_none) {
        if let Some(failed) = use_failed_forms().of(EditTask::PATH).get_untracked() {
            drafts.set(Some(Draft::came_back(&task, &failed)));
        }
    }
    let draft = drafts.with_untracked(|d| d.clone().filter(|d| d.id == id));
    // What the save expects the task still to be: a change made elsewhere meanwhile is not
    // overwritten (the server refuses the save, and this form says so as soon as it knows).
    let version = draft
        .as_ref()
        .map(|d| d.version.clone())
        .unwrap_or_else(|| {
            task.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        });
    let original = Edited::of(&task);
    let shown = draft.map(|d| d.edited).unwrap_or_else(|| original.clone());
    let live = actions.live;
    live.editor_opened(id);
    on_cleanup(move || live.editor_closed(id));
    let form = NodeRef::<html::Form>::new();
    let title_input = NodeRef::<html::Input>::new();
    let (confirm_delete, set_confirm_delete) = signal(false);
    // Read from the page's draft, never from signals of this form: a render effect queued
    // before the form closed may still run once after it has gone.
    let refusal = move || {
        drafts
            .try_with(|d| {
                d.as_ref()
                    .filter(|d| d.id == id)
                    .and_then(|d| d.refusal.clone())
            })
            .flatten()
    };
    let saving = move || {
        drafts
            .try_with(|d| {
                d.as_ref()
                    .is_some_and(|d| d.id == id && d.sent_at.is_some())
            })
            .unwrap_or(false)
    };
    let (title_length, set_title_length) = signal(shown.title.chars().count());
    let (details_length, set_details_length) = signal(
        shown
            .description
            .as_deref()
            .unwrap_or_default()
            .chars()
            .count(),
    );
    // Closing removes this form, and the browser then sends a `focusout` from the field that
    // had focus: by then the form's signals are gone. Once closed, the handlers do nothing.
    let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Focus goes back to the row's Edit link (or, if the row is gone, where a deletion
    // sends it): at once when nothing is saved, after the list's next render otherwise.
    let close = {
        let closed = closed.clone();
        move |reloads: bool| {
            closed.store(true, std::sync::atomic::Ordering::Relaxed);
            drafts.update(|d| {
                if d.as_ref().is_some_and(|d| d.id == id) {
                    *d = None;
                }
            });
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
        let form = form.try_get_untracked().flatten()?;
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
    // Sends what the form holds; `over` saves over a change made elsewhere.
    let send = {
        let version = version.clone();
        move |edited: Edited, over: bool| {
            let sent_at = actions.edit.version().get_untracked();
            drafts.set(Some(Draft {
                id,
                edited: edited.clone(),
                version: version.clone(),
                sent_at: Some(sent_at),
                refusal: None,
            }));
            actions.edit.dispatch(EditTask {
                id,
                title: edited.title,
                description: edited.description,
                due_date: edited.due_date,
                priority: edited.priority,
                tags: edited.tags,
                next: None,
                version: (!over).then(|| version.clone()),
            });
        }
    };
    let save = {
        let close = close.clone();
        let send = send.clone();
        move || {
            if untrack(saving) {
                return;
            }
            let Some(edited) = read() else {
                return;
            };
            if edited.title.trim().is_empty() {
                set_confirm_delete.set(true);
                return;
            }
            if edited.same_as(&original) {
                close(false);
            } else {
                send(edited, false);
            }
        }
    };
    // The answer to this editor's save: stored, it closes; refused, it stays with the reason.
    {
        let close = close.clone();
        Effect::new(move |_| {
            let answered = actions.edit.version().get();
            let Some(sent_at) = drafts
                .with_untracked(|d| d.as_ref().filter(|d| d.id == id).and_then(|d| d.sent_at))
            else {
                return;
            };
            if answered <= sent_at {
                return;
            }
            match actions.edit.value().get_untracked() {
                Some(Ok(_)) => close(true),
                Some(Err(error)) => drafts.update(|d| {
                    if let Some(d) = d.as_mut().filter(|d| d.id == id) {
                        d.sent_at = None;
                        d.refusal = Some(error);
                    }
                }),
                None => {}
            }
        });
    }
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
            // Closed, or drawn again after a refused save (this form is gone): nothing to do.
            if closed.load(std::sync::atomic::Ordering::Relaxed)
                || confirm_delete.try_get_untracked() != Some(false)
            {
                return;
            }
            // Only when focus leaves the whole form, not when it moves between its fields.
            let leaving = match (ev.related_target(), form.try_get_untracked().flatten()) {
                (Some(next), Some(form)) => !form.contains(next.dyn_ref::<web_sys::Node>()),
                _ => true,
            };
            // A refused save waits for the person: leaving does not send it again.
            if leaving && untrack(refusal).is_none() {
                save();
            }
        }
    };
    // What is typed after a refusal is kept too, should the list be drawn again meanwhile.
    let on_input = move |_| {
        if let Some(edited) = read() {
            set_title_length.try_set(edited.title.chars().count());
            set_details_length.try_set(
                edited
                    .description
                    .as_deref()
                    .unwrap_or_default()
                    .chars()
                    .count(),
            );
            drafts.update(|d| {
                if let Some(d) = d.as_mut().filter(|d| d.id == id) {
                    d.edited = edited;
                }
            });
        }
    };
    let (close_on_escape, close_on_cancel) = (close.clone(), close.clone());
    let close_on_delete = close.clone();
    Effect::new(move |_| {
        if let Some(input) = title_input.get() {
            let _ = input.focus();
        }
    });
    let field_error =
        move |field: &'static str| move || refusal().and_then(|e| e.field_message(field));
    let (title_error, details_error, due_error, priority_error, tags_error) = (
        field_error("title"),
        field_error("description"),
        field_error("due_date"),
        field_error("priority"),
        field_error("tags"),
    );
    let current_title = task.title.clone();
    let problem = move || {
        refusal().map(|error| {
            let current = current_title.clone();
            let retry = save.clone();
            let over = send.clone();
            let discard = close.clone();
            let (words, choices) = refusal_words(&error);
            view! {
                <div class="form-message" role="alert">
                    <p>
                        {words}
                        {(choices == Choices::Conflict).then(|| format!(" It is now “{current}”."))}
                    </p>
                    {match choices {
                        Choices::Conflict => view! {
                            <button type="button" class="button" on:click=move |_| {
                                if let Some(edited) = read() {
                                    over(edited, true);
                                }
                            }>"Save mine over it"</button>
                            " "
                            <button type="button" class="button secondary" on:click=move |_| {
                                actions.live.reloads.update(|n| *n += 1);
                                discard(true);
                            }>"Discard mine and see theirs"</button>
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
        })
    };

    view! {
        <form
            class="edit-form"
            method="post"
            action=EditTask::PATH
            node_ref=form
            aria-label=format!("Edit task {}", task.title)
            aria-busy=move || saving().to_string()
            on:submit=on_submit
            on:focusout=on_focusout
            on:input=on_input
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
            <Show when=move || live.changed_elsewhere(id) && refusal().is_none()>
                <p class="form-message" role="alert">
                    "This task was changed elsewhere since you opened it. Cancel to see the change; \
                     a save now will not overwrite it."
                </p>
            </Show>
            {problem}
            <label class="visually-hidden" for=format!("edit-title-{id}")>"Title"</label>
            <input
                id=format!("edit-title-{id}")
                name="title"
                value=shown.title.clone()
                node_ref=title_input
                autocomplete="off"
                maxlength=TITLE_MAX_CHARS.to_string()
                aria-invalid=move || title_error().is_some().then_some("true")
                aria-describedby=move || described_by(title_error().is_some(), format!("edit-title-error-{id}"), title_length.try_get().unwrap_or(0), TITLE_MAX_CHARS, format!("edit-title-count-{id}"))
                // Without JavaScript too, an editor opened by its address (`?edit=`) has focus.
                autofocus=true
            />
            {field_note(format!("edit-title-error-{id}"), title_error)}
            {counter(format!("edit-title-count-{id}"), title_length, TITLE_MAX_CHARS)}
            <label class="visually-hidden" for=format!("edit-description-{id}")>"Details"</label>
            <textarea id=format!("edit-description-{id}") name="description" rows="2"
                maxlength=DESCRIPTION_MAX_CHARS.to_string()
                aria-invalid=move || details_error().is_some().then_some("true")
                aria-describedby=move || described_by(details_error().is_some(), format!("edit-description-error-{id}"), details_length.try_get().unwrap_or(0), DESCRIPTION_MAX_CHARS, format!("edit-description-count-{id}"))>
                {textarea_text(shown.description.clone().unwrap_or_default())}
            </textarea>
            {field_note(format!("edit-description-error-{id}"), details_error)}
            {counter(format!("edit-description-count-{id}"), details_length, DESCRIPTION_MAX_CHARS)}
            <div class="field-row">
                <div class="field">
                    <label for=format!("edit-due-{id}")>"Due date"</label>
                    <input id=format!("edit-due-{id}") type="date" name="due_date"
                        value=shown.due_date.clone().unwrap_or_default()
                        aria-invalid=move || due_error().is_some().then_some("true")
                        aria-describedby=move || due_error().is_some().then(|| format!("edit-due-error-{id}")) />
                    {field_note(format!("edit-due-error-{id}"), due_error)}
                </div>
                <div class="field">
                    <label for=format!("edit-priority-{id}")>"Priority"</label>
                    <PrioritySelect id=format!("edit-priority-{id}")
                        selected=Priority::parse_field(shown.priority.as_deref()).unwrap_or(task.priority) />
                    {field_note(format!("edit-priority-error-{id}"), priority_error)}
                </div>
                <div class="field">
                    <label for=format!("edit-tags-{id}")>"Tags"</label>
                    <input id=format!("edit-tags-{id}") name="tags" autocomplete="off"
                        value=shown.tags.clone().unwrap_or_default()
                        aria-invalid=move || tags_error().is_some().then_some("true")
                        aria-describedby=move || tags_error().is_some().then(|| format!("edit-tags-error-{id}")) />
                    {field_note(format!("edit-tags-error-{id}"), tags_error)}
                </div>
            </div>
            <div class="edit-actions">
                <button type="submit" class="button" disabled=saving>
                    {move || if saving() { "Saving…" } else { "Save" }}
                </button>
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
    .into_any()
}

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
    fn words(&self, title: &str) -> String {
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

/// What a refused save offers besides Cancel.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Choices {
    /// Changed elsewhere: save over it, or see it.
    Conflict,
    /// The server could not be reached, or failed: the same save again.
    TryAgain,
    /// The fields say what to change, or the task is gone.
    None,
}

/// Why a save was refused, as a sentence for a person, and what the editor offers.
fn refusal_words(error: &AppError) -> (String, Choices) {
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

/// The ids that describe a field: its error, and its counter once shown.
fn described_by(
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
fn field_note(
    id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    move || message().map(|message| view! { <p class="field-error" id=id.clone()>{message}</p> })
}

/// Whether a field is close enough to its limit to show how much room is left.
fn near_limit(length: usize, limit: usize) -> bool {
    length * 4 >= limit * 3
}

/// "n of limit characters", once a field holds three quarters of what it may.
fn counter(id: String, length: ReadSignal<usize>, limit: usize) -> impl IntoView {
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
