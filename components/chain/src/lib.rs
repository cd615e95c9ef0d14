//! `localtensor-chain`: a devnet node that speaks subtensor's Substrate interface.
//!
//! Layers, bottom up: [`hashing`] and [`primitives`] (SCALE types), [`state`] (raw key/value
//! state), [`runtime`] (pallets, dispatch, runtime APIs), [`extrinsic`] (decoding and signature
//! checks), [`metadata`] (V14/V15 from the runtime's types), [`chain`] (blocks, pool, block
//! building), [`node`] (sealing and channels) and [`rpc`] (JSON-RPC server).

pub mod builder;
pub mod chain;
pub mod cli;
pub mod devnet;
pub mod extrinsic;
pub mod genesis;
pub mod hashing;
pub mod keys;
pub mod metadata;
pub mod node;
pub mod primitives;
pub mod rpc;
pub mod runtime;
pub mod state;
