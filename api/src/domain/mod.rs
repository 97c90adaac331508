//! Values parsed at the boundary: once a value has one of these types it is known to be valid.

pub mod id;
pub mod money;
pub mod text;
pub mod timezone;

pub use id::parse_id;
pub use money::Money;
pub use timezone::Timezone;
