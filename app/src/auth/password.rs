//! Password hashing with Argon2id, off the async executor and with bounded concurrency.
//!
//! Parameters follow OWASP's recommendation (19 MiB, 2 iterations, 1 lane). At most one hash
//! per core runs at a time, so a burst of logins queues here instead of starving every other
//! request of blocking threads and memory.

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
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self::new(cores)
    }
}

impl Passwords {
    /// At most `concurrency` hashes or verifications run at once.
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Hashes a new password with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.run(move || {
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
        password: &Password,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let password = password.expose().to_owned();
        self.run(move || {
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
            drop(permit);
            result
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "password task failed");
            AppError::Internal
        })
    }
}

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
        let passwords = Passwords::new(2);
        let right = Password::parse("correct horse").unwrap();
        let wrong = Password::parse("battery staple").unwrap();
        let hash = passwords.hash(&right).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(passwords.verify(&right, Some(hash.clone())).await.unwrap());
        assert!(!passwords.verify(&wrong, Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let passwords = Passwords::new(1);
        let any = Password::parse("whatever1").unwrap();
        assert!(!passwords.verify(&any, None).await.unwrap());
    }
}
