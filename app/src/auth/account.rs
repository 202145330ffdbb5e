//! The account page (`/account`) and its confirmation step for deleting (`/account/delete`):
//! profile, e-mail, password, the signed-in browsers, signing out everywhere, export and
//! import. Every control is a real form that works without JavaScript; the server functions
//! here are thin adapters over `auth::manage`.

use leptos::{prelude::*, server_fn::ServerFn as _};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use uuid::Uuid;

use super::{
    views::{use_auth, RequireUser},
    ActiveSession, User, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::{
    components::{Field, FormMessage},
    error::AppError,
    forms::{form_error, form_message, kept_value, use_failed_forms, AfterFailedForm},
};

/// The page's own path, where its forms return.
#[cfg(feature = "ssr")]
const PAGE: &str = super::ACCOUNT_PAGE;

/// Runs a server function's body for the signed-in caller with the shared state. `strict`:
/// refuse (403) a caller who must first change a password an operator reset.
#[cfg(feature = "ssr")]
async fn as_account<T, F>(
    strict: bool,
    body: impl FnOnce(crate::state::AppState, super::extract::AuthUser) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    use super::extract::{in_server_fn, AuthUser, SignedIn};
    crate::error::respond(async {
        let state = crate::state::AppState::from_context()?;
        let auth = match strict {
            true => in_server_fn::<AuthUser, _>(&state).await?,
            false => in_server_fn::<SignedIn, _>(&state).await?.0,
        };
        body(state, auth).await
    })
    .await
}

/// On the page, a wrong current password is that field's error (a 401 there would read as
/// "your session has ended").
#[cfg(feature = "ssr")]
fn as_field(field: &'static str) -> impl Fn(AppError) -> AppError {
    move |error| match error {
        AppError::Unauthorized(msg) if msg == super::manage::WRONG_CURRENT_PASSWORD => {
            super::manage::wrong_current_password_on(field)
        }
        other => other,
    }
}

/// After a change that succeeded, back to the account page, which says what was done (the
/// hydrated app follows the redirect too, so both say it the same way).
#[cfg(feature = "ssr")]
fn back_to_page(notice: &str) {
    leptos_axum::redirect(&format!("{PAGE}?done={notice}"));
}

/// After a change to the user themselves: a plain form post is sent back to the page; the
/// hydrated app loads the page afresh instead (see `reload_after`).
#[cfg(feature = "ssr")]
fn back_to_page_unless_hydrated(notice: &str) {
    if crate::error::is_plain_form_post() {
        back_to_page(notice);
    }
}

#[server(prefix = "/rpc", endpoint = "account/profile")]
pub async fn update_profile(name: String, time_zone: String) -> Result<User, AppError> {
    as_account(true, |state, auth| async move {
        let change = super::ProfileChange::parse(Some(&name), Some(&time_zone))?;
        let user = super::manage::update_profile(&state.db, &auth.user, &change).await?;
        back_to_page_unless_hydrated("profile");
        Ok(user)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/email")]
pub async fn change_email(current_password: String, email: String) -> Result<User, AppError> {
    as_account(true, |state, auth| async move {
        let current = super::current_password(&current_password);
        let new = super::Email::parse(&email);
        let (current, new) = match (current, new) {
            (Ok(c), Ok(n)) => (c, n),
            (c, n) => {
                return Err(AppError::validation(
                    [c.err(), n.err()].into_iter().flatten().collect(),
                ))
            }
        };
        let client = super::api::client_address().await?;
        let user =
            super::manage::change_email(state.asker(client), &auth.user, &current, &new)
                .await
                .map_err(as_field("current_password"))
                .map_err(|e| match e {
                    AppError::Conflict(msg) => AppError::invalid_field(
                        crate::error::FieldError::body("email", "value_error.taken", msg),
                    ),
                    other => other,
                })?;
        back_to_page_unless_hydrated("email");
        Ok(user)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    as_account(false, |state, auth| async move {
        let change = super::PasswordChange::parse(&current_password, &new_password)?;
        let client = super::api::client_address().await?;
        super::manage::change_password(state.asker(client), &auth.user, &change, &auth.keep())
            .await
            .map_err(as_field("current_password"))?;
        back_to_page_unless_hydrated("password");
        Ok(())
    })
    .await
}

/// Ends every session and token of the caller, this browser's too: back to the login page.
#[server(prefix = "/rpc", endpoint = "account/logout-all")]
pub async fn logout_all() -> Result<(), AppError> {
    as_account(false, |state, auth| async move {
        super::manage::end_everything(&state.db, auth.id(), &Default::default()).await?;
        super::api::session()?.log_out(&state.db).await?;
        leptos_axum::redirect(super::views::SIGNED_OUT_EVERYWHERE);
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/sessions")]
pub async fn list_sessions() -> Result<Vec<ActiveSession>, AppError> {
    as_account(false, |state, auth| async move {
        let current = auth.keep().session_id;
        let zone = auth.user.time_zone.clone();
        super::manage::list_sessions(&state.db, auth.id(), current.as_deref(), &zone).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end")]
pub async fn end_session(handle: Uuid) -> Result<(), AppError> {
    as_account(false, |state, auth| async move {
        super::manage::end_session(&state.db, auth.id(), handle).await?;
        back_to_page("session");
        Ok(())
    })
    .await
}

/// Deletes the account for good (the password, and the confirmation box ticked).
#[server(prefix = "/rpc", endpoint = "account/delete")]
pub async fn delete_account(password: String, confirm: Option<String>) -> Result<(), AppError> {
    as_account(true, |state, auth| async move {
        let password = super::current_password(&password).map_err(|e| e.renamed("password"));
        let confirmed = match confirm.as_deref() {
            Some("yes") => Ok(()),
            _ => Err(crate::error::FieldError::body(
                "confirm",
                "value_error.unconfirmed",
                "Tick the box to confirm that everything should be deleted.",
            )),
        };
        let password = match (password, confirmed) {
            (Ok(password), Ok(())) => password,
            (p, c) => {
                return Err(AppError::validation(
                    [p.err(), c.err()].into_iter().flatten().collect(),
                ))
            }
        };
        let client = super::api::client_address().await?;
        super::manage::delete_account(state.asker(client), &auth.user, &password)
            .await
            .map_err(as_field("password"))?;
        super::api::session()?.log_out(&state.db).await?;
        leptos_axum::redirect("/?deleted=1");
        Ok(())
    })
    .await
}

fn field_message(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
}

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
    view! {
        <Title text="Your account" />
        <RequireUser allow_reset=true>
            {move || {
                auth.user
                    .get()
                    .and_then(|u| u.ok().flatten())
                    .map(|user| view! { <AccountSections user=user sessions=sessions /> })
            }}
        </RequireUser>
    }
}

/// The signed-in browsers and the two actions that end them.
#[derive(Clone, Copy)]
struct SessionsData {
    end: ServerAction<EndSession>,
    logout_all: ServerAction<LogoutAll>,
    list: Resource<Result<Vec<ActiveSession>, AppError>>,
}

impl SessionsData {
    fn new() -> Self {
        let end = ServerAction::<EndSession>::new();
        let list = Resource::new(move || end.version().get(), |_| list_sessions());
        Self {
            end,
            logout_all: ServerAction::<LogoutAll>::new(),
            list,
        }
    }
}

#[component]
fn AccountSections(user: User, sessions: SessionsData) -> impl IntoView {
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
    let failed = use_failed_forms().of(UpdateProfile::PATH);
    let error = form_error(action.value(), failed);
    let pending = action.pending();
    let (kept_name, kept_zone) = (kept_value(failed, "name"), kept_value(failed, "time_zone"));
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
                <FormMessage message=form_message(error) />
                <Field
                    label="Name"
                    name="name"
                    autocomplete="name"
                    required=true
                    initial=name
                    server_error=field_message(error, "name")
                />
                <Field
                    label="Time zone"
                    name="time_zone"
                    hint="An IANA name such as Europe/Paris or America/New_York: “today” and “overdue” follow it."
                    required=true
                    initial=zone
                    server_error=field_message(error, "time_zone")
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
                .assign(&format!("{}?done={done}", super::ACCOUNT_PAGE));
        }
    });
}

#[component]
fn EmailForm(user: User) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    reload_after(action, "email");
    let failed = use_failed_forms().of(ChangeEmail::PATH);
    let error = form_error(action.value(), failed);
    let pending = action.pending();
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
                <FormMessage message=form_message(error) />
                <Field
                    label="New email address"
                    name="email"
                    input_type="email"
                    autocomplete="email"
                    required=true
                    initial=kept_value(failed, "email")
                    server_error=field_message(error, "email")
                />
                <Field
                    label="Current password"
                    name="current_password"
                    id="email-current-password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    server_error=field_message(error, "current_password")
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
    let failed = use_failed_forms().of(ChangePassword::PATH);
    let error = form_error(action.value(), failed);
    let pending = action.pending();
    // After an operator's reset, the page turns into the full account page once changed.
    reload_after(action, "password");
    view! {
        <h2 id="password-title">"Password"</h2>
        <ActionForm action=action attr:novalidate=true attr:aria-labelledby="password-title">
            <FormMessage message=form_message(error) />
            <Field
                label="Current password"
                name="current_password"
                input_type="password"
                autocomplete="current-password"
                required=true
                server_error=field_message(error, "current_password")
            />
            <Field
                label="New password"
                name="new_password"
                input_type="password"
                autocomplete="new-password"
                hint=format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. Every other browser and token is signed out.")
                required=true
                server_error=field_message(error, "new_password")
            />
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Changing…" } else { "Change password" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn SessionsSection(data: SessionsData) -> impl IntoView {
    let SessionsData {
        end,
        logout_all,
        list: sessions,
    } = data;
    let failed = use_failed_forms().of(EndSession::PATH);
    let error = form_error(end.value(), failed);
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Signed-in browsers"</h2>
            <FormMessage message=form_message(error) />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionList list=list end=end /> }.into_any(),
                        Err(e) => {
                            view! { <p class="form-message" role="alert">{e.to_string()}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
            <ActionForm action=logout_all>
                <button type="submit" class="button secondary">"Sign out everywhere"</button>
            </ActionForm>
            <p class="hint">
                "Ends every signed-in browser, this one included, and every API token."
            </p>
        </section>
    }
}

#[component]
fn SessionList(list: Vec<ActiveSession>, end: ServerAction<EndSession>) -> impl IntoView {
    view! {
        <ul class="sessions">
            {list
                .into_iter()
                .map(|session| {
                    let label = format!("Sign out {}", session.device);
                    view! {
                        <li>
                            <span class="device">{session.device.clone()}</span>
                            {session.current.then(|| view! { <span class="badge">"This browser"</span> })}
                            <span class="muted">
                                "Signed in " {session.signed_in.clone()} " · last seen "
                                {session.last_seen.clone()}
                            </span>
                            {(!session.current)
                                .then(|| {
                                    view! {
                                        <ActionForm action=end attr:class="inline-form">
                                            <input
                                                type="hidden"
                                                name="handle"
                                                value=session.handle.to_string()
                                            />
                                            <button
                                                type="submit"
                                                class="link-button"
                                                aria-label=label.clone()
                                            >
                                                "Sign out"
                                            </button>
                                        </ActionForm>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The import form posts a file (multipart) to this plain route, which answers with a
/// redirect back to the page.
pub const IMPORT_PATH: &str = "/account/import";
/// The export download.
pub const EXPORT_PATH: &str = "/account/export";

#[component]
fn TransferSection() -> impl IntoView {
    let failed = use_failed_forms().of(IMPORT_PATH);
    let error = form_error(Signal::derive(|| None::<Result<(), AppError>>), failed);
    view! {
        <section class="card" aria-labelledby="transfer-title">
            <h2 id="transfer-title">"Export and import"</h2>
            <p>
                "Download every task as a JSON file, to keep or to import on another server."
            </p>
            <p>
                <a href=EXPORT_PATH class="button secondary" download="">
                    "Download export"
                </a>
            </p>
            <form
                method="post"
                action=IMPORT_PATH
                enctype="multipart/form-data"
                aria-labelledby="import-title"
            >
                <h3 id="import-title">"Import an export file"</h3>
                <FormMessage message=form_message(error) />
                <div class="field">
                    <label for="field-import">"Export file (JSON)"</label>
                    <p class="hint" id="field-import-hint">
                        "The tasks are added to yours, all or none; up to 10,000 tasks and 8 MB."
                    </p>
                    <input
                        id="field-import"
                        type="file"
                        name="file"
                        accept="application/json,.json"
                        required=true
                        aria-describedby="field-import-hint"
                    />
                </div>
                <button type="submit" class="button">"Import"</button>
            </form>
        </section>
    }
}

/// The confirmation step before deleting an account.
#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let failed = use_failed_forms().of(DeleteAccount::PATH);
    let error = form_error(action.value(), failed);
    let pending = action.pending();
    let confirm_error = field_message(error, "confirm");
    view! {
        <Title text="Delete your account" />
        <RequireUser>
            <section class="card narrow danger">
                <h1>"Delete your account"</h1>
                <p>
                    "This removes your account, every one of your tasks and every signed-in "
                    "browser and token, at once and for good. It cannot be undone."
                </p>
                <AfterFailedForm>
                    <ActionForm action=action attr:novalidate=true attr:aria-label="Delete your account">
                        <FormMessage message=form_message(error) />
                        <Field
                            label="Password"
                            name="password"
                            input_type="password"
                            autocomplete="current-password"
                            required=true
                            server_error=field_message(error, "password")
                        />
                        <div class="field" class:invalid=move || confirm_error.get().is_some()>
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name="confirm"
                                    value="yes"
                                    required=true
                                    aria-describedby="field-confirm-message"
                                />
                                " Yes, delete my account and all my tasks"
                            </label>
                            <p class="field-message" id="field-confirm-message" role="alert">
                                {move || confirm_error.get()}
                            </p>
                        </div>
                        <button type="submit" class="button danger" disabled=move || pending.get()>
                            {move || if pending.get() { "Deleting…" } else { "Delete my account" }}
                        </button>
                        " "
                        <A href="/account">"Cancel"</A>
                    </ActionForm>
                </AfterFailedForm>
            </section>
        </RequireUser>
    }
}
