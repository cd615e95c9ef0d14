//! Deterministic keys: every account of a devnet is a hard derivation of the public dev phrase
//! from the topology seed and the names, so a run can be reproduced, and its keys rebuilt with
//! any Substrate tool (`Keypair.create_from_uri` in the SDK, `subkey inspect`).

use super::DevnetError;
use localtensor_client::{AccountId, Keypair, account_id, keypair_from_uri};

/// A neuron's (or owner's) coldkey and hotkey.
#[derive(Clone)]
pub struct NeuronKeys {
    /// Derivation URI of the coldkey.
    pub coldkey_uri: String,
    /// Derivation URI of the hotkey.
    pub hotkey_uri: String,
    /// The coldkey pair.
    pub coldkey: Keypair,
    /// The hotkey pair.
    pub hotkey: Keypair,
}

impl NeuronKeys {
    /// Keys of neuron `name` on subnet `subnet` of a devnet with seed `seed`.
    pub fn derive(seed: u64, subnet: &str, name: &str) -> Result<NeuronKeys, DevnetError> {
        let base = format!("//localtensor//{seed}//{subnet}//{name}");
        let coldkey_uri = format!("{base}//cold");
        let hotkey_uri = format!("{base}//hot");
        Ok(NeuronKeys {
            coldkey: pair(&coldkey_uri)?,
            hotkey: pair(&hotkey_uri)?,
            coldkey_uri,
            hotkey_uri,
        })
    }

    /// The coldkey's account.
    pub fn coldkey_account(&self) -> AccountId {
        account_id(&self.coldkey)
    }

    /// The hotkey's account.
    pub fn hotkey_account(&self) -> AccountId {
        account_id(&self.hotkey)
    }
}

/// The sudo key and subnet creator of `--dev` chains.
pub fn alice() -> Result<Keypair, DevnetError> {
    pair("//Alice")
}

fn pair(uri: &str) -> Result<Keypair, DevnetError> {
    keypair_from_uri(uri).map_err(|e| DevnetError::Key {
        uri: uri.to_owned(),
        message: e.to_string(),
    })
}
