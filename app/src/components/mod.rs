//! Small UI pieces shared by every feature.

use leptos::prelude::*;

/// A labelled input with its message beside it. `check` runs the shared validator when the
/// field is left, so the browser shows the same message the server would.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    /// The input's id, when a page has two fields of one name (`field-{name}` otherwise).
    #[prop(optional)]
    id: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    /// The value to show first (what was typed before a failed plain form post).
    #[prop(into, optional)]
    initial: Signal<Option<String>>,
    /// The server's message for this field, if any.
    #[prop(into)]
    server_error: Signal<Option<String>>,
    /// The shared validator: `Some(message)` when the value is not acceptable.
    #[prop(optional)]
    check: Option<fn(&str) -> Option<String>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let (local_error, set_local_error) = signal(None::<String>);
    // A fresh server answer replaces whatever the browser said before.
    Effect::new(move |_| {
        server_error.track();
        set_local_error.set(None);
    });
    let message = move || local_error.get().or_else(|| server_error.get());
    let id = id.map_or_else(|| format!("field-{name}"), str::to_string);
    let message_id = format!("{id}-message");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let message_id = message_id.clone();
        let hint_id = hint_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(message_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let validate = move |value: String| {
        if let Some(check) = check {
            set_local_error.set(check(&value));
        }
    };

    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                value=move || initial.get()
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described_by
                on:blur=move |ev| validate(event_target_value(&ev))
                on:input=move |ev| {
                    if local_error.get_untracked().is_some() {
                        validate(event_target_value(&ev));
                    }
                }
            />
            <p class="field-message" id=message_id.clone() role="alert" aria-live="polite">
                {message}
            </p>
        </div>
    }
}

/// A message for the whole form: what went wrong that is not about one field.
#[component]
pub fn FormMessage(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <p class="form-message" role="alert">{move || message.get()}</p>
        </Show>
    }
}

/// Text to put inside a `<textarea>`. The renderer in use leaves textarea children
/// unescaped in server-rendered HTML (they are raw text to it), so a value holding
/// `</textarea>` would end the element there and whatever follows would run as markup. On
/// the server the text is escaped here; the browser decodes it back into the same value the
/// hydrated app holds.
pub fn textarea_text(text: String) -> String {
    #[cfg(feature = "ssr")]
    {
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                c => escaped.push(c),
            }
        }
        escaped
    }
    #[cfg(not(feature = "ssr"))]
    text
}
