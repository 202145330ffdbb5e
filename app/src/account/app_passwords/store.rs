//! The app passwords' rows. Every write takes the write turn (a `db::Writer`).

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{AppPassword, PER_ACCOUNT};
use crate::{db::Db, error::AppError, ids::UserId};

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
    // The count and the insert see the same rows: concurrent creates of one account take
    // turns (each would otherwise count the same ones and insert one too many).
    let lock = db.lock_user();
    let rows: Vec<Row> = {
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        tx.sql(lock).bind(owner).execute().await?;
        let rows = tx
            .sql(
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
            .all()
            .await?;
        tx.commit().await?;
        rows
    };
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
    let rows: Vec<Row> = db
        .read(
            "select id, name, created_at, last_used_at from app_passwords
             where user_id = $1 order by created_at, id",
        )
        .bind(owner)
        .all()
        .await?;
    Ok(rows.into_iter().map(AppPassword::from).collect())
}

/// Deletes one of `owner`'s app passwords: 404 when they have none with that id.
pub async fn delete(db: &Db, owner: UserId, id: Uuid) -> Result<(), AppError> {
    let gone = db
        .write("delete from app_passwords where id = $1 and user_id = $2")
        .bind(id)
        .bind(owner)
        .execute()
        .await?;
    if gone == 0 {
        return Err(AppError::NotFound("No such app password.".into()));
    }
    Ok(())
}

/// The account whose e-mail is `email` (lower-cased) and one of whose app passwords is
/// `password`, if any; its `last_used_at` moves (at most every few minutes).
pub async fn verify(db: &Db, email: &str, password: &str) -> Result<Option<UserId>, AppError> {
    let hash = digest(password);
    let found: Option<(Uuid, UserId, Option<DateTime<Utc>>)> = db
        .read(
            "select app_passwords.id, users.id, app_passwords.last_used_at
             from app_passwords join users on users.id = app_passwords.user_id
             where app_passwords.hash = $1 and users.email = $2",
        )
        .bind(&hash)
        .bind(email)
        .optional()
        .await?;
    let Some((id, user, last_used)) = found else {
        return Ok(None);
    };
    let now = crate::db::now();
    if last_used.is_none_or(|at| now - at > LAST_USED_GRAIN) {
        db.write("update app_passwords set last_used_at = $2 where id = $1")
            .bind(id)
            .bind(now)
            .execute()
            .await?;
    }
    Ok(Some(user))
}

/// `owner`'s app passwords for the account page, oldest first, times read in `zone`.
pub async fn on_page(
    db: &Db,
    owner: UserId,
    zone: &str,
) -> Result<Vec<super::AppPasswordOnPage>, AppError> {
    let shown = |at: DateTime<Utc>| crate::timestamp::in_zone(at, zone);
    Ok(all(db, owner)
        .await?
        .into_iter()
        .map(|p| super::AppPasswordOnPage {
            id: p.id,
            name: p.name,
            created: shown(p.created_at),
            last_used: p.last_used_at.map(shown),
        })
        .collect())
}
