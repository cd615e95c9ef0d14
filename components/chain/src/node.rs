//! The running node: the chain behind a lock, block sealing (manual, instant, interval), and the
//! channels that feed subscriptions.

use crate::chain::{
    Chain, ChainDump, ChainSnapshot, LoadError, SealOutcome, SubmitError, TxStatus,
};
use crate::genesis::GenesisConfig;
use crate::primitives::{H256, Header};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::mpsc::UnboundedSender;

/// How blocks are produced (node-subtensor's `--sealing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// Only on request (`engine_createBlock`, `devnet_mine`).
    Manual,
    /// One block per accepted transaction.
    Instant,
    /// One block every interval.
    Interval(Duration),
}

/// A `--sealing` value that is not `manual`, `instant` or `interval=<ms>`.
#[derive(Debug, thiserror::Error)]
#[error("invalid sealing {0:?}: expected manual, instant or interval=<ms> with ms > 0")]
pub struct SealingParseError(String);

impl FromStr for Sealing {
    type Err = SealingParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "manual" => Ok(Sealing::Manual),
            "instant" => Ok(Sealing::Instant),
            other => other
                .strip_prefix("interval=")
                .and_then(|ms| ms.parse::<u64>().ok())
                .filter(|ms| *ms > 0)
                .map(|ms| Sealing::Interval(Duration::from_millis(ms)))
                .ok_or_else(|| SealingParseError(s.to_string())),
        }
    }
}

impl std::fmt::Display for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sealing::Manual => write!(f, "manual"),
            Sealing::Instant => write!(f, "instant"),
            Sealing::Interval(d) => write!(f, "interval={}", d.as_millis()),
        }
    }
}

/// Errors saving or loading the chain.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Reading or writing the file failed.
    #[error("{0}: {1}")]
    Io(String, String),
    /// The file is not a usable dump.
    #[error("{0}: {1}")]
    Load(String, LoadError),
}

/// The node shared by RPC handlers and the sealing task.
pub struct Node {
    chain: Mutex<Chain>,
    snapshots: Mutex<(u64, BTreeMap<u64, ChainSnapshot>)>,
    heads: broadcast::Sender<(Header, H256)>,
    /// Sealing mode.
    pub sealing: Sealing,
}

impl Node {
    /// A node at genesis.
    pub fn new(genesis: GenesisConfig, sealing: Sealing) -> Arc<Node> {
        let (heads, _) = broadcast::channel(1024);
        Arc::new(Node {
            chain: Mutex::new(Chain::new(genesis)),
            snapshots: Mutex::new((0, BTreeMap::new())),
            heads,
            sealing,
        })
    }

    /// Locks the chain (a panic elsewhere while holding the lock cannot leave it half-written,
    /// since blocks are imported in one step, so a poisoned lock is still usable).
    pub fn chain(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, outcome: SealOutcome) -> Vec<(Header, H256)> {
        for (w, status) in outcome.updates {
            let _ = w.send(status);
        }
        for h in &outcome.headers {
            let _ = self.heads.send(h.clone());
        }
        outcome.headers
    }

    /// Seals `n` blocks; returns their headers and hashes.
    pub fn seal(&self, n: u32) -> Vec<(Header, H256)> {
        let mut outcome = SealOutcome::default();
        {
            let mut chain = self.chain();
            for _ in 0..n {
                chain.seal(&mut outcome);
            }
        }
        self.publish(outcome)
    }

    /// Submits a transaction; with instant sealing a block is made right away.
    pub fn submit(
        &self,
        bytes: &[u8],
        watcher: Option<UnboundedSender<TxStatus>>,
    ) -> Result<H256, SubmitError> {
        let (hash, future) = self.chain().submit(bytes, watcher)?;
        // Like Substrate's instant seal: only a transaction that can go in makes a block.
        if self.sealing == Sealing::Instant && !future {
            self.seal(1);
        }
        Ok(hash)
    }

    /// Takes an in-memory snapshot; returns its id.
    pub fn snapshot(&self) -> u64 {
        let snap = self.chain().snapshot();
        let mut guard = self.snapshots.lock().unwrap_or_else(|e| e.into_inner());
        guard.0 += 1;
        let id = guard.0;
        guard.1.insert(id, snap);
        id
    }

    /// Reverts to snapshot `id` (which is consumed, with every later one). False if unknown.
    pub fn revert(&self, id: u64) -> bool {
        let snap = {
            let mut guard = self.snapshots.lock().unwrap_or_else(|e| e.into_inner());
            let Some(snap) = guard.1.remove(&id) else {
                return false;
            };
            guard.1.retain(|k, _| *k < id);
            snap
        };
        let mut outcome = SealOutcome::default();
        self.chain().restore(snap, &mut outcome);
        self.publish(outcome);
        true
    }

    /// Writes the chain to `path` (atomically: a temporary file then a rename).
    pub fn dump_to(&self, path: &Path) -> Result<usize, PersistError> {
        let dump = self.chain().dump();
        let blocks = dump.blocks.len();
        let text = serde_json::to_vec(&dump)
            .map_err(|e| PersistError::Io(path.display().to_string(), e.to_string()))?;
        let tmp = path.with_extension("tmp");
        let io = |e: std::io::Error| PersistError::Io(path.display().to_string(), e.to_string());
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(blocks)
    }

    /// Replaces the chain with the dump at `path`.
    pub fn load_from(&self, path: &Path) -> Result<(), PersistError> {
        let text = std::fs::read(path)
            .map_err(|e| PersistError::Io(path.display().to_string(), e.to_string()))?;
        let dump: ChainDump = serde_json::from_slice(&text).map_err(|e| {
            PersistError::Load(
                path.display().to_string(),
                LoadError::Corrupt(e.to_string()),
            )
        })?;
        let mut outcome = SealOutcome::default();
        self.chain()
            .load(&dump, &mut outcome)
            .map_err(|e| PersistError::Load(path.display().to_string(), e))?;
        self.publish(outcome);
        Ok(())
    }

    /// New (best = finalized) headers.
    pub fn subscribe_heads(&self) -> broadcast::Receiver<(Header, H256)> {
        self.heads.subscribe()
    }

    /// Starts interval sealing, if configured. The task ends once the node is dropped.
    pub fn spawn_sealer(self: &Arc<Self>) {
        if let Sealing::Interval(every) = self.sealing {
            let node = Arc::downgrade(self);
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(every);
                // A slow block delays the next one instead of causing a burst.
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticker.tick().await;
                loop {
                    ticker.tick().await;
                    let Some(node) = node.upgrade() else { return };
                    node.seal(1);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_parses() {
        assert_eq!("manual".parse::<Sealing>().unwrap(), Sealing::Manual);
        assert_eq!("instant".parse::<Sealing>().unwrap(), Sealing::Instant);
        assert_eq!(
            "interval=250".parse::<Sealing>().unwrap(),
            Sealing::Interval(Duration::from_millis(250))
        );
        for bad in ["", "interval=", "interval=0", "interval=x", "auto"] {
            assert!(bad.parse::<Sealing>().is_err(), "{bad}");
        }
    }
}
