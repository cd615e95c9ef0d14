//! The pallets this node implements, each with subtensor's pallet name and index.

pub mod admin_utils;
pub mod balances;
pub mod subtensor;
pub mod sudo;
pub mod system;
pub mod timestamp;
pub mod transaction_payment;
pub mod utility;
