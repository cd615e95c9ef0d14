//! `system_*` methods.

use super::RpcError;
use crate::node::Node;
use jsonrpsee::RpcModule;
use serde_json::json;
use std::sync::Arc;

pub(super) fn register(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_method("system_chain", |_, node, _| {
        node.chain().genesis.chain_name.clone()
    })?;
    m.register_method("system_chainType", |_, node, _| {
        node.chain().genesis.chain_type.clone()
    })?;
    m.register_method("system_name", |_, _, _| "localtensor-chain")?;
    m.register_method("system_version", |_, _, _| env!("CARGO_PKG_VERSION"))?;
    m.register_method("system_properties", |_, _, _| {
        json!({ "ss58Format": crate::keys::SS58_PREFIX, "tokenDecimals": 9, "tokenSymbol": "TAO" })
    })?;
    m.register_method(
        "system_health",
        |_, _, _| json!({ "peers": 0, "isSyncing": false, "shouldHavePeers": false }),
    )?;
    m.register_method("system_peers", |_, _, _| json!([]))?;
    m.register_method(
        "system_localPeerId",
        |_, _, _| "12D3KooWLocaltensorDevnetNoNetwork",
    )?;
    m.register_method("system_nodeRoles", |_, _, _| json!(["Authority"]))?;
    m.register_method("system_syncState", |_, node, _| {
        let best = node.chain().best_number();
        json!({ "startingBlock": 0, "currentBlock": best, "highestBlock": best })
    })?;
    Ok(())
}
