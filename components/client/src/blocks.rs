//! Block numbers and the finalized-heads stream.

use crate::error::{ChainError, Result};
use std::pin::Pin;
use std::task::{Context, Poll};
use subxt::ext::futures::{Stream, StreamExt};
use subxt::rpcs::RpcClient;

/// A block: number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: [u8; 32],
}

/// Finalized block headers as they arrive (see [`crate::Client::subscribe_blocks`]). Ends when
/// the connection closes; an error item reports why.
pub struct BlockStream {
    inner: Pin<Box<dyn Stream<Item = Result<BlockInfo>> + Send>>,
}

impl std::fmt::Debug for BlockStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockStream").finish_non_exhaustive()
    }
}

impl BlockStream {
    /// The next finalized block; `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<BlockInfo>> {
        StreamExt::next(self).await
    }
}

impl Stream for BlockStream {
    type Item = Result<BlockInfo>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

pub(crate) async fn subscribe_finalized(
    api: &subxt::OnlineClient<subxt::PolkadotConfig>,
) -> Result<BlockStream> {
    let blocks = api.stream_blocks().await?;
    let inner = blocks.map(|item| {
        item.map(|b| BlockInfo {
            number: b.number(),
            hash: b.hash().0,
        })
        .map_err(ChainError::from)
    });
    Ok(BlockStream {
        inner: Box::pin(inner),
    })
}

/// Parses a `0x`-prefixed hex (or decimal) JSON number as Substrate headers carry it.
pub(crate) fn parse_number(v: &serde_json::Value) -> Result<u64> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| ChainError::Decode(format!("block number {n} is not a u64"))),
        serde_json::Value::String(s) => match s.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16),
            None => s.parse(),
        }
        .map_err(|e| ChainError::Decode(format!("block number {s:?}: {e}"))),
        other => Err(ChainError::Decode(format!(
            "block number must be a number or string, got {other}"
        ))),
    }
}

pub(crate) async fn best_number(rpc: &RpcClient) -> Result<u64> {
    let header: serde_json::Value = rpc
        .request("chain_getHeader", subxt::rpcs::client::RpcParams::new())
        .await?;
    parse_number(&header["number"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_parse_from_hex_and_decimal() {
        assert_eq!(parse_number(&json!("0x1f")).ok(), Some(31));
        assert_eq!(parse_number(&json!("12")).ok(), Some(12));
        assert_eq!(parse_number(&json!(7)).ok(), Some(7));
        assert!(parse_number(&json!(null)).is_err());
        assert!(parse_number(&json!("0xzz")).is_err());
    }
}
