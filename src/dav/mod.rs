//! Calendar sync: CalDAV (RFC 4791) under `/dav/`, for the task apps of phones and desktops.
//!
//! `/dav/` is the service root; `/dav/{user_id}/` is the user's principal and calendar home
//! at once; `/dav/{user_id}/{list_id}/` is one calendar per list they can see (read-only for
//! a viewer); `/dav/{user_id}/{list_id}/{name}.ics` is one task. Clients sign in with HTTP
//! Basic: the account's e-mail and an app password (never the account password). Requests
//! are read with `quick-xml` ([`xml`]) and tasks written as iCalendar with `icalendar`
//! ([`ical`]); the tasks themselves go through the task store like every other change
//! (`app::tasks::store::dav`), so they send events and webhooks and move the ETags.

mod collections;
mod ical;
mod props;
mod report;
mod resources;
pub mod xml;

use crate::state::AppState;
use app::{
    account::app_passwords,
    auth::{extract::ClientAddress, server, User},
    error::AppError,
    ids::{ListId, UserId},
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::MethodRouter,
    Router,
};
use base64::Engine as _;
use uuid::Uuid;

/// The largest body a CalDAV request may carry (a task, or a report naming many tasks).
pub const BODY_LIMIT: usize = 256 * 1024;

/// What `DAV:` says the server speaks.
const COMPLIANCE: &str = "1, 3, calendar-access";
const ALLOW: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR";

/// The routes: `/.well-known/caldav` and everything under `/dav`.
pub fn router() -> Router<AppState> {
    let dav = || MethodRouter::new().fallback(handle);
    Router::new()
        .route(
            "/.well-known/caldav",
            MethodRouter::new().fallback(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, HeaderValue::from_static("/dav/"))],
                )
            }),
        )
        .route("/dav", dav())
        .route("/dav/", dav())
        .route("/dav/{*path}", dav())
}

/// What a path under `/dav` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Root,
    Home(Uuid),
    Calendar(Uuid, Uuid),
    Resource(Uuid, Uuid, String),
}

impl Target {
    /// Reads a request path (percent-decoded by segment); `None` for a path that names
    /// nothing the server has.
    pub fn parse(path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/dav")?;
        let segments: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map(|c| c.into_owned())
            })
            .collect::<Result<_, _>>()
            .ok()?;
        let id = |s: &String| Uuid::parse_str(s).ok();
        match segments.as_slice() {
            [] => Some(Self::Root),
            [user] => Some(Self::Home(id(user)?)),
            [user, list] => Some(Self::Calendar(id(user)?, id(list)?)),
            [user, list, name] if name.len() <= 255 => {
                Some(Self::Resource(id(user)?, id(list)?, name.clone()))
            }
            _ => None,
        }
    }
}

/// The href of a user's home, of a calendar, and of a resource.
pub fn home_href(user: Uuid) -> String {
    format!("/dav/{user}/")
}

pub fn calendar_href(user: Uuid, list: Uuid) -> String {
    format!("/dav/{user}/{list}/")
}

pub fn resource_href(user: Uuid, list: Uuid, name: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    let name = percent_encoding::utf8_percent_encode(name, SEGMENT);
    format!("/dav/{user}/{list}/{name}")
}

/// The signed-in user of a request.
pub struct Caller {
    pub id: UserId,
    pub user: User,
}

/// One request under `/dav`: signs the caller in, then hands it to its method.
async fn handle(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    request: Request,
) -> Response {
    let method = request.method().clone();
    if method == Method::OPTIONS {
        return options();
    }
    let caller = match authenticate(&state, client, request.headers()).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let Some(target) = Target::parse(request.uri().path()) else {
        return AppError::NotFound("There is nothing at this address.".into()).into_response();
    };
    let owner = match &target {
        Target::Root => None,
        Target::Home(user) | Target::Calendar(user, _) | Target::Resource(user, ..) => Some(*user),
    };
    if owner.is_some_and(|user| user != caller.id.as_uuid()) {
        return AppError::NotFound("There is nothing of yours at this address.".into())
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let Ok(body) = std::str::from_utf8(&body) else {
        return AppError::BadRequest("The body must be UTF-8 text.".into()).into_response();
    };
    let answer = match method.as_str() {
        "PROPFIND" => props::propfind(&state, &caller, &target, &parts.headers, body).await,
        "REPORT" => report::report(&state, &caller, &target, body).await,
        "GET" | "HEAD" => resources::get(&state, &caller, &target, method == Method::HEAD).await,
        "PUT" => resources::put(&state, &caller, &target, &parts.headers, body).await,
        "DELETE" if matches!(target, Target::Calendar(..)) => {
            collections::delete(&state, &caller, &target).await
        }
        "DELETE" => resources::delete(&state, &caller, &target, &parts.headers).await,
        "MKCALENDAR" => collections::mkcalendar(&state, &caller, &target, body).await,
        "PROPPATCH" => collections::proppatch(&state, &caller, &target, body).await,
        "MKCOL" | "COPY" | "MOVE" | "LOCK" | "UNLOCK" | "POST" => Err(AppError::Forbidden(
            "Lists are made with MKCALENDAR, or on the task page or through the JSON API; \
             tasks are moved between lists there too."
                .into(),
        )),
        _ => Err(AppError::MethodNotAllowed(format!(
            "{method} is not a method this server answers under /dav."
        ))),
    };
    answer.unwrap_or_else(IntoResponse::into_response)
}

fn options() -> Response {
    (
        StatusCode::OK,
        [
            (header::HeaderName::from_static("dav"), COMPLIANCE),
            (header::ALLOW, ALLOW),
        ],
    )
        .into_response()
}

/// A 401 that asks for Basic credentials.
fn ask_for_credentials(detail: &str) -> Response {
    let mut response = AppError::Unauthorized(detail.into()).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"todo\", charset=\"UTF-8\""),
    );
    response
}

/// The caller of a request, from its Basic credentials: the account's e-mail and one of its
/// app passwords. A wrong one counts toward the login limits (429 once they are reached).
async fn authenticate(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<Caller, Response> {
    const ASK: &str = "Sign in with your account's e-mail and an app password (made on your \
                       account page).";
    let Some(credentials) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
    else {
        return Err(ask_for_credentials(ASK));
    };
    let Some((email, password)) = credentials.split_once(':') else {
        return Err(ask_for_credentials(ASK));
    };
    // The address as every sign-in reads it (trimmed, lower-case, bounded); one that is no
    // address names no account.
    let Ok(email) = app::auth::Email::parse(email) else {
        return Err(ask_for_credentials(ASK));
    };
    let email = email.as_str();
    if password.len() > 200 {
        return Err(ask_for_credentials(ASK));
    }
    let verified = app_passwords::store::verify(&state.db, email, password)
        .await
        .map_err(IntoResponse::into_response)?;
    let Some(id) = verified else {
        // The failure counts as a failed login; past the limits the answer is 429.
        let throttle = state.asker(client).throttle;
        if let Err(refused) = throttle.start_login(&state.db, email, client).await {
            return Err(refused.into_response());
        }
        return Err(ask_for_credentials(
            "Wrong e-mail or app password. Calendar apps sign in with an app password made on \
             the account page, never the account's own password.",
        ));
    };
    let user = server::find_user(&state.db, id)
        .await
        .map_err(IntoResponse::into_response)?
        .ok_or_else(|| ask_for_credentials(ASK))?;
    if user.must_change_password {
        return Err(AppError::Forbidden(
            "This account's password was reset by an operator: choose a new one on the account \
             page first."
                .into(),
        )
        .into_response());
    }
    Ok(Caller { id, user })
}

/// The list a calendar path names.
fn list_of(list: Uuid) -> ListId {
    ListId(list)
}

/// An answer with an XML body.
fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    response
}

/// 207 Multi-Status with `body`.
fn multistatus(body: String) -> Response {
    xml_response(StatusCode::MULTI_STATUS, body)
}

/// The `Depth` header: 0, 1, or `infinity` (read as 1: a home holds calendars, a calendar
/// holds tasks, and nothing nests deeper).
fn depth(headers: &HeaderMap) -> u8 {
    match headers
        .get("depth")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
    {
        Some("0") => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_root_a_home_a_calendar_and_a_resource() {
        let (u, l) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(Target::parse("/dav"), Some(Target::Root));
        assert_eq!(Target::parse("/dav/"), Some(Target::Root));
        assert_eq!(Target::parse(&format!("/dav/{u}/")), Some(Target::Home(u)));
        assert_eq!(
            Target::parse(&format!("/dav/{u}/{l}")),
            Some(Target::Calendar(u, l))
        );
        assert_eq!(
            Target::parse(&format!("/dav/{u}/{l}/a%20b.ics")),
            Some(Target::Resource(u, l, "a b.ics".into()))
        );
        assert_eq!(Target::parse(&format!("/dav/{u}/{l}/a/b")), None);
        assert_eq!(Target::parse("/dav/not-an-id/"), None);
        assert_eq!(Target::parse("/davx"), None);
    }

    #[test]
    fn a_resource_href_encodes_what_a_path_cannot_hold() {
        let (u, l) = (Uuid::nil(), Uuid::nil());
        let href = resource_href(u, l, "a b/<c>.ics");
        assert!(href.ends_with("/a%20b%2F%3Cc%3E.ics"), "{href}");
        let Some(Target::Resource(_, _, name)) = Target::parse(&href) else {
            panic!("{href}")
        };
        assert_eq!(name, "a b/<c>.ics");
    }
}
