//! The account pages (sign up, log in, your account), the nav's user menu, and the guard
//! that sends visitors to the login page and back.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_location, use_query_map},
};

use super::{
    api::{current_user, Login, Logout, Signup},
    DisplayName, Email, Password, User, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::{
    components::{Field, FormMessage},
    error::AppError,
    forms::{AfterFailedForm, FormState},
};

/// The account actions and who is logged in, shared by every page.
#[derive(Clone, Copy)]
pub struct Auth {
    pub signup: ServerAction<Signup>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub user: Resource<Result<Option<User>, AppError>>,
}

/// Creates the actions and the current-user resource; call once, inside the router.
pub fn provide_auth() -> Auth {
    let signup = ServerAction::<Signup>::new();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    // Asked again on every navigation too: a server-side redirect after logging in lands on
    // the next page before the action counts as done, and sessions can end meanwhile.
    let location = use_location();
    let user = Resource::new(
        move || {
            (
                location.pathname.get(),
                signup.version().get(),
                login.version().get(),
                logout.version().get(),
            )
        },
        |_| current_user(),
    );
    let auth = Auth {
        signup,
        login,
        logout,
        user,
    };
    provide_context(auth);
    auth
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The nav's end: who is logged in and a logout button, or the ways in.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Ok(Some(user)) => {
                            let who = format!("Logged in as {}", user.name);
                            view! {
                                <li><A href="/tasks">"Tasks"</A></li>
                                <li>
                                    <A href="/account" attr:class="who"
                                        attr:aria-label=who>
                                        {user.name}
                                    </A>
                                </li>
                                <li>
                                    <ActionForm action=auth.logout attr:class="inline-form">
                                        <button type="submit" class="link-button">
                                            "Log out"
                                        </button>
                                    </ActionForm>
                                </li>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <li><A href="/login">"Log in"</A></li>
                                <li><A href="/signup">"Sign up"</A></li>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

/// The `next` query parameter: where to return after logging in.
/// Where "Sign out everywhere" lands: the login page, saying what happened.
pub const SIGNED_OUT_EVERYWHERE: &str = "/login?signed_out=everywhere";

fn next_param() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| q.get("next").unwrap_or_default()))
}

/// The IANA time zone the browser runs in, e.g. "Europe/Paris" (empty if it cannot tell).
fn browser_time_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

fn check_email(value: &str) -> Option<String> {
    Email::parse(value).err().map(|e| e.msg)
}
fn check_password(value: &str) -> Option<String> {
    Password::parse(value).err().map(|e| e.msg)
}
fn check_name(value: &str) -> Option<String> {
    DisplayName::parse(value).err().map(|e| e.msg)
}
fn check_present(value: &str) -> Option<String> {
    value
        .is_empty()
        .then(|| "This field is required.".to_string())
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let auth = use_auth();
    let form = FormState::of(auth.signup);
    let next = next_param();
    let pending = form.pending;
    // The browser's time zone, once hydrated (without JavaScript the account starts in UTC
    // and the account page changes it).
    let (zone, set_zone) = signal(String::new());
    Effect::new(move |_| set_zone.set(browser_time_zone()));

    view! {
        <Title text="Sign up" />
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <AfterFailedForm>
            <ActionForm action=auth.signup attr:novalidate=true attr:aria-label="Sign up">
                <input type="hidden" name="next" value=move || next.get() />
                <input type="hidden" name="time_zone" value=move || zone.get() />
                <FormMessage message=form.message() />
                <Field
                    label="Name"
                    name="name"
                    autocomplete="name"
                    required=true
                    initial=form.kept("name")
                    server_error=form.field("name")
                    check=check_name
                />
                <Field
                    label="Email"
                    name="email"
                    input_type="email"
                    autocomplete="email"
                    required=true
                    initial=form.kept("email")
                    server_error=form.field("email")
                    check=check_email
                />
                <Field
                    label="Password"
                    name="password"
                    input_type="password"
                    autocomplete="new-password"
                    hint=format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters.")
                    required=true
                    server_error=form.field("password")
                    check=check_password
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating your account…" } else { "Sign up" }}
                </button>
            </ActionForm>
            </AfterFailedForm>
            <p class="muted">
                "Already have an account? "
                <A href=move || with_next("/login", &next.get())>"Log in"</A>
            </p>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let form = FormState::of(auth.login);
    let next = next_param();
    let pending = form.pending;
    let query = use_query_map();
    let everywhere = move || query.with(|q| q.get("signed_out").as_deref() == Some("everywhere"));

    view! {
        <Title text="Log in" />
        <section class="card narrow">
            <h1>"Log in"</h1>
            <Show when=everywhere>
                <p class="notice" role="status">
                    "You are signed out everywhere: every browser and app of this account has to \
                     log in again, this one too."
                </p>
            </Show>
            <AfterFailedForm>
            <ActionForm action=auth.login attr:novalidate=true attr:aria-label="Log in">
                <input type="hidden" name="next" value=move || next.get() />
                <FormMessage message=form.message() />
                <Field
                    label="Email"
                    name="email"
                    input_type="email"
                    autocomplete="username"
                    required=true
                    initial=form.kept("email")
                    server_error=form.field("email")
                    check=check_present
                />
                <Field
                    label="Password"
                    name="password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    server_error=form.field("password")
                    check=check_present
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            </AfterFailedForm>
            <p class="muted">
                "New here? "
                <A href=move || with_next("/signup", &next.get())>"Create an account"</A>
            </p>
        </section>
    }
}

/// The page being shown, as a path with its query (the router's `search` has no `?`).
fn current_page(location: &leptos_router::location::Location) -> String {
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    match search.trim_start_matches('?') {
        "" => path,
        query => format!("{path}?{query}"),
    }
}

/// Says that the session ended while this page was open (an action was answered 401), and
/// offers to sign in again in a new tab: this one keeps what was typed, ready to retry.
#[component]
pub fn SessionEnded(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let location = use_location();
    let ended = move || {
        error
            .get()
            .is_some_and(|e| crate::forms::session_has_ended(&e))
    };
    let sign_in = Signal::derive(move || with_next("/login", &current_page(&location)));
    view! {
        <Show when=ended>
            <p class="form-message" role="alert">
                "Your session has ended, so this was not saved. "
                <a href=sign_in target="_blank" rel="noopener">
                    "Sign in again"
                </a>
                " in a new tab; what you typed here stays, ready to try again."
            </p>
        </Show>
    }
}

fn with_next(path: &str, next: &str) -> String {
    if next.is_empty() {
        path.to_string()
    } else {
        format!("{path}?next={}", urlencode(next))
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Shows `children` to a logged-in user; sends anyone else to the login page, with a way
/// back here, and a user whose password an operator reset to the account page (unless
/// `allow_reset`: the page where it is changed). Pages using it render in
/// `SsrMode::Async`, so the redirect is a real 302.
#[component]
pub fn RequireUser(children: ChildrenFn, #[prop(optional)] allow_reset: bool) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let pathname = location.pathname;
    let here = Signal::derive(move || current_page(&location));
    // The page this guards: once the address is another (the router is on its way to the
    // next page, whose code may still be loading), this one no longer redirects or renders.
    let guarded = StoredValue::new(pathname.get_untracked());
    let gone = move || match (pathname.try_get_untracked(), guarded.try_get_value()) {
        (Some(now), Some(then)) => now != then,
        _ => true,
    };
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                // Awaiting (not reading) waits for a check still under way.
                let user = auth.user.await;
                if gone() {
                    return ().into_any();
                }
                match user {
                        Ok(Some(user)) if user.must_change_password && !allow_reset => {
                            view! { <Redirect path=super::ACCOUNT_PAGE /> }.into_any()
                        }
                        // Untracked: only the user check decides when the page is made
                        // again, not what the page reads while being made.
                        Ok(Some(_)) => children
                            .try_with_value(|c| untrack(|| c()))
                            .unwrap_or_else(|| ().into_any()),
                        Ok(None) => {
                            let Some(here) = here.try_get_untracked() else {
                                return ().into_any();
                            };
                            let target = with_next("/login", &here);
                            view! { <Redirect path=target /> }.into_any()
                        }
                        Err(e) => {
                            view! { <p class="form-message" role="alert">{e.to_string()}</p> }
                                .into_any()
                        }
                }
            })}
        </Suspense>
    }
}
