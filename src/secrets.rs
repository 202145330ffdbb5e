//! The JWT signing key: from `JWT_SECRET`, or generated once into the data folder.

use std::{io::Write as _, path::Path};

use secrecy::ExposeSecret;

use crate::{config::Config, private_files, startup_error::StartupError};

/// The JWT signing key: `JWT_SECRET`, or a secret generated once into `DATA_DIR/jwt_secret`
/// (owner-only permissions) and read back on every later start, so tokens survive restarts.
pub fn load_jwt_secret(config: &Config) -> Result<Vec<u8>, StartupError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.expose_secret().as_bytes().to_vec());
    }
    let path = config.data_dir.join("jwt_secret");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            if let Ok(Some(mode)) = private_files::open_to_others(&path) {
                return Err(StartupError::Secret(format!(
                    "{} can be read by other users (mode {mode:o}); run `chmod 600 {}` or set \
                     JWT_SECRET instead",
                    path.display(),
                    path.display()
                )));
            }
            let secret = text.trim().as_bytes().to_vec();
            if secret.len() < 32 {
                return Err(StartupError::Secret(format!(
                    "{} holds fewer than 32 bytes; delete it to have a new one generated",
                    path.display()
                )));
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => generate_secret_file(&path),
        Err(e) => Err(StartupError::Secret(format!(
            "could not read {}: {e}",
            path.display()
        ))),
    }
}

fn generate_secret_file(path: &Path) -> Result<Vec<u8>, StartupError> {
    let fail = |e: std::io::Error| {
        StartupError::Secret(format!("could not write {}: {e}", path.display()))
    };
    if let Some(folder) = path.parent() {
        private_files::create_folder(folder).map_err(fail)?;
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let mut file = private_files::create_new_file(path).map_err(fail)?;
    file.write_all(secret.as_bytes()).map_err(fail)?;
    tracing::warn!(
        path = %path.display(),
        "JWT_SECRET is not set: generated a signing key and saved it; set JWT_SECRET to the same \
         value on every instance when running more than one"
    );
    Ok(secret.into_bytes())
}
