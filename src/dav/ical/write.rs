//! A task written as a `VCALENDAR` with one `VTODO`, with what its client sent and the
//! server does not map put back.

use app::tasks::{store::dav::Resource, Priority};
use chrono::{DateTime, Utc};
use icalendar::parser::{read_calendar, unfold, Calendar, Component, Parameter, Property};

use super::PRODID;

/// A TEXT value escaped (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

fn utc(at: &DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn prop(name: &str, value: String) -> Property<'static> {
    Property {
        name: name.to_string().into(),
        val: value.into(),
        params: Vec::new(),
    }
}

fn prop_with(name: &str, key: &str, param: &str, value: String) -> Property<'static> {
    Property {
        params: vec![Parameter {
            key: key.to_string().into(),
            val: Some(param.to_string().into()),
        }],
        ..prop(name, value)
    }
}

/// The task as a `VCALENDAR` with one `VTODO`, with what its client sent and the server
/// does not map put back.
pub fn write(resource: &Resource) -> String {
    let task = &resource.task;
    let unfolded = resource.extra.as_deref().map(unfold);
    let kept: Option<Calendar> = unfolded
        .as_deref()
        .and_then(|extra| read_calendar(extra).ok());
    let mut properties = vec![
        prop("UID", escape(&resource.uid)),
        prop("DTSTAMP", utc(&task.updated_at)),
        prop("CREATED", utc(&task.created_at)),
        prop("LAST-MODIFIED", utc(&task.updated_at)),
        prop("SUMMARY", escape(&task.title)),
    ];
    if let Some(description) = &task.description {
        properties.push(prop("DESCRIPTION", escape(description)));
    }
    if let Some(due) = task.due_date {
        properties.push(prop_with(
            "DUE",
            "VALUE",
            "DATE",
            due.format("%Y%m%d").to_string(),
        ));
    }
    let rank = match task.priority {
        Priority::High => Some(1),
        Priority::Medium => Some(5),
        Priority::Low => Some(9),
        Priority::None => None,
    };
    if let Some(rank) = rank {
        properties.push(prop("PRIORITY", rank.to_string()));
    }
    if !task.tags.is_empty() {
        let tags: Vec<String> = task.tags.iter().map(|t| escape(t)).collect();
        properties.push(prop("CATEGORIES", tags.join(",")));
    }
    if task.is_completed {
        properties.push(prop("STATUS", "COMPLETED".into()));
        properties.push(prop("COMPLETED", utc(&task.updated_at)));
        properties.push(prop("PERCENT-COMPLETE", "100".into()));
    } else {
        properties.push(prop("STATUS", "NEEDS-ACTION".into()));
    }
    if let Some(repeat) = &task.repeat {
        properties.push(prop("RRULE", repeat.clone()));
    }
    let mut components = Vec::new();
    if let Some(at) = task.remind_at {
        components.push(Component {
            name: "VALARM".into(),
            properties: vec![
                prop("ACTION", "DISPLAY".into()),
                prop("DESCRIPTION", escape(&task.title)),
                prop_with("TRIGGER", "VALUE", "DATE-TIME", utc(&at)),
            ],
            components: Vec::new(),
        });
    }
    let mut outer = Vec::new();
    if let Some(kept) = kept {
        for c in kept.components.iter().map(owned) {
            if c.name == "VTODO" {
                properties.extend(c.properties);
                components.extend(c.components);
            } else {
                outer.push(c);
            }
        }
    }
    outer.push(Component {
        name: "VTODO".into(),
        properties,
        components,
    });
    Calendar {
        properties: vec![prop("VERSION", "2.0".into()), prop("PRODID", PRODID.into())],
        components: outer,
    }
    .to_string()
}

fn owned(c: &Component) -> Component<'static> {
    Component {
        name: c.name.to_owned(),
        properties: c
            .properties
            .iter()
            .map(|p| Property {
                name: p.name.to_owned(),
                val: p.val.to_owned(),
                params: p
                    .params
                    .iter()
                    .map(|param| Parameter {
                        key: param.key.to_owned(),
                        val: param.val.as_ref().map(|v| v.to_owned()),
                    })
                    .collect(),
            })
            .collect(),
        components: c.components.iter().map(owned).collect(),
    }
}
