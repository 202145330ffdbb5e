//! The list switcher: every list the user is a member of, with how many of its tasks are
//! still to do and a mark on those shared, the one shown marked as current. A sidebar on
//! wide screens, a row above the list on phones. Plain links, so it works before the app
//! has loaded and without JavaScript. It leads to making a list, and to the page of the list
//! shown (members, sharing, renaming, deleting: `tasks::lists::views`).

use leptos::prelude::*;
use uuid::Uuid;

use crate::tasks::{api::load_lists, lists::List};

#[component]
pub(super) fn ListNav(
    /// The list shown (none: every list's tasks).
    current: Signal<Option<Uuid>>,
    /// Moves whenever the page's tasks may have changed: the counts are read again.
    changes: Signal<usize>,
) -> impl IntoView {
    let lists = Resource::new(move || changes.get(), |_| load_lists());
    view! {
        <nav class="list-nav" aria-label="Lists">
            <h2 class="visually-hidden">"Lists"</h2>
            // A menu on a phone (closed until asked for); always open beside the list on a
            // wide screen, where its summary steps aside.
            <details class="list-menu">
            <summary>"Your lists"</summary>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading lists…"</p> }>
                {move || {
                    lists.get().map(|loaded| match loaded {
                        Ok(lists) => view! { <ListLinks lists current=current.get() /> }.into_any(),
                        Err(_) => view! {
                            <p class="muted">"Your lists could not be loaded."</p>
                        }.into_any(),
                    })
                }}
            </Transition>
            </details>
        </nav>
    }
}

#[component]
fn ListLinks(lists: Vec<List>, current: Option<Uuid>) -> impl IntoView {
    let all_active: u64 = lists.iter().map(|l| l.counts.active).sum();
    let link = move |href: String, name: String, active: u64, shared: bool, here: bool| {
        let left = match active {
            1 => "1 to do".to_string(),
            n => format!("{n} to do"),
        };
        view! {
            <li>
                <a href=href aria-current=here.then_some("page") class:current=here>
                    <span class="list-name">{name}</span>
                    {shared.then(|| view! { <span class="shared-mark">"shared"</span> })}
                    <span class="count" title=left.clone()>
                        <span aria-hidden="true">{active}</span>
                        <span class="visually-hidden">{format!(", {left}")}</span>
                    </span>
                </a>
            </li>
        }
    };
    let settings = current.map(|id| {
        let shared = lists.iter().any(|l| l.id == id && l.shared);
        view! {
            <a class="list-settings" href=format!("/lists/{id}")>
                {if shared { "Members and sharing" } else { "Share or rename this list" }}
            </a>
        }
    });
    view! {
        <ul class="lists">
            {link("/tasks".into(), "All lists".into(), all_active, false, current.is_none())}
            {lists
                .into_iter()
                .map(|list| {
                    link(
                        format!("/tasks?list={}", list.id),
                        list.name,
                        list.counts.active,
                        list.shared,
                        current == Some(list.id),
                    )
                })
                .collect_view()}
        </ul>
        {settings}
        <a class="new-list" href="/lists/new">"+ New list"</a>
    }
}
