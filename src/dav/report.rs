//! `REPORT` on a calendar: `calendar-query` (a `VTODO` comp-filter, with `time-range` on the
//! due date and property filters), `calendar-multiget` (tasks by href) and
//! `sync-collection` (RFC 6578: what changed and what went since a token).

use app::{
    error::AppError,
    tasks::store::dav::{self, Resource},
};
use axum::{http::StatusCode, response::Response};
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};

use super::{
    ical, list_of, multistatus,
    props::{respond_resource, sync_seq, sync_token, Wanted},
    resource_href, xml,
    xml::{Element, Multistatus, CALDAV, DAV},
    xml_response, Caller, Target,
};
use crate::state::AppState;

/// The most hrefs one multiget may name.
const MULTIGET_MAX: usize = 1000;

pub async fn report(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    body: &str,
) -> Result<Response, AppError> {
    let Target::Calendar(user, list) = target else {
        return Err(AppError::Forbidden(
            "Reports are answered on a calendar (a list's collection).".into(),
        ));
    };
    let root = xml::parse(body).map_err(AppError::BadRequest)?;
    let me = caller.id;
    let calendar = dav::calendar_of(&state.db, me, list_of(*list)).await?;
    let wanted = Wanted::of(&root);
    let mut answer = Multistatus::new();
    if root.is(CALDAV, "calendar-multiget") {
        let hrefs: Vec<&Element> = root.children.iter().filter(|c| c.is(DAV, "href")).collect();
        if hrefs.len() > MULTIGET_MAX {
            return Err(AppError::BadRequest(format!(
                "A multiget may name at most {MULTIGET_MAX} tasks."
            )));
        }
        // Each href as a path (a full URL names the same path), and the name it gives in
        // this calendar, if any; the tasks are read in one go.
        let named: Vec<(&str, Option<String>)> = hrefs
            .iter()
            .map(|href| {
                let path = href.text.trim();
                let path = path.find("/dav/").map_or(path, |at| &path[at..]);
                let name = match Target::parse(path) {
                    Some(Target::Resource(u, l, name)) if u == *user && l == *list => Some(name),
                    _ => None,
                };
                (path, name)
            })
            .collect();
        let names: Vec<String> = named.iter().filter_map(|(_, n)| n.clone()).collect();
        let found = dav::named_resources(&state.db, me, calendar.id, &names).await?;
        for (path, name) in &named {
            match name
                .as_ref()
                .and_then(|n| found.iter().find(|r| &r.name == n))
            {
                Some(resource) => respond_resource(&mut answer, *user, *list, &wanted, resource),
                None => answer.status(path, "404 Not Found"),
            }
        }
        return Ok(multistatus(answer.finish(None)));
    }
    if root.is(CALDAV, "calendar-query") {
        let filter = root.child(CALDAV, "filter");
        for resource in dav::resources(&state.db, me, calendar.id).await? {
            if filter.is_none_or(|f| matches(f, &resource, &caller.user.time_zone)) {
                respond_resource(&mut answer, *user, *list, &wanted, &resource);
            }
        }
        return Ok(multistatus(answer.finish(None)));
    }
    if root.is(DAV, "sync-collection") {
        let token = root
            .child(DAV, "sync-token")
            .map(|t| t.text.trim())
            .unwrap_or("");
        let (now, changed, gone) = if token.is_empty() {
            let all = dav::resources(&state.db, me, calendar.id).await?;
            (calendar.sync_seq, all, Vec::new())
        } else {
            let since = sync_seq(token);
            let changes = match since {
                Some(since) => dav::changes_since(&state.db, me, calendar.id, since).await?,
                None => None,
            };
            match changes {
                Some(changes) => changes,
                // RFC 6578: a token the server cannot answer from is this precondition; the
                // client reads the collection again from no token.
                None => {
                    return Ok(xml_response(
                        StatusCode::FORBIDDEN,
                        xml::error("d", "valid-sync-token"),
                    ))
                }
            }
        };
        for resource in &changed {
            respond_resource(&mut answer, *user, *list, &wanted, resource);
        }
        for name in &gone {
            answer.status(&resource_href(*user, *list, name), "404 Not Found");
        }
        return Ok(multistatus(answer.finish(Some(&sync_token(now)))));
    }
    Err(AppError::Forbidden(
        "This server answers the calendar-query, calendar-multiget and sync-collection reports."
            .into(),
    ))
}

/// Whether `resource` passes a `calendar-query` filter: a `VCALENDAR` comp-filter holding a
/// `VTODO` one, whose time range and property filters all hold.
fn matches(filter: &Element, resource: &Resource, zone: &str) -> bool {
    let Some(calendar) = filter.child(CALDAV, "comp-filter") else {
        return true;
    };
    if calendar.attribute("name") != Some("VCALENDAR") {
        return false;
    }
    let Some(component) = calendar.child(CALDAV, "comp-filter") else {
        return true;
    };
    if component.attribute("name") != Some("VTODO") {
        return false;
    }
    if component.child(CALDAV, "is-not-defined").is_some() {
        return false;
    }
    if let Some(range) = component.child(CALDAV, "time-range") {
        if !in_range(range, resource, zone) {
            return false;
        }
    }
    let prop_filters: Vec<&Element> = component
        .children
        .iter()
        .filter(|c| c.is(CALDAV, "prop-filter"))
        .collect();
    if prop_filters.is_empty() {
        return true;
    }
    let properties = ical::properties(&ical::write(resource));
    prop_filters
        .into_iter()
        .all(|f| prop_matches(f, &properties))
}

/// A `prop-filter`: the property is not there (`is-not-defined`), or it is and, with a
/// `text-match`, one of its values holds the text (case-insensitively), or none does when
/// the match is negated.
fn prop_matches(filter: &Element, properties: &[(String, String)]) -> bool {
    let Some(name) = filter.attribute("name") else {
        return true;
    };
    let name = name.to_ascii_uppercase();
    let values: Vec<&String> = properties
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .collect();
    if filter.child(CALDAV, "is-not-defined").is_some() {
        return values.is_empty();
    }
    if values.is_empty() {
        return false;
    }
    let Some(text_match) = filter.child(CALDAV, "text-match") else {
        return true;
    };
    let needle = text_match.text.to_lowercase();
    let found = values.iter().any(|v| v.to_lowercase().contains(&needle));
    let negated = text_match.attribute("negate-condition") == Some("yes");
    found != negated
}

/// A `time-range` (UTC `start` and `end`, either may be left out) against the task: a task
/// due on a date takes that whole day in the account's zone; one without a due date matches
/// when it was made before the range ends (RFC 4791 9.9).
fn in_range(range: &Element, resource: &Resource, zone: &str) -> bool {
    let bound = |name| range.attribute(name).and_then(parse_utc);
    let (start, end) = (bound("start"), bound("end"));
    let task = &resource.task;
    let Some(due) = task.due_date else {
        return end.is_none_or(|end| task.created_at < end);
    };
    let zone = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let day = |date: chrono::NaiveDate| {
        zone.from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (day(due), due.succ_opt().and_then(day)) else {
        return true;
    };
    start.is_none_or(|start| to > start) && end.is_none_or(|end| from < end)
}

fn parse_utc(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim().strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .ok()
        .map(|local| Utc.from_utc_datetime(&local))
}
