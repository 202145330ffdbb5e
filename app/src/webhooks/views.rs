//! The account page's webhooks section: add one (its secret shown once), and for each, its
//! state, pause or resume, a test, delete, and its last deliveries. Every control is a real
//! form that works without JavaScript; with it, the section answers in place.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    api::{list_webhooks, AddWebhook, DeleteWebhook, SetWebhookActive, TestWebhook},
    NewSecret, WebhookOnPage, WebhooksOnPage, EVENTS, PER_ACCOUNT,
};
use crate::{
    components::{Field, FormMessage},
    error::AppError,
    forms::FormState,
};

/// The section's actions and what they change; made outside every `<Suspense>` (see
/// `AccountPage`).
#[derive(Clone, Copy)]
pub struct WebhooksData {
    add: ServerAction<AddWebhook>,
    active: ServerAction<SetWebhookActive>,
    test: ServerAction<TestWebhook>,
    delete: ServerAction<DeleteWebhook>,
    list: Resource<Result<WebhooksOnPage, AppError>>,
}

impl WebhooksData {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let add = ServerAction::<AddWebhook>::new();
        let active = ServerAction::<SetWebhookActive>::new();
        let test = ServerAction::<TestWebhook>::new();
        let delete = ServerAction::<DeleteWebhook>::new();
        let list = Resource::new(
            move || {
                (
                    add.version().get(),
                    active.version().get(),
                    test.version().get(),
                    delete.version().get(),
                )
            },
            |_| list_webhooks(),
        );
        Self {
            add,
            active,
            test,
            delete,
            list,
        }
    }
}

/// What the section says after a change: `?done=` after a plain form post, else the action
/// that last went through. Fixed sentences only, so a link cannot put words on the page.
fn notice_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "webhook-added" => {
            "The webhook was added. Copy its signing secret now: it is not shown again."
        }
        "webhook-paused" => "The webhook was paused: it sends nothing until it is resumed.",
        "webhook-resumed" => "The webhook was resumed: what it missed is sent, in order.",
        "webhook-tested" => {
            "A test event (ping) was queued. It shows under the webhook's last deliveries within \
             seconds: reload the page to see it."
        }
        "webhook-deleted" => "The webhook was deleted.",
        _ => return None,
    })
}

/// The section.
#[component]
pub fn WebhooksSection(data: WebhooksData) -> impl IntoView {
    let WebhooksData {
        add,
        active,
        test,
        delete,
        list,
    } = data;
    let query = use_query_map();
    // With JavaScript, the last action that went through says what it did; a new webhook's
    // secret stays shown until another action goes through.
    let (done_here, set_done_here) = signal(None::<&'static str>);
    let (secret_here, set_secret_here) = signal(None::<NewSecret>);
    let done = move |what: &'static str| {
        set_done_here.set(Some(what));
        set_secret_here.set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(new)) = add.value().get() {
            set_done_here.set(Some("webhook-added"));
            set_secret_here.set(Some(new));
        }
    });
    Effect::new(move |_| {
        // (The answer says which: the action's input is gone once its value is in.)
        if let Some(Ok(resumed)) = active.value().get() {
            done(if resumed {
                "webhook-resumed"
            } else {
                "webhook-paused"
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = test.value().get() {
            done("webhook-tested");
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            done("webhook-deleted");
        }
    });
    let notice = Signal::derive(move || {
        let done = done_here
            .get()
            .map(str::to_string)
            .or_else(|| query.with(|q| q.get("done")));
        done.and_then(|d| notice_for(&d))
    });
    // A pause, a test or a delete that failed (the webhook was deleted meanwhile, say).
    let failed = [
        FormState::of(active).message(),
        FormState::of(test).message(),
        FormState::of(delete).message(),
    ];
    let row_error = Signal::derive(move || failed.iter().find_map(|m| m.get()));
    view! {
        <section class="card" id="webhooks" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p>
                "Each change to your tasks, lists and their members can be sent, as it happens, to an "
                "address of yours, signed so that it can be checked. "
                <a href="/docs#/webhooks" rel="external">"The API documentation"</a>
                " describes what is sent and how to check the signature."
            </p>
            <Show when=move || notice.get().is_some()>
                <p class="notice" role="status">{move || notice.get()}</p>
            </Show>
            <FormMessage message=row_error />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => {
                            let secret = secret_here.get_untracked().or(page.new_secret);
                            view! {
                                {secret.map(|new| view! { <SecretOnce new=new /> })}
                                <WebhookList list=page.webhooks data=data />
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
            <AddWebhookForm add=add />
        </section>
    }
}

/// A new webhook's signing secret, shown this once.
#[component]
fn SecretOnce(new: NewSecret) -> impl IntoView {
    view! {
        <div class="secret-once" role="status">
            <p>
                "The signing secret of the webhook to " <code class="webhook-url">{new.url}</code>
                ", shown this once:"
            </p>
            <p>
                <input
                    type="text"
                    class="secret"
                    readonly=true
                    value=new.secret
                    aria-label="Signing secret"
                />
            </p>
        </div>
    }
}

#[component]
fn WebhookList(list: Vec<WebhookOnPage>, data: WebhooksData) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="muted empty">"No webhooks yet: add one below to have your changes sent."</p>
        }
        .into_any();
    }
    view! {
        <ul class="webhooks">
            {list
                .into_iter()
                .map(|hook| view! { <WebhookItem hook=hook data=data /> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn WebhookItem(hook: WebhookOnPage, data: WebhooksData) -> impl IntoView {
    let id = hook.id.to_string();
    let events = if hook.events.iter().any(|e| e == "*") {
        "every event".to_string()
    } else {
        hook.events.join(", ")
    };
    let (state, toggle, toggle_label) = if hook.active {
        ("Active", "false", "Pause")
    } else {
        ("Paused", "true", "Resume")
    };
    let label = |verb: &str| format!("{verb} the webhook to {}", hook.url);
    let (toggle_aria, test_aria, delete_aria) = (
        label(toggle_label),
        label("Send a test to"),
        label("Delete"),
    );
    let count = hook.deliveries.len();
    let (id_for_toggle, id_for_test) = (id.clone(), id.clone());
    view! {
        <li class="webhook">
            <p class="webhook-head">
                <code class="webhook-url">{hook.url.clone()}</code>
                <span class="badge" class:paused=!hook.active>{state}</span>
            </p>
            <p class="muted">{format!("Sends {events}")}</p>
            <div class="webhook-actions">
                <ActionForm action=data.active attr:class="inline-form">
                    <input type="hidden" name="id" value=id_for_toggle />
                    <input type="hidden" name="active" value=toggle />
                    <button type="submit" class="button secondary" aria-label=toggle_aria>
                        {toggle_label}
                    </button>
                </ActionForm>
                <ActionForm action=data.test attr:class="inline-form">
                    <input type="hidden" name="id" value=id_for_test />
                    <button type="submit" class="button secondary" aria-label=test_aria>
                        "Send a test"
                    </button>
                </ActionForm>
                <ActionForm action=data.delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="button danger" aria-label=delete_aria>
                        "Delete"
                    </button>
                </ActionForm>
            </div>
            <details class="deliveries">
                <summary>{format!("Last deliveries ({count})")}</summary>
                {if hook.deliveries.is_empty() {
                    view! { <p class="muted">"Nothing was sent yet."</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Event"</th>
                                    <th scope="col">"Answer"</th>
                                    <th scope="col">"Took"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {hook
                                    .deliveries
                                    .into_iter()
                                    .map(|d| {
                                        view! {
                                            <tr class:failed=!d.ok>
                                                <td>{d.at}</td>
                                                <td>{d.event_type}</td>
                                                <td>{d.outcome}</td>
                                                <td>{format!("{} ms", d.duration_ms)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }}
            </details>
        </li>
    }
}

#[component]
fn AddWebhookForm(add: ServerAction<AddWebhook>) -> impl IntoView {
    let form = FormState::of(add);
    let pending = form.pending;
    let events = form.kept("events");
    view! {
        <ActionForm action=add attr:novalidate=true attr:aria-labelledby="add-webhook-title">
            <h3 id="add-webhook-title">"Add a webhook"</h3>
            <FormMessage message=form.message() />
            <Field
                label="Address (URL)"
                name="url"
                input_type="url"
                hint="An https address of yours (or http to a public address); redirects are not followed."
                initial=form.kept("url")
                server_error=form.field("url")
                required=true
            />
            <Field
                label="Events"
                name="events"
                hint=format!(
                    "* for every event, or some of: {}, separated by commas. At most {PER_ACCOUNT} webhooks.",
                    EVENTS.join(", ")
                )
                initial=Signal::derive(move || events.get().or_else(|| Some("*".to_string())))
                server_error=form.field("events")
                required=true
            />
            <button type="submit" class="button" disabled=move || pending.get()>
                "Add webhook"
            </button>
        </ActionForm>
    }
}
