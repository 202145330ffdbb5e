//! The task details' repeat picker and reminder field: plain form inputs (a select, a
//! number, seven day boxes and a `datetime-local`), so they work before the wasm loads and
//! with JavaScript off; the server reads them (`tasks::repeat::RepeatForm`).

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;

use super::draft::field_note;
use crate::tasks::{
    fields::due_label,
    repeat::{day_short_name, RepeatForm, DAYS, WEEKDAYS},
};

const CHOICES: [(&str, &str); 6] = [
    ("", "Does not repeat"),
    ("DAILY", "Daily"),
    (WEEKDAYS, "Every weekday (Mon–Fri)"),
    ("WEEKLY", "Weekly"),
    ("MONTHLY", "Monthly"),
    ("YEARLY", "Yearly"),
];

/// The unit an interval counts in, for the picker's "every N …".
fn unit(freq: &str) -> &'static str {
    match freq.to_ascii_uppercase().as_str() {
        "DAILY" => "days",
        "WEEKLY" | "WEEKDAYS" => "weeks",
        "MONTHLY" => "months",
        "YEARLY" => "years",
        _ => "times",
    }
}

/// How often, every how many, and on which days (for weekly); `prefix` makes the ids unique.
#[component]
pub(super) fn RepeatPicker(
    prefix: String,
    chosen: RepeatForm,
    error: impl Fn() -> Option<String> + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let (freq, set_freq) = signal(chosen.freq.clone().unwrap_or_default());
    let error_id = format!("{prefix}-repeat-error");
    let (invalid, described) = error_attributes(&error, &error_id);
    let days = chosen.days();
    view! {
        <fieldset class="field repeat-picker" aria-describedby=described>
            <legend>"Repeats"</legend>
            <select id=format!("{prefix}-repeat") name="repeat[freq]" aria-label="How often"
                aria-invalid=invalid
                on:change=move |ev| set_freq.set(event_target_value(&ev))>
                {CHOICES.map(|(value, label)| {
                    let selected = freq.get_untracked().eq_ignore_ascii_case(value);
                    view! { <option value=value selected=selected>{label}</option> }
                })}
            </select>
            <label class="repeat-every" class:muted=move || freq.get().is_empty()>
                "every "
                <input type="number" name="repeat[every]" min="1" max="365" inputmode="numeric"
                    value=chosen.every.clone().unwrap_or_else(|| "1".into())
                    aria-label=move || format!("Every how many {}", unit(&freq.get())) />
                <span aria-hidden="true">{move || format!(" {}", unit(&freq.get()))}</span>
            </label>
            <span class="repeat-days" role="group" aria-label="On these days, when weekly"
                class:muted=move || !freq.get().eq_ignore_ascii_case("WEEKLY")>
                {DAYS.iter().zip(days).map(|((code, day), (_, on))| view! {
                    <label class="day">
                        <input type="checkbox" name=format!("repeat[{}]", code.to_lowercase())
                            value="on" checked=on />
                        {day_short_name(*day)}
                    </label>
                }).collect_view()}
            </span>
            {field_note(error_id, error)}
        </fieldset>
    }
}

/// The reminder's date and time, in the user's time zone.
#[component]
pub(super) fn ReminderField(
    id: String,
    value: Option<String>,
    error: impl Fn() -> Option<String> + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let (invalid, described) = error_attributes(&error, &error_id);
    view! {
        <div class="field">
            <label for=id.clone()>"Reminder"</label>
            <input id=id type="datetime-local" name="remind_at" step="60"
                value=value.unwrap_or_default() aria-invalid=invalid aria-describedby=described />
            {field_note(error_id, error)}
        </div>
    }
}

/// A field's `aria-invalid` and `aria-describedby` while `error` has something to say (said
/// in the note `error_id`).
fn error_attributes(
    error: &(impl Fn() -> Option<String> + Send + Sync + Clone + 'static),
    error_id: &str,
) -> (
    impl Fn() -> Option<&'static str> + Send + Sync + 'static,
    impl Fn() -> Option<String> + Send + Sync + 'static,
) {
    let (error, again, id) = (error.clone(), error.clone(), error_id.to_string());
    (
        move || error().is_some().then_some("true"),
        move || again().is_some().then(|| id.clone()),
    )
}

/// A reminder as a row shows it: "Today 09:00", "Tomorrow 18:30", "Dec 24 08:00".
pub(super) fn reminder_label(at: NaiveDateTime, today: NaiveDate) -> String {
    format!(
        "{} {}",
        due_label(at.date(), today).text,
        at.format("%H:%M")
    )
}
