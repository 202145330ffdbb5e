//! A list's own page (`/lists/{id}`) (making one, `/lists/new`, is [`super::new_page`]):
//! its members with their roles, and for its owner renaming, sharing by e-mail, removing
//! members and deleting it; for a member, leaving it. Every control is a real form that
//! works without JavaScript (see [`super::api`] for where each one goes next).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};
use uuid::Uuid;

use super::{
    api::{list_tasks, load_list, DeleteList, ListDetails, RemoveMember, RenameList, ShareList},
    Member, Role,
};
use crate::{
    auth::views::RequireUser,
    components::{Field, FormMessage},
    error::AppError,
    forms::{AfterFailedForm, FormState},
};

/// The forms of a list's page, made once per page view (outside every `<Suspense>`, so the
/// server and the browser make them in the same order).
#[derive(Clone, Copy)]
struct ListActions {
    rename: ServerAction<RenameList>,
    share: ServerAction<ShareList>,
    remove: ServerAction<RemoveMember>,
    delete: ServerAction<DeleteList>,
    /// Moves after each change that succeeded: the page is read again. (Not after a refusal,
    /// which would make the forms again and lose what was typed.)
    reloads: RwSignal<u64>,
    /// What the last change did (a `?done=` word), said at the top: with JavaScript from the
    /// change's answer, without it from the address the plain post came back to.
    done: RwSignal<Option<&'static str>>,
}

/// What the page says after a change (`?done=…` from a plain post, or the change's own
/// answer): fixed sentences only, so a link cannot put words on the page.
fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "renamed" => Some("The list was renamed."),
        "shared" => Some("Shared: the member can open the list now."),
        "removed" => Some("The member was removed from the list."),
        _ => None,
    }
}

/// A list's own page.
#[component]
pub fn ListPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let actions = ListActions {
        rename: ServerAction::new(),
        share: ServerAction::new(),
        remove: ServerAction::new(),
        delete: ServerAction::new(),
        reloads: RwSignal::new(0),
        done: RwSignal::new(None),
    };
    follow_changes(actions);
    let details = Resource::new(
        move || (id.get(), actions.reloads.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_list(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="List" />
        <RequireUser>
            <div class="account">
                <AfterFailedForm>
                    <Suspense fallback=|| view! { <p class="muted" role="status">"Loading the list…"</p> }>
                        {move || Suspend::new(async move {
                            match details.await {
                                Ok(Some(details)) => view! { <ListSections details actions /> }.into_any(),
                                Ok(None) | Err(AppError::NotFound(_)) => view! { <NoSuchList /> }.into_any(),
                                Err(error) => view! {
                                    <p class="form-message" role="alert">
                                        "This list could not be loaded: " {error.to_string()}
                                    </p>
                                }
                                .into_any(),
                            }
                        })}
                    </Suspense>
                </AfterFailedForm>
            </div>
        </RequireUser>
    }
}

/// Reads the page again after each change that succeeded, says what it did, and leaves the
/// page once the list is gone for the caller (deleted, or left).
fn follow_changes(actions: ListActions) {
    let succeeded = move |done: &'static str| {
        actions.done.set(Some(done));
        actions.reloads.update(|n| *n += 1);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.rename.value().get() {
            succeeded("renamed");
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.share.value().get() {
            succeeded("shared");
        }
    });
    let navigate = use_navigate();
    let gone = move || navigate("/tasks", Default::default());
    let gone_too = gone.clone();
    Effect::new(move |_| match actions.remove.value().get() {
        // Left: the list is no longer there to show.
        Some(Ok(true)) => gone(),
        Some(Ok(false)) => succeeded("removed"),
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.delete.value().get() {
            gone_too();
        }
    });
}

#[component]
fn NoSuchList() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"This list is not there"</h1>
            <p>
                "It may have been deleted, or you are no longer one of its members. "
                "Lists shared with you are on your task page."
            </p>
            <p><A href="/tasks">"Back to your tasks"</A></p>
        </section>
    }
}

/// What the caller's role lets them do, in a sentence.
fn role_sentence(role: Role, owner: Option<&Member>) -> String {
    let owner = owner.map_or_else(|| "its owner".to_string(), |o| o.name.clone());
    match role {
        Role::Owner => "You own this list.".to_string(),
        Role::Editor => format!("You can add, change and delete this list's tasks; {owner} owns it."),
        Role::Viewer => format!(
            "You can see this list and its tasks, not change them: {owner} shared it with you as a viewer."
        ),
    }
}

#[component]
fn ListSections(details: ListDetails, actions: ListActions) -> impl IntoView {
    let query = use_query_map();
    let notice = Signal::derive(move || match actions.done.get() {
        Some(done) => notice_for(done),
        None => query.with(|q| q.get("done").as_deref().and_then(notice_for)),
    });
    let ListDetails {
        list,
        members,
        me,
        inbox,
    } = details;
    let owner = members.iter().find(|m| m.role == Role::Owner);
    let about = role_sentence(list.role, owner);
    let is_owner = list.role == Role::Owner;
    let tasks_href = list_tasks(list.id);
    let tasks_count = list.counts.active + list.counts.completed;
    view! {
        <section class="card" aria-labelledby="list-title">
            <h1 id="list-title">{list.name.clone()}</h1>
            <p>{about}</p>
            <Show when=move || notice.get().is_some()>
                <p class="notice" role="status">{move || notice.get()}</p>
            </Show>
            <p><A href=tasks_href>"Open the list’s tasks"</A></p>
        </section>
        {is_owner.then(|| view! { <RenameForm id=list.id name=list.name.clone() action=actions.rename /> })}
        <MembersSection list=list.id members me is_owner action=actions.remove />
        {(is_owner && !inbox).then(|| view! { <ShareForm id=list.id action=actions.share /> })}
        {(is_owner && inbox).then(|| view! {
            <p class="hint">"Your Inbox is yours alone: it cannot be shared or deleted. Make a list to share."</p>
        })}
        {(is_owner && !inbox).then(|| view! {
            <DeleteForm id=list.id name=list.name.clone() tasks=tasks_count action=actions.delete />
        })}
    }
}

#[component]
fn RenameForm(id: Uuid, name: String, action: ServerAction<RenameList>) -> impl IntoView {
    let form = FormState::of(action);
    let pending = form.pending;
    let kept = form.kept("name");
    let initial = Signal::derive(move || kept.get().or_else(|| Some(name.clone())));
    view! {
        <section class="card" aria-labelledby="rename-title">
            <h2 id="rename-title">"Name"</h2>
            <ActionForm action=action attr:novalidate=true attr:aria-labelledby="rename-title">
                <input type="hidden" name="id" value=id.to_string() />
                <FormMessage message=form.message() />
                <Field label="List name" name="name" required=true initial
                    server_error=form.field("name") />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Renaming…" } else { "Rename" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Who is in the list, owner first, each with their role; the owner removes members, and a
/// member leaves.
#[component]
fn MembersSection(
    list: Uuid,
    members: Vec<Member>,
    me: Uuid,
    is_owner: bool,
    action: ServerAction<RemoveMember>,
) -> impl IntoView {
    let form = FormState::of(action);
    let pending = form.pending;
    let rows = members
        .into_iter()
        .map(|member| {
            let (you, owner) = (member.user_id == me, member.role == Role::Owner);
            let who = if you {
                format!("{} (you)", member.name)
            } else {
                member.name.clone()
            };
            // The owner removes anyone else; any other member may leave.
            let button = match (is_owner, you, owner) {
                (true, false, _) => {
                    Some(("Remove", format!("Remove {} from the list", member.name)))
                }
                (false, true, false) => Some(("Leave the list", "Leave the list".to_string())),
                _ => None,
            };
            view! {
                <li class="member">
                    <span class="member-who">
                        <span class="member-name">{who}</span>
                        <span class="muted member-email">{member.email}</span>
                    </span>
                    <span class="role-mark">{member.role.as_str()}</span>
                    {button.map(|(text, label)| view! {
                        <ActionForm action=action attr:class="inline-form">
                            <input type="hidden" name="id" value=list.to_string() />
                            <input type="hidden" name="member" value=member.user_id.to_string() />
                            <button type="submit" class="button secondary small" aria-label=label
                                disabled=move || pending.get()>{text}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">"Members"</h2>
            <FormMessage message=form.message() />
            <ul class="members">{rows}</ul>
        </section>
    }
}

#[component]
fn ShareForm(id: Uuid, action: ServerAction<ShareList>) -> impl IntoView {
    let form = FormState::of(action);
    let pending = form.pending;
    let kept_role = form.kept("role");
    let viewer = Signal::derive(move || kept_role.get().as_deref() == Some("viewer"));
    let role_error = form.field("role");
    // Shared: the address (and role) typed go, ready for the next person.
    let form_element = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(element)) = (action.value().get(), form_element.get_untracked()) {
            element.reset();
        }
    });
    view! {
        <section class="card" aria-labelledby="share-title">
            <h2 id="share-title">"Share"</h2>
            <p class="hint">
                "An editor adds, changes and deletes the list’s tasks; a viewer only sees them. "
                "Sharing again with a member changes their role."
            </p>
            <ActionForm action=action node_ref=form_element attr:novalidate=true
                attr:aria-labelledby="share-title">
                <input type="hidden" name="id" value=id.to_string() />
                <FormMessage message=form.message() />
                <Field label="Their e-mail address" name="email" input_type="email"
                    autocomplete="email" required=true
                    hint="They need an account here already."
                    initial=form.kept("email") server_error=form.field("email") />
                <div class="field">
                    <label for="share-role">"Role"</label>
                    <select id="share-role" name="role">
                        <option value="editor" selected=move || !viewer.get()>"Editor: can change tasks"</option>
                        <option value="viewer" selected=move || viewer.get()>"Viewer: can only look"</option>
                    </select>
                    <Show when=move || role_error.get().is_some()>
                        <p class="field-error" role="alert">{move || role_error.get()}</p>
                    </Show>
                </div>
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Sharing…" } else { "Share" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeleteForm(
    id: Uuid,
    name: String,
    tasks: u64,
    action: ServerAction<DeleteList>,
) -> impl IntoView {
    let form = FormState::of(action);
    let pending = form.pending;
    let what = match tasks {
        0 => format!("Delete “{name}” for every member"),
        1 => format!("Delete “{name}” and its task for every member"),
        n => format!("Delete “{name}” and its {n} tasks for every member"),
    };
    let confirm_error = form.field("confirmed");
    view! {
        <section class="card danger" aria-labelledby="delete-list-title">
            <h2 id="delete-list-title">"Delete the list"</h2>
            <p>"The list and every task in it are removed for good, for you and everyone it is shared with."</p>
            <ActionForm action=action attr:aria-labelledby="delete-list-title">
                <input type="hidden" name="id" value=id.to_string() />
                <FormMessage message=form.message() />
                <label class="check">
                    <input type="checkbox" name="confirmed" value="true" required=true />
                    {what}
                </label>
                <Show when=move || confirm_error.get().is_some()>
                    <p class="field-error" role="alert">{move || confirm_error.get()}</p>
                </Show>
                <button type="submit" class="button danger" disabled=move || pending.get()>
                    {move || if pending.get() { "Deleting…" } else { "Delete list" }}
                </button>
            </ActionForm>
        </section>
    }
}
