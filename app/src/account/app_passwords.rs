//! App passwords: what a calendar app (CalDAV) signs in with, beside the account's e-mail,
//! so the account password never goes into another program. Each is a random secret shown
//! once; only its SHA-256 is kept. A secret of 119 random bits needs no slow hash (nobody can
//! search that space), so checking one on every CalDAV request costs a hash and a lookup,
//! not an Argon2 run. A password change or "sign out everywhere" leaves them alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most app passwords one account keeps.
pub const PER_ACCOUNT: i64 = 20;

/// The longest name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// An app password as the API and the page show it: its secret only once, when made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppPassword {
    pub id: Uuid,
    /// What it is for, as its owner named it.
    #[cfg_attr(feature = "ssr", schema(example = "Phone"))]
    pub name: String,
    /// Shown once, in the answer to the create: six groups of four letters and digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(example = "k7qm-x2vd-9tfa-hw4e-pz8r-cn3b"))]
    pub password: Option<String>,
    /// RFC 3339, UTC, microseconds.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// When a calendar app last signed in with it (to the nearest few minutes), or null.
    #[serde(default, with = "crate::timestamp::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A name as given: trimmed, 1 to [`NAME_MAX_CHARS`] characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, crate::error::AppError> {
    use crate::error::{AppError, FieldError};
    let name = raw.trim();
    let refuse = |msg: &str| AppError::invalid_field(FieldError::body("name", "value_error", msg));
    if name.is_empty() {
        return Err(refuse(
            "Name the app password (the app or device it is for).",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(refuse("The name may be at most 100 characters long."));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse(
            "The name may not hold line breaks or control characters.",
        ));
    }
    Ok(name.to_string())
}

#[cfg(feature = "ssr")]
pub mod store {
    //! The app passwords' rows. Every write takes the write turn (`with_writer!`).

    use chrono::{DateTime, TimeDelta, Utc};
    use rand::Rng as _;
    use sha2::{Digest as _, Sha256};
    use uuid::Uuid;

    use super::{AppPassword, PER_ACCOUNT};
    use crate::{db::Db, error::AppError, ids::UserId, with_reader, with_writer};

    /// The letters and digits a password is made of: no 0/o, 1/l/i, easy to type on a phone.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

    /// How stale `last_used_at` may get before a sign-in writes it again: a syncing app
    /// signs in on every request, and each need not be a write.
    const LAST_USED_GRAIN: TimeDelta = TimeDelta::minutes(5);

    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        name: String,
        created_at: DateTime<Utc>,
        last_used_at: Option<DateTime<Utc>>,
    }

    impl From<Row> for AppPassword {
        fn from(row: Row) -> Self {
            Self {
                id: row.id,
                name: row.name,
                password: None,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            }
        }
    }

    /// A new secret: 24 characters of [`ALPHABET`] (119 bits) in groups of four.
    fn new_password() -> String {
        let mut rng = rand::rng();
        let chars: Vec<char> = (0..24)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        chars
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    fn digest(password: &str) -> Vec<u8> {
        Sha256::digest(password.as_bytes()).to_vec()
    }

    /// Makes an app password named `name` (already parsed); 409 past [`PER_ACCOUNT`].
    pub async fn create(db: &Db, owner: UserId, name: &str) -> Result<AppPassword, AppError> {
        let (id, now, password) = (Uuid::now_v7(), crate::db::now(), new_password());
        let hash = digest(&password);
        // Counted and inserted in one statement; on PostgreSQL the owner's row is locked
        // first so that concurrent creates take turns (SQLite's write turn already does).
        let lock = if db.is_sqlite() {
            "select 1 from users where id = $1"
        } else {
            "select 1 from users where id = $1 for update"
        };
        let rows: Vec<Row> = with_writer!(db, |w| {
            async {
                let mut tx = w.begin().await?;
                sqlx::query(lock).bind(owner).execute(&mut tx).await?;
                let rows = sqlx::query_as(
                    "insert into app_passwords (id, user_id, name, hash, created_at)
                     select $1, $2, $3, $4, $5
                     where (select count(*) from app_passwords where user_id = $2) < $6
                     returning id, name, created_at, last_used_at",
                )
                .bind(id)
                .bind(owner)
                .bind(name)
                .bind(&hash)
                .bind(now)
                .bind(PER_ACCOUNT)
                .fetch_all(&mut tx)
                .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(rows)
            }
            .await
        })?;
        let Some(row) = rows.into_iter().next() else {
            return Err(AppError::Conflict(format!(
                "This account already has {PER_ACCOUNT} app passwords: delete one it no longer \
                 needs first."
            )));
        };
        Ok(AppPassword {
            password: Some(password),
            ..row.into()
        })
    }

    /// `owner`'s app passwords, oldest first, without their secrets.
    pub async fn all(db: &Db, owner: UserId) -> Result<Vec<AppPassword>, AppError> {
        let rows: Vec<Row> = with_reader!(db, |pool| {
            sqlx::query_as(
                "select id, name, created_at, last_used_at from app_passwords
                 where user_id = $1 order by created_at, id",
            )
            .bind(owner)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(AppPassword::from).collect())
    }

    /// Deletes one of `owner`'s app passwords: 404 when they have none with that id.
    pub async fn delete(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
        let gone = with_writer!(db, |w| {
            sqlx::query("delete from app_passwords where id = $1 and user_id = $2")
                .bind(id)
                .bind(owner)
                .execute(&mut *w)
                .await
                .map(|r| r.rows_affected())
        })?;
        if gone == 0 {
            return Err(AppError::NotFound("No such app password.".into()));
        }
        Ok(())
    }

    /// The account whose e-mail is `email` (lower-cased) and one of whose app passwords is
    /// `password`, if any; its `last_used_at` moves (at most every few minutes).
    pub async fn verify(db: &Db, email: &str, password: &str) -> Result<Option<UserId>, AppError> {
        let hash = digest(password);
        let found: Option<(Uuid, UserId, Option<DateTime<Utc>>)> = with_reader!(db, |pool| {
            sqlx::query_as(
                "select app_passwords.id, users.id, app_passwords.last_used_at
                 from app_passwords join users on users.id = app_passwords.user_id
                 where app_passwords.hash = $1 and users.email = $2",
            )
            .bind(&hash)
            .bind(email)
            .fetch_optional(pool)
            .await
        })?;
        let Some((id, user, last_used)) = found else {
            return Ok(None);
        };
        let now = crate::db::now();
        if last_used.is_none_or(|at| now - at > LAST_USED_GRAIN) {
            with_writer!(db, |w| {
                sqlx::query("update app_passwords set last_used_at = $2 where id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *w)
                    .await
                    .map(|_| ())
            })?;
        }
        Ok(Some(user))
    }
}
