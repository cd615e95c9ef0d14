//! Snapshots: what a devnet's subnets hold after each epoch, per neuron, in a stable text form.
//!
//! The same seed gives a byte-identical file: values are integers in their stored units (u16
//! proportions, rao), ordering is by epoch, netuid and uid, and [`render`] writes one fixed
//! layout. [`diff`] compares two snapshots field by field for `localtensor diff` and the golden
//! checks.

mod diff;
pub mod expect;
mod model;
mod render;
pub mod report;

pub use diff::{Change, diff};
pub use model::{EpochSnapshot, NeuronSnapshot, Snapshot, SubnetSnapshot, SubnetTotals};
pub use render::{ParseError, parse, render};
