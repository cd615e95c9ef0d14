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

fn server_error(msg: impl std::fmt::Display) -> jsonrpsee::types::ErrorObjectOwned {
    jsonrpsee::types::ErrorObjectOwned::owned(-32000, msg.to_string(), None::<()>)
}

fn path_arg(args: &[Value]) -> RpcResult<std::path::PathBuf> {
    args.first()
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(std::path::PathBuf::from)
        .ok_or_else(|| invalid_params("path must be a non-empty string"))
}

pub(super) fn register_state(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_method("devnet_snapshot", |_, node, _| {
        format!("0x{:x}", node.snapshot())
    })?;
    m.register_method("devnet_revert", |p, node, _| -> RpcResult<bool> {
        let args = list(&p)?;
        let id = args
            .first()
            .ok_or_else(|| invalid_params("snapshot id required"))?;
        let id = super::params::number(id)?;
        Ok(node.revert(id))
    })?;
    m.register_method("devnet_setBalance", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let who = args
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_params("account must be an SS58 or 0x string"))?;
        let who = crate::keys::parse_account(who).map_err(|e| invalid_params(e.to_string()))?;
        let amount = match args.get(1) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => match s.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => s.parse().ok(),
            },
            _ => None,
        }
        .ok_or_else(|| invalid_params("amount must be a u64 (rao) number or string"))?;
        node.chain()
            .mutate_best_state(|ctx| balances::set_free_balance(ctx, &who, amount));
        Ok(json!(true))
    })?;
    m.register_blocking_method("devnet_dumpState", |p, node, _| -> RpcResult<Value> {
        let path = path_arg(&list(&p)?)?;
        let blocks = node.dump_to(&path).map_err(server_error)?;
        Ok(json!({ "path": path.display().to_string(), "blocks": blocks }))
    })?;
    m.register_blocking_method("devnet_loadState", |p, node, _| -> RpcResult<Value> {
        let path = path_arg(&list(&p)?)?;
        node.load_from(&path).map_err(server_error)?;
        let chain = node.chain();
        Ok(json!({ "best": chain.best_number(), "bestHash": chain.best().hash.to_hex() }))
    })?;
    Ok(())
}
