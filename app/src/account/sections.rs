//! The account page's lower sections: the signed-in browsers and the two actions that end
//! them, export and import, and the confirmation page for deleting the account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{
    api::{list_sessions, DeleteAccount, EndSession, LogoutAll},
    ActiveSession, EXPORT_PATH, IMPORT_PATH,
};
use crate::{
    auth::views::RequireUser,
    components::{Field, FormMessage},
    error::AppError,
    forms::{form_error, form_message, use_failed_forms, AfterFailedForm, FormState},
};

/// The signed-in browsers and the two actions that end them.
#[derive(Clone, Copy)]
pub struct SessionsData {
    end: ServerAction<EndSession>,
    logout_all: ServerAction<LogoutAll>,
    list: Resource<Result<Vec<ActiveSession>, AppError>>,
}

impl SessionsData {
    pub(super) fn new() -> Self {
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
pub(super) fn SessionsSection(data: SessionsData) -> impl IntoView {
    let SessionsData {
        end,
        logout_all,
        list: sessions,
    } = data;
    let form = FormState::of(end);
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Signed-in browsers"</h2>
            <FormMessage message=form.message() />
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

#[component]
pub(super) fn TransferSection() -> impl IntoView {
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
    let form = FormState::of(action);
    let pending = form.pending;
    let confirm_error = form.field("confirm");
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
                        <FormMessage message=form.message() />
                        <Field
                            label="Password"
                            name="password"
                            input_type="password"
                            autocomplete="current-password"
                            required=true
                            server_error=form.field("password")
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
