//! Parsing of Substrate-style parameters: hex bytes, hashes, block numbers.

use super::{RpcResult, invalid_params};
use crate::primitives::H256;
use serde_json::Value;

/// Hex to bytes. The `0x` prefix is optional, as in Substrate's `Bytes` (async-substrate-interface
/// sends runtime-call arguments without it).
pub fn bytes(v: &Value, what: &str) -> RpcResult<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| invalid_params(format!("{what} must be a hex string")))?;
    let h = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(h).map_err(|e| invalid_params(format!("{what} is not valid hex: {e}")))
}

/// An optional block hash (`null` or missing means best).
pub fn opt_hash(v: Option<&Value>) -> RpcResult<Option<H256>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let b = bytes(v, "block hash")?;
            let arr: [u8; 32] = b
                .try_into()
                .map_err(|_| invalid_params("block hash must be 32 bytes"))?;
            Ok(Some(H256(arr)))
        }
    }
}

/// A block number given as a JSON number or a hex/decimal string.
pub fn number(v: &Value) -> RpcResult<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| invalid_params("block number must be a non-negative integer")),
        Value::String(s) => {
            let parsed = match s.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => s.parse(),
            };
            parsed.map_err(|_| invalid_params(format!("invalid block number {s:?}")))
        }
        _ => Err(invalid_params("block number must be a number or a string")),
    }
}

/// `0x`-prefixed lowercase hex.
pub fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

/// The parameters as a positional list (`[]` when absent; objects are refused).
pub fn list(p: &jsonrpsee::types::Params<'_>) -> RpcResult<Vec<Value>> {
    if p.is_object() {
        return Err(invalid_params(
            "named parameters are not supported; pass a list",
        ));
    }
    let v: Option<Vec<Value>> = p.parse().map_err(|e| invalid_params(e.to_string()))?;
    Ok(v.unwrap_or_default())
}
