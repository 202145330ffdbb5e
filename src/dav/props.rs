//! `PROPFIND`: the properties of the service root, of a user's home (their principal too),
//! of each calendar (one per list they can see) and of each task.

use app::{
    error::AppError,
    tasks::store::dav::{self, Calendar, Resource},
};
use axum::{http::HeaderMap, response::Response};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    calendar_href, depth, home_href, ical, list_of, multistatus, resource_href,
    xml::{self, Multistatus, Name, Value, CALDAV, CALSERVER, DAV},
    Caller, Target,
};
use crate::state::AppState;

/// Which properties a request asks for.
pub enum Wanted {
    /// `allprop` (or an empty body): every property but the calendar data.
    All,
    Names(Vec<Name>),
}

impl Wanted {
    /// Reads a `PROPFIND` body; 400 when it is no XML or no `propfind`.
    pub fn of_propfind(body: &str) -> Result<Self, AppError> {
        if body.trim().is_empty() {
            return Ok(Self::All);
        }
        let root = xml::parse(body).map_err(AppError::BadRequest)?;
        if !root.is(DAV, "propfind") {
            return Err(AppError::BadRequest(
                "A PROPFIND body is a DAV:propfind element.".into(),
            ));
        }
        Ok(Self::of(&root))
    }

    /// What the `prop` (or `allprop`) child of a request element asks for.
    pub fn of(request: &xml::Element) -> Self {
        match request.child(DAV, "prop") {
            Some(prop) => Self::Names(xml::names(prop)),
            None => Self::All,
        }
    }

    /// Splits `available` into what was asked for and found, and what was asked for and
    /// is not there.
    fn pick(&self, available: Vec<(Name, Value)>) -> (Vec<(Name, Value)>, Vec<Name>) {
        match self {
            Self::All => (
                available
                    .into_iter()
                    .filter(|(name, _)| !(name.0 == CALDAV && name.1 == "calendar-data"))
                    .collect(),
                Vec::new(),
            ),
            Self::Names(names) => {
                let mut available = available;
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for name in names {
                    match available.iter().position(|(n, _)| n == name) {
                        Some(at) => found.push(available.swap_remove(at)),
                        None => missing.push(name.clone()),
                    }
                }
                (found, missing)
            }
        }
    }

    /// Whether the calendar data is asked for (it costs a rendering of each task).
    fn wants(&self, namespace: &str, name: &str) -> bool {
        match self {
            Self::All => false,
            Self::Names(names) => names.iter().any(|(ns, n)| ns == namespace && n == name),
        }
    }
}

fn name(namespace: &str, local: &str) -> Name {
    (namespace.to_string(), local.to_string())
}

fn text(namespace: &str, local: &str, value: impl Into<String>) -> (Name, Value) {
    (name(namespace, local), Value::Text(value.into()))
}

fn xml_value(namespace: &str, local: &str, value: impl Into<String>) -> (Name, Value) {
    (name(namespace, local), Value::Xml(value.into()))
}

/// What the root, and the home, say of whoever asks.
fn principal_props(caller: &Caller) -> Vec<(Name, Value)> {
    let home = home_href(caller.id.as_uuid());
    vec![
        xml_value(DAV, "current-user-principal", xml::href(&home)),
        xml_value(DAV, "principal-URL", xml::href(&home)),
        xml_value(CALDAV, "calendar-home-set", xml::href(&home)),
        xml_value(
            CALDAV,
            "calendar-user-address-set",
            xml::href(&format!("mailto:{}", caller.user.email)),
        ),
    ]
}

fn root_props(caller: &Caller) -> Vec<(Name, Value)> {
    let mut props = vec![xml_value(DAV, "resourcetype", "<d:collection/>")];
    props.extend(principal_props(caller));
    props
}

fn home_props(caller: &Caller) -> Vec<(Name, Value)> {
    let mut props = vec![
        xml_value(DAV, "resourcetype", "<d:collection/><d:principal/>"),
        // A calendar app may make a list here (MKCALENDAR).
        xml_value(
            DAV,
            "current-user-privilege-set",
            "<d:privilege><d:read/></d:privilege><d:privilege><d:bind/></d:privilege>",
        ),
        text(DAV, "displayname", caller.user.name.clone()),
        xml_value(DAV, "owner", xml::href(&home_href(caller.id.as_uuid()))),
    ];
    props.extend(principal_props(caller));
    props
}

/// A list's sync token (and, as the same number, its ctag).
pub fn sync_token(seq: i64) -> String {
    format!("urn:todo:sync:{seq}")
}

/// The counter a sync token names; `None` for one this server never gave.
pub fn sync_seq(token: &str) -> Option<i64> {
    token
        .trim()
        .strip_prefix("urn:todo:sync:")?
        .parse()
        .ok()
        .filter(|seq: &i64| *seq >= 0)
}

fn calendar_props(caller: &Caller, calendar: &Calendar) -> Vec<(Name, Value)> {
    let mut privileges = String::from(
        "<d:privilege><d:read/></d:privilege>\
         <d:privilege><d:read-current-user-privilege-set/></d:privilege>",
    );
    if calendar.writable {
        privileges.push_str(
            "<d:privilege><d:write/></d:privilege><d:privilege><d:write-content/></d:privilege>\
             <d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege>",
        );
    }
    let reports = ["calendar-query", "calendar-multiget"]
        .iter()
        .map(|r| format!("<d:supported-report><d:report><c:{r}/></d:report></d:supported-report>"))
        .chain(std::iter::once(
            "<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>"
                .to_string(),
        ))
        .collect::<String>();
    vec![
        xml_value(DAV, "resourcetype", "<d:collection/><c:calendar/>"),
        text(DAV, "displayname", calendar.name.clone()),
        xml_value(
            CALDAV,
            "supported-calendar-component-set",
            "<c:comp name=\"VTODO\"/>",
        ),
        text(CALSERVER, "getctag", calendar.sync_seq.to_string()),
        text(DAV, "sync-token", sync_token(calendar.sync_seq)),
        xml_value(DAV, "current-user-privilege-set", privileges),
        xml_value(DAV, "supported-report-set", reports),
        xml_value(
            DAV,
            "current-user-principal",
            xml::href(&home_href(caller.id.as_uuid())),
        ),
    ]
}

/// A task's properties: the calendar data (written out) only when `with_data`.
pub fn resource_props(resource: &Resource, with_data: bool) -> Vec<(Name, Value)> {
    let mut props = vec![
        text(DAV, "getetag", ical::etag(resource)),
        text(
            DAV,
            "getcontenttype",
            "text/calendar; charset=utf-8; component=VTODO",
        ),
        xml_value(DAV, "resourcetype", ""),
        text(DAV, "getlastmodified", http_date(resource.task.updated_at)),
    ];
    if with_data {
        props.push(text(CALDAV, "calendar-data", ical::write(resource)));
    }
    props
}

/// A time as HTTP dates are written (RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Writes one resource's answer: what was asked for and found, and what is not there.
pub fn respond(answer: &mut Multistatus, href: &str, wanted: &Wanted, props: Vec<(Name, Value)>) {
    let (found, missing) = wanted.pick(props);
    answer.response(href, &found, &missing);
}

/// Writes a task's answer.
pub fn respond_resource(
    answer: &mut Multistatus,
    user: Uuid,
    list: Uuid,
    wanted: &Wanted,
    resource: &Resource,
) {
    let props = resource_props(resource, wanted.wants(CALDAV, "calendar-data"));
    let href = resource_href(user, list, &resource.name);
    respond(answer, &href, wanted, props);
}

pub async fn propfind(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    headers: &HeaderMap,
    body: &str,
) -> Result<Response, AppError> {
    let wanted = Wanted::of_propfind(body)?;
    let depth = depth(headers);
    let me = caller.id;
    let mut answer = Multistatus::new();
    match target {
        Target::Root => {
            respond(&mut answer, "/dav/", &wanted, root_props(caller));
            if depth > 0 {
                let home = home_href(me.as_uuid());
                respond(&mut answer, &home, &wanted, home_props(caller));
            }
        }
        Target::Home(user) => {
            respond(&mut answer, &home_href(*user), &wanted, home_props(caller));
            if depth > 0 {
                for calendar in dav::calendars(&state.db, me).await? {
                    let href = calendar_href(*user, calendar.id.as_uuid());
                    respond(
                        &mut answer,
                        &href,
                        &wanted,
                        calendar_props(caller, &calendar),
                    );
                }
            }
        }
        Target::Calendar(user, list) => {
            let calendar = dav::calendar_of(&state.db, me, list_of(*list)).await?;
            let href = calendar_href(*user, *list);
            respond(
                &mut answer,
                &href,
                &wanted,
                calendar_props(caller, &calendar),
            );
            if depth > 0 {
                for resource in dav::resources(&state.db, me, calendar.id).await? {
                    respond_resource(&mut answer, *user, *list, &wanted, &resource);
                }
            }
        }
        Target::Resource(user, list, name) => {
            let resource = dav::resource(&state.db, me, list_of(*list), name)
                .await?
                .ok_or_else(|| AppError::NotFound("There is no such task.".into()))?;
            respond_resource(&mut answer, *user, *list, &wanted, &resource);
        }
    }
    Ok(multistatus(answer.finish(None)))
}
