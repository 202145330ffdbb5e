//! Black-box tests: the real server on port 0, a real database per test, real HTTP.
//!
//! Every test runs on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL too.

mod helpers;
mod requests;

mod account;
mod app_passwords;
mod assets;
mod auth;
mod bulk;
mod caldav;
mod caldav_lists;
mod cors;
mod cross_site;
mod files;
mod headers;
mod health;
mod hostile;
mod limits;
mod listing;
mod lists;
mod live;
mod openapi;
mod organise;
mod pages;
mod reminders;
mod repeat;
mod sessions;
mod sharing;
mod tasks;
mod throttle;
mod trust;
mod undo;
mod webhook_page;
mod webhooks;
mod write_turn;
