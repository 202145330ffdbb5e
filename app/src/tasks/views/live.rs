//! Live updates on the task page: once hydrated, the page follows the user's event stream
//! (`/tasks/events`) and brings its list up to date when a change made elsewhere (another
//! tab, a phone, an API client) commits. The browser's `EventSource` reconnects by itself
//! after a network loss and sends the last event id it saw, so nothing is missed; each
//! (re)connection also re-checks the list.
//!
//! The list is not redrawn for nothing: after an event the page loads the list quietly and
//! redraws only if it differs from what is shown, so its own changes (which come back as
//! events too) never redraw it twice or move focus. While an inline editor is open the list
//! is left alone (a redraw would close it); the editor says so if its own task changed, and
//! its save is refused rather than overwrite that change.

use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "hydrate")]
use {
    super::Actions,
    crate::{
        error::AppError,
        tasks::{api::load_board, TaskBoard, TaskQuery},
    },
};

/// How long after an event the page looks at the list: events of one change (or of a bulk
/// change) arrive together, and one look serves them all.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

#[derive(Clone, Copy)]
pub(in crate::tasks) struct Live {
    /// The task whose inline editor is open.
    editing: RwSignal<Option<Uuid>>,
    /// Tasks changed elsewhere while their editor was open.
    changed: RwSignal<Vec<Uuid>>,
    /// Bumped to reload the list.
    pub(super) reloads: RwSignal<u64>,
    /// A look at the list is due (set while one is scheduled or held back by an editor).
    due: StoredValue<bool>,
    /// What looks at the list: loads it quietly and redraws it only if it differs (set by
    /// `follow`).
    look: StoredValue<Option<Look>>,
    /// Tasks this page itself changed, whose events are not yet in: such an event is the
    /// page's own change coming back, already shown, and needs no look at the list.
    own: StoredValue<Vec<Uuid>>,
    /// The tasks the events of the coming look are about (`None`: a reset or a reconnection).
    burst: StoredValue<Vec<Option<Uuid>>>,
}

/// Own changes remembered at most (a bulk action's are not: its events make one look).
const OWN_KEPT: usize = 50;

type Look = std::sync::Arc<dyn Fn() + Send + Sync>;

impl Live {
    pub(super) fn new() -> Self {
        Self {
            editing: RwSignal::new(None),
            changed: RwSignal::new(Vec::new()),
            reloads: RwSignal::new(0),
            due: StoredValue::new(false),
            look: StoredValue::new(None),
            own: StoredValue::new(Vec::new()),
            burst: StoredValue::new(Vec::new()),
        }
    }

    /// The page changed `tasks` itself (the server said so): their events need no look.
    pub(super) fn own_change(&self, tasks: &[Uuid]) {
        self.own.try_update_value(|own| {
            own.extend_from_slice(tasks);
            let over = own.len().saturating_sub(OWN_KEPT);
            own.drain(..over);
        });
    }

    /// Whether the events since the last look are all the page's own changes coming back
    /// (each matches one, which is then forgotten): the look can stop there. Asked once the
    /// page's own actions have answered; a reset, a reconnection or a look held back by an
    /// editor (`None` in the burst) is never only its own. No event at all means an earlier
    /// look, scheduled while this one waited for an action, already took them: nothing is left
    /// to look at.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn only_own(&self) -> bool {
        let burst = self
            .burst
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        let mut only_own = true;
        for task in burst {
            let mine = task.and_then(|task| {
                self.own
                    .try_update_value(|own| {
                        own.iter().position(|t| *t == task).map(|at| own.remove(at))
                    })
                    .flatten()
            });
            if mine.is_none() {
                only_own = false;
            }
        }
        if !only_own {
            // What is shown is about to be the server's whole truth.
            self.own.try_update_value(Vec::clear);
        }
        only_own
    }

    /// An inline editor opened on `task`: the list holds still until it closes.
    pub(super) fn editor_opened(&self, task: Uuid) {
        self.changed.try_update(|c| c.retain(|t| *t != task));
        self.editing.try_set(Some(task));
    }

    /// The editor on `task` closed; a look held back meanwhile happens now (a quiet one: a
    /// plain reload would redraw the list and take focus from the row's Edit button).
    pub(super) fn editor_closed(&self, task: Uuid) {
        if self.editing.try_get_untracked().flatten() != Some(task) {
            return;
        }
        self.editing.try_set(None);
        self.changed.try_update(|c| c.retain(|t| *t != task));
        if self.due.try_get_value() == Some(true) {
            self.due.set_value(false);
            self.look();
        }
    }

    /// Whether an editor is open, so that the list must not be redrawn under it now; the
    /// look is then due again when the editor closes.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn held(&self) -> bool {
        let held = self.editing.try_get_untracked().flatten().is_some();
        if held {
            self.due.try_set_value(true);
            // The look that found the list changed has taken its events: the one made when
            // the editor closes must not take an empty burst for nothing to do.
            self.burst.try_update_value(|burst| burst.push(None));
        }
        held
    }

    /// Whether `task` changed elsewhere while its editor was open. No, once the page that
    /// made these signals is gone: a server render could still be making its editor then,
    /// and a disposed signal read the plain way panics (a 500 for the whole page).
    pub(super) fn changed_elsewhere(&self, task: Uuid) -> bool {
        self.changed
            .try_with(|c| c.contains(&task))
            .unwrap_or(false)
    }

    fn look(&self) {
        if let Some(look) = self.look.try_get_value().flatten() {
            look();
        }
    }

    /// A list the user is a member of changed (renamed, deleted, shared, a member gone): the
    /// lists and the tasks shown are read again at once, unless an editor is open (then
    /// when it closes).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_list_event(&self) {
        if self.held() {
            return;
        }
        self.reloads.try_update(|n| *n += 1);
    }

    /// An event about `task` (or a reset or reconnection, `None`) came in.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_event(&self, task: Option<Uuid>) {
        if let (Some(open), Some(task)) = (self.editing.try_get_untracked().flatten(), task) {
            if open == task && self.changed.try_with_untracked(|c| !c.contains(&task)) == Some(true)
            {
                self.changed.try_update(|c| c.push(task));
            }
        }
        // Bounded: past what the page could itself have changed, a look is needed anyway
        // (`None`), and an editor held open through a burst elsewhere keeps one entry.
        self.burst.try_update_value(|burst| {
            if burst.len() < OWN_KEPT {
                burst.push(task);
            } else {
                *burst = vec![None];
            }
        });
        if self.due.try_get_value() != Some(false) {
            return;
        }
        self.due.set_value(true);
        let this = *self;
        set_timeout(
            move || {
                // Held back while an editor is open: `editor_closed` reloads.
                if this.editing.try_get_untracked().flatten().is_some() {
                    return;
                }
                this.due.try_set_value(false);
                this.look();
            },
            SETTLE,
        );
    }
}

/// Follows `/tasks/events` while the page is shown: each event calls `check` (soon after,
/// once for a burst), which compares the list with the server's.
#[cfg(feature = "hydrate")]
pub(super) fn follow(
    live: Live,
    check: impl Fn() + Send + Sync + 'static,
    remind: impl Fn(String) + 'static,
) {
    use leptos::wasm_bindgen::{closure::Closure, JsCast as _};

    /// The stream and its handlers: dropped (the stream closed) with the page.
    struct Source {
        events: web_sys::EventSource,
        _handler: Closure<dyn Fn(web_sys::MessageEvent)>,
        _on_list: Closure<dyn Fn(web_sys::MessageEvent)>,
        _on_reminder: Closure<dyn Fn(web_sys::MessageEvent)>,
    }
    impl Drop for Source {
        fn drop(&mut self) {
            self.events.close();
        }
    }

    live.look.set_value(Some(std::sync::Arc::new(check)));
    let Ok(events) = web_sys::EventSource::new("/tasks/events") else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            // A task's JSON starts with its id, as a deletion's does: `{"id":"…"`.
            let task = ev
                .data()
                .as_string()
                .and_then(|data| {
                    data.strip_prefix("{\"id\":\"")
                        .map(|rest| rest.chars().take(36).collect::<String>())
                })
                .and_then(|id| Uuid::parse_str(&id).ok());
            live.on_event(task);
        });
    for kind in [
        "task.created",
        "task.updated",
        "task.deleted",
        "reset",
        "open",
    ] {
        let _ = events.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
    }
    let on_list = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
        live.on_list_event();
    });
    for kind in [
        "list.updated",
        "list.deleted",
        "member.added",
        "member.removed",
    ] {
        let _ = events.add_event_listener_with_callback(kind, on_list.as_ref().unchecked_ref());
    }
    // A reminder: the task's title, said (the task itself is unchanged).
    let on_reminder =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let task = ev
                .data()
                .as_string()
                .and_then(|data| serde_json::from_str::<crate::tasks::Task>(&data).ok());
            if let Some(task) = task {
                remind(task.title);
            }
        });
    let _ = events
        .add_event_listener_with_callback("task.reminder", on_reminder.as_ref().unchecked_ref());
    let source = StoredValue::new_local(Some(Source {
        events,
        _handler: handler,
        _on_list: on_list,
        _on_reminder: on_reminder,
    }));
    on_cleanup(move || {
        source.try_update_value(|s| s.take());
    });
}

/// After an event: loads the list quietly and reloads the page's list only if what the
/// server has differs from what is shown (the page's own changes come back as events too).
/// Waits while one of the page's own actions is under way; keeps focus where it was.
#[cfg(feature = "hydrate")]
pub(super) fn check_list(
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
            // The list shown went: the page says so once it loads the list again.
            Err(AppError::NotFound(_)) => {
                actions.live.reloads.try_update(|n| *n += 1);
                return;
            }
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
