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

struct Follow {
    inner: subxt::client::Blocks<subxt::PolkadotConfig>,
    rpc: RpcClient,
    /// The next block number to yield.
    next: u64,
    /// A block received from the node, yielded once the blocks before it have been.
    pending: Option<BlockInfo>,
}

/// Finalized blocks from `start` on, with no gaps: the node's subscription may skip blocks (it
/// reports the latest finalized), and it starts only when first polled, so the blocks in between
/// are filled in by number.
pub(crate) async fn subscribe_finalized(
    api: &subxt::OnlineClient<subxt::PolkadotConfig>,
    rpc: &RpcClient,
) -> Result<BlockStream> {
    let start = api.at_current_block().await?.block_number();
    let inner = api.stream_blocks().await?;
    let state = Follow {
        inner,
        rpc: rpc.clone(),
        next: start,
        pending: None,
    };
    let stream = subxt::ext::futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(p) = s.pending {
                if s.next < p.number {
                    let n = s.next;
                    s.next = s.next.saturating_add(1);
                    return Some((block_by_number(&s.rpc, n).await, s));
                }
                s.pending = None;
                if p.number == s.next {
                    s.next = s.next.saturating_add(1);
                    return Some((Ok(p), s));
                }
                // Already yielded (a repeat): skip it.
            }
            match s.inner.next().await {
                None => return None,
                Some(Err(e)) => return Some((Err(ChainError::from(e)), s)),
                Some(Ok(b)) => {
                    s.pending = Some(BlockInfo {
                        number: b.number(),
                        hash: b.hash().0,
                    })
                }
            }
        }
    });
    Ok(BlockStream {
        inner: Box::pin(stream),
    })
}

async fn block_by_number(rpc: &RpcClient, number: u64) -> Result<BlockInfo> {
    let mut params = subxt::rpcs::client::RpcParams::new();
    params
        .push(number)
        .map_err(|e| ChainError::InvalidArgument(e.to_string()))?;
    let hash: Option<String> = rpc.request("chain_getBlockHash", params).await?;
    let hash = hash.ok_or_else(|| ChainError::Decode(format!("no hash for block {number}")))?;
    Ok(BlockInfo {
        number,
        hash: parse_hash(&hash)?,
    })
}

/// Parses a `0x`-prefixed 32-byte hex hash.
pub(crate) fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    if hex.len() != 64 {
        return Err(ChainError::Decode(format!("not a 32-byte hash: {text:?}")));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = hex
            .get(2 * i..2 * i + 2)
            .ok_or_else(|| ChainError::Decode(format!("not a hash: {text:?}")))?;
        *byte = u8::from_str_radix(pair, 16)
            .map_err(|e| ChainError::Decode(format!("not a hash: {text:?}: {e}")))?;
    }
    Ok(out)
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
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(parse_hash(&h).ok(), Some([0xab; 32]));
        assert!(parse_hash("0x12").is_err());
        assert!(parse_hash(&format!("0x{}", "zz".repeat(32))).is_err());
    }
}
