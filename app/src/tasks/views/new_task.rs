//! The form that adds a task, with its quick-add preview and the details it opens.

use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;

use super::feedback::{Feedback, ADD_FIELD};
use crate::{
    auth::views::SessionEnded,
    components::{textarea_text, FormMessage},
    forms::{form_message, unless_session_ended, AfterFailedForm, FormState},
    tasks::{
        api::AddTask,
        fields::{due_label, MAX_TAGS},
        quick_add::QuickAdd,
        Priority, TaskTitle, DESCRIPTION_MAX_CHARS,
    },
};

/// The chips under the add box: what the quick-add line will set besides the title.
#[component]
pub(super) fn QuickAddPreview(parsed: QuickAdd, today: NaiveDate) -> impl IntoView {
    view! {
        <ul class="chips preview" aria-label="Will be added with">
            {parsed.priority.map(|p| view! {
                <li class=format!("chip priority-{}", p.as_str())>{p.label()}</li>
            })}
            {parsed.due_date.map(|due| view! {
                <li class="chip due">{format!("Due {}", due_label(due, today).text)}</li>
            })}
            {parsed.repeat.map(|repeat| view! {
                <li class="chip repeat">{format!("↻ {}", repeat.describe())}</li>
            })}
            {parsed.remind.map(|time| view! {
                <li class="chip reminder">{format!("Reminder {}", time.format("%H:%M"))}</li>
            })}
            {parsed.tags.into_iter().map(|tag| view! { <li class="chip tag">{format!("#{tag}")}</li> }).collect_view()}
        </ul>
    }
}

#[component]
pub(super) fn NewTaskForm(
    add: ServerAction<AddTask>,
    today: Signal<Option<NaiveDate>>,
    feedback: Feedback,
    /// Whether the title field takes focus when the page loads.
    autofocus: bool,
    /// The list shown, which a new task goes into (none: the Inbox).
    list: Signal<Option<uuid::Uuid>>,
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
            {move || list.get().map(|id| view! { <input type="hidden" name="list_id" value=id.to_string() /> })}
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
                    placeholder="Add a task: #tag !high ^friday +list"
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
                    "Or type them in the title: #tag, !low, !medium or !high, ^today, ^tomorrow, ^friday or ^2026-12-24, +list to file it in another list, *weekly or *every 2 days to repeat it, and @09:00 for a reminder."
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
