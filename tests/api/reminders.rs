//! Reminders: when a task's `remind_at` passes, its list's members get one `task.reminder`
//! event: once, not for a time already past or a completed task, after a restart for one
//! that fell due while no server ran, and once between two instances on one database.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{backends, for_each_backend, on_two_instances, spawn_on, FreshDatabase},
    live::{follow, EventStream, Item},
    requests::{created, send},
};

/// A reminder this far ahead: enough to see the created event first.
const AHEAD: TimeDelta = TimeDelta::milliseconds(1500);

/// How late a reminder may arrive and still pass.
const LATE: Duration = Duration::from_secs(4);

fn at(delta: TimeDelta) -> String {
    (Utc::now() + delta).to_rfc3339()
}

/// The stream's events until nothing more comes for `quiet`, comments left out.
async fn events_until_quiet(stream: &mut EventStream, quiet: Duration) -> Vec<(String, Value)> {
    let mut events = Vec::new();
    while let Some(item) = stream.next_within(quiet).await {
        if let Item::Event(event) = item {
            events.push((event.kind().to_string(), event.json()));
        }
    }
    events
}

fn reminders_of(events: &[(String, Value)]) -> Vec<String> {
    events
        .iter()
        .filter(|(kind, _)| kind == "task.reminder")
        .map(|(_, task)| task["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_reminder_is_sent_once_when_it_passes_and_never_for_a_past_or_completed_task() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        let due = created(
            &app,
            &user,
            json!({"title": "soon", "remind_at": at(AHEAD)}),
        )
        .await;
        created(
            &app,
            &user,
            json!({"title": "past", "remind_at": at(-TimeDelta::minutes(5))}),
        )
        .await;
        let done = created(
            &app,
            &user,
            json!({"title": "done", "remind_at": at(AHEAD)}),
        )
        .await;
        let path = format!(
            "/api/{}/tasks/{}/complete",
            user.id,
            done["id"].as_str().unwrap()
        );
        let response = send(
            &app,
            &user.token,
            Method::PATCH,
            &path,
            Some(json!({"is_completed": true})),
        )
        .await;
        assert_eq!(response.status(), 200);

        let first = stream
            .next_event_within(LATE + Duration::from_secs(2))
            .await;
        let mut events = vec![(first.kind().to_string(), first.json())];
        events.extend(events_until_quiet(&mut stream, LATE).await);
        let reminder = events
            .iter()
            .find(|(kind, _)| kind == "task.reminder")
            .expect("a reminder");
        assert_eq!(reminder.1, due, "the data is the task");
        assert_eq!(reminders_of(&events), ["soon"], "{events:?}");
        // Moving it later sends it again at the new time; an edit that keeps it does not.
        let path = format!("/api/{}/tasks/{}", user.id, due["id"].as_str().unwrap());
        let keep = json!({"title": "soon, renamed", "remind_at": due["remind_at"]});
        assert_eq!(
            send(&app, &user.token, Method::PUT, &path, Some(keep))
                .await
                .status(),
            200
        );
        let later = json!({"title": "later", "remind_at": at(AHEAD)});
        assert_eq!(
            send(&app, &user.token, Method::PUT, &path, Some(later))
                .await
                .status(),
            200
        );
        let events = events_until_quiet(&mut stream, LATE).await;
        assert_eq!(reminders_of(&events), ["later"], "{events:?}");
    })
    .await;
}

#[tokio::test]
async fn a_reminder_that_fell_due_while_the_server_was_stopped_is_sent_after_it_starts() {
    for backend in backends() {
        let database = FreshDatabase::create(backend).await;
        let (app, server) = spawn_on(backend, database.config()).await;
        let user = app.new_user().await;
        let mut stream = follow(&app, &user, None).await;
        created(
            &app,
            &user,
            json!({"title": "while down", "remind_at": at(TimeDelta::seconds(1))}),
        )
        .await;
        let seen = stream.next_event_within(LATE).await;
        assert_eq!(seen.kind(), "task.created");
        drop(stream);
        server.stop().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let (app, server) = spawn_on(backend, database.config()).await;
        let last = seen.seq().to_string();
        let mut stream = follow(&app, &user, Some(&last)).await;
        let events = events_until_quiet(&mut stream, LATE).await;
        assert_eq!(
            reminders_of(&events),
            ["while down"],
            "{backend:?}: {events:?}"
        );
        drop(stream);
        server.stop().await;
        // And once only: a second start sends nothing more.
        let (app, server) = spawn_on(backend, database.config()).await;
        let mut stream = follow(&app, &user, Some(&last)).await;
        let events = events_until_quiet(&mut stream, Duration::from_secs(2)).await;
        assert_eq!(
            reminders_of(&events),
            ["while down"],
            "{backend:?}: {events:?}"
        );
        drop(stream);
        server.stop().await;
        database.drop_database().await;
    }
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_reminder_once_between_them() {
    on_two_instances(|first, second| async move {
        let user = first.new_user().await;
        let mut stream = follow(&first, &user, None).await;
        let mut titles = Vec::new();
        for n in 0..20 {
            let app = if n % 2 == 0 { &first } else { &second };
            let title = format!("r{n}");
            created(app, &user, json!({"title": title, "remind_at": at(AHEAD)})).await;
            titles.push(title);
        }
        let events = events_until_quiet(&mut stream, LATE).await;
        let mut sent = reminders_of(&events);
        sent.sort();
        titles.sort();
        assert_eq!(sent, titles, "each once: {events:?}");
    })
    .await;
}
