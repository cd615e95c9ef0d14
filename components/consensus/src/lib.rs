//! Yuma consensus for localtensor: subtensor's epoch and emission math, reproduced bit for bit.
//!
//! A pure library (no I/O): give [`run_epoch`] a subnet's state as an [`EpochCase`] and get each
//! uid's consensus, incentive, dividends, emissions and new bonds as subtensor's production
//! sparse epoch computes them, in the same fixed-point types and operation order.
//! [`block_emission`] and [`split_alpha_out`] cover the coinbase arithmetic around the epoch.
//!
//! ```
//! use localtensor_consensus::{EpochCase, run_epoch};
//! let case: EpochCase = serde_json::from_str(r#"{
//!   "block": 1360, "tempo": 360, "emission": 1000000000,
//!   "neurons": [
//!     {"stake": 600000000000, "registered_at": 1000, "last_update": 1000},
//!     {"stake": 400000000000, "registered_at": 1000, "last_update": 1000}
//!   ]}"#).unwrap();
//! let result = run_epoch(&case);
//! // No weights yet: the emission is paid by stake.
//! assert_eq!(result.neurons[0].emission, 599_999_999);
//! ```

pub mod case;
pub mod emission;
pub mod epoch;
pub mod fixed;
pub mod liquid_alpha;
pub mod median;
pub mod sparse;

pub use case::{CaseError, EpochCase, EpochParams, EpochResult, NeuronResult, NeuronState};
pub use emission::{AlphaOutSplit, block_emission, split_alpha_out};
pub use epoch::run_epoch;
