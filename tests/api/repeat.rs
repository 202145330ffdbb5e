//! Repeating tasks through the API: the `repeat` rule, completing one moves it to its next
//! date (in the user's time zone) instead of completing it, `remind_at` moves with it, the
//! `repeating` filter, quick add's `*…` and `@HH:MM`, and export and import keep it all.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{call, create, created, error_fields, list, send, status_and_body},
};

async fn complete(app: &TestApp, user: &TestUser, task: &Value) -> Value {
    let path = format!("/tasks/{}/complete", task["id"].as_str().unwrap());
    let (status, body) = call(
        app,
        user,
        Method::PATCH,
        &path,
        Some(json!({"is_completed": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn set_zone(app: &TestApp, user: &TestUser, zone: &str) {
    let response = send(
        app,
        &user.token,
        Method::PATCH,
        "/api/auth/me",
        Some(json!({"time_zone": zone})),
    )
    .await;
    assert_eq!(response.status(), 200);
}

fn today_in(zone: chrono_tz::Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().unwrap().parse().unwrap()
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn completing_a_repeating_task_moves_it_past_today_and_keeps_it_active() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = created(
            &app,
            &user,
            json!({
                "title": "Pay rent", "due_date": "2020-01-31", "repeat": "freq=monthly",
                "remind_at": "2020-01-31T10:00:00+01:00",
            }),
        )
        .await;
        assert_eq!(task["repeat"], "FREQ=MONTHLY");
        assert_eq!(task["remind_at"], "2020-01-31T09:00:00.000000Z");
        assert_eq!(task["last_completed_at"], Value::Null);

        let before = Utc::now();
        let moved = complete(&app, &user, &task).await;
        assert_eq!(moved["is_completed"], false);
        assert_eq!(moved["repeat"], "FREQ=MONTHLY");
        // The first month's end (the series started on a 31st) after today.
        let today = today_in(chrono_tz::UTC);
        let mut want = NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
        while want <= today {
            let next_month = want
                .with_day(1)
                .unwrap()
                .checked_add_months(chrono::Months::new(2))
                .unwrap();
            want = next_month.pred_opt().unwrap();
        }
        assert_eq!(date(&moved["due_date"]), want);
        let remind = time(&moved["remind_at"]);
        assert_eq!(remind.date_naive(), want);
        assert_eq!(
            remind.time(),
            chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        );
        let completed_at = time(&moved["last_completed_at"]);
        assert!(
            completed_at >= before - chrono::TimeDelta::seconds(1) && completed_at <= Utc::now()
        );
        assert_eq!(moved["updated_at"], moved["last_completed_at"]);

        // Marking it not done changes nothing but the time; a task that does not repeat
        // is completed as ever.
        let path = format!("/tasks/{}/complete", task["id"].as_str().unwrap());
        let (_, again) = call(
            &app,
            &user,
            Method::PATCH,
            &path,
            Some(json!({"is_completed": false})),
        )
        .await;
        assert_eq!(again["due_date"], moved["due_date"]);
        let plain = created(
            &app,
            &user,
            json!({"title": "Once", "due_date": "2020-01-31"}),
        )
        .await;
        assert_eq!(complete(&app, &user, &plain).await["is_completed"], true);
    })
    .await;
}

#[tokio::test]
async fn a_monthly_series_from_the_31st_keeps_its_day_through_short_months_and_edits() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = created(&app, &user, json!({
            "title": "Invoice", "due_date": "2099-01-31", "repeat": "FREQ=MONTHLY",
        }))
        .await;
        let task = complete(&app, &user, &task).await;
        assert_eq!(task["due_date"], "2099-02-28");
        let task = complete(&app, &user, &task).await;
        assert_eq!(task["due_date"], "2099-03-31");
        let task = complete(&app, &user, &task).await;
        assert_eq!(task["due_date"], "2099-04-30");
        // An edit that keeps the date and the rule keeps the series' day.
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let (status, task) = call(&app, &user, Method::PUT, &path, Some(json!({
            "title": "Send the invoice", "due_date": "2099-04-30", "repeat": "FREQ=MONTHLY",
        })))
        .await;
        assert_eq!(status, 200, "{task}");
        assert_eq!(complete(&app, &user, &task).await["due_date"], "2099-05-31");
        // A new date starts a new series.
        let (_, task) = call(&app, &user, Method::PUT, &path, Some(json!({
            "title": "Send the invoice", "due_date": "2099-06-15", "repeat": "FREQ=MONTHLY;INTERVAL=2",
        })))
        .await;
        assert_eq!(task["repeat"], "FREQ=MONTHLY;INTERVAL=2");
        assert_eq!(complete(&app, &user, &task).await["due_date"], "2099-08-15");
        // A PUT that leaves them out clears the rule and the reminder.
        let (_, task) = call(&app, &user, Method::PUT, &path, Some(json!({"title": "x", "due_date": "2099-06-15"}))).await;
        assert_eq!(task["repeat"], Value::Null);
        assert_eq!(task["remind_at"], Value::Null);
        assert_eq!(complete(&app, &user, &task).await["is_completed"], true);
    })
    .await;
}

#[tokio::test]
async fn weekly_days_follow_the_users_time_zone() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        // 14 hours ahead of UTC: its today is often UTC's tomorrow.
        set_zone(&app, &user, "Pacific/Kiritimati").await;
        let task = created(
            &app,
            &user,
            json!({
                "title": "Gym", "due_date": "2026-01-05", "repeat": "FREQ=WEEKLY;BYDAY=TH,MO",
            }),
        )
        .await;
        assert_eq!(task["repeat"], "FREQ=WEEKLY;BYDAY=MO,TH");
        let moved = complete(&app, &user, &task).await;
        let today = today_in(chrono_tz::Pacific::Kiritimati);
        let mut want = today + Days::new(1);
        while !matches!(want.weekday(), Weekday::Mon | Weekday::Thu) {
            want = want + Days::new(1);
        }
        assert_eq!(date(&moved["due_date"]), want);
    })
    .await;
}

#[tokio::test]
async fn bad_rules_and_reminders_are_422_naming_the_field() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for (body, field) in [
            (json!({"title": "x", "repeat": "FREQ=DAILY"}), "repeat"),
            (json!({"title": "x", "due_date": "2026-01-01", "repeat": "FREQ=HOURLY"}), "repeat"),
            (json!({"title": "x", "due_date": "2026-01-01", "repeat": "FREQ=DAILY;INTERVAL=366"}), "repeat"),
            (json!({"title": "x", "due_date": "2026-01-01", "repeat": "FREQ=DAILY;BYDAY=MO"}), "repeat"),
            (json!({"title": "x", "due_date": "2026-01-01", "repeat": "FREQ=DAILY;COUNT=2"}), "repeat"),
            (json!({"title": "x", "due_date": "2026-01-01", "repeat": "R".repeat(10_000)}), "repeat"),
            (json!({"title": "x", "remind_at": "tomorrow"}), "remind_at"),
            (json!({"title": "x", "remind_at": "2026-01-01T09:00:00"}), "remind_at"),
            (json!({"title": "x", "remind_at": "2026-01-01"}), "remind_at"),
        ] {
            let (status, error) = status_and_body(create(&app, &user, body.clone()).await).await;
            assert_eq!(status, 422, "{body}: {error}");
            assert_eq!(error_fields(&error), [format!("body.{field}")], "{body}: {error}");
            assert!(!error["detail"].as_str().unwrap().contains("sql"), "{error}");
        }
        let (status, error) = status_and_body(create(&app, &user, json!({"title": "", "repeat": "x"})).await).await;
        assert_eq!(status, 422);
        assert_eq!(error_fields(&error), ["body.title", "body.repeat"]);
        assert_eq!(list(&app, &user, "").await["total"], 0, "nothing was stored");
    })
    .await;
}

#[tokio::test]
async fn the_repeating_filter_keeps_one_kind_or_the_other() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let repeating = created(
            &app,
            &user,
            json!({"title": "a", "due_date": "2026-01-01", "repeat": "FREQ=YEARLY"}),
        )
        .await;
        let once = created(&app, &user, json!({"title": "b"})).await;
        let ids = |page: &Value| -> Vec<Value> {
            page["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].clone())
                .collect()
        };
        let page = list(&app, &user, "repeating=true").await;
        assert_eq!(
            (ids(&page), page["total"].clone()),
            (vec![repeating["id"].clone()], json!(1))
        );
        let page = list(&app, &user, "repeating=false").await;
        assert_eq!(
            (ids(&page), page["total"].clone()),
            (vec![once["id"].clone()], json!(1))
        );
        assert_eq!(list(&app, &user, "").await["total"], 2);
        let (status, error) = call(&app, &user, Method::GET, "/tasks?repeating=yes", None).await;
        assert_eq!(status, 422);
        assert_eq!(error["errors"][0]["loc"], json!(["query", "repeating"]));
    })
    .await;
}

#[tokio::test]
async fn quick_add_reads_repeats_and_a_reminder_time_in_the_users_zone() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        set_zone(&app, &user, "America/New_York").await;
        let response = send(
            &app,
            &user.token,
            Method::POST,
            &format!("/api/{}/tasks?parse=true", user.id),
            Some(json!({"title": "Water plants *every 2 weeks @18:30 #home"})),
        )
        .await;
        let (status, task) = status_and_body(response).await;
        assert_eq!(status, 201, "{task}");
        assert_eq!(task["title"], "Water plants");
        assert_eq!(task["repeat"], "FREQ=WEEKLY;INTERVAL=2");
        let zone = chrono_tz::America::New_York;
        let today = today_in(zone);
        assert_eq!(date(&task["due_date"]), today, "a repeat starts today");
        let remind = time(&task["remind_at"]).with_timezone(&zone);
        assert_eq!(
            (remind.date_naive(), remind.time()),
            (today, chrono::NaiveTime::from_hms_opt(18, 30, 0).unwrap())
        );

        let response = send(
            &app,
            &user.token,
            Method::POST,
            &format!("/api/{}/tasks?parse=true", user.id),
            Some(json!({"title": "Standup *weekdays ^2099-03-02 @09:15"})),
        )
        .await;
        let (_, task) = status_and_body(response).await;
        assert_eq!(task["repeat"], "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
        assert_eq!(task["due_date"], "2099-03-02");
        assert_eq!(task["remind_at"], "2099-03-02T14:15:00.000000Z");
        // Without `parse`, the same words are the title.
        let plain = created(&app, &user, json!({"title": "x *daily @09:00"})).await;
        assert_eq!(
            (plain["title"].clone(), plain["repeat"].clone()),
            (json!("x *daily @09:00"), Value::Null)
        );
    })
    .await;
}

#[tokio::test]
async fn export_and_import_keep_the_rule_the_reminder_and_the_last_completion() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = created(
            &app,
            &user,
            json!({
                "title": "Backup", "due_date": "2099-01-01", "repeat": "FREQ=WEEKLY;INTERVAL=3",
                "remind_at": "2099-01-01T08:00:00Z",
            }),
        )
        .await;
        let done = complete(&app, &user, &task).await;
        let (status, export) = call(&app, &user, Method::GET, "/export", None).await;
        assert_eq!(status, 200);
        let other = app.new_user().await;
        let (status, imported) = call(&app, &other, Method::POST, "/import", Some(export)).await;
        assert_eq!(status, 200, "{imported}");
        let copy = &list(&app, &other, "").await["tasks"][0];
        for field in ["repeat", "remind_at", "last_completed_at", "due_date"] {
            assert_eq!(copy[field], done[field], "{field}");
        }
        assert_eq!(complete(&app, &other, copy).await["due_date"], "2099-02-12");
    })
    .await;
}
