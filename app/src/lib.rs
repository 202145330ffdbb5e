//! The application shared by server rendering (`ssr`) and the browser (`hydrate`).
//!
//! Everything a page needs lives here; everything that touches the database sits behind
//! the `ssr` feature so it never reaches the wasm bundle.

#![recursion_limit = "256"]

pub mod account;
pub mod app;
pub mod auth;
pub mod components;
pub mod error;
pub mod forms;
pub mod ids;
pub mod redirect;
pub mod scripts;
pub mod tasks;
pub mod text;
pub mod timestamp;
pub mod webhooks;

#[cfg(test)]
mod module_graph;

#[cfg(feature = "ssr")]
pub mod db;

pub use app::{shell, App};

/// The browser entry point: attaches the reactive app to the server-rendered HTML. The page's
/// own code may be a chunk still to be fetched (`lazy_page!` in `app.rs`), so hydration
/// runs as a task that waits for it; once it is done, `<html data-hydrated="true">` says so
/// (what the end-to-end tests wait for before they click: a click before would be lost).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::document;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let Some(body) = document().body() else {
        return;
    };
    // (Leptos's executor is set up by `hydrate_from_async` itself, inside this task.)
    wasm_bindgen_futures::spawn_local(async move {
        let app = leptos::mount::hydrate_from_async(body.unchecked_into(), App).await;
        app.forget();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
