//! PC bookings: N PCs of a zone for a client from a start for a duration. Specific PCs are
//! assigned, side by side where possible. The database is the final arbiter of overlaps: an
//! exclusion constraint on PostgreSQL, a check inside the write turn on SQLite.

mod arrival;
mod close;
mod create;
mod queries;
mod types;

pub use arrival::use_booking;
pub use close::{cancel, no_show};
pub use create::create;
pub use queries::{get, list, pcs_of, seats_of};
pub use types::BookingSpec;
