//! The `/tasks` page: add, list, filter, paginate, complete, edit and delete, TodoMVC style.
//!
//! Every control is a real form or link first, so the page works without JavaScript (page,
//! filter and edit mode live in the URL); once hydrated the same forms run as server actions,
//! with pending items and optimistic toggles that fall back to the server's truth on failure.

use chrono::NaiveDate;
use leptos::{html, prelude::*, server_fn::ServerFn as _};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use uuid::Uuid;

use super::{
    api::{
        load_board, AddTask, ClearCompleted, DeleteTask, EditTask, RestoreDeleted, SetAllCompleted,
        SetTaskCompleted, UndoMarking,
    },
    fields::{due_label, Priority, MAX_TAGS},
    quick_add::QuickAdd,
    Filter, Removed, Sort, Task, TaskBoard, TaskQuery, TaskTitle, DESCRIPTION_MAX_CHARS,
};
use crate::{
    auth::views::{RequireUser, SessionEnded},
    components::{textarea_text, FormMessage},
    error::AppError,
    forms::{
        form_error, form_message, unless_session_ended, use_failed_forms, AfterFailedForm,
        FormState,
    },
};

mod board;
mod controls;
mod draft;
mod editor;
mod failures;
mod feedback;
mod list;
mod live;
mod new_task;
mod outcomes;
mod row;

use feedback::{Feedback, Notice, NoticeBar, Undo, ADD_FIELD};
use live::Live;
use row::TaskRow;
#[allow(unused_imports)]
use {board::*, controls::*, list::*, new_task::*, outcomes::*};

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
    }
}

/// After an event: loads the list quietly and reloads the page's list only if what the
/// server has differs from what is shown (the page's own changes come back as events too).
/// Waits while one of the page's own actions is under way; keeps focus where it was.
#[cfg(feature = "hydrate")]
fn check_list(
    actions: Actions,
    board: Resource<Result<TaskBoard, AppError>>,
    query: Memo<TaskQuery>,
    page: Memo<u32>,
) {
    // The page has gone (its list with it): nothing to look at.
    let Some(loading) = board.try_with_untracked(Option::is_none) else {
        return;
    };
    if loading || actions.any_pending() {
        set_timeout(
            move || check_list(actions, board, query, page),
            std::time::Duration::from_millis(200),
        );
        return;
    }
    // The events were the page's own changes coming back: the list loaded after each
    // action already shows them.
    if actions.live.only_own() {
        return;
    }
    let (list, number) = (query.get_untracked(), page.get_untracked());
    leptos::task::spawn_local(async move {
        let fresh = match load_board(list.params(), number).await {
            Ok(fresh) => fresh,
            // Signed out: the page says so at the next action.
            Err(AppError::Unauthorized(_) | AppError::Forbidden(_)) => return,
            // The network or the server failed just now: look again in a while, or the
            // list would stay behind until the next event.
            Err(_) => {
                set_timeout(
                    move || check_list(actions, board, query, page),
                    std::time::Duration::from_secs(2),
                );
                return;
            }
        };
        let same = board
            .try_with_untracked(|shown| matches!(shown, Some(Ok(shown)) if *shown == fresh))
            .unwrap_or(true);
        // An editor opened while this was loading: the list holds still until it closes.
        if !same && !actions.live.held() {
            actions.feedback.keep_focus();
            actions.live.reloads.try_update(|n| *n += 1);
        }
    });
}
