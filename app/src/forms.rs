//! What a plain form post (no JavaScript) that failed leaves for the page it returns to: the
//! error, with its kind intact, and what was typed in the non-secret fields.
//!
//! The server keeps it in the session for one page view (never in the URL, where a link
//! could forge it); the page takes it with [`take_failed_form`]. With JavaScript, forms read
//! their action's own result instead and keep what was typed in the inputs.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The session key the server keeps a failed form under.
pub const FAILED_FORM_KEY: &str = "failed_form";

/// A failed plain form post: which server function, its error, the non-secret values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedForm {
    /// The server function's path, e.g. `/rpc/login`.
    pub action: String,
    /// The path of the page the form was on (and the browser returns to): only that page
    /// takes it, so a page in between (the login page, after the session ended) leaves it.
    pub page: String,
    pub error: AppError,
    pub values: Vec<(String, String)>,
    /// Refused because the session had ended (a 401 from any form but the login form, whose
    /// 401 is a wrong password): decided by the server, which knows the forms.
    #[serde(default)]
    pub session_ended: bool,
}

impl FailedForm {
    /// Whether the page at `page` may show it now: it is that page's, and a form refused
    /// because the session had ended waits until its user has signed in again (the page
    /// sends a visitor to log in first, and must not use it up).
    pub fn ready_for(&self, page: &str, signed_in: bool) -> bool {
        self.page == page && (signed_in || !self.refused_for_an_ended_session())
    }

    /// Whether the post was refused because the session had ended.
    pub fn refused_for_an_ended_session(&self) -> bool {
        self.session_ended
    }

    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
    }
}

/// Whether a session is signed in: provided by the server as context (forms know nothing of
/// identity, which builds on them).
#[cfg(feature = "ssr")]
#[derive(Clone, Copy)]
pub struct SignedIn(pub fn(tower_sessions::Session) -> SignedInAnswer);

/// What [`SignedIn`] answers, in time.
#[cfg(feature = "ssr")]
pub type SignedInAnswer =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool, AppError>> + Send>>;

/// Takes the failed form of `page` (a path), if any: one the server found in this request's
/// short-lived cookie (a visitor without an account), or else one the signed-in user's
/// session holds, removed from it as it is taken.
#[server(prefix = "/rpc", endpoint = "forms/failed")]
pub async fn take_failed_form(page: String) -> Result<Option<FailedForm>, AppError> {
    crate::error::respond(async {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return Ok(None);
        };
        if let Some(form) = parts.extensions.get::<FailedForm>() {
            return Ok((form.page == page).then(|| form.clone()));
        }
        let Some(session) = parts.extensions.get::<tower_sessions::Session>().cloned() else {
            return Ok(None);
        };
        let unreadable = |error: tower_sessions::session::Error| {
            tracing::warn!(%error, "the failed form could not be read from the session");
            AppError::Unavailable("Your session could not be read right now.".into())
        };
        let held = session
            .get::<FailedForm>(FAILED_FORM_KEY)
            .await
            .map_err(unreadable)?;
        let Some(form) = held else {
            return Ok(None);
        };
        let Some(signed_in) = use_context::<SignedIn>() else {
            tracing::error!("SignedIn missing from the server function context");
            return Err(AppError::Internal);
        };
        let signed_in = (signed_in.0)(session.clone()).await?;
        if !form.ready_for(&page, signed_in) {
            return Ok(None);
        }
        session
            .remove_value(FAILED_FORM_KEY)
            .await
            .map_err(unreadable)?;
        Ok(Some(form))
    })
    .await
}

/// The failed form of this page view, loaded once per page (the page's forms wait for it).
///
/// Forms read a plain value that [`AfterFailedForm`] fills once the resource has loaded,
/// never the resource itself: leptos 0.8's server renderer can stall a response when one
/// resource is read with `.get()` under several `<Suspense>` boundaries (leptos issues
/// #4578 and #4851); awaiting it in one place avoids that.
#[derive(Clone)]
pub struct FailedForms {
    resource: Resource<Option<FailedForm>>,
    loaded: Loaded,
}

/// The loaded failed form: a lock whose reads wait for a write in progress, and a trigger
/// that makes those reads reactive. Not a signal: a server render may read it on one worker
/// thread while [`AfterFailedForm`] sets it on another, and a signal's read that meets its
/// lock held either panics (an arena `RwSignal`, failing the render with a 500) or reads
/// nothing (an `ArcRwSignal`'s `try_get`, rendering the page without its error).
#[derive(Clone, Default)]
struct Loaded {
    form: std::sync::Arc<std::sync::RwLock<Option<FailedForm>>>,
    changed: ArcTrigger,
}

impl Loaded {
    fn get(&self) -> Option<FailedForm> {
        self.changed.track();
        self.form
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, form: Option<FailedForm>) {
        {
            let mut held = self
                .form
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *held == form {
                return;
            }
            *held = form;
        }
        self.changed.notify();
    }
}

/// Creates the resource; call once, inside the router.
pub fn provide_failed_forms() {
    let location = use_location();
    let resource = Resource::new(
        move || location.pathname.get(),
        |page| async { take_failed_form(page).await.ok().flatten() },
    );
    provide_context(FailedForms {
        resource,
        loaded: Loaded::default(),
    });
}

impl FailedForms {
    /// The failed form of `action` on this page view, if that is what failed.
    pub fn of(self, action: &'static str) -> Signal<Option<FailedForm>> {
        let loaded = self.loaded;
        Signal::derive(move || loaded.get().filter(|f| f.action == action))
    }
}

pub fn use_failed_forms() -> FailedForms {
    expect_context::<FailedForms>()
}

/// Renders its children once this page view's failed form (if any) is known, so forms
/// render with what was typed before a failed plain post.
#[component]
pub fn AfterFailedForm(children: ChildrenFn) -> impl IntoView {
    let FailedForms { resource, loaded } = use_failed_forms();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let loaded = loaded.clone();
                Suspend::new(async move {
                    loaded.set(resource.await);
                    // Untracked: only the failed form, awaited above, decides when the forms
                    // are made again, not what they read while being made. (The task page's
                    // add form is still made again after each task added: see the task page
                    // issue.)
                    // (Nothing once this page was left while the failed form was awaited.)
                    children.try_with_value(|c| untrack(|| c()))
                })
            }}
        </Suspense>
    }
}

/// What a form says when its plain post failed because the session had ended, once the
/// user has signed in again and is back on the page: the form holds what they typed.
pub const SIGNED_OUT_BEFORE_SAVING: &str =
    "You were signed out before this was saved. What you typed is filled in again: submit it once more.";

/// The error a form shows: its action's latest answer with JavaScript, or the failed plain
/// post this page view came back from.
pub fn form_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    failed: Signal<Option<FailedForm>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || match value.get() {
        Some(result) => result.err(),
        // Only a signed-in user sees such a form again, so it is no longer news that the
        // session ended; what matters is that the form was not saved. Said as a conflict (the
        // post clashed with the state it met), so it is never taken for a session that has
        // ended now (see `session_has_ended`).
        None => failed.get().map(|f| {
            if f.refused_for_an_ended_session() {
                AppError::Conflict(SIGNED_OUT_BEFORE_SAVING.into())
            } else {
                f.error
            }
        }),
    })
}

/// The state every form of the app is wired to, the same way: its error (its action's
/// latest answer with JavaScript, or the failed plain post this page view came back from,
/// see [`form_error`]), what that post kept of each field, and whether it is being sent.
#[derive(Clone, Copy)]
pub struct FormState {
    pub failed: Signal<Option<FailedForm>>,
    pub error: Signal<Option<AppError>>,
    pub pending: Signal<bool>,
}

impl FormState {
    /// The state of a form posting to `action`.
    pub fn of<A>(action: ServerAction<A>) -> Self
    where
        A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        A::Output: Clone + Send + Sync + 'static,
    {
        let failed = use_failed_forms().of(A::PATH);
        Self {
            failed,
            error: form_error(action.value(), failed),
            pending: action.pending().into(),
        }
    }

    /// What was typed in `field` before the failed plain post, if the page came back from one.
    pub fn kept(self, field: &'static str) -> Signal<Option<String>> {
        kept_value(self.failed, field)
    }

    /// The message for the whole form, when the error names no field.
    pub fn message(self) -> Signal<Option<String>> {
        form_message(self.error)
    }

    /// The message for `field`, when the error names it.
    pub fn field(self, field: &'static str) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
    }
}

/// Whether `error` says the session has ended while the page was open (a 401), as opposed
/// to a plain post shown again after signing in (see [`form_error`]).
pub fn session_has_ended(error: &AppError) -> bool {
    matches!(error, AppError::Unauthorized(_))
}

/// What was typed in `field` before the failed plain post, if the page came back from one.
pub fn kept_value(
    failed: Signal<Option<FailedForm>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || failed.get().and_then(|f| f.value(field)))
}

/// A message for the whole form when the error names no field (a lockout, a wrong password,
/// an unreachable server).
pub fn form_message(error: Signal<Option<AppError>>) -> Signal<Option<String>> {
    Signal::derive(move || match error.get() {
        Some(AppError::Validation { errors, .. }) if !errors.is_empty() => None,
        Some(e) => Some(e.to_string()),
        None => None,
    })
}

/// The error, unless it says the session has ended: a form that needs a user leaves that to
/// `SessionEnded`, which offers a way to sign in again.
pub fn unless_session_ended(error: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
    Signal::derive(move || error.get().filter(|e| !session_has_ended(e)))
}
