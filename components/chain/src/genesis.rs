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

/// The well-known `:code` storage key.
pub const CODE_KEY: &[u8] = b":code";

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
        crate::runtime::pallets::subtensor::items::TotalIssuance.put(&mut state, &total);
        crate::runtime::pallets::subtensor::registration::init_root(&mut state);
        if let Some(key) = self.sudo {
            state.put(sudo::key_key(), &key);
        }
        // Where Substrate keeps the runtime code, keep a hash of our metadata instead: any change
        // to the runtime's interface then changes the genesis hash, so clients that cache
        // metadata by (genesis hash, spec version) never reuse a stale copy.
        let metadata_hash = crate::hashing::blake2_256(&crate::metadata::encoded_v15());
        state.put_raw(CODE_KEY.to_vec(), metadata_hash.to_vec());
        // FRAME puts this placeholder hash at genesis; block 1 replaces it with the real one.
        state.put(system::block_hash_key(0), &H256([0x69; 32]));
        state.put(system::parent_hash_key(), &H256([0x69; 32]));
        state
    }
}

/// A chain spec file (`--chain FILE`): JSON with the fields below; accounts are SS58, `0x` hex
/// or a dev name such as `//Alice`.
///
/// ```json
/// {"name": "my-devnet", "chainType": "Development",
///  "balances": [["//Alice", 1000000000000], ["5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", 5000]],
///  "sudo": "//Alice", "firstTimestamp": 1767225600000, "blockTimeMs": 12000}
/// ```
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChainSpecFile {
    name: String,
    #[serde(default = "development")]
    chain_type: String,
    #[serde(default)]
    balances: Vec<(String, u64)>,
    #[serde(default)]
    sudo: Option<String>,
    #[serde(default)]
    first_timestamp: Option<u64>,
    #[serde(default)]
    block_time_ms: Option<u64>,
}

fn development() -> String {
    "Development".into()
}

/// Why a chain spec cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// Not valid JSON or wrong fields.
    #[error("invalid chain spec: {0}")]
    Json(#[from] serde_json::Error),
    /// An account that cannot be parsed.
    #[error("invalid chain spec: {field}: {source}")]
    Account {
        /// Where.
        field: String,
        /// Why.
        source: KeyError,
    },
    /// Something else.
    #[error("invalid chain spec: {0}")]
    Invalid(String),
}

fn spec_account(field: String, text: &str) -> Result<AccountId32, SpecError> {
    let parsed = match text.strip_prefix("//") {
        Some(name) => dev_account(name),
        None => crate::keys::parse_account(text),
    };
    parsed.map_err(|source| SpecError::Account { field, source })
}

impl GenesisConfig {
    /// Parses a chain spec file's contents.
    pub fn from_spec_json(text: &str) -> Result<GenesisConfig, SpecError> {
        let spec: ChainSpecFile = serde_json::from_str(text)?;
        let dev = GenesisConfig::dev().map_err(|source| SpecError::Account {
            field: "dev".into(),
            source,
        })?;
        let mut balances = Vec::with_capacity(spec.balances.len());
        let mut total: u64 = 0;
        for (i, (who, amount)) in spec.balances.iter().enumerate() {
            total = total
                .checked_add(*amount)
                .ok_or_else(|| SpecError::Invalid("total balance overflows u64".into()))?;
            balances.push((spec_account(format!("balances[{i}]"), who)?, *amount));
        }
        let sudo = spec
            .sudo
            .as_deref()
            .map(|s| spec_account("sudo".into(), s))
            .transpose()?;
        let block_time_ms = spec.block_time_ms.unwrap_or(dev.block_time_ms);
        if block_time_ms == 0 {
            return Err(SpecError::Invalid("blockTimeMs must be positive".into()));
        }
        Ok(GenesisConfig {
            chain_name: spec.name,
            chain_type: spec.chain_type,
            balances,
            sudo,
            first_timestamp: spec.first_timestamp.unwrap_or(dev.first_timestamp),
            block_time_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_file_parses_and_reports_errors() {
        let g = GenesisConfig::from_spec_json(
            r#"{"name":"x","balances":[["//Alice",5],["0x0101010101010101010101010101010101010101010101010101010101010101",7]],"sudo":"//Bob"}"#,
        )
        .unwrap();
        assert_eq!(g.chain_name, "x");
        assert_eq!(g.balances[0], (dev_account("Alice").unwrap(), 5));
        assert_eq!(g.balances[1].0, AccountId32([1; 32]));
        assert_eq!(g.sudo, Some(dev_account("Bob").unwrap()));
        let err =
            GenesisConfig::from_spec_json(r#"{"name":"x","balances":[["nope",1]]}"#).unwrap_err();
        assert!(err.to_string().contains("balances[0]"), "{err}");
        assert!(GenesisConfig::from_spec_json(r#"{"name":"x","extra":1}"#).is_err());
        assert!(GenesisConfig::from_spec_json(r#"{"name":"x","blockTimeMs":0}"#).is_err());
    }
}
