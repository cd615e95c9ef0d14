//! `chain_*` methods and head subscriptions.

use super::params::{hex0x, list, number, opt_hash};
use super::{RpcError, RpcResult};
use crate::chain::StoredBlock;
use crate::node::Node;
use crate::primitives::{H256, Header};
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionMessage};
use serde_json::{Value, json};
use std::sync::Arc;

/// A header in Substrate's JSON shape.
pub fn header_json(h: &Header) -> Value {
    json!({
        "parentHash": h.parent_hash.to_hex(),
        "number": format!("0x{:x}", h.number),
        "stateRoot": h.state_root.to_hex(),
        "extrinsicsRoot": h.extrinsics_root.to_hex(),
        "digest": { "logs": h.digest.logs.iter().map(|l| hex0x(&parity_scale_codec::Encode::encode(l))).collect::<Vec<_>>() },
    })
}

fn block_json(b: &StoredBlock) -> Value {
    json!({
        "block": {
            "header": header_json(&b.header),
            "extrinsics": b.extrinsics.iter().map(|e| hex0x(e)).collect::<Vec<_>>(),
        },
        "justifications": null,
    })
}

fn block_hash(node: &Node, v: Option<&Value>) -> RpcResult<Value> {
    let chain = node.chain();
    let one = |v: &Value| -> RpcResult<Value> {
        let n = number(v)?;
        Ok(chain
            .block_by_number(n)
            .map(|b| json!(b.hash.to_hex()))
            .unwrap_or(Value::Null))
    };
    match v {
        None | Some(Value::Null) => Ok(json!(chain.best().hash.to_hex())),
        Some(Value::Array(items)) => items
            .iter()
            .map(one)
            .collect::<RpcResult<Vec<_>>>()
            .map(Value::Array),
        Some(v) => one(v),
    }
}

async fn heads(pending: PendingSubscriptionSink, node: Arc<Node>) -> SubscriptionResult {
    let mut rx = node.subscribe_heads();
    let current = node.chain().best().header.clone();
    let sink = pending.accept().await?;
    let send = |h: &Header| {
        serde_json::value::to_raw_value(&header_json(h)).map(SubscriptionMessage::from)
    };
    sink.send(send(&current)?).await?;
    let mut last = current.number;
    loop {
        tokio::select! {
            _ = sink.closed() => return Ok(()),
            next = rx.recv() => match next {
                Ok((h, _)) => {
                    if h.number > last {
                        last = h.number;
                        sink.send(send(&h)?).await?;
                    }
                }
                // A slow client missed some heads: send the latest and carry on.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let h = node.chain().best().header.clone();
                    last = h.number;
                    sink.send(send(&h)?).await?;
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
            }
        }
    }
}

pub(super) fn register(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_method("chain_getBlockHash", |p, node, _| {
        let args = list(&p)?;
        block_hash(node, args.first())
    })?;
    m.register_alias("chain_getHead", "chain_getBlockHash")?;
    m.register_method("chain_getFinalizedHead", |_, node, _| {
        node.chain().best().hash.to_hex()
    })?;
    m.register_alias("chain_getFinalisedHead", "chain_getFinalizedHead")?;
    m.register_method("chain_getHeader", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let at: Option<H256> = opt_hash(args.first())?;
        let chain = node.chain();
        Ok(chain
            .block_at(at.as_ref())
            .map(|b| header_json(&b.header))
            .unwrap_or(Value::Null))
    })?;
    m.register_method("chain_getBlock", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let at = opt_hash(args.first())?;
        let chain = node.chain();
        Ok(chain
            .block_at(at.as_ref())
            .map(block_json)
            .unwrap_or(Value::Null))
    })?;
    for (sub, notif, unsub) in [
        (
            "chain_subscribeNewHeads",
            "chain_newHead",
            "chain_unsubscribeNewHeads",
        ),
        (
            "chain_subscribeFinalizedHeads",
            "chain_finalizedHead",
            "chain_unsubscribeFinalizedHeads",
        ),
        (
            "chain_subscribeAllHeads",
            "chain_allHead",
            "chain_unsubscribeAllHeads",
        ),
    ] {
        m.register_subscription(sub, notif, unsub, |_, pending, node, _| {
            heads(pending, Arc::clone(&node))
        })?;
    }
    Ok(())
}
