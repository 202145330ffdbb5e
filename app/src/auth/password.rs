//! Password hashing with Argon2id, off the async executor and with bounded concurrency.
//!
//! Parameters follow OWASP's recommendation (19 MiB, 2 iterations, 1 lane). At most one hash
//! per core runs at a time, so a burst of logins queues here instead of starving every other
//! request of blocking threads and memory; and the queue itself is bounded: once it is full,
//! a signup or login is answered 503 with `Retry-After` at once instead of waiting behind a
//! backlog that only grows (each waiting request holds its connection and memory).

use std::sync::{Arc, OnceLock};

use argon2::{
    password_hash::{
        rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
    },
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use super::Password;
use crate::error::AppError;

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

#[derive(Clone, Debug)]
pub struct Passwords {
    /// One per hash that may run now.
    permits: Arc<Semaphore>,
    /// One per hash that may run or wait: running plus queued.
    places: Arc<Semaphore>,
}

impl Passwords {
    /// At most `concurrency` hashes or verifications run at once, and `queue` more wait.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            places: Arc::new(Semaphore::new(concurrency + queue)),
        }
    }

    /// A place in the queue, or 503 at once when it is full. Callers that count attempts
    /// take it first, so an attempt turned away for a full queue is never counted.
    pub fn queue_place(&self) -> Result<QueuePlace, AppError> {
        self.places
            .clone()
            .try_acquire_owned()
            .map(QueuePlace)
            .map_err(|_| {
                tracing::warn!("the password queue is full; answering 503");
                AppError::Unavailable(
                    "The server is busy checking other passwords; please try again in a moment."
                        .into(),
                )
            })
    }

    /// Hashes a new password with a fresh random salt.
    pub async fn hash(&self, place: QueuePlace, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.run(place, move || {
            let salt = SaltString::generate(&mut OsRng);
            hasher()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
        })
        .await?
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
    }

    /// Checks `password` against `stored`. With no stored hash (unknown email) it verifies
    /// against a dummy hash anyway, so both failures take about the same time.
    pub async fn verify(
        &self,
        place: QueuePlace,
        password: &Password,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let password = password.expose().to_owned();
        self.run(place, move || {
            let (stored, known) = match stored {
                Some(stored) => (stored, true),
                None => (dummy_hash().to_owned(), false),
            };
            let matches = match PasswordHash::new(&stored) {
                Ok(parsed) => hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(error) => {
                    tracing::error!(%error, "a stored password hash is unreadable");
                    false
                }
            };
            known && matches
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        place: QueuePlace,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal)?;
        // The permit goes with the work, not with this future: a caller that gives up (a
        // client that disconnects) cannot free a slot while its hash still runs.
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop((permit, place));
            result
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "password task failed");
            AppError::Internal
        })
    }
}

/// A place in the password queue, held until the hash that took it has run.
#[derive(Debug)]
pub struct QueuePlace(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password with the same parameters, made once on first use.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let random = uuid::Uuid::new_v4().to_string();
        hasher()
            .hash_password(random.as_bytes(), &salt)
            .expect("hashing a random password")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let passwords = Passwords::new(2, 0);
        let right = Password::parse("correct horse").unwrap();
        let wrong = Password::parse("battery staple").unwrap();
        let place = || passwords.queue_place().unwrap();
        let hash = passwords.hash(place(), &right).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(passwords
            .verify(place(), &right, Some(hash.clone()))
            .await
            .unwrap());
        assert!(!passwords.verify(place(), &wrong, Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let passwords = Passwords::new(1, 0);
        let any = Password::parse("whatever1").unwrap();
        let place = passwords.queue_place().unwrap();
        assert!(!passwords.verify(place, &any, None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_answers_unavailable_at_once_instead_of_waiting() {
        // One runs, one waits; the rest of a burst of 8 is turned away.
        let passwords = Passwords::new(1, 1);
        let password = Password::parse("whatever1").unwrap();
        let burst: Vec<_> = (0..8)
            .map(|_| {
                let passwords = passwords.clone();
                let password = password.clone();
                tokio::spawn(async move {
                    let place = passwords.queue_place()?;
                    passwords.hash(place, &password).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in burst {
            results.push(task.await);
        }
        let refused = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(AppError::Unavailable(_)))))
            .count();
        let hashed = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
        assert_eq!(hashed + refused, 8, "{results:?}");
        assert!(
            hashed >= 2,
            "the running and the queued hash both finish: {results:?}"
        );
        assert!(
            refused >= 1,
            "a burst beyond the queue is refused: {results:?}"
        );
        // Once the burst is through, there is room again.
        let place = passwords.queue_place().unwrap();
        assert!(passwords.hash(place, &password).await.is_ok());
    }
}
