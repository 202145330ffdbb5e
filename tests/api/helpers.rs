//! Spawns the application on a fresh database and hands tests an HTTP client for it.

use std::{future::Future, str::FromStr};

use reqwest::Url;
use sqlx::{Connection, Executor, PgConnection};
use todo::{config::Config, startup::Application};
use tokio::sync::oneshot;

/// A database engine the suite runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` names a server.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        list.push(Backend::Postgres);
    }
    list
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// A running server on its own database, as a test sees it. Cheap to clone.
#[derive(Clone)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub config: Config,
}

/// The signing key test servers use, so tests can forge tokens with it (and without it).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// An account made through the API, with the password it was made with.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// `GET` as a browser navigating to a page does (it accepts HTML).
    pub async fn get_page(&self, path: &str) -> reqwest::Response {
        self.get_page_as(&self.client, path).await
    }

    /// [`Self::get_page`] from another browser (its own cookies).
    pub async fn get_page_as(&self, browser: &reqwest::Client, path: &str) -> reqwest::Response {
        browser
            .get(self.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .expect("request failed")
    }

    /// A direct handle on the test database, for arranging and inspecting rows.
    pub async fn db(&self) -> app::db::Db {
        todo::startup::connect_database(&self.config)
            .await
            .expect("test database")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request failed")
    }

    /// `GET` with a bearer token.
    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request failed")
    }

    /// Signs up a random user through the API and logs them in.
    pub async fn new_user(&self) -> TestUser {
        let email = crate::requests::new_email();
        let password = "correct horse battery".to_string();
        let name = "Test User".to_string();
        let response = self
            .post_json(
                "/api/auth/signup",
                &serde_json::json!({"email": email, "password": password, "name": name}),
            )
            .await;
        assert_eq!(
            response.status(),
            201,
            "signup failed: {}",
            response.text().await.unwrap()
        );
        let body: serde_json::Value = response.json().await.unwrap();
        let id = body["id"].as_str().unwrap().to_string();
        let token = self.login(&email, &password).await;
        TestUser {
            id,
            email,
            name,
            password,
            token,
        }
    }

    /// Logs in through the API and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/auth/login",
                &serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "login failed: {}",
            response.text().await.unwrap()
        );
        let body: serde_json::Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }

    /// A client with its own cookie jar: another browser.
    pub fn new_client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client")
    }
}

/// What it takes to stop a test server and throw its database away.
pub struct Running {
    server: Server,
    database: FreshDatabase,
}

impl Running {
    /// Stops the server gracefully and drops its database.
    pub async fn shutdown(self) {
        self.server.stop().await;
        self.database.drop_database().await;
    }
}

/// A test server on a database it does not own: stopping it leaves the database alone.
pub struct Server {
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops the server gracefully.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// A database made for one test, and what it takes to throw it away.
pub struct FreshDatabase {
    pub url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl FreshDatabase {
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Self {
                    url,
                    _sqlite_dir: Some(dir),
                    postgres_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("TEST_DATABASE_URL");
                let name = format!("todo_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .expect("admin connection");
                conn.execute(format!(r#"create database "{name}""#).as_str())
                    .await
                    .expect("create test database");
                let mut url = Url::from_str(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    _sqlite_dir: None,
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// The configuration a test server runs with on this database.
    pub fn config(&self) -> Config {
        self.config_with(&[])
    }

    /// The test configuration with some variables set otherwise.
    pub fn config_with(&self, overrides: &[(&str, &str)]) -> Config {
        Self::config_for(&self.url, overrides)
    }

    /// The test configuration for a database URL, with some variables set otherwise.
    pub fn config_for(url: &str, overrides: &[(&str, &str)]) -> Config {
        Config::from_lookup(|name| {
            if let Some((_, value)) = overrides.iter().find(|(k, _)| *k == name) {
                return Some(value.to_string());
            }
            match name {
                "DATABASE_URL" => Some(url.to_string()),
                "DATABASE_MAX_CONNECTIONS" => Some("5".into()),
                "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
                "RUST_LOG" => Some("warn".into()),
                "JWT_SECRET" => Some(JWT_SECRET.into()),
                // Suites sign up many users from one address; the limit has its own tests.
                "SIGNUPS_PER_HOUR" => Some("1000000".into()),
                _ => None,
            }
        })
        .expect("test configuration")
    }

    pub async fn drop_database(self) {
        if let (Some(name), Some(admin)) = (self.postgres_name, postgres_admin_url()) {
            let mut conn = PgConnection::connect(&admin)
                .await
                .expect("admin connection");
            conn.execute(format!(r#"drop database if exists "{name}" with (force)"#).as_str())
                .await
                .expect("drop test database");
        }
    }
}

/// Serves the application on 127.0.0.1:0 with a fresh, migrated database.
pub async fn spawn_app(backend: Backend, overrides: &[(&str, &str)]) -> (TestApp, Running) {
    let database = FreshDatabase::create(backend).await;
    let (test_app, server) = spawn_on(backend, database.config_with(overrides)).await;
    (test_app, Running { server, database })
}

/// Serves the application on 127.0.0.1:0 with this configuration, on a database made
/// beforehand: several servers on one database are several instances of one deployment.
pub async fn spawn_on(backend: Backend, config: Config) -> (TestApp, Server) {
    let app = Application::build(config.clone())
        .await
        .expect("application starts");
    let address = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let test_app = TestApp {
        address,
        client: TestApp::new_client(),
        backend,
        config,
    };
    (test_app, Server { stop, server })
}

/// One application at a time in this process, as in production (a server process runs
/// one). With two Leptos apps rendering in one process at once, a page render now and then
/// never finished (a 503 after the request timeout, or a stream that stalled): 2 runs in
/// 10 of the hostile-payload tests in parallel, 0 in 10 one at a time, and 0 stalls in
/// 5,000 page loads at 20 concurrent clients against one server process.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `test` once per backend, each time against a fresh application, and cleans up even
/// when the test fails. A failure names the backend it happened on.
pub async fn for_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for_each_backend_with(&[], test).await
}

/// [`for_each_backend`], with some configuration variables set otherwise.
pub async fn for_each_backend_with<F, Fut>(overrides: &[(&str, &str)], test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    for backend in backends() {
        let (app, running) = spawn_app(backend, overrides).await;
        let outcome = tokio::spawn(test(app)).await;
        running.shutdown().await;
        if let Err(error) = outcome {
            eprintln!("test failed on {backend:?}");
            std::panic::resume_unwind(error.into_panic());
        }
    }
}

/// Runs `test` against two servers sharing one fresh PostgreSQL database, as two instances
/// behind a load balancer, and cleans up even when the test fails. Instances meet only
/// through PostgreSQL, so without `TEST_DATABASE_URL` the test is skipped (and says so).
pub async fn on_two_instances<F, Fut>(test: F)
where
    F: FnOnce(TestApp, TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    on_two_instances_with(&[], test).await
}

/// [`on_two_instances`], with some configuration variables set otherwise.
pub async fn on_two_instances_with<F, Fut>(overrides: &[(&str, &str)], test: F)
where
    F: FnOnce(TestApp, TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !backends().contains(&Backend::Postgres) {
        eprintln!("skipped: instances share a database on PostgreSQL only (TEST_DATABASE_URL)");
        return;
    }
    // The two are one deployment: they take one turn together (they render no pages).
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let database = FreshDatabase::create(Backend::Postgres).await;
    let (first, first_server) = spawn_on(Backend::Postgres, database.config_with(overrides)).await;
    let (second, second_server) =
        spawn_on(Backend::Postgres, database.config_with(overrides)).await;
    let outcome = tokio::spawn(test(first, second)).await;
    first_server.stop().await;
    second_server.stop().await;
    database.drop_database().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
