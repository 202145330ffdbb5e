//! A task's inline editor: a plain form with Save and Cancel without JavaScript, which
//! keeps what was typed and says why when a save is refused.

use leptos::{ev, html, prelude::*, server_fn::ServerFn as _, wasm_bindgen::JsCast as _};

use super::{
    draft::{counter, described_by, field_note, refusal_panel, Draft, Edited},
    feedback::{after_leaving, edit_id},
    new_task::PrioritySelect,
    repeat_picker::{ReminderField, RepeatPicker},
    Actions,
};
use crate::components::textarea_text;
use crate::forms::use_failed_forms;
use crate::tasks::{
    api::{DeleteTask, EditTask},
    fields::Priority,
    Task, DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS,
};

/// Inline edit: Enter or leaving the form saves, Escape cancels, an emptied title offers to
/// delete. The editor closes once the save is stored; a refused save keeps it open with the
/// text and the reason (beside the field it is about). Without JavaScript it is a plain form
/// with Save and a Cancel link.
#[component]
pub(super) fn EditForm(
    task: Task,
    actions: Actions,
    back_href: String,
    set_editing: WriteSignal<bool>,
    /// Whether a failed plain post of this editor may have come back (it was opened by the
    /// page's address, inside `AfterFailedForm`).
    kept: bool,
    /// The task's reminder in the user's time zone.
    reminder: Option<chrono::NaiveDateTime>,
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
    let original = Edited::of(&task, reminder);
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
        Some(Edited::read(|name| data.get(name).as_string()))
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
                repeat: edited.repeat,
                remind_at: edited.remind_at,
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
    let (repeat_error, remind_error) = (field_error("repeat"), field_error("remind_at"));
    let current_title = task.title.clone();
    let problem = move || {
        refusal().map(|error| {
            let over = send.clone();
            let discard = close.clone();
            refusal_panel(
                &error,
                current_title.clone(),
                move || {
                    if let Some(edited) = read() {
                        over(edited, true);
                    }
                },
                move || {
                    actions.live.reloads.try_update(|n| *n += 1);
                    discard(true);
                },
                save.clone(),
            )
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
            <div class="field-row">
                <RepeatPicker prefix=format!("edit-{id}") chosen=shown.repeat.clone() error=repeat_error />
                <ReminderField id=format!("edit-remind-{id}") value=shown.remind_at.clone() error=remind_error />
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
