//! Fault injection: the real server binary, started as a child process, against a full disk,
//! a crash under write load, a database outage behind a TCP proxy, and slow or stalled
//! clients. Each test compares what the client was told with what was stored.
//!
//! Every wait here is bounded: a fault that hangs the server fails the test, it never hangs
//! the suite.

mod aborted;
mod clients;
mod crash;
mod disk;
mod outage;
mod server;
