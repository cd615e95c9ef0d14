//! Genesis configuration (`--dev` is built in) and the genesis state.

use crate::keys::{DEV_NAMES, KeyError, dev_account};
use crate::primitives::{AccountId32, H256};
use crate::runtime::pallets::{balances, sudo, system};
use crate::state::State;

/// What the first block's state holds.
#[derive(Clone, Debug)]
pub struct GenesisConfig {
    /// Chain name (`system_chain`).
    pub chain_name: String,
    /// Chain type (`system_chainType`).
    pub chain_type: String,
    /// Prefunded accounts in rao.
    pub balances: Vec<(AccountId32, u64)>,
    /// The sudo key.
    pub sudo: Option<AccountId32>,
    /// Timestamp of block 1 in ms; block `n` is at `first_timestamp + (n - 1) * block_time_ms`.
    pub first_timestamp: u64,
    /// Nominal block time used for timestamps, in ms.
    pub block_time_ms: u64,
}

/// 1 TAO in rao.
pub const TAO: u64 = 1_000_000_000;

impl GenesisConfig {
    /// The `--dev` chain: dev accounts prefunded like subtensor's localnet (Alice, Bob and Charlie
    /// 1,000,000 TAO; Dave, Eve and Ferdie 2,000 TAO), `//Alice` as sudo.
    pub fn dev() -> Result<GenesisConfig, KeyError> {
        let mut balances = Vec::new();
        for (i, name) in DEV_NAMES.iter().enumerate() {
            let amount = if i < 3 { 1_000_000 * TAO } else { 2_000 * TAO };
            balances.push((dev_account(name)?, amount));
        }
        Ok(GenesisConfig {
            chain_name: "Bittensor".into(),
            chain_type: "Development".into(),
            balances,
            sudo: Some(dev_account("Alice")?),
            // 2026-01-01T00:00:00Z: fixed so that the same inputs give the same blocks.
            first_timestamp: 1_767_225_600_000,
            block_time_ms: 12_000,
        })
    }

    /// Builds the genesis state.
    pub fn build_state(&self) -> State {
        let mut state = State::new();
        let mut total: u64 = 0;
        for (who, amount) in &self.balances {
            let info = system::AccountInfo {
                providers: 1,
                data: system::AccountData {
                    free: *amount,
                    ..Default::default()
                },
                ..Default::default()
            };
            state.put(system::account_key(who), &info);
            total = total.saturating_add(*amount);
        }
        state.put(balances::total_issuance_key(), &total);
        if let Some(key) = self.sudo {
            state.put(sudo::key_key(), &key);
        }
        // FRAME puts this placeholder hash at genesis; block 1 replaces it with the real one.
        state.put(system::block_hash_key(0), &H256([0x69; 32]));
        state.put(system::parent_hash_key(), &H256([0x69; 32]));
        state
    }
}
