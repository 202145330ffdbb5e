//! What the page says and where keyboard focus goes after each action, once hydrated.
//!
//! Every action's outcome is said in one polite live region at the foot of the screen
//! ("Deleted “Buy milk”. Undo"), which stays while the pointer or focus is in it and goes
//! after a few seconds otherwise. An action that re-renders the list names, before it is
//! sent, where focus should land (its own row, the next one, the add box); the list applies
//! that once its new rows are on screen, so focus never falls back to the page's `<body>`.

use std::time::Duration;

use leptos::prelude::*;
use uuid::Uuid;

use crate::tasks::{Marked, Removed, Task};

/// How long a notice stays on screen when nothing holds it.
const NOTICE_FOR: Duration = Duration::from_secs(8);

/// What an "Undo" in the notice takes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Undo {
    /// A deletion's batch: its tasks come back.
    Deletion(Uuid),
    /// A "mark all" batch: its tasks go back to their state before.
    Marking(Uuid),
    /// A repeating task completed (so moved to its next date): its dates go back.
    Occurrence(Uuid),
}

/// One thing said after an action, with what can be done about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Notice {
    pub(super) text: String,
    /// Offered as "Undo".
    pub(super) undo: Option<Undo>,
    /// A link to where the outcome can be seen: (address, words).
    pub(super) link: Option<(String, String)>,
}

impl Notice {
    pub(super) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            undo: None,
            link: None,
        }
    }
}

/// The page's notice and its pending focus, shared by the list and its rows.
#[derive(Clone, Copy)]
pub(in crate::tasks) struct Feedback {
    notice: RwSignal<Option<Notice>>,
    /// Element ids, best first: the first one on screen gets focus after the next render.
    focus: StoredValue<Vec<String>>,
    /// Bumped by every new notice and by anything holding it, so an older timer does nothing.
    generation: StoredValue<u64>,
    /// A task just added, until the list that follows has said whether it shows it.
    added: StoredValue<Option<Task>>,
    /// The last deletion, for its Undo.
    removed: StoredValue<Option<Removed>>,
    /// The last change that can be undone, for Ctrl+Z, until it is (or the page goes).
    last_undo: StoredValue<Option<Undo>>,
    /// A repeating task as it was before a Done click moved it, and then the `updated_at`
    /// the move left: what its Undo puts back, and what it expects.
    moved: StoredValue<Option<(Task, Option<chrono::DateTime<chrono::Utc>>)>>,
}

impl Feedback {
    pub(super) fn new() -> Self {
        Self {
            notice: RwSignal::new(None),
            focus: StoredValue::new(Vec::new()),
            generation: StoredValue::new(0),
            added: StoredValue::new(None),
            removed: StoredValue::new(None),
            last_undo: StoredValue::new(None),
            moved: StoredValue::new(None),
        }
    }

    /// A Done click on `task` is on its way: a repeating one moves rather than completes.
    pub(super) fn completing(&self, task: &Task) {
        if task.repeat.is_some() && !task.is_completed {
            self.moved.set_value(Some((task.clone(), None)));
        }
    }

    /// Says where a completed repeating task moved, offering Undo; `false` when `task` is not
    /// one the page just moved.
    pub(super) fn say_moved(&self, task: &Task) -> bool {
        let before = self
            .moved
            .with_value(|m| m.as_ref().map(|(before, _)| before.clone()));
        let Some(before) = before
            .filter(|b| b.id == task.id && task.repeat.is_some() && b.due_date != task.due_date)
        else {
            return false;
        };
        self.moved.set_value(Some((before, Some(task.updated_at))));
        let next = task
            .due_date
            .map(|d| d.format(" Next: %a %b %-d.").to_string())
            .unwrap_or_default();
        self.offer_undo(
            Undo::Occurrence(task.id),
            format!("Done “{}”.{next}", task.title),
        );
        true
    }

    /// What the Undo of moving `id` puts back, and the version it expects.
    pub(super) fn moved_from(&self, id: Uuid) -> Option<(Task, chrono::DateTime<chrono::Utc>)> {
        self.moved
            .with_value(|m| m.clone())
            .and_then(|(before, at)| Some((before, at?)))
            .filter(|(before, _)| before.id == id)
    }

    pub(super) fn notice(&self) -> Option<Notice> {
        self.notice.get()
    }

    /// Shows `notice` in place of the last one, for [`NOTICE_FOR`].
    pub(super) fn say(&self, notice: Notice) {
        self.notice.set(Some(notice));
        self.release();
    }

    /// Keeps the notice up (the pointer or focus is in it).
    pub(super) fn hold(&self) {
        self.generation.update_value(|g| *g += 1);
    }

    /// Lets the notice go after [`NOTICE_FOR`], unless something newer holds or replaces it.
    pub(super) fn release(&self) {
        self.generation.update_value(|g| *g += 1);
        let mine = self.generation.get_value();
        let this = *self;
        set_timeout(
            move || {
                if this.generation.try_get_value() == Some(mine) {
                    this.notice.try_set(None);
                }
            },
            NOTICE_FOR,
        );
    }

    /// Takes the notice away; focus, which was on its button, goes to the add box.
    pub(super) fn dismiss(&self) {
        self.notice.set(None);
        focus_element(ADD_FIELD);
    }

    /// Says what a deletion took, offering Undo.
    pub(super) fn say_removed(&self, removed: Removed) {
        self.offer_undo(Undo::Deletion(removed.batch), removed.message());
        self.removed.set_value(Some(removed));
    }

    /// Says how many tasks a "mark all" changed, offering Undo when it changed any.
    pub(super) fn say_marked(&self, marked: &Marked) {
        if marked.count == 0 {
            self.say(Notice::text(marked.message()));
        } else {
            self.offer_undo(Undo::Marking(marked.batch), marked.message());
        }
    }

    fn offer_undo(&self, undo: Undo, text: String) {
        self.say(Notice {
            undo: Some(undo),
            ..Notice::text(text)
        });
        self.last_undo.set_value(Some(undo));
    }

    /// The last change that can be undone, taken (it is undone once).
    pub(super) fn take_undo(&self) -> Option<Undo> {
        self.last_undo.try_update_value(Option::take).flatten()
    }

    /// Whether a notice is on screen.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn showing(&self) -> bool {
        self.notice.with_untracked(Option::is_some)
    }

    /// Before an Undo: focus goes to the first task it brings back.
    pub(super) fn focus_after_undo(&self, batch: Uuid) {
        let first = self.removed.with_value(|r| {
            r.as_ref()
                .filter(|r| r.batch == batch)
                .and_then(|r| r.ids.first().copied())
        });
        if let Some(id) = first {
            self.focus_after(vec![toggle_id(id), ADD_FIELD.to_string()]);
        }
    }

    /// After a task is added: focus goes back to the add box, unless the user has moved it
    /// elsewhere in the meantime (it was on the Add button, in the add form, or lost).
    pub(super) fn focus_add_box_unless_moved(&self) {
        let body: Option<web_sys::Element> = document().body().map(Into::into);
        let moved = document().active_element().is_some_and(|element| {
            Some(&element) != body.as_ref()
                && element.closest("form.new-task").ok().flatten().is_none()
        });
        if !moved {
            focus_element(ADD_FIELD);
        }
    }

    pub(super) fn note_added(&self, task: Task) {
        self.added.set_value(Some(task));
    }

    pub(super) fn take_added(&self) -> Option<Task> {
        self.added.try_update_value(Option::take).flatten()
    }

    /// Where focus should land once the list shows the outcome: the first of `ids` there.
    pub(super) fn focus_after(&self, ids: Vec<String>) {
        self.focus.set_value(ids);
    }

    /// Focuses the first of `ids` on screen now, leaving what [`Self::focus_after`] asked
    /// for the next render (which will replace these elements).
    pub(super) fn focus_now(&self, ids: &[String]) {
        let _ = ids.iter().any(|id| focus_element(id));
    }

    /// Before the list is redrawn for a change made elsewhere: focus stays on the element it
    /// is on (by its id), unless an action has already said where it goes.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn keep_focus(&self) {
        if self.focus.try_with_value(|ids| !ids.is_empty()) != Some(false) {
            return;
        }
        if let Some(id) = document()
            .active_element()
            .map(|element| element.id())
            .filter(|id| !id.is_empty())
        {
            self.focus.set_value(vec![id]);
        }
    }

    /// Moves focus as [`Self::focus_after`] asked, if one of its elements is on screen.
    pub(super) fn apply_focus(&self) {
        let Some(ids) = self.focus.try_get_value() else {
            return;
        };
        if ids.is_empty() {
            return;
        }
        if ids.iter().any(|id| focus_element(id)) {
            self.focus.set_value(Vec::new());
        }
    }
}

/// The id of a row's done checkbox.
pub(super) fn toggle_id(task: Uuid) -> String {
    format!("toggle-{task}")
}

/// The id of a row's Edit link.
pub(super) fn edit_id(task: Uuid) -> String {
    format!("edit-{task}")
}

/// The add box's title field.
pub(super) const ADD_FIELD: &str = "field-title";

/// Where focus goes when `task`'s row leaves the list: the next row, else the one before,
/// else the add box.
pub(super) fn after_leaving(task: Uuid) -> Vec<String> {
    let mut ids = neighbours(task);
    ids.push(ADD_FIELD.to_string());
    ids
}

/// The done checkboxes of the rows after and before `task`'s, as the list shows them now.
fn neighbours(task: Uuid) -> Vec<String> {
    let Some(row) = document()
        .get_element_by_id(&toggle_id(task))
        .and_then(|check| check.closest("li.task").ok().flatten())
    else {
        return Vec::new();
    };
    let check_of = |row: Option<web_sys::Element>| {
        row.and_then(|row| row.query_selector(".check").ok().flatten())
            .map(|check| check.id())
            .filter(|id| !id.is_empty())
    };
    [
        check_of(row.next_element_sibling()),
        check_of(row.previous_element_sibling()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn focus_element(id: &str) -> bool {
    use leptos::wasm_bindgen::JsCast as _;
    document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|element| element.focus().is_ok())
}

/// Where a key belongs to what is typed, not to the page: text boxes, lists and the like
/// (a row's done checkbox is not one).
#[cfg(feature = "hydrate")]
const TEXT_FIELDS: &str =
    "textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])";

/// The notice bar: a polite live region, always in the page so that what is put in it is
/// read out; its Undo takes back what a deletion or a "mark all" did. From the keyboard,
/// Ctrl+Z (or ⌘Z) undoes the last such change even after its notice has gone, and Escape
/// dismisses the notice (neither while typing in a field, which has its own).
#[component]
pub(super) fn NoticeBar(
    feedback: Feedback,
    /// Runs an "Undo".
    undo: Callback<Undo>,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast as _;
        let keys =
            leptos::leptos_dom::helpers::window_event_listener(leptos::ev::keydown, move |ev| {
                let typing = ev
                    .target()
                    .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                    .and_then(|element| element.closest(TEXT_FIELDS).ok().flatten())
                    .is_some();
                if typing || ev.alt_key() || ev.shift_key() {
                    return;
                }
                if ev.key() == "Escape" && feedback.showing() {
                    ev.prevent_default();
                    feedback.dismiss();
                } else if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("z") {
                    if let Some(what) = feedback.take_undo() {
                        ev.prevent_default();
                        undo.run(what);
                    }
                }
            });
        on_cleanup(move || keys.remove());
    }
    let run = move |what: Undo| {
        feedback.take_undo();
        undo.run(what);
    };
    view! {
        <div
            class="notice-bar"
            role="status"
            on:mouseenter=move |_| feedback.hold()
            on:mouseleave=move |_| feedback.release()
            on:focusin=move |_| feedback.hold()
            on:focusout=move |_| feedback.release()
        >
            {move || {
                feedback.notice().map(|notice| {
                    view! {
                        <div class="notice-body">
                            <span>{notice.text}</span>
                            {notice.link.map(|(href, words)| view! { <a href=href>{words}</a> })}
                            {notice.undo.map(|what| view! {
                                <button type="button" class="link-button" aria-keyshortcuts="Control+Z"
                                    on:click=move |_| run(what)>
                                    "Undo"
                                </button>
                                <kbd class="shortcut">"Ctrl+Z"</kbd>
                            })}
                            <button type="button" class="link-button dismiss" aria-label="Dismiss"
                                on:click=move |_| feedback.dismiss()>
                                <span aria-hidden="true">"×"</span>
                            </button>
                        </div>
                    }
                })
            }}
        </div>
    }
}
