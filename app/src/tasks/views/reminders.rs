//! Reminders on the task page: a `task.reminder` event from the page's stream shows as a
//! browser notification when the user has allowed them (asked from a control, never on
//! load), and as the page's own notice otherwise.

use leptos::prelude::*;

use super::feedback::Feedback;
#[cfg(feature = "hydrate")]
use super::feedback::Notice;

/// What the browser says of notifications: `None` before the page is hydrated or where it
/// has none; else `default` (not asked yet), `granted` or `denied`.
#[cfg(feature = "hydrate")]
fn permission() -> Option<&'static str> {
    use leptos::wasm_bindgen::JsValue;
    let window = web_sys::window()?;
    let has = js_sys::Reflect::has(&window, &JsValue::from_str("Notification")).ok()?;
    if !has {
        return None;
    }
    Some(match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    })
}

/// A reminder came for the task titled `title`.
#[cfg(feature = "hydrate")]
pub(super) fn remind(feedback: Feedback, title: &str) {
    if permission() == Some("granted") {
        let options = web_sys::NotificationOptions::new();
        options.set_body(title);
        if web_sys::Notification::new_with_options("Reminder", &options).is_ok() {
            return;
        }
    }
    feedback.say(Notice::text(format!("Reminder: “{title}”.")));
}

/// "Show reminders as notifications": asks the browser's permission when clicked, and says
/// how reminders will show once it is answered. Nothing before hydration, nor where the
/// browser has no notifications.
#[component]
pub(super) fn NotificationsControl(feedback: Feedback) -> impl IntoView {
    let state = RwSignal::new(None::<&'static str>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| state.set(permission()));
    let _ = feedback;
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::{closure::Closure, JsValue};
            let Ok(asked) = web_sys::Notification::request_permission() else {
                return;
            };
            let answered = Closure::once(move |_: JsValue| {
                state.try_set(permission());
                if permission() == Some("granted") {
                    feedback.say(Notice::text("Reminders will show as notifications."));
                }
            });
            let _ = asked.then(&answered);
            answered.forget();
        }
    };
    move || {
        match state.get() {
        Some("default") => Some(
            view! {
                <button type="button" class="link-button notifications" on:click=ask>
                    "Show reminders as notifications"
                </button>
            }
            .into_any(),
        ),
        Some("denied") => Some(
            view! {
                <p class="hint notifications">"Reminders show on this page (notifications are blocked for this site)."</p>
            }
            .into_any(),
        ),
        _ => None,
    }
    }
}
