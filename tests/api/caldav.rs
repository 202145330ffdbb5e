//! Calendar sync over the wire, on both databases: app passwords, Basic sign-in, the raw
//! PROPFIND and REPORT answers, GET/PUT/DELETE with ETags, sync tokens moved by changes made
//! elsewhere, a viewer's read-only calendar, and hostile values on the page. (A real CalDAV
//! client library drives the same server in `scripts/caldav_client.py`.)

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{call, new_list, send, signed_in_browser, status_and_body},
};

/// Makes an app password for `user`; the password.
pub async fn app_password(app: &TestApp, user: &TestUser) -> String {
    let response = send(
        app,
        &user.token,
        Method::POST,
        "/api/auth/app-passwords",
        Some(json!({"name": "Phone"})),
    )
    .await;
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, 201, "{body}");
    body["password"].as_str().unwrap().to_string()
}

/// A WebDAV request signed in with Basic credentials.
pub async fn dav(
    app: &TestApp,
    (email, password): (&str, &str),
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            app.url(path),
        )
        .basic_auth(email, Some(password))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

fn vtodo(uid: &str, summary: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nSUMMARY:{summary}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

async fn inbox(app: &TestApp, user: &TestUser) -> String {
    let (_, lists) = call(app, user, Method::GET, "/lists", None).await;
    lists["lists"][0]["id"].as_str().unwrap().to_string()
}

async fn tasks(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let (status, body) = call(app, user, Method::GET, "/tasks?limit=100", None).await;
    assert_eq!(status, 200, "{body}");
    body["tasks"].as_array().unwrap().clone()
}

#[tokio::test]
async fn discovery_leads_from_the_well_known_address_to_each_list() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let groceries = new_list(&app, &user, "Groceries & <b>more</b>").await;

        let response = app
            .client
            .request(Method::from_bytes(b"PROPFIND").unwrap(), app.url("/.well-known/caldav"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 301);
        assert_eq!(response.headers()["location"], "/dav/");

        let ask = r#"<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;
        let (status, _, body) = dav(&app, creds, "PROPFIND", "/dav/", &[("depth", "0")], ask).await;
        assert_eq!(status, 207);
        let home = format!("/dav/{}/", user.id);
        assert!(body.contains(&format!("<d:href>{home}</d:href>")), "{body}");

        let ask = r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/><d:unknown-thing/></d:prop></d:propfind>"#;
        let (status, _, body) = dav(&app, creds, "PROPFIND", &home, &[("depth", "0")], ask).await;
        assert_eq!(status, 207);
        assert!(body.contains("<c:calendar-home-set><d:href>"), "{body}");
        assert!(body.contains("<d:unknown-thing/></d:prop><d:status>HTTP/1.1 404"), "{body}");

        let (status, _, body) = dav(&app, creds, "PROPFIND", &home, &[("depth", "1")], "").await;
        assert_eq!(status, 207);
        let list = groceries["id"].as_str().unwrap();
        assert!(body.contains(&format!("<d:href>/dav/{}/{list}/</d:href>", user.id)), "{body}");
        assert!(body.contains("<d:displayname>Groceries &amp; &lt;b&gt;more&lt;/b&gt;</d:displayname>"), "{body}");
        assert!(body.contains("<d:displayname>Inbox</d:displayname>"), "{body}");
        assert!(body.contains("<c:comp name=\"VTODO\"/>"), "{body}");
        assert!(body.contains("<d:write/>"), "{body}");

        // Someone else's home is not there for this caller.
        let other = app.new_user().await;
        let path = format!("/dav/{}/", other.id);
        let (status, ..) = dav(&app, creds, "PROPFIND", &path, &[], "").await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn a_task_is_made_read_changed_and_deleted_with_etags() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let list = inbox(&app, &user).await;
        let path = format!("/dav/{}/{list}/my-uid.ics", user.id);
        let body = vtodo(
            "my-uid",
            "Water the plants",
            "PRIORITY:1\r\nCATEGORIES:home\r\nDUE;VALUE=DATE:20270105\r\nX-CLIENT-FIELD:kept\r\n",
        );
        let only_new = [("if-none-match", "*")];
        let (status, _, answer) = dav(&app, creds, "PUT", &path, &only_new, &body).await;
        assert_eq!(status, 201, "{answer}");
        let (status, ..) = dav(&app, creds, "PUT", &path, &only_new, &body).await;
        assert_eq!(status, 412);

        let made = tasks(&app, &user).await;
        assert_eq!(made.len(), 1);
        assert_eq!(made[0]["title"], "Water the plants");
        assert_eq!(made[0]["priority"], "high");
        assert_eq!(made[0]["due_date"], "2027-01-05");
        assert_eq!(made[0]["tags"], json!(["home"]));

        let (status, headers, ics) = dav(&app, creds, "GET", &path, &[], "").await;
        assert_eq!(status, 200);
        assert!(
            ics.contains("UID:my-uid") && ics.contains("X-CLIENT-FIELD:kept"),
            "{ics}"
        );
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with('"'));

        // A change elsewhere moves the ETag: the old one is stale (412, nothing changes).
        let id = made[0]["id"].as_str().unwrap();
        let (status, _) = call(
            &app,
            &user,
            Method::PATCH,
            &format!("/tasks/{id}/complete"),
            Some(json!({"is_completed": true})),
        )
        .await;
        assert_eq!(status, 200);
        let renamed = vtodo("my-uid", "Water the cactus", "STATUS:NEEDS-ACTION\r\n");
        let (status, ..) = dav(&app, creds, "PUT", &path, &[("if-match", &etag)], &renamed).await;
        assert_eq!(status, 412);
        assert_eq!(tasks(&app, &user).await[0]["title"], "Water the plants");
        let (_, headers, ics) = dav(&app, creds, "GET", &path, &[], "").await;
        assert!(ics.contains("STATUS:COMPLETED"), "{ics}");
        let etag = headers["etag"].to_str().unwrap().to_string();
        let (status, ..) = dav(&app, creds, "PUT", &path, &[("if-match", &etag)], &renamed).await;
        assert_eq!(status, 204);
        let now = tasks(&app, &user).await;
        assert_eq!(now[0]["title"], "Water the cactus");
        assert_eq!(now[0]["is_completed"], false);
        assert_eq!(now[0]["priority"], "none");

        // A VTODO that cannot be read is 422 with a reason, and changes nothing.
        let (status, _, answer) = dav(
            &app,
            creds,
            "PUT",
            &path,
            &[],
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        )
        .await;
        assert_eq!(status, 422, "{answer}");
        assert!(answer.contains("VTODO"), "{answer}");
        let too_long = vtodo("my-uid", &"x".repeat(1000), "");
        let (status, ..) = dav(&app, creds, "PUT", &path, &[], &too_long).await;
        assert_eq!(status, 422);
        assert_eq!(tasks(&app, &user).await[0]["title"], "Water the cactus");

        let (status, ..) = dav(
            &app,
            creds,
            "DELETE",
            &path,
            &[("if-match", "\"stale\"")],
            "",
        )
        .await;
        assert_eq!(status, 412);
        let (status, ..) = dav(&app, creds, "DELETE", &path, &[], "").await;
        assert_eq!(status, 204);
        assert!(tasks(&app, &user).await.is_empty());
        let (status, ..) = dav(&app, creds, "GET", &path, &[], "").await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn reports_query_fetch_and_sync_what_changed_anywhere() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let list = inbox(&app, &user).await;
        let calendar = format!("/dav/{}/{list}/", user.id);
        for (uid, status) in [("a", "NEEDS-ACTION"), ("b", "COMPLETED")] {
            let body = vtodo(uid, uid, &format!("STATUS:{status}\r\n"));
            let (code, ..) = dav(&app, creds, "PUT", &format!("{calendar}{uid}.ics"), &[], &body).await;
            assert_eq!(code, 201);
        }
        let sync = r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#;
        let (status, _, body) = dav(&app, creds, "REPORT", &calendar, &[], sync).await;
        assert_eq!(status, 207, "{body}");
        assert!(body.contains("/a.ics") && body.contains("/b.ics"), "{body}");
        let token = body.split("<d:sync-token>").nth(1).unwrap().split('<').next().unwrap().to_string();

        // Not-completed tasks, as clients ask for them.
        let query = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:prop-filter name="STATUS"><c:text-match negate-condition="yes">COMPLETED</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
        let (status, _, body) = dav(&app, creds, "REPORT", &calendar, &[("depth", "1")], query).await;
        assert_eq!(status, 207);
        assert!(body.contains("/a.ics") && !body.contains("/b.ics"), "{body}");
        assert!(body.contains("BEGIN:VTODO"), "{body}");

        let multiget = format!(r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><d:href>{calendar}b.ics</d:href><d:href>{calendar}zz.ics</d:href></c:calendar-multiget>"#);
        let (status, _, body) = dav(&app, creds, "REPORT", &calendar, &[], &multiget).await;
        assert_eq!(status, 207);
        assert!(body.contains("/b.ics</d:href><d:propstat>"), "{body}");
        assert!(body.contains("zz.ics</d:href><d:status>HTTP/1.1 404"), "{body}");

        // A change through the API and a deletion through the page's store move the token.
        let (status, _) = call(&app, &user, Method::POST, "/tasks", Some(json!({"title": "From the API"}))).await;
        assert_eq!(status, 201);
        let (code, ..) = dav(&app, creds, "DELETE", &format!("{calendar}a.ics"), &[], "").await;
        assert_eq!(code, 204);
        let since = sync.replace("<d:sync-token/>", &format!("<d:sync-token>{token}</d:sync-token>"));
        let (status, _, body) = dav(&app, creds, "REPORT", &calendar, &[], &since).await;
        assert_eq!(status, 207, "{body}");
        assert!(body.contains("a.ics</d:href><d:status>HTTP/1.1 404"), "{body}");
        assert!(!body.contains("/b.ics"), "{body}");
        assert_eq!(body.matches("<d:propstat>").count(), 1, "{body}");
        let bad = sync.replace("<d:sync-token/>", "<d:sync-token>urn:todo:sync:999999</d:sync-token>");
        let (status, _, body) = dav(&app, creds, "REPORT", &calendar, &[], &bad).await;
        assert_eq!(status, 403);
        assert!(body.contains("valid-sync-token"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_viewer_reads_a_shared_calendar_but_cannot_change_it() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let viewer = app.new_user().await;
        let list = new_list(&app, &owner, "Shared").await;
        let list = list["id"].as_str().unwrap().to_string();
        let (status, body) = call(
            &app,
            &owner,
            Method::PUT,
            &format!("/lists/{list}/members"),
            Some(json!({"email": viewer.email, "role": "viewer"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, task) = call(
            &app,
            &owner,
            Method::POST,
            "/tasks",
            Some(json!({"title": "Owner's", "list_id": list})),
        )
        .await;
        assert_eq!(status, 201);

        let password = app_password(&app, &viewer).await;
        let creds = (viewer.email.as_str(), password.as_str());
        let calendar = format!("/dav/{}/{list}/", viewer.id);
        let (status, _, body) =
            dav(&app, creds, "PROPFIND", &calendar, &[("depth", "1")], "").await;
        assert_eq!(status, 207);
        assert!(
            body.contains("<d:read/>") && !body.contains("<d:write/>"),
            "{body}"
        );
        let name = format!("{}.ics", task["id"].as_str().unwrap());
        assert!(body.contains(&name), "{body}");

        let path = format!("{calendar}{name}");
        let (status, ..) = dav(&app, creds, "PUT", &path, &[], &vtodo("x", "Viewer's", "")).await;
        assert_eq!(status, 403);
        let (status, ..) = dav(&app, creds, "DELETE", &path, &[], "").await;
        assert_eq!(status, 403);
        let (status, ..) = dav(
            &app,
            creds,
            "PUT",
            &format!("{calendar}new.ics"),
            &[],
            &vtodo("n", "New", ""),
        )
        .await;
        assert_eq!(status, 403);
        let (_, tasks) = call(&app, &owner, Method::GET, "/tasks", None).await;
        assert_eq!(tasks["total"], 1);
        assert_eq!(tasks["tasks"][0]["title"], "Owner's");

        // Someone never a member finds no calendar there.
        let stranger = app.new_user().await;
        let password = app_password(&app, &stranger).await;
        let creds = (stranger.email.as_str(), password.as_str());
        let path = format!("/dav/{}/{list}/", stranger.id);
        let (status, ..) = dav(&app, creds, "PROPFIND", &path, &[], "").await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn hostile_values_from_a_calendar_app_are_escaped_on_the_page() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let list = inbox(&app, &user).await;
        let hostile = "<script>alert(1)</script>";
        let breakout = "</textarea><script>alert(3)</script>";
        let body = vtodo("h", hostile, &format!("DESCRIPTION:{breakout}\r\n"));
        let path = format!("/dav/{}/{list}/h.ics", user.id);
        let (status, ..) = dav(&app, creds, "PUT", &path, &[], &body).await;
        assert_eq!(status, 201);
        let id = tasks(&app, &user).await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let browser = signed_in_browser(&app, &user).await;
        let page = app
            .get_page_as(&browser, "/tasks")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(!page.contains(hostile));
        // The editor's description box (a textarea) holds it as text too.
        let edit = format!("/tasks?edit={id}");
        let page = app.get_page_as(&browser, &edit).await.text().await.unwrap();
        assert!(
            page.contains("&lt;/textarea&gt;&lt;script&gt;alert(3)"),
            "{page}"
        );
        assert!(!page.contains(breakout) && !page.contains(hostile));
    })
    .await;
}

#[tokio::test]
async fn a_change_through_caldav_reaches_the_event_stream_like_any_other() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let list = inbox(&app, &user).await;
        let mut stream = crate::live::follow(&app, &user, None).await;
        let path = format!("/dav/{}/{list}/streamed.ics", user.id);
        let (status, ..) = dav(&app, creds, "PUT", &path, &[], &vtodo("s", "Streamed", "")).await;
        assert_eq!(status, 201);
        let (status, ..) = dav(&app, creds, "DELETE", &path, &[], "").await;
        assert_eq!(status, 204);
        let mut kinds = Vec::new();
        while let Some(item) = stream.next_within(std::time::Duration::from_secs(2)).await {
            if let crate::live::Item::Event(event) = item {
                kinds.push((event.kind().to_string(), event.json()));
            }
        }
        let names: Vec<&str> = kinds.iter().map(|(kind, _)| kind.as_str()).collect();
        assert_eq!(names, ["task.created", "task.deleted"], "{kinds:?}");
        assert_eq!(kinds[0].1["title"], "Streamed");
    })
    .await;
}
