//! The error responses routes share, each declared once and named in a route's
//! `responses(...)`. Every body is the one error shape (`ApiError`, the type the server
//! really sends: `app::error::ErrorBody`).

use app::error::ErrorBody;
use utoipa::IntoResponses;

/// No valid bearer token; the response carries `WWW-Authenticate: Bearer`.
#[derive(IntoResponses)]
#[response(status = 401, headers(("WWW-Authenticate" = String, description = "Bearer")))]
pub struct Unauthorized(pub ErrorBody);

/// The path's `user_id` is not the caller's; or the caller's password was reset by an
/// operator and must be changed first (`POST /api/auth/password`); or, for a create or an
/// import, the account would hold more tasks than its quota (`TASKS_PER_ACCOUNT`, named in
/// `detail`); or, for a change to a task, the caller is a viewer of its list.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct NotYours(pub ErrorBody);

/// No such task of yours (someone else's task looks the same as a missing one).
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NoSuchTask(pub ErrorBody);

/// The body is larger than the API reads.
#[derive(IntoResponses)]
#[response(status = 413)]
pub struct TooLarge(pub ErrorBody);

/// A path id, a query parameter or a body field is invalid; `errors` names each one.
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct Invalid(pub ErrorBody);

/// Too many attempts; try again after `Retry-After` seconds.
#[derive(IntoResponses)]
#[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
pub struct TooMany(pub ErrorBody);

/// The database is unreachable or busy, or the request took too long: nothing was changed
/// (a timed-out write may still have committed). Try again after `Retry-After` seconds.
#[derive(IntoResponses)]
#[response(status = 503, headers(("Retry-After" = u64, description = "Seconds to wait")))]
pub struct Unavailable(pub ErrorBody);

/// The server's storage is full: the change was not stored.
#[derive(IntoResponses)]
#[response(status = 507, headers(("Retry-After" = u64, description = "Seconds to wait")))]
pub struct StorageFull(pub ErrorBody);

/// The caller's password was reset by an operator: it must be changed first
/// (`POST /api/auth/password`).
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct ResetPending(pub ErrorBody);

/// `If-Match` named a version the task no longer has (it changed since it was read): nothing
/// was changed. Read the task again (its `ETag`), then decide.
#[derive(IntoResponses)]
#[response(status = 412)]
pub struct Stale(pub ErrorBody);

/// A request with this `Idempotency-Key` is still running: try again once it has ended.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct KeyInUse(pub ErrorBody);

/// No such list of yours: it does not exist, or you are not one of its members.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NoSuchList(pub ErrorBody);

/// No such task of yours, or (moving it) no such list of yours.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NoSuchTaskOrList(pub ErrorBody);

/// The caller may not do this to the list: only its owner may rename, delete or share it;
/// a viewer may not change its tasks. Or the path's `user_id` is not the caller's.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct NotAllowed(pub ErrorBody);

/// You own a list with this name already (compared without case); or the Inbox, which
/// cannot be deleted.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct ListConflict(pub ErrorBody);

/// No such list of yours, or no account has that e-mail address.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NoSuchListOrAccount(pub ErrorBody);

/// The Inbox cannot be shared, and you cannot share a list with yourself.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct SharingConflict(pub ErrorBody);

/// No such webhook of yours.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NoSuchWebhook(pub ErrorBody);
