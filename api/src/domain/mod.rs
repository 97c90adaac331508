//! Values parsed at the boundary: once a value has one of these types it is known to be valid.

pub mod email;
pub mod id;
pub mod money;
pub mod names;
pub mod phone;
pub mod search;
pub mod text;
pub mod timezone;
pub mod when;

pub use id::parse_id;
pub use money::Money;
pub use phone::Phone;
pub use timezone::Timezone;
