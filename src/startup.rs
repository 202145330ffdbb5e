//! Start-up: the database pool and its migrations, the router, and serving until a signal.
//!
//! `build_router` does no I/O, so tests can drive it in-process; `Application::build`
//! connects and binds, so tests can also serve it on port 0.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use app::{
    auth::{password::Passwords, token::Tokens, SESSION_COOKIE},
    db::{Db, Pool},
    tasks::events::Feeds,
    App,
};
use axum::{
    http::{header, HeaderValue, Method},
    middleware,
    routing::get,
    Router,
};
use leptos_axum::{generate_route_list_with_exclusions, LeptosRoutes};
use tokio::net::TcpListener;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    account_files, assets,
    background::{housekeeping, listen_for_events, send_reminders},
    config::{Config, HttpSettings},
    cross_site, failed_forms, rest, rpc, security_headers,
    serve::{serve, ServeLimits},
    sessions::Sessions,
    state::{AppState, Shared},
    whole_renders,
};
pub use crate::{
    database::connect_database, secrets::load_jwt_secret, startup_error::StartupError,
};

/// An operator's password reset (`todo reset-password EMAIL`): the one-time password, or
/// `None` when no account has that address.
pub async fn reset_password(config: &Config, email: &str) -> Result<Option<String>, StartupError> {
    let db = connect_database(config).await?;
    let passwords = app::auth::password::Passwords::new(1, 0);
    let reset = app::account::store::reset_password(&db, &passwords, email)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()));
    db.close().await;
    Ok(reset?)
}

/// Every route of the application. No I/O happens here.
pub fn build_router(state: AppState, http: &HttpSettings) -> Router {
    let leptos_options = state.leptos_options.clone();
    // The server functions have routes of their own (see `rpc`), not the pages'.
    let routes = generate_route_list_with_exclusions(App, Some(rpc::paths()));
    let failed_forms = failed_forms::FailedForms {
        state: state.clone(),
        cookie_secure: http.cookie_secure,
    };
    let page_state = state.clone();
    let fallback_state = state.clone();

    let (api, openapi) = rest::router();
    // Keyed creates answer a repeat with their first response (see `idempotency`).
    let api = api.layer(middleware::from_fn_with_state(
        state.clone(),
        crate::idempotency::replay,
    ));
    let api = match cors_layer(&http.cors_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    };

    let sessions = SessionManagerLayer::new(Sessions::new(&state.db))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(http.cookie_secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(http.session_ttl).unwrap_or(time::Duration::days(7)),
        ));

    // Pages, server functions and docs: cookie sessions, and no cross-site changes. The JSON
    // API is merged beside them, outside the session layer: it authenticates with bearer
    // tokens only, and a session cookie sent there is never read.
    let pages = Router::new()
        .merge(
            Router::from(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", openapi))
                .layer(middleware::map_response(rest::openapi::fit_docs_to_phones)),
        )
        .route("/redoc", get(rest::openapi::redoc))
        .route(
            rest::events::PAGE_EVENTS_PATH,
            get(rest::events::page_stream),
        )
        // Each page render holds its whole page in memory while it streams: a burst of page
        // loads waits for one of `page_renders` turns instead of growing memory with it.
        .merge(
            Router::new()
                .leptos_routes_with_context(&state, routes, move || rpc::context(&page_state), {
                    let options = leptos_options.clone();
                    move || app::shell(options.clone())
                })
                .layer(GlobalConcurrencyLimitLayer::new(http.page_renders))
                .layer(middleware::from_fn(whole_renders::finish_renders)),
        )
        // The server functions, outside that limit: a burst of page loads delays no click.
        .merge(rpc::routes(&state, failed_forms.clone()))
        // Static files, precompressed and cached; the app's "not found" page for the rest.
        .fallback_service(assets::serve_site(
            &leptos_options,
            leptos_axum::ErrorHandler::new_with_context(
                move || rpc::context(&fallback_state),
                app::shell,
                leptos_options.clone(),
            ),
        ))
        .layer(middleware::from_fn_with_state(
            failed_forms,
            failed_forms::after_failed_forms,
        ))
        .layer(RequestBodyLimitLayer::new(crate::serve::BODY_LIMIT))
        // The account page's export and import: an import file may be larger.
        .merge(account_files::routes())
        .layer(middleware::from_fn(cross_site::refuse_cross_site_changes))
        .layer(middleware::map_request(without_bearer_token))
        .layer(sessions);

    Router::new()
        .merge(api)
        // CalDAV: Basic authentication with app passwords, no sessions, no cookies.
        .merge(crate::dav::router())
        .merge(pages)
        .layer(http.client_ip_source.clone().into_extension())
        .layer(middleware::from_fn_with_state(
            http.request_timeout,
            rest::errors::answer_503_after,
        ))
        // The largest body of all (an import); pages and the API read less (their own limits).
        .layer(RequestBodyLimitLayer::new(
            app::account::transfer::IMPORT_BODY_LIMIT,
        ))
        .layer(middleware::map_response(
            rest::errors::payload_too_large_as_json,
        ))
        .layer(middleware::from_fn(crate::compression::compress))
        .layer(CatchPanicLayer::custom(rest::errors::panic_response))
        .layer(middleware::from_fn_with_state(
            http.cookie_secure,
            security_headers::set_security_headers,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The span every log line of a request is in: its id (as sent back in `x-request-id`),
/// method and route (the route's pattern, never the ids in the path; the path itself when
/// no route matched, cut to 100 characters), and the user once known (see
/// `app::auth::extract`). At `info`, so the default filter keeps it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or("-");
    let route = match request.extensions().get::<axum::extract::MatchedPath>() {
        Some(route) => route.as_str().to_string(),
        None => request.uri().path().chars().take(100).collect(),
    };
    tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        route = %route,
        user = tracing::field::Empty,
    )
}

/// Pages and server functions (`/rpc/*`) authenticate with the session cookie only: a
/// bearer token sent there is not read (the JSON API, beside them, reads nothing else).
async fn without_bearer_token(mut request: axum::extract::Request) -> axum::extract::Request {
    request.headers_mut().remove(header::AUTHORIZATION);
    request
}

/// The shared state for a connected database and a signing key. No I/O.
pub fn build_state(config: &Config, db: Db, jwt_secret: &[u8]) -> AppState {
    AppState::new(Shared {
        db,
        leptos_options: config.leptos_options.clone(),
        tokens: Tokens::new(jwt_secret),
        passwords: Passwords::new(crate::config::cores(), config.password_queue as usize),
        throttle: config.throttle,
        feeds: Arc::new(Feeds::new(
            config.events.streams_per_user,
            config.events.keep_alive,
        )),
        webhooks: app::webhooks::rules::Settings {
            allow_private: config.webhooks_allow_private,
            changed: Arc::default(),
        },
    })
}

/// Lets browsers on the configured origins call the API with a bearer token. Credentials
/// (cookies) are never allowed cross-origin; without origins, no cross-origin call is.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                crate::idempotency::KEY,
                rest::events::LAST_EVENT_ID,
            ])
            .expose_headers([
                header::LOCATION,
                header::RETRY_AFTER,
                header::WWW_AUTHENTICATE,
                header::ETAG,
                crate::idempotency::REPLAYED,
            ])
            .allow_credentials(false)
            .max_age(Duration::from_secs(3600)),
    )
}

/// A bound listener and a ready router: `build` then `run_until_stopped`.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    limits: ServeLimits,
    housekeeping: tokio::task::JoinHandle<()>,
    /// What passes commits on to this process's event streams, and sends reminders.
    followers: Vec<tokio::task::JoinHandle<()>>,
    feeds: Arc<Feeds>,
}

impl Application {
    /// Connects to the database, migrates it and binds the listening socket.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = connect_database(&config).await?;
        let secret = load_jwt_secret(&config)?;
        let state = build_state(&config, db.clone(), &secret);
        let housekeeping = tokio::spawn(housekeeping(db.clone(), state.throttle));
        let mut followers = vec![
            tokio::spawn(state.feeds.clone().follow(db.clone())),
            tokio::spawn(send_reminders(db.clone())),
            tokio::spawn(crate::webhooks::deliver::deliver_webhooks(
                db.clone(),
                state.webhooks.clone(),
            )),
        ];
        if let Pool::Postgres(pool) = db.unguarded_pool() {
            followers.push(tokio::spawn(listen_for_events(pool.clone(), db.clone())));
        }
        let addr = config.leptos_options.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("could not listen on {addr}: {e}"))
        })?;
        let feeds = state.feeds.clone();
        Ok(Self {
            listener,
            router: build_router(state, &config.http),
            db,
            limits: ServeLimits {
                header_read_timeout: config.http.header_read_timeout,
                shutdown_grace: config.http.shutdown_grace,
            },
            housekeeping,
            followers,
            feeds,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish within the grace
    /// period, then closes the pool (waiting no longer than the grace period for it either).
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!("listening on http://{}", self.local_addr());
        // Event streams never end by themselves: they end when shutting down starts, so
        // that the open connections can finish.
        let feeds = self.feeds.clone();
        let shutdown = async move {
            shutdown.await;
            feeds.close();
        };
        serve(self.listener, self.router, self.limits, shutdown).await;
        self.housekeeping.abort();
        for follower in &self.followers {
            follower.abort();
        }
        if tokio::time::timeout(self.limits.shutdown_grace, self.db.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still busy at the end of the grace period");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
