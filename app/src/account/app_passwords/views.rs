//! The account page's app passwords section: how to add the account to a calendar app, the
//! passwords made for them (with when each was last used), revoking one, and making one
//! (shown once). Every control is a real form that works without JavaScript; with it, the
//! section answers in place.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    api::{list_app_passwords, AddAppPassword, DeleteAppPassword},
    AppPasswordOnPage, AppPasswordsOnPage, NewAppPassword, PER_ACCOUNT,
};
use crate::{
    components::{Field, FormMessage},
    error::AppError,
    forms::FormState,
};

/// The section's actions and what they change; made outside every `<Suspense>` (see
/// `AccountPage`).
#[derive(Clone, Copy)]
pub struct AppPasswordsData {
    add: ServerAction<AddAppPassword>,
    delete: ServerAction<DeleteAppPassword>,
    list: Resource<Result<AppPasswordsOnPage, AppError>>,
}

impl AppPasswordsData {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let add = ServerAction::<AddAppPassword>::new();
        let delete = ServerAction::<DeleteAppPassword>::new();
        let list = Resource::new(
            move || (add.version().get(), delete.version().get()),
            |_| list_app_passwords(),
        );
        Self { add, delete, list }
    }
}

/// What the section says after a change: fixed sentences only, so a link cannot put words
/// on the page.
fn notice_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "app-password-added" => {
            "The app password was made. Enter it in your calendar app now: it is not shown again."
        }
        "app-password-deleted" => {
            "The app password was revoked: the app that used it can no longer sign in."
        }
        _ => return None,
    })
}

#[component]
pub fn AppPasswordsSection(data: AppPasswordsData) -> impl IntoView {
    let AppPasswordsData { add, delete, list } = data;
    let query = use_query_map();
    let (done_here, set_done_here) = signal(None::<&'static str>);
    let (new_here, set_new_here) = signal(None::<NewAppPassword>);
    Effect::new(move |_| {
        if let Some(Ok(new)) = add.value().get() {
            set_done_here.set(Some("app-password-added"));
            set_new_here.set(Some(new));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            set_done_here.set(Some("app-password-deleted"));
            set_new_here.set(None);
        }
    });
    let notice = Signal::derive(move || {
        let done = done_here
            .get()
            .map(str::to_string)
            .or_else(|| query.with(|q| q.get("done")));
        done.and_then(|d| notice_for(&d))
    });
    let delete_error = FormState::of(delete).message();
    view! {
        <section class="card" id="app-passwords" aria-labelledby="app-passwords-title">
            <h2 id="app-passwords-title">"Calendar apps"</h2>
            <p>
                "Your tasks can sync with the task app of your phone or computer (Apple Reminders, "
                "Thunderbird, Evolution, or Tasks.org and jtx Board through DAVx⁵) over CalDAV. "
                "Each list is a calendar there. Make an app password for each app: it never needs "
                "your account password, and you can revoke it on its own."
            </p>
            <Show when=move || notice.get().is_some()>
                <p class="notice" role="status">{move || notice.get()}</p>
            </Show>
            <FormMessage message=delete_error />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => {
                            let new = new_here.get_untracked().or(page.new_password.clone());
                            view! {
                                <dl class="caldav-setup">
                                    <dt>"Server address"</dt>
                                    <dd><code>{page.server_url.clone()}</code></dd>
                                    <dt>"User name"</dt>
                                    <dd><code>{page.email.clone()}</code></dd>
                                    <dt>"Password"</dt>
                                    <dd>"An app password from below"</dd>
                                </dl>
                                {new.map(|new| view! { <PasswordOnce new=new /> })}
                                <PasswordList list=page.passwords delete=delete />
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <p class="form-message" role="alert">{e.to_string()}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
            <AddPasswordForm add=add />
        </section>
    }
}

/// A new app password, shown this once.
#[component]
fn PasswordOnce(new: NewAppPassword) -> impl IntoView {
    view! {
        <div class="secret-once" role="status">
            <p>"The app password “" {new.name} "”, shown this once:"</p>
            <p>
                <input
                    type="text"
                    class="secret"
                    readonly=true
                    value=new.password
                    aria-label="New app password"
                />
            </p>
        </div>
    }
}

#[component]
fn PasswordList(
    list: Vec<AppPasswordOnPage>,
    delete: ServerAction<DeleteAppPassword>,
) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="muted empty">"No app passwords yet: make one below for each calendar app."</p>
        }
        .into_any();
    }
    view! {
        <ul class="app-passwords">
            {list
                .into_iter()
                .map(|password| {
                    let used = password
                        .last_used
                        .map_or_else(|| "never used".to_string(), |at| format!("last used {at}"));
                    let aria = format!("Revoke the app password {}", password.name);
                    view! {
                        <li class="app-password">
                            <div>
                                <strong class="app-password-name">{password.name}</strong>
                                <p class="muted">{format!("Made {}, {used}", password.created)}</p>
                            </div>
                            <ActionForm action=delete attr:class="inline-form">
                                <input type="hidden" name="id" value=password.id.to_string() />
                                <button type="submit" class="button danger" aria-label=aria>
                                    "Revoke"
                                </button>
                            </ActionForm>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AddPasswordForm(add: ServerAction<AddAppPassword>) -> impl IntoView {
    let form = FormState::of(add);
    let pending = form.pending;
    view! {
        <ActionForm action=add attr:novalidate=true attr:aria-labelledby="add-app-password-title">
            <h3 id="add-app-password-title">"Make an app password"</h3>
            <FormMessage message=form.message() />
            <Field
                label="For which app or device"
                name="name"
                id="field-app-password-name"
                hint=format!("For example “Phone” or “Thunderbird at work”. At most {PER_ACCOUNT}.")
                initial=form.kept("name")
                server_error=form.field("name")
                required=true
            />
            <button type="submit" class="button" disabled=move || pending.get()>
                "Make app password"
            </button>
        </ActionForm>
    }
}
