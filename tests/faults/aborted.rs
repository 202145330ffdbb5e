//! Page renders cut off: clients that hang up while the task page (or the list's server
//! function) is being made leave the server's log free of panics, and the server answers
//! the next request normally.

use std::time::Duration;

use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::server::{client, Database, Server};

/// Signs up through the page's form (as a browser without JavaScript does); the session
/// cookie, and the API token of the same account.
async fn browser_account(server: &Server) -> (String, String, String) {
    let email = format!("aborted-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "correct horse battery";
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/rpc/signup"))
        .header("accept", "text/html")
        .header("origin", &server.address)
        .form(&[("name", "Ada"), ("email", &email), ("password", password)])
        .send()
        .await
        .expect("signup sent");
    assert_eq!(response.status(), 302);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let login = client()
        .post(server.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    let id = login["user"]["id"].as_str().unwrap().to_string();
    (cookie, token, id)
}

/// Sends `request` and hangs up after `after` (having read whatever came by then).
async fn hang_up(address: &str, request: &str, after: Duration) {
    let Ok(mut stream) = TcpStream::connect(address).await else {
        return;
    };
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut some = [0u8; 512];
    let _ = tokio::time::timeout(after, stream.read(&mut some)).await;
    drop(stream);
}

#[tokio::test]
async fn clients_hanging_up_mid_render_leave_no_panic_in_the_log() {
    let database = Database::sqlite();
    let server = Server::start_on(&database, &[]);
    let (cookie, token, user_id) = browser_account(&server).await;
    let api = client();
    for n in 0..40 {
        let response = api
            .post(server.url(&format!("/api/{user_id}/tasks")))
            .bearer_auth(&token)
            .json(
                &json!({"title": format!("Task {n}"), "tags": ["home", "work"], "priority": "high",
                          "due_date": "2030-01-01", "description": "details"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }

    let address = server.address.trim_start_matches("http://").to_string();
    let page = |path: &str| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n"
        )
    };
    let body = "query%5Bstatus%5D=all&page=1";
    let list = format!(
        "POST /rpc/tasks/board HTTP/1.1\r\nHost: {address}\r\nOrigin: http://{address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Cookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let requests = [
        page("/tasks"),
        page("/tasks?status=active&sort=due"),
        page("/tasks?q=task&tag=home"),
        page("/account"),
        list,
    ];
    // Waves of clients hanging up at every point of a render, from at once to 40 ms in.
    for wave in 0..6u64 {
        let mut clients = Vec::new();
        for n in 0..40u64 {
            let request = requests[(n as usize) % requests.len()].clone();
            let after = Duration::from_millis((n * 7 + wave * 3) % 41);
            let address = address.clone();
            clients.push(tokio::spawn(async move {
                hang_up(&address, &request, after).await
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The server still answers a whole page.
    let whole = client()
        .get(server.url("/tasks"))
        .header("accept", "text/html")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(whole.status(), 200);
    assert!(whole.text().await.unwrap().contains("Task 39"));

    let log = server.log();
    for sign in ["panicked", "disposed", "RuntimeError"] {
        assert!(!log.contains(sign), "{sign} in the server's log:\n{log}");
    }
}
