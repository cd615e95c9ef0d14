//! The hash functions Substrate uses for block hashes, storage keys and signing payloads.

use blake2::digest::consts::{U8, U16, U32};
use blake2::{Blake2b, Digest};
use std::hash::Hasher as _;
use twox_hash::XxHash64;

/// blake2b with a 256-bit output (block and extrinsic hashes).
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(data).into()
}

/// blake2b with a 128-bit output (the `Blake2_128Concat` storage hasher).
pub fn blake2_128(data: &[u8]) -> [u8; 16] {
    Blake2b::<U16>::digest(data).into()
}

/// blake2b with a 64-bit output (runtime API ids).
pub fn blake2_64(data: &[u8]) -> [u8; 8] {
    Blake2b::<U8>::digest(data).into()
}

fn xx64(seed: u64, data: &[u8]) -> [u8; 8] {
    let mut h = XxHash64::with_seed(seed);
    h.write(data);
    h.finish().to_le_bytes()
}

/// xxhash64 with seed 0 (the `Twox64Concat` storage hasher).
pub fn twox_64(data: &[u8]) -> [u8; 8] {
    xx64(0, data)
}

/// Two xxhash64 runs with seeds 0 and 1 (storage prefixes of pallets and items).
pub fn twox_128(data: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&xx64(0, data));
    out[8..].copy_from_slice(&xx64(1, data));
    out
}

/// A per-key storage hasher, as declared in metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyHasher {
    /// `blake2_128(key) ++ key`.
    Blake2_128Concat,
    /// `twox_64(key) ++ key`.
    Twox64Concat,
    /// The key itself.
    Identity,
}

impl KeyHasher {
    /// Hashes one SCALE-encoded key.
    pub fn hash(self, encoded_key: &[u8]) -> Vec<u8> {
        match self {
            KeyHasher::Blake2_128Concat => [&blake2_128(encoded_key)[..], encoded_key].concat(),
            KeyHasher::Twox64Concat => [&twox_64(encoded_key)[..], encoded_key].concat(),
            KeyHasher::Identity => encoded_key.to_vec(),
        }
    }

    /// The matching metadata hasher.
    pub fn to_metadata(self) -> frame_metadata::v15::StorageHasher {
        match self {
            KeyHasher::Blake2_128Concat => frame_metadata::v15::StorageHasher::Blake2_128Concat,
            KeyHasher::Twox64Concat => frame_metadata::v15::StorageHasher::Twox64Concat,
            KeyHasher::Identity => frame_metadata::v15::StorageHasher::Identity,
        }
    }
}

/// `twox_128(pallet) ++ twox_128(item)`: the key of a plain value, and the prefix of a map.
pub fn storage_prefix(pallet: &str, item: &str) -> Vec<u8> {
    [twox_128(pallet.as_bytes()), twox_128(item.as_bytes())].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prefixes_match_the_interface_spec() {
        // Values from the interface spec, Appendix A (observed on a real node).
        assert_eq!(
            hex::encode(storage_prefix("System", "Account")),
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        );
        assert_eq!(
            hex::encode(storage_prefix("System", "Events")),
            "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
        );
        assert_eq!(
            hex::encode(twox_128(b"SubtensorModule")),
            "658faa385070e074c85bf6b568cf0555"
        );
    }

    #[test]
    fn blake2_256_of_empty_input() {
        // RFC 7693 blake2b-256 of the empty string.
        assert_eq!(
            hex::encode(blake2_256(b"")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        );
    }
}
