//! What a signed-in user changes about their own account, on the server: profile, e-mail,
//! password, their browser sessions, deleting the account, moving their tasks between
//! instances; and an operator's password reset. The SQL for it lives here; ending sessions
//! and tokens is `auth::sessions`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    describe_device,
    transfer::{ExportDocument, ExportedList, FORMAT, VERSION},
    ActiveSession, PasswordChange, ProfileChange,
};
use crate::{
    auth::{
        server::{check_credentials, Asker},
        sessions::{end_everything_in, Keep},
        Credentials, Email, Password, User,
    },
    db::{self, Db},
    error::{AppError, FieldError},
    ids::{ListId, UserId},
    tasks::{events::Change, ValidTask},
};

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: String,
    handle: Uuid,
    user_agent: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

/// The user's signed-in browser sessions, the most recently seen first, their times as read
/// in the time zone named `zone`.
pub async fn list_sessions(
    db: &Db,
    user: UserId,
    current: Option<&str>,
    zone: &str,
) -> Result<Vec<ActiveSession>, AppError> {
    let rows: Vec<SessionRow> = db
        .read(
            "select s.session_id, s.handle, s.user_agent, s.created_at, s.last_seen_at
             from user_sessions s join sessions r on r.id = s.session_id
             where s.user_id = $1
             order by s.last_seen_at desc, s.created_at desc",
        )
        .bind(user)
        .all()
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ActiveSession {
            current: current == Some(row.session_id.as_str()),
            handle: row.handle,
            device: describe_device(&row.user_agent),
            signed_in: crate::timestamp::in_zone(row.created_at, zone),
            last_seen: crate::timestamp::in_zone(row.last_seen_at, zone),
        })
        .collect())
}

/// Ends one of the user's sessions, named by its handle; 404 when they have no such one.
pub async fn end_session(db: &Db, user: UserId, handle: Uuid) -> Result<(), AppError> {
    let ended = {
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        tx.sql(
            "delete from sessions where id in
             (select session_id from user_sessions where handle = $1 and user_id = $2)",
        )
        .bind(handle)
        .bind(user)
        .execute()
        .await?;
        let ended = tx
            .sql("delete from user_sessions where handle = $1 and user_id = $2")
            .bind(handle)
            .bind(user)
            .execute()
            .await?;
        tx.commit().await?;
        ended
    };
    if ended == 0 {
        return Err(AppError::NotFound("That session has already ended.".into()));
    }
    db.credentials_ended(user).await;
    Ok(())
}

/// Changes the name and/or time zone.
pub async fn update_profile(
    db: &Db,
    user: &User,
    change: &ProfileChange,
) -> Result<User, AppError> {
    let name = change
        .name
        .as_ref()
        .map_or(user.name.as_str(), |n| n.as_str());
    let time_zone = change
        .time_zone
        .as_ref()
        .map_or(user.time_zone.as_str(), |z| z.as_str());
    db.write("update users set name = $1, time_zone = $2, updated_at = $3 where id = $4")
        .bind(name)
        .bind(time_zone)
        .bind(db::now())
        .bind(user.id)
        .execute()
        .await?;
    Ok(User {
        name: name.to_string(),
        time_zone: time_zone.to_string(),
        ..user.clone()
    })
}

/// The answer to a wrong current password on an account route.
pub const WRONG_CURRENT_PASSWORD: &str = "The current password is wrong.";

/// How a wrong current password is answered: the JSON API's 401, or, on the account page,
/// an error of the form's own field (a 401 there would read as "your session has ended").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongPassword {
    Unauthorized,
    Field(&'static str),
}

impl WrongPassword {
    fn error(self) -> AppError {
        match self {
            Self::Unauthorized => AppError::Unauthorized(WRONG_CURRENT_PASSWORD.into()),
            Self::Field(field) => AppError::invalid_field(FieldError::body(
                field,
                "value_error.wrong_password",
                WRONG_CURRENT_PASSWORD,
            )),
        }
    }
}

/// Checks the user's current password, held to the login throttle (so these routes are no
/// way around it): `wrong`'s error when it is wrong, 429 after too many tries.
pub async fn confirm_password(
    asker: Asker<'_>,
    user: &User,
    password: &Password,
    wrong: WrongPassword,
) -> Result<(), AppError> {
    let credentials = Credentials {
        email: user.email.clone(),
        password: password.clone(),
    };
    match check_credentials(asker, &credentials).await {
        Ok(login) if login.user.id == user.id => Ok(()),
        Ok(_) | Err(AppError::Unauthorized(_)) => Err(wrong.error()),
        Err(other) => Err(other),
    }
}

/// Moves the account to another address: the current password first; 409 when the
/// address belongs to another account.
pub async fn change_email(
    asker: Asker<'_>,
    user: &User,
    current: &Password,
    email: &Email,
    wrong: WrongPassword,
) -> Result<User, AppError> {
    let db = asker.db;
    confirm_password(asker, user, current, wrong).await?;
    let changed = db
        .write("update users set email = $1, updated_at = $2 where id = $3")
        .bind(email.as_str())
        .bind(db::now())
        .bind(user.id)
        .execute()
        .await
        .map(drop);
    match changed {
        Ok(()) => Ok(User {
            email: email.as_str().to_string(),
            ..user.clone()
        }),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            "Another account already uses this email address.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password after checking the current one, and ends every other session and
/// token of the user (`keep` is the request's own).
pub async fn change_password(
    asker: Asker<'_>,
    user: &User,
    change: &PasswordChange,
    keep: &Keep,
    wrong: WrongPassword,
) -> Result<(), AppError> {
    let Asker { db, passwords, .. } = asker;
    confirm_password(asker, user, &change.current, wrong).await?;
    let hash = passwords
        .hash(passwords.queue_place()?, &change.new)
        .await?;
    replace_password(db, UserId(user.id), &hash, false, keep).await
}

/// Sets the password's hash and ends every session and token of the user but `keep`, in one
/// transaction: no request sees the new password with the old sessions (an operator's reset
/// answered 403 "choose a new password" to a browser it had not signed out yet), and no
/// login with the old password between the two keeps a session.
async fn replace_password(
    db: &Db,
    user: UserId,
    hash: &str,
    must_change: bool,
    keep: &Keep,
) -> Result<(), AppError> {
    {
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        tx.sql(
            "update users set password_hash = $1, must_change_password = $2, updated_at = $3
             where id = $4",
        )
        .bind(hash)
        .bind(must_change)
        .bind(db::now())
        .bind(user)
        .execute()
        .await?;
        end_everything_in(&mut tx, user, keep).await?;
        tx.commit().await?;
    }
    db.credentials_ended(user).await;
    Ok(())
}

/// Deletes the account after checking its password: the user, their tasks, counts, browser
/// sessions (records and registry), tokens (they name a missing user from now on) and the
/// throttle's rows that name their address, in one transaction.
pub async fn delete_account(
    asker: Asker<'_>,
    user: &User,
    password: &Password,
    wrong: WrongPassword,
) -> Result<(), AppError> {
    let db = asker.db;
    confirm_password(asker, user, password, wrong).await?;
    let email = user.email.as_str();
    let me = UserId(user.id);
    crate::tasks::store::write_recorded!(db, |tx| {
        // Who hears of it: the other members of each list it owns (deleted with it), and
        // those of each list it was a member of (it is no longer one of them).
        let others: Vec<(ListId, UserId)> = tx
            .sql(
                "select list_members.list_id, list_members.user_id
                 from list_members join lists on lists.id = list_members.list_id
                 where lists.owner_id = $1 and list_members.user_id <> $1
                 order by list_members.list_id",
            )
            .bind(me)
            .all()
            .await?;
        let joined: Vec<ListId> = tx
            .sql(
                "select list_members.list_id
                 from list_members join lists on lists.id = list_members.list_id
                 where list_members.user_id = $1 and lists.owner_id <> $1",
            )
            .bind(me)
            .scalars()
            .await?;
        let mut changes: Vec<Change> = others
            .chunk_by(|a, b| a.0 == b.0)
            .map(|members| {
                let list = members[0].0;
                Change::list_deleted(list.as_uuid(), members.iter().map(|m| m.1).collect())
            })
            .collect();
        changes.extend(
            joined
                .into_iter()
                .map(|list| Change::member_deleted(list, me)),
        );
        tx.sql(
            "delete from sessions where id in
             (select session_id from user_sessions where user_id = $1)",
        )
        .bind(user.id)
        .execute()
        .await?;
        // 'login:<ip> <email>' and 'login-account:<email>'.
        tx.sql(
            "delete from throttle_events
                 where subject = $1
                    or (subject like 'login:%'
                        and substr(subject, length(subject) - length($2) + 1) = $2)",
        )
        .bind(format!("login-account:{email}"))
        .bind(format!(" {email}"))
        .execute()
        .await?;
        // Cascades to the lists it owns (their tasks with them), its memberships, tasks,
        // task_counts and user_sessions.
        tx.sql("delete from users where id = $1")
            .bind(user.id)
            .execute()
            .await?;
        ((), changes)
    })?;
    db.credentials_ended(UserId(user.id)).await;
    Ok(())
}

/// An operator's reset (`todo reset-password EMAIL`): a new random one-time password, which
/// the account must change at its next login; every session and token of the user ends.
/// Returns the one-time password, or `None` when no account has that address.
pub async fn reset_password(
    db: &Db,
    passwords: &crate::auth::password::Passwords,
    email: &str,
) -> Result<Option<String>, AppError> {
    let email = email.trim().to_lowercase();
    let Some(user) = db
        .read("select id from users where email = $1")
        .bind(&email)
        .scalar_optional::<Uuid>()
        .await?
    else {
        return Ok(None);
    };
    let one_time = one_time_password();
    let password = Password::parse(&one_time).map_err(|_| AppError::Internal)?;
    let hash = passwords.hash(passwords.queue_place()?, &password).await?;
    replace_password(db, UserId(user), &hash, true, &Keep::default()).await?;
    Ok(Some(one_time))
}

/// 20 characters from an alphabet without look-alikes (about 115 bits).
fn one_time_password() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Everything the user has, for `GET /api/{user_id}/export` and the account page's download.
pub async fn export(db: &Db, user: &User) -> Result<ExportDocument, AppError> {
    let owner = UserId(user.id);
    // Oldest first within each list, as they are read.
    let mut by_list: std::collections::HashMap<uuid::Uuid, Vec<crate::tasks::Task>> =
        std::collections::HashMap::new();
    for task in crate::tasks::store::all_oldest_first(db, owner).await? {
        by_list.entry(task.list_id).or_default().push(task);
    }
    let lists = crate::tasks::store::lists::owned(db, owner)
        .await?
        .into_iter()
        .map(|(id, name, inbox)| ExportedList {
            name,
            inbox,
            tasks: by_list.remove(&id.as_uuid()).unwrap_or_default(),
        })
        .collect();
    Ok(ExportDocument {
        format: FORMAT.to_string(),
        version: VERSION,
        user: User {
            must_change_password: false,
            ..user.clone()
        },
        lists,
    })
}

/// Stores checked tasks as the user's, with new ids: all or nothing (see
/// [`crate::tasks::store::insert_many`]). It runs on its own task, so a client that goes
/// away half-way does not cut it short: it finishes, or is taken back whole.
pub async fn import(db: &Db, user: UserId, tasks: Vec<ValidTask>) -> Result<usize, AppError> {
    let db = db.clone();
    let running = tokio::spawn(async move {
        crate::tasks::store::insert_many(&db, user, &tasks)
            .await
            .map(|()| tasks.len())
    });
    running.await.map_err(|error| {
        tracing::error!(%error, "an import stopped half-way");
        AppError::Internal
    })?
}
