//! The list controls (search, filters, sort) and the active filters above the list, and the step that confirms a bulk action.

use leptos::prelude::*;
use leptos_router::components::Form;

use super::{tasks_href, with};
use crate::tasks::{Filter, Priority, Sort, TaskQuery};

/// Search, filters and order: a plain GET form on `/tasks`, so the list lives in the URL
/// (reload, back and forward keep it); hydrated, it navigates without a page load.
#[component]
pub(super) fn ListControls(query: Memo<TaskQuery>) -> impl IntoView {
    move || {
        let query = query.get();
        let priority = match query.priorities.as_slice() {
            [one] => one.as_str(),
            _ => "",
        };
        // Left at "usual", each sort takes its own default order.
        let order = query.order.filter(|o| *o != query.sort.default_order());
        let more_open = query.due_after.is_some() || query.due_before.is_some() || query.overdue;
        // On a phone the options fold under "Sort and filter" (wider screens show them all):
        // open when one of them narrows or orders the list.
        let options_open = more_open
            || !query.priorities.is_empty()
            || query.repeating.is_some()
            || query.sort != Sort::default()
            || query.order.is_some();
        let status = (query.status != Filter::All).then_some(query.status.as_str());
        let tags = (!query.tags.is_empty()).then(|| query.tags.join(","));
        let list = query.list.map(|id| id.to_string());
        let search = query.q.clone().unwrap_or_default();
        let (sort, overdue, repeating) = (query.sort, query.overdue, query.repeating);
        let (due_after, due_before) = (
            query.due_after.map(|d| d.to_string()).unwrap_or_default(),
            query.due_before.map(|d| d.to_string()).unwrap_or_default(),
        );
        view! {
            <Form method="GET" action="/tasks" attr:class="list-controls" attr:role="search" attr:aria-label="Search and sort tasks">
                {status.map(|status| view! { <input type="hidden" name="status" value=status /> })}
                {tags.map(|tags| view! { <input type="hidden" name="tag" value=tags /> })}
                {list.map(|list| view! { <input type="hidden" name="list" value=list /> })}
                <div class="control search">
                    <label class="visually-hidden" for="list-q">"Search tasks"</label>
                    // The property too: hydrated, this form is kept and updated in place, and
                    // an input the user typed in no longer follows its attribute.
                    <input id="list-q" type="search" name="q" placeholder="Search tasks"
                        value=search.clone() prop:value=search />
                </div>
                <details class="list-options" open=options_open>
                <summary>"Sort and filter"</summary>
                <div class="control">
                    <label for="list-priority">"Priority"</label>
                    <select id="list-priority" name="priority" on:change=apply_now>
                        <option value="" selected=priority.is_empty()>"Any"</option>
                        {[Priority::High, Priority::Medium, Priority::Low, Priority::None]
                            .into_iter()
                            .map(|p| view! {
                                <option value=p.as_str() selected=priority == p.as_str()>
                                    {p.name()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="control">
                    <label for="list-repeating">"Repeats"</label>
                    <select id="list-repeating" name="repeating" on:change=apply_now>
                        <option value="" selected=repeating.is_none()>"Any"</option>
                        <option value="true" selected=repeating == Some(true)>"Repeating"</option>
                        <option value="false" selected=repeating == Some(false)>"Not repeating"</option>
                    </select>
                </div>
                <div class="control">
                    <label for="list-sort">"Sort by"</label>
                    <select id="list-sort" name="sort" on:change=apply_now>
                        {Sort::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == sort>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="control">
                    <label for="list-order">"Order"</label>
                    <select id="list-order" name="order" on:change=apply_now>
                        <option value="" selected=order.is_none()>"Usual"</option>
                        <option value="asc" selected=order == Some(crate::tasks::Order::Asc)>"Ascending"</option>
                        <option value="desc" selected=order == Some(crate::tasks::Order::Desc)>"Descending"</option>
                    </select>
                </div>
                <button type="submit" class="button secondary">"Apply"</button>
                <details class="more-filters" open=more_open>
                    <summary>"Due dates"</summary>
                    <div class="control">
                        <label for="list-due-after">"Due from"</label>
                        <input id="list-due-after" type="date" name="due_after"
                            value=due_after.clone() prop:value=due_after />
                    </div>
                    <div class="control">
                        <label for="list-due-before">"Due until"</label>
                        <input id="list-due-before" type="date" name="due_before"
                            value=due_before.clone() prop:value=due_before />
                    </div>
                    <label class="check-control">
                        <input type="checkbox" name="overdue" value="true" checked=overdue prop:checked=overdue />
                        "Overdue only"
                    </label>
                </details>
                </details>
            </Form>
            <ActiveFilters query />
        }
        .into_any()
    }
}

/// What narrows the list now, each with a link that takes it away.
#[component]
pub(super) fn ActiveFilters(query: TaskQuery) -> impl IntoView {
    let mut chips: Vec<(String, TaskQuery)> = Vec::new();
    if let Some(q) = &query.q {
        chips.push((format!("Search: {q}"), with(&query, |l| l.q = None)));
    }
    for tag in &query.tags {
        chips.push((
            format!("#{tag}"),
            with(&query, |l| l.tags.retain(|t| t != tag)),
        ));
    }
    for p in &query.priorities {
        chips.push((
            p.label().to_string(),
            with(&query, |l| l.priorities.retain(|x| x != p)),
        ));
    }
    if let Some(d) = query.due_after {
        chips.push((
            format!("Due from {d}"),
            with(&query, |l| l.due_after = None),
        ));
    }
    if let Some(d) = query.due_before {
        chips.push((
            format!("Due until {d}"),
            with(&query, |l| l.due_before = None),
        ));
    }
    if query.overdue {
        chips.push(("Overdue".into(), with(&query, |l| l.overdue = false)));
    }
    if let Some(repeating) = query.repeating {
        let words = if repeating {
            "Repeating"
        } else {
            "Not repeating"
        };
        chips.push((words.into(), with(&query, |l| l.repeating = None)));
    }
    (!chips.is_empty()).then(|| {
        let everything = TaskQuery {
            status: query.status,
            sort: query.sort,
            order: query.order,
            ..TaskQuery::default()
        };
        view! {
            <ul class="chips active-filters" aria-label="Active filters">
                {chips
                    .into_iter()
                    .map(|(label, without)| {
                        let spoken = format!("Remove filter {label}");
                        view! {
                        <li>
                            <a href=tasks_href(&without, 1, None) class="chip removable" aria-label=spoken>
                                {label}<span aria-hidden="true">" ×"</span>
                            </a>
                        </li>
                    }})
                    .collect_view()}
                <li><a href=tasks_href(&everything, 1, None) class="link-button">"Clear filters"</a></li>
            </ul>
        }
    })
}

/// A step that asks before something is deleted for good: the question, the form that does
/// it, and a way back.
#[component]
pub(super) fn ConfirmStep(question: String, cancel: String, children: Children) -> impl IntoView {
    view! {
        <div class="confirm-step" role="alertdialog" aria-labelledby="confirm-question">
            <p id="confirm-question">{question}</p>
            <div class="confirm-actions">
                {children()}
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </div>
    }
}

/// With JavaScript a choice in a list option applies at once (the form's Apply stays for
/// the search and the dates, and for the page without JavaScript).
pub(super) fn apply_now(ev: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast as _;
    let form = event_target::<web_sys::Element>(&ev)
        .closest("form")
        .ok()
        .flatten()
        .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok());
    if let Some(form) = form {
        let _ = form.request_submit();
    }
}
