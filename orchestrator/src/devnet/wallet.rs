//! Bittensor wallets on disk for bring-your-own neurons, so subnet code that opens
//! `bittensor.Wallet(name=..., hotkey=..., path=...)` runs unchanged.
//!
//! The layout is the SDK's: `{path}/{name}/coldkey`, `{path}/{name}/coldkeypub.txt` and
//! `{path}/{name}/hotkeys/{hotkey}`. Keyfiles are **unencrypted** JSON: a devnet's keys derive from
//! the public dev phrase, so there is no secret to protect.
//!
//! The SDK's keyfile holds the 32-byte seed ("mini secret key") of the sr25519 pair, which
//! subxt-signer does not expose; it is computed here from the derivation URI the same way
//! (Substrate's `//hard` derivation on the dev phrase), and the unit tests check the result
//! against subxt-signer's public keys.

use super::keys::NeuronKeys;
use blake2::Digest;
use schnorrkel::{ExpansionMode, MiniSecretKey, SecretKey, derive::ChainCode};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The Substrate development phrase that URIs without a phrase (`//Alice`) derive from.
pub const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// Mode of keyfiles and wallet directories: owner only, as the SDK expects of files with secrets.
const PRIVATE_FILE: u32 = 0o600;
const PRIVATE_DIR: u32 = 0o700;

/// Why a wallet could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// The URI is not a chain of hard junctions on the dev phrase (`//a//b`): it has a soft
    /// junction, a password, a phrase or seed of its own, or an empty junction.
    #[error("secret URI {uri:?}: {reason}")]
    UnsupportedUri {
        /// The URI.
        uri: String,
        /// What is not supported.
        reason: &'static str,
    },
    /// The key derivation failed (not expected with the dev phrase).
    #[error("deriving {uri:?}: {message}")]
    Derivation {
        /// The URI.
        uri: String,
        /// Why.
        message: String,
    },
    /// A wallet file or directory could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// An sr25519 key with the seed it expands from, as the SDK's keyfiles hold it.
pub struct SeedKey {
    seed: [u8; 32],
    secret: SecretKey,
}

impl SeedKey {
    /// The key of a secret URI made only of hard junctions on the dev phrase, such as `//Alice`
    /// or `//localtensor//7//sn1//v-0//hot`: the same pair subxt-signer (and the SDK's
    /// `Keypair.create_from_uri`) derives, with its 32-byte seed.
    pub fn from_uri(uri: &str) -> Result<SeedKey, WalletError> {
        let unsupported = |reason| WalletError::UnsupportedUri {
            uri: uri.to_owned(),
            reason,
        };
        if uri.contains("///") {
            return Err(unsupported("passwords are not supported"));
        }
        let Some(path) = uri.strip_prefix("//") else {
            return Err(unsupported(
                "only hard junctions (`//name`) on the dev phrase are supported",
            ));
        };
        let mut seed = root_seed(uri)?;
        for junction in path.split("//") {
            if junction.is_empty() {
                return Err(unsupported("empty junction"));
            }
            if junction.contains('/') {
                return Err(unsupported("soft junctions (`/name`) are not supported"));
            }
            let secret = expand(uri, &seed)?;
            let (child, _) =
                secret.hard_derive_mini_secret_key(Some(ChainCode(chain_code(junction))), b"");
            seed = child.to_bytes();
        }
        let secret = expand(uri, &seed)?;
        Ok(SeedKey { seed, secret })
    }

    /// The 32-byte seed (mini secret key).
    pub fn seed(&self) -> [u8; 32] {
        self.seed
    }

    /// The public key (account id).
    pub fn public(&self) -> [u8; 32] {
        self.secret.to_public().to_bytes()
    }

    /// The keyfile JSON of this key, in the fields the SDK (bittensor-wallet 4.1, with
    /// bittensor 10.5) writes for an sr25519 key without a phrase: `private` for the full
    /// keyfile (`coldkey`, hotkeys: with `privateKey`, schnorrkel's 64-byte secret key (scalar
    /// and nonce, *not* the ed25519 form, which the SDK refuses), and `secretSeed`), else the
    /// public-only form of `coldkeypub.txt`.
    fn keyfile(&self, private: bool) -> serde_json::Value {
        let public = hex(&self.public());
        let mut json = serde_json::json!({
            "accountId": public,
            "publicKey": public,
            "ss58Address": localtensor_client::AccountId(self.public()).to_string(),
            // The SDK's `CryptoType.SR25519`.
            "cryptoType": 1,
        });
        if private && let Some(fields) = json.as_object_mut() {
            fields.insert("privateKey".to_owned(), hex(&self.secret.to_bytes()).into());
            fields.insert("secretSeed".to_owned(), hex(&self.seed).into());
        }
        json
    }
}

/// The seed of the dev phrase itself: the first 32 bytes of its BIP-39 seed (PBKDF2-HMAC-SHA512
/// of the phrase's entropy, salt "mnemonic", 2048 rounds), as Substrate computes it.
fn root_seed(uri: &str) -> Result<[u8; 32], WalletError> {
    let derivation = |message: String| WalletError::Derivation {
        uri: uri.to_owned(),
        message,
    };
    let mnemonic = bip39::Mnemonic::parse_normalized(DEV_PHRASE)
        .map_err(|e| derivation(format!("the dev phrase: {e}")))?;
    let (entropy, len) = mnemonic.to_entropy_array();
    let entropy = entropy
        .get(..len)
        .ok_or_else(|| derivation("entropy length".to_owned()))?;
    let mut big = [0u8; 64];
    pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha512>>(entropy, b"mnemonic", 2048, &mut big)
        .map_err(|e| derivation(format!("PBKDF2: {e}")))?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&big[..32]);
    Ok(seed)
}

fn expand(uri: &str, seed: &[u8; 32]) -> Result<SecretKey, WalletError> {
    MiniSecretKey::from_bytes(seed)
        .map(|m| m.expand(ExpansionMode::Ed25519))
        .map_err(|e| WalletError::Derivation {
            uri: uri.to_owned(),
            message: e.to_string(),
        })
}

/// The chain code of junction `name`, as Substrate builds it: the SCALE encoding of the name (a
/// `u64` if it parses as one, else a string), zero-padded to 32 bytes, or its blake2b-256 hash
/// when longer.
fn chain_code(name: &str) -> [u8; 32] {
    let encoded = match name.parse::<u64>() {
        Ok(n) => n.to_le_bytes().to_vec(),
        Err(_) => {
            let mut bytes = compact_len(name.len());
            bytes.extend_from_slice(name.as_bytes());
            bytes
        }
    };
    let mut code = [0u8; 32];
    if encoded.len() > code.len() {
        code.copy_from_slice(&blake2::Blake2b::<blake2::digest::consts::U32>::digest(
            &encoded,
        ));
    } else {
        code[..encoded.len()].copy_from_slice(&encoded);
    }
    code
}

/// SCALE compact encoding of a length.
fn compact_len(len: usize) -> Vec<u8> {
    let n = len as u64;
    if n < 1 << 6 {
        vec![(n as u8) << 2]
    } else if n < 1 << 14 {
        (((n as u16) << 2) | 0b01).to_le_bytes().to_vec()
    } else if n < 1 << 30 {
        (((n as u32) << 2) | 0b10).to_le_bytes().to_vec()
    } else {
        let bytes = 8 - (n.leading_zeros() / 8) as usize;
        let mut out = vec![(((bytes - 4) as u8) << 2) | 0b11];
        out.extend_from_slice(&n.to_le_bytes()[..bytes]);
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("0x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Writes the bittensor wallet `name` with hotkey `hotkey` of a neuron under `path`:
/// `{path}/{name}/coldkey` and `{path}/{name}/hotkeys/{hotkey}` (unencrypted keyfiles, mode 0600)
/// and `{path}/{name}/coldkeypub.txt` (public part only). Directories are 0700. Existing files
/// are replaced. Returns the wallet directory.
pub fn write_wallet(
    path: &Path,
    name: &str,
    hotkey: &str,
    keys: &NeuronKeys,
) -> Result<PathBuf, WalletError> {
    let coldkey = SeedKey::from_uri(&keys.coldkey_uri)?;
    let hot = SeedKey::from_uri(&keys.hotkey_uri)?;
    let wallet = path.join(name);
    let hotkeys = wallet.join("hotkeys");
    private_dir(&hotkeys)?;
    private_dir(&wallet)?;
    write_keyfile(&wallet.join("coldkey"), &coldkey.keyfile(true))?;
    write_keyfile(&wallet.join("coldkeypub.txt"), &coldkey.keyfile(false))?;
    write_keyfile(&hotkeys.join(hotkey), &hot.keyfile(true))?;
    Ok(wallet)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WalletError + '_ {
    move |source| WalletError::Io {
        path: path.to_owned(),
        source,
    }
}

fn private_dir(dir: &Path) -> Result<(), WalletError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR)
        .create(dir)
        .map_err(io(dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PRIVATE_DIR)).map_err(io(dir))
}

fn write_keyfile(file: &Path, json: &serde_json::Value) -> Result<(), WalletError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(PRIVATE_FILE)
        .open(file)
        .map_err(io(file))?;
    // An existing file keeps its mode through `open`.
    f.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE))
        .map_err(io(file))?;
    f.write_all(json.to_string().as_bytes()).map_err(io(file))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use localtensor_client::{account_id, keypair_from_uri};

    const URIS: &[&str] = &[
        "//Alice",
        "//Bob//stash",
        "//localtensor//7//sn1//sdk-validator//hot",
        "//localtensor//7//sn1//sdk-validator//cold",
        "//localtensor//18446744073709551615//0//a-name-longer-than-thirty-two-bytes-0//hot",
    ];

    #[test]
    fn seeds_expand_to_subxt_signers_keys() {
        for uri in URIS {
            let key = SeedKey::from_uri(uri).unwrap();
            let reference = keypair_from_uri(uri).unwrap();
            assert_eq!(key.public(), account_id(&reference).0, "{uri}");
            // The seed alone gives the pair (that is all the SDK keeps).
            let from_seed = localtensor_client::keypair_from_seed(key.seed()).unwrap();
            assert_eq!(account_id(&from_seed).0, key.public(), "{uri}");
        }
    }

    #[test]
    fn alices_seed_is_the_well_known_one() {
        assert_eq!(
            hex(&SeedKey::from_uri("//Alice").unwrap().seed()),
            "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"
        );
    }

    /// Alice's keyfile as bittensor-wallet 4.1.1 (bittensor 10.5.0) writes it with
    /// `Wallet.set_coldkey(Keypair.create_from_seed(<Alice's seed>), encrypt=False)`.
    #[test]
    fn alices_keyfile_matches_the_sdks() {
        let j = SeedKey::from_uri("//Alice").unwrap().keyfile(true);
        let sdk: serde_json::Value = serde_json::from_str(
            r#"{"privateKey":"0x33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011","ss58Address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","accountId":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d","cryptoType":1,"secretSeed":"0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a","publicKey":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"}"#,
        )
        .unwrap();
        assert_eq!(j, sdk);
        let public = SeedKey::from_uri("//Alice").unwrap().keyfile(false);
        let sdk: serde_json::Value = serde_json::from_str(
            r#"{"publicKey":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d","ss58Address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","cryptoType":1,"accountId":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"}"#,
        )
        .unwrap();
        assert_eq!(public, sdk);
    }

    #[test]
    fn soft_junctions_passwords_and_phrases_are_rejected() {
        for uri in [
            "//Alice/soft",
            "/Alice",
            "//Alice///password",
            "//",
            "//a////b",
            "",
            "0x0101010101010101010101010101010101010101010101010101010101010101",
            "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice",
        ] {
            assert!(
                matches!(
                    SeedKey::from_uri(uri),
                    Err(WalletError::UnsupportedUri { .. })
                ),
                "{uri:?}"
            );
        }
    }

    #[test]
    fn compact_lengths_are_scale() {
        assert_eq!(compact_len(0), [0]);
        assert_eq!(compact_len(63), [0xfc]);
        assert_eq!(compact_len(64), [0x01, 0x01]);
        assert_eq!(compact_len(16383), [0xfd, 0xff]);
        assert_eq!(compact_len(16384), [0x02, 0x00, 0x01, 0x00]);
        assert_eq!(compact_len(1 << 30), [0x03, 0x00, 0x00, 0x00, 0x40]);
    }

    #[test]
    fn a_wallet_has_the_sdks_layout_fields_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let keys = NeuronKeys::derive(7, "sn1", "sdk-validator").unwrap();
        let wallet = write_wallet(dir.path(), "sdk-validator", "default", &keys).unwrap();
        assert_eq!(wallet, dir.path().join("sdk-validator"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let json = |p: &Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        assert_eq!(mode(&wallet), 0o700);
        assert_eq!(mode(&wallet.join("hotkeys")), 0o700);

        let check = |file: &Path, uri: &str, account: String, private: bool| {
            assert_eq!(mode(file), 0o600, "{}", file.display());
            let j = json(file);
            let fields: Vec<&str> = j.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            let expected: &[&str] = if private {
                &[
                    "accountId",
                    "cryptoType",
                    "privateKey",
                    "publicKey",
                    "secretSeed",
                    "ss58Address",
                ]
            } else {
                &["accountId", "cryptoType", "publicKey", "ss58Address"]
            };
            assert_eq!(fields, expected, "{}", file.display());
            assert_eq!(j["cryptoType"], 1);
            let reference = keypair_from_uri(uri).unwrap();
            let public = hex(&account_id(&reference).0);
            assert_eq!(j["accountId"], public);
            assert_eq!(j["publicKey"], public);
            assert_eq!(j["ss58Address"], account);
            if private {
                let key = SeedKey::from_uri(uri).unwrap();
                assert_eq!(j["secretSeed"], hex(&key.seed()));
                let secret = j["privateKey"].as_str().unwrap();
                assert_eq!(secret.len(), 2 + 128);
                // The secret key (schnorrkel's form) gives the same public key back.
                let bytes: Vec<u8> = (2..secret.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap())
                    .collect();
                let parsed = SecretKey::from_bytes(&bytes).unwrap();
                assert_eq!(parsed.to_public().to_bytes(), account_id(&reference).0);
            }
        };
        check(
            &wallet.join("coldkey"),
            &keys.coldkey_uri,
            keys.coldkey_account().to_string(),
            true,
        );
        check(
            &wallet.join("coldkeypub.txt"),
            &keys.coldkey_uri,
            keys.coldkey_account().to_string(),
            false,
        );
        check(
            &wallet.join("hotkeys/default"),
            &keys.hotkey_uri,
            keys.hotkey_account().to_string(),
            true,
        );

        // Writing again replaces the files and restores their modes.
        std::fs::set_permissions(
            wallet.join("coldkey"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        write_wallet(dir.path(), "sdk-validator", "default", &keys).unwrap();
        assert_eq!(mode(&wallet.join("coldkey")), 0o600);
    }
}
