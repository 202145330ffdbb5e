use super::*;
use app::tasks::{store::dav::Resource, Task};

const TODO: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\n\
BEGIN:VTODO\r\nUID:abc-123@example.com\r\nDTSTAMP:20260101T000000Z\r\n\
SUMMARY:Buy milk\\, eggs\\; bread\r\nDESCRIPTION:Line one\\nLine two\r\n\
DUE;TZID=Europe/Berlin:20260105T233000\r\nPRIORITY:2\r\nCATEGORIES:Home,Errands\r\n\
STATUS:COMPLETED\r\nX-APPLE-SORT-ORDER:42\r\nDTSTART;TZID=Europe/Berlin:20260104T090000\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER;VALUE=DATE-TIME:20260105T080000Z\r\nEND:VALARM\r\n\
BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n\
END:VTODO\r\nEND:VCALENDAR\r\n";

fn task(draft: &TaskDraft, completed: bool) -> Task {
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    Task {
        id: uuid::Uuid::nil(),
        user_id: uuid::Uuid::nil(),
        list_id: uuid::Uuid::nil(),
        title: draft.title.clone(),
        description: draft.description.clone(),
        is_completed: completed,
        due_date: draft.due_date.as_deref().and_then(|d| d.parse().ok()),
        priority: Priority::High,
        tags: draft.tags.iter().map(|t| t.to_lowercase()).collect(),
        repeat: draft.repeat.clone(),
        last_completed_at: None,
        remind_at: draft
            .remind_at
            .as_deref()
            .and_then(|r| DateTime::parse_from_rfc3339(r).ok())
            .map(|r| r.with_timezone(&Utc)),
        created_at: at,
        updated_at: at,
    }
}

#[test]
fn a_vtodo_maps_to_the_task_and_keeps_what_is_not_mapped() {
    let read = read(TODO, "America/New_York").unwrap();
    assert_eq!(read.uid, "abc-123@example.com");
    assert!(read.completed);
    assert_eq!(read.draft.title, "Buy milk, eggs; bread");
    assert_eq!(
        read.draft.description.as_deref(),
        Some("Line one\nLine two")
    );
    // 23:30 in Berlin is 17:30 the same day in New York.
    assert_eq!(read.draft.due_date.as_deref(), Some("2026-01-05"));
    assert_eq!(read.draft.priority.as_deref(), Some("high"));
    assert_eq!(read.draft.tags, vec!["Home", "Errands"]);
    assert_eq!(
        read.draft.remind_at.as_deref(),
        Some("2026-01-05T08:00:00.000000Z")
    );
    let extra = read.extra.clone().unwrap();
    assert!(extra.contains("X-APPLE-SORT-ORDER:42"));
    assert!(extra.contains("TRIGGER:-PT15M"));
    assert!(extra.contains("TZID:Europe/Berlin"));
    assert!(!extra.contains("SUMMARY"));

    let resource = Resource {
        task: task(&read.draft, read.completed),
        name: "abc.ics".into(),
        uid: read.uid.clone(),
        extra: read.extra.clone(),
    };
    let written = write(&resource);
    assert!(written.contains("UID:abc-123@example.com"));
    assert!(written.contains("SUMMARY:Buy milk\\, eggs\\; bread"));
    assert!(written.contains("DUE;VALUE=DATE:20260105"));
    assert!(written.contains("STATUS:COMPLETED"));
    assert!(written.contains("X-APPLE-SORT-ORDER:42"));
    assert!(written.contains("TRIGGER;VALUE=DATE-TIME:20260105T080000Z"));
    assert!(written.contains("TRIGGER:-PT15M"));
    assert_eq!(written.matches("BEGIN:VTIMEZONE").count(), 1);
    // What is written reads back to the same task and the same kept content.
    let again = super::read(&written, "America/New_York").unwrap();
    // (The store keeps tags lower-case.)
    let mut stored = read.draft.clone();
    stored.tags = vec!["home".into(), "errands".into()];
    assert_eq!(again.draft, stored);
    assert_eq!(again.extra, read.extra);
    let mut changed = resource.clone();
    changed.task.updated_at += chrono::TimeDelta::microseconds(1);
    assert_ne!(etag(&changed), etag(&resource));
}

#[test]
fn what_cannot_be_read_is_refused_with_a_reason() {
    let refused = |body: &str| read(body, "UTC").err().unwrap().to_string();
    assert!(refused("hello").contains("not an iCalendar"));
    let event = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(refused(event).contains("no VTODO"));
    let no_uid = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert!(refused(no_uid).contains("no UID"));
    let bad_due =
        "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\nDUE:soon\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert!(refused(bad_due).contains("DUE"));
    let bad_priority =
        "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\nPRIORITY:12\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert!(refused(bad_priority).contains("PRIORITY"));
}

#[test]
fn priorities_and_dates_follow_the_contract() {
    let with = |line: &str| {
        let body = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\nSUMMARY:t\r\n{line}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        );
        read(&body, "Asia/Tokyo").unwrap().draft
    };
    assert_eq!(with("PRIORITY:0").priority.as_deref(), Some("none"));
    assert_eq!(with("PRIORITY:5").priority.as_deref(), Some("medium"));
    assert_eq!(with("PRIORITY:9").priority.as_deref(), Some("low"));
    assert_eq!(with("X-A:b").priority, None);
    assert_eq!(
        with("DUE;VALUE=DATE:20261231").due_date.as_deref(),
        Some("2026-12-31")
    );
    // 20:00 UTC is the next morning in Tokyo.
    assert_eq!(
        with("DUE:20261231T200000Z").due_date.as_deref(),
        Some("2027-01-01")
    );
    // A floating time stays on its own date.
    assert_eq!(
        with("DUE:20261231T200000").due_date.as_deref(),
        Some("2026-12-31")
    );
}
