//! Play sessions: start (prepaid or open), extend, move, stop, and the stop that comes by
//! itself when prepaid time runs out. Money goes through the wallet ledger in the same
//! transaction, once per idempotency key.

mod checks;
mod extend;
mod moving;
mod payment;
mod queries;
mod start;
mod stop;
mod types;

pub use extend::extend;
pub use moving::move_to;
pub use queries::{current_quote, get, list, parts_of};
pub(crate) use start::begin;
pub use start::start;
pub use stop::{stop, time_up};
pub use types::{Rules, StartSpec};
