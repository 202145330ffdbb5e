//! Files that hold secrets or every account's data are readable by their owner only.

use std::os::unix::fs::PermissionsExt as _;

use todo::startup::Application;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn config(folder: &std::path::Path) -> todo::config::Config {
    let database = folder.join("nested/data/todo.db");
    crate::helpers::FreshDatabase::config_for(
        &format!("sqlite://{}", database.display()),
        &[
            ("JWT_SECRET", ""),
            ("DATA_DIR", folder.join("secrets").to_str().unwrap()),
        ],
    )
}

#[tokio::test]
async fn the_database_its_log_and_the_generated_key_are_owner_only() {
    let folder = tempfile::tempdir().unwrap();
    let app = Application::build(config(folder.path())).await.unwrap();
    let data = folder.path().join("nested/data");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("todo.db")), 0o600);
    assert_eq!(mode(&data.join("todo.db-wal")), 0o600);
    assert_eq!(mode(&folder.path().join("secrets")), 0o700);
    assert_eq!(mode(&folder.path().join("secrets/jwt_secret")), 0o600);
    drop(app);
}

#[tokio::test]
async fn a_key_file_others_can_read_is_refused_with_a_clear_error() {
    let folder = tempfile::tempdir().unwrap();
    let secrets = folder.path().join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let key = secrets.join("jwt_secret");
    std::fs::write(&key, "k".repeat(64)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();

    let error = Application::build(config(folder.path()))
        .await
        .err()
        .expect("start-up refused")
        .to_string();
    assert!(error.contains("chmod 600"), "{error}");
    assert!(!error.contains(&"k".repeat(64)), "the key is never printed");
}

#[tokio::test]
async fn a_database_file_others_could_read_is_made_owner_only() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("nested/data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("todo.db"), b"").unwrap();
    std::fs::set_permissions(data.join("todo.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let app = Application::build(config(folder.path())).await.unwrap();
    assert_eq!(mode(&data.join("todo.db")), 0o600);
    drop(app);
}
