//! localtensor devnet control: the `devnet_*` RPCs of `localtensor-chain` (block production,
//! snapshots, balances). A real node-subtensor does not serve these; calls to it fail with
//! [`ChainError::Rpc`] (method not found).

use crate::Client;
use crate::error::{ChainError, Result};
use crate::keys::AccountId;
use serde::Deserialize;

/// Devnet control through a [`Client`] ([`Client::devnet`]).
#[derive(Clone, Copy, Debug)]
pub struct Devnet<'a> {
    client: &'a Client,
}

/// Blocks made by [`Devnet::mine`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Mined {
    /// Number of the first block made.
    pub first: u64,
    /// Number of the last block made (the new best).
    pub last: u64,
    /// Hash of the last block, `0x`-hex.
    pub head: String,
}

/// An in-memory snapshot of the chain ([`Devnet::snapshot`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SnapshotId(pub u64);

/// State of the devnet node (`devnet_info`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetInfo {
    /// Chain name.
    pub chain: String,
    /// Sealing mode: `manual`, `instant` or `interval=<ms>`.
    pub sealing: String,
    /// Best block number.
    pub best: u64,
    /// Best block hash.
    pub best_hash: String,
    /// Genesis hash.
    pub genesis_hash: String,
    /// Runtime spec version.
    pub spec_version: u32,
    /// Transactions in the pool.
    pub pool: u64,
    /// Keys in the best state.
    pub state_keys: u64,
    /// Total issuance (rao).
    pub total_issuance: u64,
}

fn parse_u64(text: &str) -> Result<u64> {
    match text.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => text.parse(),
    }
    .map_err(|e| ChainError::Decode(format!("{text:?}: {e}")))
}

impl<'a> Devnet<'a> {
    pub(crate) fn new(client: &'a Client) -> Devnet<'a> {
        Devnet { client }
    }

    /// Makes `n` blocks now (`devnet_mine`), including pooled transactions.
    pub async fn mine(&self, n: u64) -> Result<Mined> {
        self.client.request("devnet_mine", vec![n.into()]).await
    }

    /// Mines up to and including the next block in which `netuid`'s epoch runs, by subtensor's
    /// schedule (block `b` runs the epoch when `(b + netuid + 1) % (tempo + 1) == tempo`); returns
    /// that block's number. Once this returns, the epoch's results are in storage.
    pub async fn mine_to_epoch(&self, netuid: u16) -> Result<u64> {
        let tempo = u64::from(self.client.tempo(netuid).await?);
        let best = self.client.block_number().await?;
        let period = tempo.saturating_add(1);
        let first = best.saturating_add(1);
        let phase = first.saturating_add(u64::from(netuid)).saturating_add(1) % period;
        // phase <= tempo, so this is the distance to the next epoch block (0 if `first` is one).
        let epoch_block = first.saturating_add(tempo.saturating_sub(phase));
        self.mine(epoch_block.saturating_sub(best)).await?;
        Ok(epoch_block)
    }

    /// Takes an in-memory snapshot (`devnet_snapshot`).
    pub async fn snapshot(&self) -> Result<SnapshotId> {
        let id: String = self.client.request("devnet_snapshot", vec![]).await?;
        parse_u64(&id).map(SnapshotId)
    }

    /// Reverts to a snapshot (`devnet_revert`); the snapshot and every later one are consumed.
    /// False if the id is unknown.
    pub async fn revert(&self, id: SnapshotId) -> Result<bool> {
        self.client
            .request("devnet_revert", vec![format!("0x{:x}", id.0).into()])
            .await
    }

    /// Sets the free balance of `account` (rao) in the best state (`devnet_setBalance`).
    pub async fn set_balance(&self, account: &AccountId, amount: u64) -> Result<()> {
        let ok: bool = self
            .client
            .request(
                "devnet_setBalance",
                vec![account.to_string().into(), amount.to_string().into()],
            )
            .await?;
        if ok {
            Ok(())
        } else {
            Err(ChainError::Other("devnet_setBalance returned false".into()))
        }
    }

    /// Node state (`devnet_info`).
    pub async fn info(&self) -> Result<DevnetInfo> {
        self.client.request("devnet_info", vec![]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_ids_parse() {
        assert_eq!(parse_u64("0x1a").ok(), Some(26));
        assert_eq!(parse_u64("26").ok(), Some(26));
        assert!(parse_u64("zz").is_err());
    }
}
