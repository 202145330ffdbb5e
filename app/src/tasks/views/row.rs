//! One task in the list: its checkbox, text and actions, and the inline editor it opens
//! into (a plain form with Save and Cancel without JavaScript).

use leptos::{ev, html, prelude::*, server_fn::ServerFn as _, wasm_bindgen::JsCast as _};

use super::Actions;
use crate::components::textarea_text;
use crate::tasks::{
    api::{DeleteTask, EditTask},
    Task,
};

#[component]
pub(super) fn TaskRow(
    task: Task,
    actions: Actions,
    /// Edit mode asked for by the URL (the way in without JavaScript).
    edit_in_url: bool,
    edit_href: String,
    back_href: String,
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
                    ));
                    move || {
                        let (task, title, edit_href, back_href) = shown.get_value();
                        let title_for_toggle = title.clone();
                        view! {
                            <ActionForm action=actions.toggle attr:class="toggle">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="completed" value=move || (!completed.get()).to_string() />
                                <button
                                    type="submit"
                                    role="checkbox"
                                    class="check"
                                    aria-checked=move || completed.get().to_string()
                                    aria-label=format!("Done: {title_for_toggle}")
                                ></button>
                            </ActionForm>
                            <div class="task-text" on:dblclick=move |_| set_editing.set(true)>
                                <span class="title">{task.title.clone()}</span>
                                {task.description.clone().map(|d| view! { <p class="description">{d}</p> })}
                            </div>
                            <a
                                class="link-button"
                                href=edit_href
                                aria-label=format!("Edit: {}", title)
                                on:click=move |ev: ev::MouseEvent| {
                                    ev.prevent_default();
                                    set_editing.set(true);
                                }
                            >
                                "Edit"
                            </a>
                            <ActionForm action=actions.remove attr:class="inline-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="next" value=back_href.clone() />
                                <button type="submit" class="link-button danger" aria-label=format!("Delete: {}", title)>
                                    "Delete"
                                </button>
                            </ActionForm>
                        }
                    }
                }
            >
                <EditForm task=task.clone() actions back_href=back_href.clone() set_editing />
            </Show>
        </li>
    }
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
    let form = NodeRef::<html::Form>::new();
    let title_input = NodeRef::<html::Input>::new();
    let (confirm_delete, set_confirm_delete) = signal(false);
    let original_title = task.title.clone();
    let original_description = task.description.clone().unwrap_or_default();

    let read = move || {
        let form = form.get()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let title = data.get("title").as_string().unwrap_or_default();
        let description = data
            .get("description")
            .as_string()
            .filter(|d| !d.trim().is_empty());
        Some((title, description))
    };
    let save = {
        let original_title = original_title.clone();
        let original_description = original_description.clone();
        move || {
            let Some((title, description)) = read() else {
                return;
            };
            if title.trim().is_empty() {
                set_confirm_delete.set(true);
                return;
            }
            let unchanged = title.trim() == original_title
                && description.as_deref().unwrap_or_default().trim() == original_description;
            if !unchanged {
                actions.edit.dispatch(EditTask {
                    id,
                    title,
                    description,
                    next: None,
                });
            }
            set_editing.set(false);
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
        move |ev: ev::FocusEvent| {
            // Only when focus leaves the whole form, not when it moves between its fields.
            let leaving = match (ev.related_target(), form.get()) {
                (Some(next), Some(form)) => !form.contains(next.dyn_ref::<web_sys::Node>()),
                _ => true,
            };
            if leaving && !confirm_delete.get_untracked() {
                save();
            }
        }
    };
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
                    set_editing.set(false);
                }
            }
        >
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="next" value=back_href.clone() />
            <label class="visually-hidden" for=format!("edit-title-{id}")>"Title"</label>
            <input
                id=format!("edit-title-{id}")
                name="title"
                value=task.title.clone()
                node_ref=title_input
                autocomplete="off"
            />
            <label class="visually-hidden" for=format!("edit-description-{id}")>"Details"</label>
            <textarea id=format!("edit-description-{id}") name="description" rows="2">
                {textarea_text(task.description.clone().unwrap_or_default())}
            </textarea>
            <div class="edit-actions">
                <button type="submit" class="button">"Save"</button>
                <a href=back_href class="link-button" on:click=move |ev: ev::MouseEvent| {
                    ev.prevent_default();
                    set_editing.set(false);
                }>"Cancel"</a>
            </div>
            <Show when=move || confirm_delete.get()>
                <div class="confirm" role="alertdialog" aria-label="Delete this task?">
                    <p>"The title is empty. Delete this task?"</p>
                    <button type="button" class="button danger" on:click=move |_| {
                        actions.remove.dispatch(DeleteTask { id, next: None });
                        set_editing.set(false);
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
