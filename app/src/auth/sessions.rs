//! A signed-in browser's bookkeeping row (`user_sessions`, beside the session layer's own
//! record), and ending a user's sessions and tokens. Ending works on every instance at once,
//! because both are checked against the database on every request: a browser session is
//! valid only while its row exists, and a token only if it was issued at or after the
//! user's `tokens_not_before` (or is the one token a password change was made with).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    db::{self, Db},
    error::AppError,
    ids::UserId,
};

/// How often a session's "last seen" is written at most: reading a page must not write.
const LAST_SEEN_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// What survives ending "every session and token" of a user: the request's own, when a
/// password change keeps its author signed in.
#[derive(Clone, Debug, Default)]
pub struct Keep {
    pub session_id: Option<String>,
    pub token: Option<Uuid>,
}

/// Records a browser session that has just signed in, so it can be listed and ended.
pub async fn register_session(
    db: &Db,
    session_id: &str,
    user: UserId,
    user_agent: &str,
) -> Result<(), AppError> {
    let now = db::now();
    let user_agent: String = user_agent.chars().take(512).collect();
    db.write(
        "insert into user_sessions (session_id, handle, user_id, user_agent, created_at, last_seen_at)
             values ($1, $2, $3, $4, $5, $5)
             on conflict (session_id) do update set user_id = excluded.user_id,
                 user_agent = excluded.user_agent, created_at = excluded.created_at,
                 last_seen_at = excluded.last_seen_at",
    )
    .bind(session_id)
    .bind(Uuid::new_v4())
    .bind(user)
    .bind(user_agent)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SessionCheck {
    last_seen_at: DateTime<Utc>,
}

/// Whether `session_id` is still a signed-in session of `user` (it was not ended from
/// another session, by a password change or by an operator). Notes when it was last seen,
/// at most every few minutes.
pub async fn session_is_current(db: &Db, user: UserId, session_id: &str) -> Result<bool, AppError> {
    let found = db
        .read("select last_seen_at from user_sessions where session_id = $1 and user_id = $2")
        .bind(session_id)
        .bind(user)
        .optional::<SessionCheck>()
        .await?;
    let Some(found) = found else {
        return Ok(false);
    };
    let now = db::now();
    if now - found.last_seen_at > LAST_SEEN_EVERY {
        let touched = db
            .write("update user_sessions set last_seen_at = $1 where session_id = $2")
            .bind(now)
            .bind(session_id)
            .execute()
            .await;
        if let Err(error) = touched {
            // Only a hint for the session list: the request goes on.
            tracing::warn!(%error, "a session's last-seen time could not be noted");
        }
    }
    Ok(true)
}

/// Forgets a session that logged out (its record is deleted by the session layer).
pub async fn forget_session(db: &Db, session_id: &str) -> Result<(), AppError> {
    db.write("delete from user_sessions where session_id = $1")
        .bind(session_id)
        .execute()
        .await?;
    Ok(())
}

/// Forgets sessions whose record has expired (the session layer deletes those); returns how
/// many went.
pub async fn forget_expired_sessions(db: &Db) -> Result<u64, AppError> {
    let removed = db
        .write(
            "delete from user_sessions
             where not exists (select 1 from sessions r where r.id = user_sessions.session_id)",
        )
        .execute()
        .await?;
    Ok(removed)
}

/// Ends every browser session and every access token of the user, but what `keep` names.
/// Tokens end by time: those issued before the next whole second are refused from now on
/// (a token's `iat` counts seconds; a login in this second waits for the next, see
/// `server::issue_token`).
pub async fn end_everything(db: &Db, user: UserId, keep: &Keep) -> Result<(), AppError> {
    {
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        end_everything_in(&mut tx, user, keep).await?;
        tx.commit().await?;
    }
    db.credentials_ended(user).await;
    Ok(())
}

/// [`end_everything`] inside `tx`, for a change that must end them in the same step (a new
/// password); the caller says [`Db::credentials_ended`] once committed.
pub async fn end_everything_in(
    tx: &mut db::Tx<'_>,
    user: UserId,
    keep: &Keep,
) -> Result<(), sqlx::Error> {
    let not_before = Utc::now().timestamp() + 1;
    let keep_session = keep.session_id.as_deref().unwrap_or("");
    tx.sql("update users set tokens_not_before = $1, surviving_jti = $2 where id = $3")
        .bind(not_before)
        .bind(keep.token)
        .bind(user)
        .execute()
        .await?;
    tx.sql(
        "delete from sessions where id in
             (select session_id from user_sessions where user_id = $1 and session_id <> $2)",
    )
    .bind(user)
    .bind(keep_session)
    .execute()
    .await?;
    tx.sql("delete from user_sessions where user_id = $1 and session_id <> $2")
        .bind(user)
        .bind(keep_session)
        .execute()
        .await?;
    Ok(())
}
