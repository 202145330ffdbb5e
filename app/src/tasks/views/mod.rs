//! The `/tasks` page: add, list, filter, paginate, complete, edit and delete, TodoMVC style.
//!
//! Every control is a real form or link first, so the page works without JavaScript (page,
//! filter and edit mode live in the URL); once hydrated the same forms run as server actions,
//! with pending items and optimistic toggles that fall back to the server's truth on failure.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{
    api::{
        AddTask, ClearCompleted, DeleteTask, EditTask, RestoreDeleted, SetAllCompleted,
        SetTaskCompleted, UndoCompletion, UndoMarking,
    },
    TaskQuery,
};
use crate::auth::views::RequireUser;

mod board;
mod controls;
mod draft;
mod editor;
mod failures;
mod feedback;
mod list;
mod lists;
mod live;
mod new_task;
mod outcomes;
mod reminders;
mod repeat_picker;
mod row;

use board::{keep_address_canonical, Board};
use feedback::Feedback;
use live::Live;

/// A step the page asks to be confirmed, in its address: without JavaScript there is no
/// undo, so deleting asks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Confirm {
    Delete(Uuid),
    ClearCompleted,
}

impl Confirm {
    fn from_url(delete: Option<String>, clear: Option<String>) -> Option<Self> {
        match (delete, clear) {
            (Some(id), _) => Uuid::parse_str(&id).ok().map(Self::Delete),
            (None, Some(what)) if what == "completed" => Some(Self::ClearCompleted),
            _ => None,
        }
    }

    fn pair(self) -> (String, String) {
        match self {
            Self::Delete(id) => ("delete".into(), id.to_string()),
            Self::ClearCompleted => ("clear".into(), "completed".into()),
        }
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let url = use_query_map();
    // `filter` is what the status was called before the list had other filters.
    let query = Memo::new(move |_| {
        url.with(|q| {
            TaskQuery::from_url(|name| match name {
                "status" => q.get("status").or_else(|| q.get("filter")),
                name => q.get(name),
            })
        })
    });
    let page = Memo::new(move |_| {
        url.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()))
            .unwrap_or(1)
            .max(1)
    });
    let editing_from_url =
        Memo::new(move |_| url.with(|q| q.get("edit").and_then(|v| Uuid::parse_str(&v).ok())));
    let confirm =
        Memo::new(move |_| url.with(|q| Confirm::from_url(q.get("delete"), q.get("clear"))));
    // Here, before anything waits for the user: a redirect must be decided before the
    // server starts streaming the page.
    keep_address_canonical(
        url,
        Signal::derive(move || {
            let mut pairs = address_pairs(&query.get(), page.get(), editing_from_url.get());
            pairs.extend(confirm.get().map(Confirm::pair));
            pairs
        }),
    );

    view! {
        <Title text="Your tasks" />
        <RequireUser>
            <Board query page editing_from_url confirm />
        </RequireUser>
    }
}

/// The parameters of the page's address for a list (its search, filters and order), a page
/// of it and (without JavaScript) the task being edited.
fn address_pairs(query: &TaskQuery, page: u32, edit: Option<Uuid>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .pairs()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    if page > 1 {
        pairs.push(("page".into(), page.to_string()));
    }
    if let Some(id) = edit {
        pairs.push(("edit".into(), id.to_string()));
    }
    pairs
}

/// The page's address for a list, a page of it and the task being edited.
pub(super) fn tasks_href(query: &TaskQuery, page: u32, edit: Option<Uuid>) -> String {
    href_of(address_pairs(query, page, edit))
}

fn href_of(pairs: Vec<(String, String)>) -> String {
    if pairs.is_empty() {
        return "/tasks".into();
    }
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.extend_pairs(pairs);
    format!("/tasks?{}", url.finish())
}

/// The same list with `change` made to it.
fn with(query: &TaskQuery, change: impl FnOnce(&mut TaskQuery)) -> TaskQuery {
    let mut query = query.clone();
    change(&mut query);
    query
}

fn items_left(n: u64) -> String {
    match n {
        1 => "1 item left".into(),
        n => format!("{n} items left"),
    }
}

/// Every action the page dispatches, shared with the rows.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) add: ServerAction<AddTask>,
    pub(super) toggle: ServerAction<SetTaskCompleted>,
    pub(super) edit: ServerAction<EditTask>,
    pub(super) remove: ServerAction<DeleteTask>,
    pub(super) toggle_all: ServerAction<SetAllCompleted>,
    pub(super) clear: ServerAction<ClearCompleted>,
    pub(super) restore: ServerAction<RestoreDeleted>,
    pub(super) unmark: ServerAction<UndoMarking>,
    pub(super) unmove: ServerAction<UndoCompletion>,
    /// What the page says after each action, and where focus goes.
    pub(super) feedback: Feedback,
    /// Changes made elsewhere, as they come.
    pub(super) live: Live,
    /// An inline editor's save on its way, or refused.
    draft: RwSignal<Option<draft::Draft>>,
    /// Done and Delete clicks that did not go through, each shown on its row.
    failed: RwSignal<Vec<failures::RowFailure>>,
    /// The quick-add line of a task being added, shown at once (marked pending) until the
    /// list that holds it comes, or the add fails.
    adding: RwSignal<Option<String>>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Actions {
    /// Whether one of the page's own changes is on its way.
    fn any_pending(&self) -> bool {
        self.add.pending().get_untracked()
            || self.toggle.pending().get_untracked()
            || self.edit.pending().get_untracked()
            || self.remove.pending().get_untracked()
            || self.toggle_all.pending().get_untracked()
            || self.clear.pending().get_untracked()
            || self.restore.pending().get_untracked()
            || self.unmark.pending().get_untracked()
            || self.unmove.pending().get_untracked()
    }
}
