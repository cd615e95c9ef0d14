//! sr25519 keys and account ids.

use crate::error::{ChainError, Result};
use std::str::FromStr;
use subxt_signer::SecretUri;

pub use subxt::utils::AccountId32 as AccountId;
pub use subxt_signer::sr25519::Keypair;

/// A keypair from a Substrate secret URI: a dev URI such as `//Alice` or `//Alice//hot`, a
/// mnemonic (optionally with `//derivation` and `///password`), or a `0x`-hex 32-byte seed.
pub fn keypair_from_uri(uri: &str) -> Result<Keypair> {
    let parsed = SecretUri::from_str(uri).map_err(|e| ChainError::Key(e.to_string()))?;
    Keypair::from_uri(&parsed).map_err(|e| ChainError::Key(e.to_string()))
}

/// A keypair from a 32-byte mini-secret seed.
pub fn keypair_from_seed(seed: [u8; 32]) -> Result<Keypair> {
    Keypair::from_secret_key(seed).map_err(|e| ChainError::Key(e.to_string()))
}

/// The account id (public key) of a keypair.
pub fn account_id(pair: &Keypair) -> AccountId {
    AccountId(pair.public_key().0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_uris_derive_substrate_accounts() {
        let alice = keypair_from_uri("//Alice").map(|k| account_id(&k).to_string());
        assert_eq!(
            alice.ok().as_deref(),
            Some("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        );
        let seed = [7u8; 32];
        let a = keypair_from_seed(seed).map(|k| account_id(&k));
        let b = keypair_from_uri(&format!("0x{}", "07".repeat(32))).map(|k| account_id(&k));
        assert!(a.is_ok());
        assert_eq!(a.ok(), b.ok());
        assert!(matches!(
            keypair_from_uri("not a uri //"),
            Err(ChainError::Key(_))
        ));
    }
}
