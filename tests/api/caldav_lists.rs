//! Lists made, renamed and deleted from a calendar app (MKCALENDAR, PROPPATCH, DELETE of a
//! calendar), with the list store's rules: the owner alone renames and deletes, the Inbox
//! stays, names stay unique, a calendar of events only is refused.

use reqwest::Method;
use serde_json::json;

use crate::{
    caldav::{app_password, dav},
    helpers::for_each_backend,
    requests::{call, new_list},
};

fn mkcalendar(name: &str, components: &str) -> String {
    format!(
        r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>{name}</d:displayname>{components}</d:prop></d:set></c:mkcalendar>"#
    )
}

fn rename(props: &str) -> String {
    format!(
        r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop>{props}</d:prop></d:set></d:propertyupdate>"#
    )
}

async fn list_names(app: &crate::helpers::TestApp, user: &crate::helpers::TestUser) -> Vec<String> {
    let (_, lists) = call(app, user, Method::GET, "/lists", None).await;
    lists["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_calendar_app_makes_renames_and_deletes_its_lists() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let id = uuid::Uuid::new_v4();
        let path = format!("/dav/{}/{id}/", user.id);
        let tasks_only = r#"<c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>"#;
        let (status, _, body) = dav(&app, creds, "MKCALENDAR", &path, &[], &mkcalendar("Garden", tasks_only)).await;
        assert_eq!(status, 201, "{body}");
        let (status, list) = call(&app, &user, Method::GET, &format!("/lists/{id}"), None).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["name"], "Garden");
        let (status, ..) = dav(&app, creds, "MKCALENDAR", &path, &[], &mkcalendar("Other", "")).await;
        assert_eq!(status, 409);
        let events = r#"<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>"#;
        let elsewhere = format!("/dav/{}/{}/", user.id, uuid::Uuid::new_v4());
        let (status, _, body) = dav(&app, creds, "MKCALENDAR", &elsewhere, &[], &mkcalendar("Meetings", events)).await;
        assert_eq!(status, 403);
        assert!(body.contains("supported-calendar-component"), "{body}");
        let (status, ..) = dav(&app, creds, "MKCALENDAR", &elsewhere, &[], &mkcalendar("garden", "")).await;
        assert_eq!(status, 409, "names stay unique per owner");

        let (status, _, body) = dav(&app, creds, "PROPPATCH", &path, &[], &rename("<d:displayname>Yard</d:displayname>")).await;
        assert_eq!(status, 207);
        assert!(body.contains("HTTP/1.1 200"), "{body}");
        assert_eq!(list_names(&app, &user).await, ["Inbox", "Yard"]);
        // A change the server cannot keep changes nothing, and says why.
        let colour = r#"<d:displayname>Lawn</d:displayname><x:calendar-color xmlns:x="http://apple.com/ns/ical/">#FF0000</x:calendar-color>"#;
        let (status, _, body) = dav(&app, creds, "PROPPATCH", &path, &[], &rename(colour)).await;
        assert_eq!(status, 207);
        assert!(body.contains("403 Forbidden") && body.contains("424 Failed Dependency"), "{body}");
        assert_eq!(list_names(&app, &user).await, ["Inbox", "Yard"]);

        let (status, ..) = dav(&app, creds, "DELETE", &path, &[], "").await;
        assert_eq!(status, 204);
        assert_eq!(list_names(&app, &user).await, ["Inbox"]);
        let (_, lists) = call(&app, &user, Method::GET, "/lists", None).await;
        let inbox = lists["lists"][0]["id"].as_str().unwrap().to_string();
        let (status, ..) = dav(&app, creds, "DELETE", &format!("/dav/{}/{inbox}/", user.id), &[], "").await;
        assert_eq!(status, 409);
    })
    .await;
}

#[tokio::test]
async fn only_the_owner_renames_or_deletes_a_shared_calendar() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let editor = app.new_user().await;
        let list = new_list(&app, &owner, "Shared").await;
        let list = list["id"].as_str().unwrap().to_string();
        let (status, _) = call(
            &app,
            &owner,
            Method::PUT,
            &format!("/lists/{list}/members"),
            Some(json!({"email": editor.email, "role": "editor"})),
        )
        .await;
        assert_eq!(status, 200);
        let password = app_password(&app, &editor).await;
        let creds = (editor.email.as_str(), password.as_str());
        let path = format!("/dav/{}/{list}/", editor.id);
        let (status, ..) = dav(
            &app,
            creds,
            "PROPPATCH",
            &path,
            &[],
            &rename("<d:displayname>Mine</d:displayname>"),
        )
        .await;
        assert_eq!(status, 403);
        let (status, ..) = dav(&app, creds, "DELETE", &path, &[], "").await;
        assert_eq!(status, 403);
        assert_eq!(list_names(&app, &owner).await, ["Inbox", "Shared"]);
    })
    .await;
}
