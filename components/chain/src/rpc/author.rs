//! `author_*` and `account_nextIndex`: transaction submission with Substrate's error codes.

use super::params::{bytes, hex0x, list};
use super::{RpcError, RpcResult, invalid_params};
use crate::chain::{SubmitError, TxStatus};
use crate::extrinsic::TransactionValidityError;
use crate::node::Node;
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{RpcModule, SubscriptionMessage};
use serde_json::{Value, json};
use std::sync::Arc;

/// Substrate's author error codes and messages.
pub fn submit_error(e: &SubmitError) -> ErrorObjectOwned {
    match e {
        SubmitError::Format(f) => ErrorObjectOwned::owned(
            1001,
            format!("Extrinsic has invalid format: {f}"),
            None::<()>,
        ),
        SubmitError::Validity(TransactionValidityError::Invalid(_)) => {
            ErrorObjectOwned::owned(1010, "Invalid Transaction", Some(e.to_string()))
        }
        SubmitError::Validity(TransactionValidityError::Unknown(_)) => {
            ErrorObjectOwned::owned(1011, "Unknown Transaction Validity", Some(e.to_string()))
        }
        SubmitError::AlreadyImported => ErrorObjectOwned::owned(
            1013,
            "Transaction Already Imported",
            Some("The transaction is already in the pool."),
        ),
        SubmitError::TooLowPriority => ErrorObjectOwned::owned(
            1014,
            "Priority is too low: (0 vs 0)",
            Some(
                "The transaction has too low priority to replace another transaction already in the pool.",
            ),
        ),
        SubmitError::PoolFull => ErrorObjectOwned::owned(
            1016,
            "Immediately Dropped",
            Some("The transaction couldn't enter the pool because of the limit"),
        ),
    }
}

fn status_json(s: &TxStatus) -> Value {
    match s {
        TxStatus::Future => json!("future"),
        TxStatus::Ready => json!("ready"),
        TxStatus::InBlock(h) => json!({ "inBlock": h.to_hex() }),
        TxStatus::Finalized(h) => json!({ "finalized": h.to_hex() }),
        TxStatus::Invalid => json!("invalid"),
        TxStatus::Dropped => json!("dropped"),
    }
}

fn extrinsic_arg(p: &jsonrpsee::types::Params<'_>) -> RpcResult<Vec<u8>> {
    let args = list(p)?;
    bytes(args.first().unwrap_or(&Value::Null), "extrinsic")
}

pub(super) fn register(m: &mut RpcModule<Arc<Node>>) -> Result<(), RpcError> {
    m.register_method("author_submitExtrinsic", |p, node, _| -> RpcResult<Value> {
        let ext = extrinsic_arg(&p)?;
        let hash = node.submit(&ext, None).map_err(|e| submit_error(&e))?;
        Ok(json!(hash.to_hex()))
    })?;
    m.register_method("author_pendingExtrinsics", |_, node, _| {
        json!(
            node.chain()
                .pending()
                .iter()
                .map(|e| hex0x(e))
                .collect::<Vec<_>>()
        )
    })?;
    m.register_method("account_nextIndex", |p, node, _| -> RpcResult<Value> {
        let args = list(&p)?;
        let who = args
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_params("account must be an SS58 string"))?;
        let who = crate::keys::parse_account(who).map_err(|e| invalid_params(e.to_string()))?;
        Ok(json!(node.chain().next_nonce(&who)))
    })?;
    m.register_alias("system_accountNextIndex", "account_nextIndex")?;
    m.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_extrinsicUpdate",
        "author_unwatchExtrinsic",
        |p, pending, node, _| async move {
            let ext = match extrinsic_arg(&p) {
                Ok(e) => e,
                Err(e) => {
                    pending.reject(e).await;
                    return Ok(());
                }
            };
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            if let Err(e) = node.submit(&ext, Some(tx)) {
                pending.reject(submit_error(&e)).await;
                return Ok(());
            }
            let sink = pending.accept().await?;
            loop {
                tokio::select! {
                    _ = sink.closed() => return Ok(()),
                    status = rx.recv() => {
                        let Some(status) = status else { return Ok(()) };
                        let msg = serde_json::value::to_raw_value(&status_json(&status))?;
                        sink.send(SubscriptionMessage::from(msg)).await?;
                        if !matches!(status, TxStatus::Future | TxStatus::Ready | TxStatus::InBlock(_)) {
                            let r: SubscriptionResult = Ok(());
                            return r;
                        }
                    }
                }
            }
        },
    )?;
    Ok(())
}
