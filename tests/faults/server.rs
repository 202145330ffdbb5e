//! The server under test as a child process, and what a test needs around it: a database
//! that outlives restarts, an API client, and the server's log.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};

pub const JWT_SECRET: &str = "fault-secret-fault-secret-fault-secret-0123";

/// PostgreSQL's admin URL, when the suite may use a server.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// Runs `$body` with a direct connection to the test database, whichever engine it is.
macro_rules! with_connection {
    ($db:expr, |$conn:ident| $body:expr) => {
        if $db.postgres_name.is_some() {
            let mut $conn = PgConnection::connect(&$db.url).await.expect("connect");
            $body
        } else {
            let mut $conn = sqlx::SqliteConnection::connect(&$db.url)
                .await
                .expect("open");
            $body
        }
    };
}

/// A database that several server runs in a row can share.
pub struct Database {
    pub url: String,
    pub folder: tempfile::TempDir,
    postgres_name: Option<String>,
}

impl Database {
    pub fn sqlite() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", folder.path().join("todo.db").display());
        Self {
            url,
            folder,
            postgres_name: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when no server was named.
    pub async fn postgres() -> Option<Self> {
        let admin = postgres_admin_url()?;
        let name = format!("todo_fault_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("admin connection");
        conn.execute(format!(r#"create database "{name}""#).as_str())
            .await
            .expect("create database");
        let mut url = reqwest::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Some(Self {
            url: url.to_string(),
            folder: tempfile::tempdir().expect("temporary folder"),
            postgres_name: Some(name),
        })
    }

    /// The same database reached through another host and port (a proxy).
    pub fn url_via(&self, port: u16) -> String {
        let mut url = reqwest::Url::parse(&self.url).expect("a URL");
        url.set_host(Some("127.0.0.1")).expect("a host");
        url.set_port(Some(port)).expect("a port");
        url.to_string()
    }

    /// The ids of `user_id`'s tasks, read directly from the database, not through the app.
    pub async fn stored_task_ids(&self, user_id: &str) -> Vec<String> {
        let user: uuid::Uuid = user_id.parse().expect("a user id");
        let sql = "select id from tasks where user_id = $1";
        let rows: Vec<(uuid::Uuid,)> = with_connection!(self, |conn| sqlx::query_as(sql)
            .bind(user)
            .fetch_all(&mut conn)
            .await
            .expect("read tasks"));
        rows.into_iter().map(|(id,)| id.to_string()).collect()
    }

    /// Whether an account with this email exists, read directly.
    pub async fn account_exists(&self, email: &str) -> bool {
        let sql = "select count(*) from users where email = $1";
        let count: i64 = with_connection!(self, |conn| sqlx::query_scalar(sql)
            .bind(email)
            .fetch_one(&mut conn)
            .await
            .expect("count users"));
        count > 0
    }

    pub async fn drop_database(self) {
        if let (Some(name), Some(admin)) = (&self.postgres_name, postgres_admin_url()) {
            let mut conn = PgConnection::connect(&admin)
                .await
                .expect("admin connection");
            conn.execute(format!(r#"drop database if exists "{name}" with (force)"#).as_str())
                .await
                .expect("drop database");
        }
    }
}

/// The server binary running as a child process.
pub struct Server {
    pub child: Child,
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
    listening: std::sync::mpsc::Receiver<String>,
}

/// How a test starts the server: its environment, and optionally a shell prefix (limits).
pub struct Launch<'a> {
    pub database_url: &'a str,
    pub data_dir: &'a std::path::Path,
    pub env: &'a [(&'a str, &'a str)],
    /// Shell lines run before `exec`ing the server, e.g. `ulimit -f 1024`.
    pub shell_prefix: Option<&'a str>,
}

impl Server {
    /// Starts the server and waits (up to `within`) until it listens.
    pub fn start(launch: Launch<'_>, within: Duration) -> Self {
        let mut server = Self::spawn_only(launch);
        match server.listening.recv_timeout(within) {
            Ok(address) => server.address = address,
            Err(_) => panic!(
                "the server did not start within {within:?}; its log:\n{}",
                server.log()
            ),
        }
        server
    }

    /// Starts the server on `database` with `env` and nothing else, as most tests do.
    pub fn start_on(database: &Database, env: &[(&str, &str)]) -> Self {
        Self::start(
            Launch {
                database_url: &database.url,
                data_dir: database.folder.path(),
                env,
                shell_prefix: None,
            },
            Duration::from_secs(30),
        )
    }

    /// Starts the process without waiting for it to listen.
    pub fn spawn_only(launch: Launch<'_>) -> Self {
        let binary = env!("CARGO_BIN_EXE_todo");
        let mut command = match launch.shell_prefix {
            Some(prefix) => {
                let mut c = Command::new("bash");
                c.arg("-c")
                    .arg(format!("{prefix}\nexec \"$0\""))
                    .arg(binary);
                c
            }
            None => Command::new(binary),
        };
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", launch.database_url)
            .env("DATA_DIR", launch.data_dir)
            .env("JWT_SECRET", JWT_SECRET)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LEPTOS_SITE_ROOT", launch.data_dir)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env("DATABASE_MAX_CONNECTIONS", "5")
            .env("SIGNUPS_PER_HOUR", "1000000")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in launch.env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (found, listening) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("piped stderr");
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    let address = line[at + "listening on ".len()..].trim().to_string();
                    let _ = found.send(address);
                }
                lines.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            address: String::new(),
            log,
            listening,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Sends SIGTERM, as a process manager stopping the service does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits up to `within` for the process to exit; its status, or `None` if it still runs.
    pub fn wait_for_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the log reader take the last lines.
                std::thread::sleep(Duration::from_millis(200));
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An account, as the API made it.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub token: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Signs up and logs in a new random user.
pub async fn new_account(client: &reqwest::Client, server: &Server) -> Account {
    let email = format!("fault-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "correct horse battery";
    let response = client
        .post(server.url("/api/auth/signup"))
        .json(&json!({"email": email, "password": password, "name": "Fault"}))
        .send()
        .await
        .expect("signup sent");
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let response = client
        .post(server.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login sent");
    assert_eq!(response.status(), 200);
    let token = response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    Account { id, token }
}

/// What one create request was told: the new task's id, or the error's status and body.
pub enum Outcome {
    Created(String),
    Failed(u16, Value),
    /// No answer at all (the connection broke).
    NoAnswer,
}

pub async fn create_task(
    client: &reqwest::Client,
    server_url: &str,
    account: &Account,
    title: &str,
    description: &str,
) -> Outcome {
    let sent = client
        .post(format!("{server_url}/api/{}/tasks", account.id))
        .bearer_auth(&account.token)
        .json(&json!({"title": title, "description": description}))
        .send()
        .await;
    let Ok(response) = sent else {
        return Outcome::NoAnswer;
    };
    let status = response.status().as_u16();
    let Ok(body) = response.json::<Value>().await else {
        return Outcome::NoAnswer;
    };
    if status == 201 {
        Outcome::Created(body["id"].as_str().expect("an id").to_string())
    } else {
        Outcome::Failed(status, body)
    }
}

/// The contract's error shape, with the status repeated.
pub fn assert_error_shape(status: u16, body: &Value) {
    assert_eq!(body["status_code"], status, "{body}");
    let detail = body["detail"].as_str().expect("a detail");
    assert!(!detail.is_empty());
    for internal in ["sqlx", "SQLITE", "database disk", "os error", "panicked"] {
        assert!(!detail.contains(internal), "internals in {detail:?}");
    }
}
