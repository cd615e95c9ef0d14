//! Block production control: Substrate manual seal's `engine_createBlock` and anvil-style
//! `devnet_*` methods.

use super::params::list;
use super::{RpcError, RpcResult, invalid_params};
use crate::node::Node;
use crate::runtime::pallets::balances;
use jsonrpsee::RpcModule;
use serde_json::{Value, json};
use std::sync::Arc;

/// Most blocks one `devnet_mine` call makes.
pub const MAX_MINE: u64 = 100_000;

pub(super) fn register(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_blocking_method("engine_createBlock", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let create_empty = args.first().and_then(Value::as_bool).unwrap_or(true);
        if !create_empty && node.chain().pool_len() == 0 {
            return Err(jsonrpsee::types::ErrorObjectOwned::owned(
                -32603,
                "Consensus error: no transactions in the pool and create_empty is false",
                None::<()>,
            ));
        }
        let sealed = node.seal(1);
        let hash = sealed.last().map(|(_, h)| h.to_hex()).unwrap_or_default();
        Ok(json!({
            "hash": hash,
            "aux": {
                "header_only": false,
                "clear_justification_requests": false,
                "needs_justification": false,
                "bad_justification": false,
                "is_new_best": true,
            }
        }))
    })?;
    m.register_method("engine_finalizeBlock", |_, _, _| true)?;
    m.register_blocking_method("devnet_mine", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let n = match args.first() {
            None | Some(Value::Null) => 1,
            Some(v) => v
                .as_u64()
                .ok_or_else(|| invalid_params("n must be a positive integer"))?,
        };
        if n == 0 || n > MAX_MINE {
            return Err(invalid_params(format!(
                "n must be between 1 and {MAX_MINE}"
            )));
        }
        let sealed = node.seal(n as u32);
        let first = sealed.first().map(|(h, _)| h.number).unwrap_or_default();
        let (last, head) = sealed
            .last()
            .map(|(h, hash)| (h.number, hash.to_hex()))
            .unwrap_or_default();
        Ok(json!({ "first": first, "last": last, "head": head }))
    })?;
    m.register_method("devnet_info", |_, node, _| {
        let chain = node.chain();
        let best = chain.best();
        json!({
            "chain": chain.genesis.chain_name,
            "sealing": node.sealing.to_string(),
            "best": best.header.number,
            "bestHash": best.hash.to_hex(),
            "genesisHash": chain.genesis_hash().to_hex(),
            "specVersion": crate::runtime::SPEC_VERSION,
            "pool": chain.pool_len(),
            "stateKeys": best.state.as_ref().map(|s| s.len()).unwrap_or(0),
            "totalIssuance": best.state.as_ref().map(|s| balances::total_issuance(s)).unwrap_or(0),
        })
    })?;
    Ok(())
}
