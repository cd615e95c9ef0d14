//! Per-block lookups of who may call a miner: each block's table (hotkey → uid, validator
//! permit, alpha stake, axon) is read from the chain once, on first use, and kept for the last
//! [`CACHED_BLOCKS`] blocks asked about. Only recent blocks are looked up: a block more than
//! [`CACHED_BLOCKS`] below the newest one seen is stale, and one above it is looked up only
//! once the chain has finalized it, so requests naming arbitrary blocks cost at most one cheap
//! RPC each.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use localtensor_client::{AccountId, AxonInfo, ChainError, Client};
use tokio::sync::OnceCell;

/// How many blocks' tables are kept.
pub const CACHED_BLOCKS: usize = 16;

/// One neuron as a miner needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Uid on the subnet.
    pub uid: u16,
    /// Validator permit.
    pub validator_permit: bool,
    /// Alpha stake (rao).
    pub alpha_stake: u64,
    /// Served axon.
    pub axon: AxonInfo,
}

/// The subnet's neurons at one block, by hotkey.
#[derive(Clone, Debug, Default)]
pub struct PermitTable {
    /// The block.
    pub block: u64,
    /// Registered hotkeys (public keys).
    pub neurons: HashMap<[u8; 32], Caller>,
}

impl PermitTable {
    /// The neuron registered with `hotkey`.
    pub fn get(&self, hotkey: &AccountId) -> Option<&Caller> {
        self.neurons.get(&hotkey.0)
    }
}

type Cell = Arc<OnceCell<Arc<PermitTable>>>;

/// Why no table could be had for a block.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The block is older than the cached window.
    #[error("block {block} is stale (newest seen: {newest})")]
    Stale {
        /// The block asked about.
        block: u64,
        /// The newest block seen.
        newest: u64,
    },
    /// The chain has not finalized the block.
    #[error("block {block} is not finalized yet (finalized: {finalized})")]
    Unknown {
        /// The block asked about.
        block: u64,
        /// The chain's finalized block.
        finalized: u64,
    },
    /// The chain could not be read.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// The cache of [`PermitTable`]s.
#[derive(Debug)]
pub struct PermitCache {
    client: Client,
    netuid: u16,
    newest: AtomicU64,
    tables: Mutex<BTreeMap<u64, Cell>>,
}

impl PermitCache {
    /// An empty cache reading `netuid` through `client`.
    pub fn new(client: Client, netuid: u16) -> PermitCache {
        PermitCache {
            client,
            netuid,
            newest: AtomicU64::new(0),
            tables: Mutex::new(BTreeMap::new()),
        }
    }

    /// Records that the chain has finalized `block`.
    pub fn observe(&self, block: u64) {
        self.newest.fetch_max(block, Ordering::Relaxed);
    }

    /// The table at `block` (read from the chain on first use; concurrent callers share one
    /// read). Fails for stale blocks and blocks the chain has not finalized.
    pub async fn at(&self, block: u64) -> Result<Arc<PermitTable>, LookupError> {
        let newest = self.newest.load(Ordering::Relaxed);
        if block.saturating_add(CACHED_BLOCKS as u64) < newest {
            return Err(LookupError::Stale { block, newest });
        }
        if block > newest {
            let finalized = self.client.finalized_number().await?;
            self.observe(finalized);
            if block > finalized {
                return Err(LookupError::Unknown { block, finalized });
            }
        }
        let cell = {
            let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
            let cell = tables.entry(block).or_default().clone();
            while tables.len() > CACHED_BLOCKS {
                let Some(oldest) = tables.keys().next().copied() else {
                    break;
                };
                if oldest == block {
                    break;
                }
                tables.remove(&oldest);
            }
            cell
        };
        Ok(cell.get_or_try_init(|| self.load(block)).await.cloned()?)
    }

    async fn load(&self, block: u64) -> Result<Arc<PermitTable>, ChainError> {
        let view = self.client.at_block(block).await?;
        let mut table = PermitTable {
            block,
            neurons: HashMap::new(),
        };
        if let Some(mg) = view.metagraph(self.netuid).await? {
            for n in mg.neurons {
                table.neurons.insert(
                    n.hotkey.0,
                    Caller {
                        uid: n.uid,
                        validator_permit: n.validator_permit,
                        alpha_stake: n.alpha_stake,
                        axon: n.axon,
                    },
                );
            }
        }
        Ok(Arc::new(table))
    }
}

/// Whether a caller may send challenges: registered, and holding a validator permit or (with
/// `min_stake`) at least that much alpha stake.
pub fn is_permitted(caller: Option<&Caller>, min_stake: Option<u64>) -> Result<(), &'static str> {
    let Some(c) = caller else {
        return Err("not registered on the subnet");
    };
    if c.validator_permit || min_stake.is_some_and(|m| c.alpha_stake >= m) {
        Ok(())
    } else if min_stake.is_some() {
        Err("no validator permit and stake below --min-stake")
    } else {
        Err("no validator permit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(permit: bool, stake: u64) -> Caller {
        Caller {
            uid: 1,
            validator_permit: permit,
            alpha_stake: stake,
            axon: AxonInfo::default(),
        }
    }

    #[test]
    fn permit_rules() {
        assert!(is_permitted(None, None).is_err());
        assert!(is_permitted(None, Some(0)).is_err());
        assert!(is_permitted(Some(&caller(true, 0)), None).is_ok());
        assert!(is_permitted(Some(&caller(false, 10)), None).is_err());
        assert!(is_permitted(Some(&caller(false, 10)), Some(10)).is_ok());
        assert!(is_permitted(Some(&caller(false, 9)), Some(10)).is_err());
    }
}
