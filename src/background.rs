//! What a running server does besides answering requests: the housekeeping of expired rows,
//! and, on PostgreSQL, listening for other instances' changes.

use std::time::Duration;

use app::{auth::throttle::Throttle, db::Db};
use tower_sessions::session_store::ExpiredDeletion as _;

use crate::sessions::Sessions;

/// How often expired sessions, token revocations and login failures are deleted.
const HOUSEKEEPING_PERIOD: Duration = Duration::from_secs(10 * 60);

/// Deletes expired sessions (and their entries in the users' lists), token revocations and
/// login failures, and takes back imports that never finished, now and then.
pub async fn housekeeping(db: Db, throttle: Throttle) {
    let sessions = Sessions::new(&db);
    let mut ticks = tokio::time::interval(HOUSEKEEPING_PERIOD);
    loop {
        ticks.tick().await;
        if let Err(error) = sessions.delete_expired().await {
            tracing::warn!(%error, "deleting expired sessions failed");
        }
        let removed = app::auth::server::delete_expired_revocations(&db)
            .await
            .and(throttle.delete_expired(&db).await)
            .and(app::auth::sessions::forget_expired_sessions(&db).await);
        if let Err(error) = removed {
            tracing::warn!(%error, "deleting expired rows failed");
        }
        let pruned = app::tasks::events::prune(&db)
            .await
            .and(crate::idempotency::prune(&db).await);
        if let Err(error) = pruned {
            tracing::warn!(%error, "pruning old events and idempotency keys failed");
        }
        match app::tasks::store::take_back_unfinished(&db).await {
            Ok(0) => {}
            Ok(taken) => tracing::warn!(taken, "imports that never finished were taken back"),
            Err(error) => tracing::warn!(%error, "taking back unfinished imports failed"),
        }
    }
}

/// The longest the reminder scheduler sleeps without looking again: a safety net for a
/// wake-up lost between instances. While nothing is due it reads one index entry this often.
const REMINDERS_LOOK_AGAIN: Duration = Duration::from_secs(5 * 60);

/// How long the scheduler waits after a failure before it tries again.
const REMINDERS_RETRY: Duration = Duration::from_secs(5);

/// Sends each reminder when it falls due (see `tasks::store::fire_due`): sleeps until the
/// next one, and wakes early when a reminder is set (by this instance, or by another through
/// the PostgreSQL listener). Reminders that fell due while no server ran go out at start.
pub async fn send_reminders(db: Db) {
    loop {
        let sent = app::tasks::store::fire_due(&db, app::db::now()).await;
        let sleep = match sent {
            Err(error) => {
                tracing::warn!(%error, "sending reminders failed; trying again shortly");
                REMINDERS_RETRY
            }
            Ok(sent) => {
                if sent > 0 {
                    tracing::info!(sent, "reminders sent");
                }
                match app::tasks::store::next_due(&db).await {
                    Ok(Some(at)) => (at - app::db::now())
                        .to_std()
                        .unwrap_or_default()
                        // Another instance may hold a due one for a moment: not a busy loop.
                        .max(Duration::from_millis(20))
                        .min(REMINDERS_LOOK_AGAIN),
                    Ok(None) => REMINDERS_LOOK_AGAIN,
                    Err(_) => REMINDERS_RETRY,
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = db.reminders_woken() => {}
        }
    }
}

/// Passes on the commits of every instance sharing the PostgreSQL database (their
/// `NOTIFY task_events`, with the owner's id) to this process's event streams. When the
/// listening connection drops, sqlx reconnects; notifications sent meanwhile are lost, so
/// every open feed then reads its log again.
pub async fn listen_for_events(pool: sqlx::PgPool, db: Db) {
    use sqlx::postgres::PgListener;
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener
                .listen_all([
                    app::tasks::events::CHANNEL,
                    app::db::CREDENTIALS_CHANNEL,
                    app::db::REMINDERS_CHANNEL,
                ])
                .await?;
            // Anything committed while this was not listening.
            db.announce_all();
            db.wake_reminders();
            loop {
                match listener.try_recv().await? {
                    Some(notification) if notification.channel() == app::db::REMINDERS_CHANNEL => {
                        db.wake_reminders();
                    }
                    Some(notification) => {
                        let Ok(user) = notification.payload().parse::<uuid::Uuid>() else {
                            continue;
                        };
                        if notification.channel() == app::db::CREDENTIALS_CHANNEL {
                            db.announce_credentials_ended(user.into());
                        } else {
                            db.announce(user.into());
                        }
                    }
                    // The connection was lost; the next receive reconnects.
                    None => {
                        db.announce_all();
                        db.wake_reminders();
                    }
                }
            }
            #[allow(unreachable_code)]
            Ok::<(), sqlx::Error>(())
        };
        if let Err(error) = listening.await {
            tracing::warn!(%error, "listening for other instances' changes failed; retrying");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
