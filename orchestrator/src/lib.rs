//! localtensor: a local Bittensor devnet orchestrator and test harness.
//!
//! This crate holds the `localtensor` command's library side: reading user files (epoch cases,
//! topologies) with precise errors, and the orchestration built on them.

pub mod case_file;
pub mod devnet;
pub mod runtime;
pub mod snapshot;
pub mod topology;
