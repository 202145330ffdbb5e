//! The task store: the SQL and the rules of tasks. Every query carries the access rule of
//! [`access`] (or, on the task page's own bulk actions, the owner's range), so one user's
//! tasks are out of another's reach by construction; every write follows the write rule of
//! [`write`]. Rows ([`rows`]), listing with cursors, filters and totals
//! ([`listing`], [`cursor`], [`sql`], [`totals`]), single writes ([`edits`]), bulk changes
//! and their undo ([`removal`], [`marking`]) and imports ([`import`]).

mod access;
mod cursor;
pub mod dav;
mod edits;
mod import;
mod listing;
pub mod lists;
mod marking;
pub mod members;
mod occurrence;
mod reminders;
mod removal;
mod rows;
mod sharing;
mod sql;
mod totals;
pub(crate) mod write;

pub use cursor::{Cursor, Listing};
pub use edits::{create, delete, put_back, set_completed, update, Before};
pub use import::{insert_many, take_back_unfinished, UNFINISHED_IMPORT};
pub use listing::{all_oldest_first, board, get, list, tags};
pub use marking::{set_all_completed, unmark};
pub use occurrence::{local_instant, today_in};
pub use reminders::{fire_due, next_due};
pub use removal::{remove, restore, Removal, UNDO_WINDOW};
pub use totals::counts;
pub(crate) use write::write_recorded;
