//! Static files: hashed bundle names in the pages, the build's brotli and gzip copies sent as
//! they are (nothing compressed per request), a year's cache for hashed files only, and 304
//! for a conditional request.

use std::path::Path;

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, IF_MODIFIED_SINCE, LAST_MODIFIED,
};
use todo::{
    assets::{IMMUTABLE, REVALIDATE},
    precompress::precompress,
};

use crate::helpers::{spawn_app, Backend};

const HASH: &str = "AbCdEf0123456789_-xyzw";

/// A built site as cargo-leptos leaves it with `hash-files`, text big enough to compress.
fn site(root: &Path) -> std::path::PathBuf {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let script = "export function hydrate() { console.log('hello'); }\n".repeat(200);
    std::fs::write(pkg.join(format!("todo.{HASH}.js")), &script).unwrap();
    std::fs::write(
        pkg.join(format!("todo.{HASH}.css")),
        "body { color: #123456; }\n".repeat(200),
    )
    .unwrap();
    std::fs::write(pkg.join(format!("todo.{HASH}.wasm")), [0u8; 4096]).unwrap();
    std::fs::write(
        root.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n".repeat(50),
    )
    .unwrap();
    // An image is not compressed again.
    std::fs::write(root.join("picture.png"), [7u8; 2048]).unwrap();
    // Beside the site, as cargo-leptos leaves it beside the server binary.
    let hashes = root.with_file_name("hash.txt");
    std::fs::write(&hashes, format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n")).unwrap();
    hashes
}

#[tokio::test]
async fn the_bundle_is_sent_precompressed_under_hashed_names_and_cached_for_a_year() {
    let folder = tempfile::tempdir().unwrap();
    let root = &folder.path().join("site");
    let hashes = site(root);
    let first = precompress(root).unwrap();
    assert_eq!(first.compressed, 4, "{first:?}");
    assert!(!root.join("picture.png.br").exists());
    // Made once: a second run finds every copy up to date.
    let again = precompress(root).unwrap();
    assert_eq!((again.compressed, again.unchanged), (0, 4), "{again:?}");

    let (app, running) = spawn_app(
        Backend::Sqlite,
        &[
            ("LEPTOS_SITE_ROOT", root.to_str().unwrap()),
            ("LEPTOS_HASH_FILES", "true"),
            ("LEPTOS_HASH_FILE_NAME", hashes.to_str().unwrap()),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let get = |path: String, encoding: &'static str| {
        let request = client.get(format!("{}{path}", app.address));
        async move {
            let request = if encoding.is_empty() {
                request
            } else {
                request.header(ACCEPT_ENCODING, encoding)
            };
            request.send().await.unwrap()
        }
    };

    // The page names the hashed files.
    let page = get("/login".into(), "").await.text().await.unwrap();
    assert!(page.contains(&format!("/pkg/todo.{HASH}.css")), "{page}");
    assert!(page.contains(&format!("/pkg/todo.{HASH}.js")), "{page}");
    assert!(page.contains(&format!("/pkg/todo.{HASH}.wasm")), "{page}");

    let script = format!("/pkg/todo.{HASH}.js");
    let file = root.join(format!("pkg/todo.{HASH}.js"));
    for (accepts, encoding, copy) in [
        ("gzip, deflate, br, zstd", Some("br"), "js.br"),
        ("gzip", Some("gzip"), "js.gz"),
        ("", None, "js"),
    ] {
        let response = get(script.clone(), accepts).await;
        assert_eq!(response.status(), 200, "{accepts}");
        let headers = response.headers().clone();
        assert_eq!(
            headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "{accepts}"
        );
        assert_eq!(headers[CACHE_CONTROL], IMMUTABLE, "{accepts}");
        // Exactly the file the build made: nothing compressed at request time.
        let expected = std::fs::read(file.with_extension(copy)).unwrap();
        assert_eq!(
            response.bytes().await.unwrap().to_vec(),
            expected,
            "{accepts}"
        );
    }

    // Files without a hash in their name are revalidated, and a conditional request gets 304.
    let icon = get("/favicon.svg".into(), "br").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()[CONTENT_ENCODING], "br");
    assert_eq!(icon.headers()[CACHE_CONTROL], REVALIDATE);
    let modified = icon.headers()[LAST_MODIFIED].clone();
    let again = client
        .get(format!("{}/favicon.svg", app.address))
        .header(IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let image = get("/picture.png".into(), "gzip, br").await;
    assert_eq!(image.status(), 200);
    assert!(image.headers().get(CONTENT_ENCODING).is_none());

    // A missing file is the app's "not found" page, never cached for a year.
    let missing = get("/pkg/todo.0000.js".into(), "br").await;
    assert_eq!(missing.status(), 404);
    assert_ne!(
        missing
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some(IMMUTABLE)
    );
    // Other methods on a file's path get the "not found" page, not the file.
    let post = client
        .post(format!("{}{script}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
    running.shutdown().await;
}

#[tokio::test]
async fn without_hashed_names_the_bundle_is_revalidated() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("todo.js"), "export {};\n".repeat(300)).unwrap();
    let (app, running) = spawn_app(
        Backend::Sqlite,
        &[
            ("LEPTOS_SITE_ROOT", root.to_str().unwrap()),
            ("LEPTOS_HASH_FILES", "false"),
        ],
    )
    .await;
    let page = reqwest::get(format!("{}/login", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/pkg/todo.css"), "{page}");
    assert!(page.contains("/pkg/todo.js"), "{page}");
    let script = reqwest::get(format!("{}/pkg/todo.js", app.address))
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(script.headers()[CACHE_CONTROL], REVALIDATE);
    running.shutdown().await;
}
