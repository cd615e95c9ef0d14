//! Substrate dev accounts (`//Alice`, `//Bob`, ...) and SS58 addresses.

use crate::primitives::AccountId32;
use blake2::{Blake2b512, Digest};
use parity_scale_codec::Encode;
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey, derive::ChainCode};

/// SS58 address prefix of Bittensor (the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// The mini secret key of Substrate's public dev phrase
/// (`bottom drive obey lake curtain smoke basket hold race lonely fit walk`, empty password):
/// the first 32 bytes of its BIP-39 seed.
const DEV_SEED: [u8; 32] = [
    0xfa, 0xc7, 0x95, 0x9d, 0xbf, 0xe7, 0x2f, 0x05, 0x2e, 0x5a, 0x0c, 0x3c, 0x8d, 0x65, 0x30, 0xf2,
    0x02, 0xb0, 0x2f, 0xd8, 0xf9, 0xf5, 0xca, 0x35, 0x80, 0xec, 0x8d, 0xeb, 0x77, 0x97, 0x47, 0x9e,
];

/// Errors from key handling.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The dev seed could not be turned into a key (cannot happen for the built-in seed).
    #[error("invalid secret key: {0}")]
    Secret(String),
    /// An SS58 string could not be decoded.
    #[error("invalid SS58 address {address:?}: {reason}")]
    Ss58 {
        /// The input.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The sr25519 key pair of a dev account, derived like Substrate's `//Name` (hard derivation).
pub fn dev_keypair(name: &str) -> Result<Keypair, KeyError> {
    let root = MiniSecretKey::from_bytes(&DEV_SEED).map_err(|e| KeyError::Secret(e.to_string()))?;
    let pair = root.expand_to_keypair(ExpansionMode::Ed25519);
    // A hard junction's chain code is the SCALE encoding of the name, zero-padded to 32 bytes
    // (or its blake2-256 when longer).
    let encoded = name.encode();
    let mut code = [0u8; 32];
    if encoded.len() > 32 {
        code = crate::hashing::blake2_256(&encoded);
    } else {
        code[..encoded.len()].copy_from_slice(&encoded);
    }
    let (mini, _) = pair
        .secret
        .hard_derive_mini_secret_key(Some(ChainCode(code)), b"");
    Ok(mini.expand_to_keypair(ExpansionMode::Ed25519))
}

/// The account id of a dev account such as `Alice`.
pub fn dev_account(name: &str) -> Result<AccountId32, KeyError> {
    Ok(AccountId32(dev_keypair(name)?.public.to_bytes()))
}

/// The dev accounts, in Substrate's order.
pub const DEV_NAMES: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

fn ss58_checksum(data: &[u8]) -> [u8; 64] {
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(data);
    h.finalize().into()
}

/// The SS58 address (prefix 42) of an account.
pub fn to_ss58(account: &AccountId32) -> String {
    let mut data = vec![SS58_PREFIX as u8];
    data.extend_from_slice(&account.0);
    let checksum = ss58_checksum(&data);
    data.extend_from_slice(&checksum[..2]);
    bs58::encode(data).into_string()
}

/// Parses an SS58 address with a one-byte prefix (any prefix below 64 is accepted).
pub fn from_ss58(address: &str) -> Result<AccountId32, KeyError> {
    let err = |reason| KeyError::Ss58 {
        address: address.to_string(),
        reason,
    };
    let data = bs58::decode(address)
        .into_vec()
        .map_err(|_| err("not base58"))?;
    if data.len() != 35 {
        return Err(err(
            "expected a one-byte prefix, 32 bytes and a 2-byte checksum",
        ));
    }
    if data[0] >= 64 {
        return Err(err("two-byte prefixes are not supported"));
    }
    let checksum = ss58_checksum(&data[..33]);
    if checksum[..2] != data[33..] {
        return Err(err("bad checksum"));
    }
    let mut id = [0u8; 32];
    id.copy_from_slice(&data[1..33]);
    Ok(AccountId32(id))
}

/// Parses an account given as SS58 or as `0x`-prefixed 32-byte hex.
pub fn parse_account(text: &str) -> Result<AccountId32, KeyError> {
    if let Some(h) = text.strip_prefix("0x") {
        let bytes = hex::decode(h).map_err(|_| KeyError::Ss58 {
            address: text.to_string(),
            reason: "not hex",
        })?;
        let id: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Ss58 {
            address: text.to_string(),
            reason: "expected 32 bytes",
        })?;
        return Ok(AccountId32(id));
    }
    from_ss58(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_accounts_match_substrate() {
        // Well-known addresses printed by `subkey inspect //Alice` etc.
        assert_eq!(
            to_ss58(&dev_account("Alice").unwrap()),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert_eq!(
            to_ss58(&dev_account("Bob").unwrap()),
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        );
        assert_eq!(
            to_ss58(&dev_account("Charlie").unwrap()),
            "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"
        );
    }

    #[test]
    fn ss58_roundtrip_and_errors() {
        let alice = dev_account("Alice").unwrap();
        assert_eq!(from_ss58(&to_ss58(&alice)).unwrap(), alice);
        assert!(from_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ").is_err());
        assert!(from_ss58("not-base58-0OIl").is_err());
        assert_eq!(
            parse_account(&format!("0x{}", hex::encode(alice.0))).unwrap(),
            alice
        );
    }
}
