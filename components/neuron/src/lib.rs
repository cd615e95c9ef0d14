//! `localtensor-neuron`: the miner and validator neurons of localtensor devnets.
//!
//! A **miner** serves an axon (HTTP) whose `POST /v1/challenge` runs units of checkable work on
//! one or more GPU mocks and answers their results with simulated durations. A **validator**
//! follows the chain block by block, sends signed, per-miner challenges to a seeded sample of
//! miners, verifies every result, keeps an integer moving average of scores and sets weights on
//! chain. Both binaries (`localtensor-miner`, `localtensor-validator`) are thin wrappers around
//! [`miner::run`] and [`validator::run`].
//!
//! Everything that affects scores or weights derives from the topology seed, the netuid, the
//! hotkeys and the block through keyed BLAKE2 hashes ([`draw`]); nothing depends on wall-clock
//! time, scheduling or request order. With `--lockstep` a neuron finishes its work for block `b`
//! before reporting `b` done on `GET /v1/status`, so an orchestrator that seals `b + 1` only then
//! gets byte-identical weights on every run.
//!
//! Modules:
//! - [`challenge`]: the challenge and answer JSON, and how a challenge derives from its inputs;
//! - [`auth`]: the signed-request headers, the signed message and the nonce replay window;
//! - [`scoring`]: verifying an answer against a challenge and its budget;
//! - [`weights`]: the per-miner moving average and the u16 weight normalisation;
//! - [`draw`]: keyed hashes for every seeded decision;
//! - [`status`]: block progress and the `/health` and `/v1/status` endpoints;
//! - [`cli`]: flags shared by both binaries; [`miner`], [`validator`]: the neurons.

pub mod api_error;
pub mod auth;
pub mod challenge;
pub mod cli;
pub mod draw;
pub mod entry;
mod error;
pub mod miner;
pub mod runtime;
pub mod scoring;
pub mod status;
pub mod validator;
pub mod weights;

pub use error::NeuronError;
