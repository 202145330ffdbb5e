//! Files that hold secrets or every account's data (the JWT key, the SQLite database) are
//! readable by their owner only: folders 0700, files 0600.

use std::{io, path::Path};

/// Creates `folder` (and its parents) readable by this user only, if it does not exist.
pub fn create_folder(folder: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("could not create {}: {e}", folder.display()),
        )
    })
}

/// Opens a new file for writing, readable by this user only; fails if it exists.
pub fn create_new_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The permission bits of an existing file that let others than its owner read or write it.
pub fn open_to_others(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// Makes sure the SQLite database file exists and is readable by its owner only, before
/// SQLite opens it: SQLite gives its `-wal` and `-shm` files the database file's mode, so
/// they follow. A database found readable by others is tightened, with a warning.
pub fn prepare_database_file(path: &Path) -> io::Result<()> {
    match create_new_file(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if let Some(mode) = open_to_others(path)? {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "the database file was readable by other users; making it owner-only (600)"
                );
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
                }
            }
            Ok(())
        }
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("could not create {}: {e}", path.display()),
        )),
    }
}
