//! Lists made, renamed and deleted from a calendar app: `MKCALENDAR` makes a list (at the
//! address the app chose, named by its `displayname`), `PROPPATCH` of `displayname` renames
//! one, `DELETE` of a calendar deletes it with its tasks. Each is the list store's own
//! change, with its rules: the owner alone renames and deletes, the Inbox stays, names are
//! unique per owner.

use app::{
    error::AppError,
    ids::ListId,
    tasks::{lists::ListName, store},
};
use axum::{http::StatusCode, response::Response};

use super::{
    calendar_href, multistatus,
    xml::{self, Element, Multistatus, Name, Value, CALDAV, DAV},
    xml_response, Caller, Target,
};
use crate::state::AppState;

/// The calendar a collection method names: 405 for anything else.
fn calendar_target(target: &Target) -> Result<(uuid::Uuid, uuid::Uuid), AppError> {
    match target {
        Target::Calendar(user, list) => Ok((*user, *list)),
        _ => Err(AppError::MethodNotAllowed(
            "Only a calendar (a list's collection) can be made, changed or deleted this way."
                .into(),
        )),
    }
}

/// The properties a `set` of a `MKCALENDAR` or `PROPPATCH` body gives.
fn set_props(root: &Element) -> Vec<&Element> {
    root.children
        .iter()
        .filter(|c| c.is(DAV, "set"))
        .filter_map(|set| set.child(DAV, "prop"))
        .flat_map(|prop| prop.children.iter())
        .collect()
}

fn list_name(raw: &str) -> Result<ListName, AppError> {
    ListName::parse(raw.trim()).map_err(AppError::invalid_field)
}

pub async fn mkcalendar(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    body: &str,
) -> Result<Response, AppError> {
    let (_, list) = calendar_target(target)?;
    let props = match body.trim() {
        "" => Vec::new(),
        body => {
            let root = xml::parse(body).map_err(AppError::BadRequest)?;
            set_props(&root).into_iter().cloned().collect()
        }
    };
    // A calendar of events only is not something a list can be.
    if let Some(set) = props
        .iter()
        .find(|p| p.is(CALDAV, "supported-calendar-component-set"))
    {
        let todo = set
            .children
            .iter()
            .any(|c| c.is(CALDAV, "comp") && c.attribute("name") == Some("VTODO"));
        if !todo {
            return Ok(xml_response(
                StatusCode::FORBIDDEN,
                xml::error("c", "supported-calendar-component"),
            ));
        }
    }
    let name = props
        .iter()
        .find(|p| p.is(DAV, "displayname"))
        .map(|p| p.text.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "New list".into());
    store::lists::create_with_id(&state.db, caller.id, ListId(list), &list_name(&name)?).await?;
    let mut response = Response::default();
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

pub async fn proppatch(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    body: &str,
) -> Result<Response, AppError> {
    let (user, list) = calendar_target(target)?;
    let root = xml::parse(body).map_err(AppError::BadRequest)?;
    if !root.is(DAV, "propertyupdate") {
        return Err(AppError::BadRequest(
            "A PROPPATCH body is a DAV:propertyupdate element.".into(),
        ));
    }
    let props = set_props(&root);
    let removed = root.children.iter().any(|c| c.is(DAV, "remove"));
    let name = |p: &Element| -> Name { (p.namespace.clone(), p.name.clone()) };
    let href = calendar_href(user, list);
    let mut answer = Multistatus::new();
    // Only the name can change; a request that asks for more changes nothing (RFC 4918:
    // all or none), and says which it could not set.
    let others: Vec<Name> = props
        .iter()
        .filter(|p| !p.is(DAV, "displayname"))
        .map(|p| name(p))
        .collect();
    let new_name = props.iter().find(|p| p.is(DAV, "displayname"));
    if !others.is_empty() || removed || new_name.is_none() {
        answer.failed(&href, &others, "403 Forbidden");
        if let Some(p) = new_name {
            answer.failed(&href, &[name(p)], "424 Failed Dependency");
        }
        return Ok(multistatus(answer.finish(None)));
    }
    let new_name = new_name.map(|p| p.text.clone()).unwrap_or_default();
    store::lists::rename(&state.db, caller.id, ListId(list), &list_name(&new_name)?).await?;
    answer.response(
        &href,
        &[(
            (DAV.into(), "displayname".into()),
            Value::Text(String::new()),
        )],
        &[],
    );
    Ok(multistatus(answer.finish(None)))
}

pub async fn delete(
    state: &AppState,
    caller: &Caller,
    target: &Target,
) -> Result<Response, AppError> {
    let (_, list) = calendar_target(target)?;
    store::lists::delete(&state.db, caller.id, ListId(list)).await?;
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}
