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

/// The browser entry point: attaches the reactive app to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
