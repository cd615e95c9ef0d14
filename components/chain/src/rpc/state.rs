//! `state_*` methods: raw storage, runtime calls, metadata and version.

use super::params::{bytes, hex0x, list, opt_hash};
use super::{RpcError, RpcResult, invalid_params};
use crate::chain::ChainError;
use crate::node::Node;
use crate::runtime::apis::{self, ApiEnv, RuntimeVersion};
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{RpcModule, SubscriptionMessage};
use serde_json::{Value, json};
use std::sync::Arc;

/// Most keys `state_getKeysPaged` returns at once (Substrate's limit).
pub const MAX_PAGED_KEYS: u64 = 1000;
/// Most keys `state_getKeys` returns.
pub const MAX_KEYS: usize = 100_000;

fn client_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(4003, format!("Client error: {e}"), None::<()>)
}

impl From<ChainError> for ErrorObjectOwned {
    fn from(e: ChainError) -> Self {
        client_error(e)
    }
}

/// The runtime version in `state_getRuntimeVersion`'s JSON shape.
pub fn version_json() -> Value {
    let v = RuntimeVersion::current();
    json!({
        "specName": v.spec_name,
        "implName": v.impl_name,
        "authoringVersion": v.authoring_version,
        "specVersion": v.spec_version,
        "implVersion": v.impl_version,
        "apis": v.apis.iter().map(|(id, ver)| json!([hex0x(id), ver])).collect::<Vec<_>>(),
        "transactionVersion": v.transaction_version,
        "systemVersion": v.system_version,
        "stateVersion": v.system_version,
    })
}

fn get_storage(node: &Node, args: &[Value]) -> RpcResult<Value> {
    let key = bytes(args.first().unwrap_or(&Value::Null), "storage key")?;
    let at = opt_hash(args.get(1))?;
    let state = node.chain().state_at(at.as_ref())?;
    Ok(state
        .get_raw(&key)
        .map(|v| json!(hex0x(v)))
        .unwrap_or(Value::Null))
}

pub(super) fn register(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_method("state_getStorage", |p, node, _| {
        get_storage(node, &list(&p)?)
    })?;
    m.register_alias("state_getStorageAt", "state_getStorage")?;
    m.register_method("state_getStorageHash", |p, node, _| -> RpcResult<Value> {
        let v = get_storage(node, &list(&p)?)?;
        Ok(match v.as_str() {
            Some(s) => json!(hex0x(&crate::hashing::blake2_256(&bytes(
                &json!(s),
                "value"
            )?))),
            None => Value::Null,
        })
    })?;
    m.register_method("state_getStorageSize", |p, node, _| -> RpcResult<Value> {
        let v = get_storage(node, &list(&p)?)?;
        Ok(match v.as_str() {
            Some(s) => json!(bytes(&json!(s), "value")?.len()),
            None => Value::Null,
        })
    })?;
    m.register_method("state_getKeys", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let prefix = bytes(args.first().unwrap_or(&Value::Null), "key prefix")?;
        let at = opt_hash(args.get(1))?;
        let state = node.chain().state_at(at.as_ref())?;
        let keys = state.keys_with_prefix(&prefix, None, MAX_KEYS);
        Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
    })?;
    m.register_method("state_getKeysPaged", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let prefix = match args.first() {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => bytes(v, "key prefix")?,
        };
        let count = args
            .get(1)
            .and_then(Value::as_u64)
            .ok_or_else(|| invalid_params("count must be a non-negative integer"))?;
        if count > MAX_PAGED_KEYS {
            return Err(invalid_params(format!(
                "count exceeds maximum value. value: {count}, max: {MAX_PAGED_KEYS}"
            )));
        }
        let start = match args.get(2) {
            None | Some(Value::Null) => None,
            Some(v) => Some(bytes(v, "start key")?),
        };
        let at = opt_hash(args.get(3))?;
        let state = node.chain().state_at(at.as_ref())?;
        let keys = state.keys_with_prefix(&prefix, start.as_deref(), count as usize);
        Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
    })?;
    m.register_alias("state_getKeysPagedAt", "state_getKeysPaged")?;
    m.register_method("state_queryStorageAt", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let keys = args
            .first()
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_params("keys must be a list of hex strings"))?;
        let at = opt_hash(args.get(1))?;
        let chain = node.chain();
        let block = chain.block_at(at.as_ref())?.hash;
        let state = chain.state_at(Some(&block))?;
        let mut changes = Vec::with_capacity(keys.len());
        for k in keys {
            let key = bytes(k, "storage key")?;
            let value = state
                .get_raw(&key)
                .map(|v| json!(hex0x(v)))
                .unwrap_or(Value::Null);
            changes.push(json!([hex0x(&key), value]));
        }
        Ok(json!([{ "block": block.to_hex(), "changes": changes }]))
    })?;
    m.register_method("state_getMetadata", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let at = opt_hash(args.first())?;
        let chain = node.chain();
        chain.block_at(at.as_ref())?;
        Ok(json!(hex0x(&chain.metadata_v14)))
    })?;
    m.register_method(
        "state_getRuntimeVersion",
        |p, node, _| -> RpcResult<Value> {
            let args = list(&p)?;
            let at = opt_hash(args.first())?;
            node.chain().block_at(at.as_ref())?;
            Ok(version_json())
        },
    )?;
    m.register_alias("chain_getRuntimeVersion", "state_getRuntimeVersion")?;
    m.register_method("state_call", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let method = args
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_params("method name must be a string"))?
            .to_string();
        let data = bytes(args.get(1).unwrap_or(&Value::Null), "call data")?;
        let at = opt_hash(args.get(2))?;
        let (state, v14, v15) = {
            let chain = node.chain();
            (
                chain.state_at(at.as_ref())?,
                chain.metadata_v14.clone(),
                chain.metadata_v15.clone(),
            )
        };
        let env = ApiEnv {
            state: &state,
            metadata_v14: &v14,
            metadata_v15: &v15,
        };
        let out = apis::call(&env, &method, &data)
            .map_err(|e| client_error(format!("Execution failed: Other: {e}")))?;
        Ok(json!(hex0x(&out)))
    })?;
    m.register_alias("state_callAt", "state_call")?;
    m.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_runtimeVersion",
        "state_unsubscribeRuntimeVersion",
        |_, pending, _node, _| async move {
            let sink = pending.accept().await?;
            sink.send(SubscriptionMessage::from(serde_json::value::to_raw_value(
                &version_json(),
            )?))
            .await?;
            // The runtime never changes: keep the subscription open until the client leaves.
            sink.closed().await;
            let r: SubscriptionResult = Ok(());
            r
        },
    )?;
    Ok(())
}
