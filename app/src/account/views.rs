//! The account page (`/account`) and its confirmation step for deleting (`/account/delete`):
//! profile, e-mail, password, the signed-in browsers, signing out everywhere, export and
//! import. Every control is a real form that works without JavaScript; the server functions
//! are in [`super::api`], the signed-in browsers and the export in [`super::sections`].

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::{
    api::{ChangeEmail, ChangePassword, UpdateProfile},
    app_passwords::views::{AppPasswordsData, AppPasswordsSection},
    sections::{SessionsData, SessionsSection, TransferSection},
};
use crate::{
    auth::{
        views::{use_auth, RequireUser},
        User, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
    },
    components::{Field, FormMessage},
    forms::{AfterFailedForm, FormState},
    webhooks::views::{WebhooksData, WebhooksSection},
};

/// What the page says after a plain form post came back (`?done=...`, or an import's
/// `?imported=N`): fixed sentences only, so a link cannot put words on the page.
fn notice_for(done: &str, imported: Option<&str>) -> Option<String> {
    if let Some(count) = imported.and_then(|n| n.parse::<u64>().ok()) {
        // An import adds: the same file imported twice makes every task twice.
        return Some(match count {
            1 => "Imported 1 task. It was added to your tasks: importing the same file again \
                  would add it again."
                .to_string(),
            n => format!(
                "Imported {n} tasks. They were added to your tasks: importing the same file \
                 again would add them again."
            ),
        });
    }
    let text = match done {
        "profile" => "Your profile was saved.",
        "email" => "Your email address was changed.",
        "password" => "Your password was changed; every other browser and token was signed out.",
        "session" => "That browser was signed out.",
        _ => return None,
    };
    Some(text.to_string())
}

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    // Created here, outside every `<Suspense>`, so the server and the browser create it in
    // the same order (a resource made inside a suspended view would not hydrate).
    let sessions = SessionsData::new();
    let webhooks = WebhooksData::new();
    let app_passwords = AppPasswordsData::new();
    view! {
        <Title text="Your account" />
        <RequireUser allow_reset=true>
            {move || {
                auth.user
                    .get()
                    .and_then(|u| u.ok().flatten())
                    .map(|user| {
                        view! {
                            <AccountSections
                                user=user
                                sessions=sessions
                                webhooks=webhooks
                                app_passwords=app_passwords
                            />
                        }
                    })
            }}
        </RequireUser>
    }
}

#[component]
fn AccountSections(
    user: User,
    sessions: SessionsData,
    webhooks: WebhooksData,
    app_passwords: AppPasswordsData,
) -> impl IntoView {
    let query = use_query_map();
    let notice = Signal::derive(move || {
        query.with(|q| {
            notice_for(
                &q.get("done").unwrap_or_default(),
                q.get("imported").as_deref(),
            )
        })
    });
    let must_change = user.must_change_password;
    view! {
        <div class="account">
            <h1>"Your account"</h1>
            <Show when=move || notice.get().is_some()>
                <p class="notice" role="status">{move || notice.get()}</p>
            </Show>
            <AfterFailedForm>
                {if must_change {
                    view! {
                        <section class="card" aria-labelledby="password-title">
                            <p class="form-message" role="alert">
                                "An administrator reset your password. Choose a new one to continue: "
                                "enter the one-time password you were given as the current password."
                            </p>
                            <PasswordForm />
                        </section>
                    }
                        .into_any()
                } else {
                    view! {
                        <ProfileForm user=user.clone() />
                        <EmailForm user=user.clone() />
                        <section class="card" aria-labelledby="password-title">
                            <PasswordForm />
                        </section>
                        <SessionsSection data=sessions />
                        <TransferSection />
                        <AppPasswordsSection data=app_passwords />
                        <WebhooksSection data=webhooks />
                        <section class="card danger" aria-labelledby="delete-title">
                            <h2 id="delete-title">"Delete your account"</h2>
                            <p>
                                "Your account, every task and every signed-in browser are removed for good. "
                                "Export your tasks first if you want to keep them."
                            </p>
                            <A href="/account/delete" attr:class="button danger">
                                "Delete account…"
                            </A>
                        </section>
                    }
                        .into_any()
                }}
            </AfterFailedForm>
        </div>
    }
}

#[component]
fn ProfileForm(user: User) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    reload_after(action, "profile");
    let form = FormState::of(action);
    let pending = form.pending;
    let (kept_name, kept_zone) = (form.kept("name"), form.kept("time_zone"));
    let name = Signal::derive({
        let name = user.name.clone();
        move || kept_name.get().or_else(|| Some(name.clone()))
    });
    let zone = Signal::derive({
        let zone = user.time_zone.clone();
        move || kept_zone.get().or_else(|| Some(zone.clone()))
    });
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            <dl class="facts">
                <dt>"Member since"</dt>
                <dd>{user.created_at.format("%B %-d, %Y").to_string()}</dd>
            </dl>
            <ActionForm action=action attr:novalidate=true attr:aria-labelledby="profile-title">
                <FormMessage message=form.message() />
                <Field
                    label="Name"
                    name="name"
                    autocomplete="name"
                    required=true
                    initial=name
                    server_error=form.field("name")
                />
                <Field
                    label="Time zone"
                    name="time_zone"
                    hint="An IANA name such as Europe/Paris or America/New_York: “today” and “overdue” follow it."
                    required=true
                    initial=zone
                    server_error=form.field("time_zone")
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save profile" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Once `action` (a change to the user themselves) succeeded, loads the account page afresh
/// with what was done: the name in the nav, the forms and the list of sessions all change
/// with it, and the page says so as it does without JavaScript.
fn reload_after<A>(action: ServerAction<A>, done: &'static str)
where
    A: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
    A::Error: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            let _ = window()
                .location()
                .assign(&format!("{}?done={done}", crate::auth::ACCOUNT_PAGE));
        }
    });
}

#[component]
fn EmailForm(user: User) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    reload_after(action, "email");
    let form = FormState::of(action);
    let pending = form.pending;
    let shown = Signal::derive({
        let email = user.email.clone();
        move || match action.value().get() {
            Some(Ok(user)) => user.email,
            _ => email.clone(),
        }
    });
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"Email address"</h2>
            <p>"You sign in with " <strong>{shown}</strong> "."</p>
            <ActionForm action=action attr:novalidate=true attr:aria-labelledby="email-title">
                <FormMessage message=form.message() />
                <Field
                    label="New email address"
                    name="email"
                    input_type="email"
                    autocomplete="email"
                    required=true
                    initial=form.kept("email")
                    server_error=form.field("email")
                />
                <Field
                    label="Current password"
                    name="current_password"
                    id="email-current-password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    server_error=form.field("current_password")
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Changing…" } else { "Change email" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let form = FormState::of(action);
    let pending = form.pending;
    // After an operator's reset, the page turns into the full account page once changed.
    reload_after(action, "password");
    view! {
        <h2 id="password-title">"Password"</h2>
        <ActionForm action=action attr:novalidate=true attr:aria-labelledby="password-title">
            <FormMessage message=form.message() />
            <Field
                label="Current password"
                name="current_password"
                input_type="password"
                autocomplete="current-password"
                required=true
                server_error=form.field("current_password")
            />
            <Field
                label="New password"
                name="new_password"
                input_type="password"
                autocomplete="new-password"
                hint=format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. Every other browser and token is signed out.")
                required=true
                server_error=form.field("new_password")
            />
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Changing…" } else { "Change password" }}
            </button>
        </ActionForm>
    }
}
