//! Seed derivation: every pseudo-random choice in the mock is a pure function of seeds.
//!
//! Draws are keyed by what they are about (domain, seed, job kind and size), never by a counter,
//! so the order in which concurrent requests arrive cannot change any outcome.

use blake2::Blake2b;
use blake2::digest::Digest as _;
use blake2::digest::consts::U32;

/// BLAKE2b with a 256-bit output, as Substrate uses.
pub(crate) type Blake2b256 = Blake2b<U32>;

/// BLAKE2b-256 of `domain` followed by each word in little-endian order.
pub(crate) fn hash_words(domain: &[u8], words: &[u64]) -> [u8; 32] {
    let mut hasher = Blake2b256::new();
    hasher.update(domain);
    for word in words {
        hasher.update(word.to_le_bytes());
    }
    hasher.finalize().into()
}

/// A 64-bit value derived from `domain` and `words` (the first 8 bytes of [`hash_words`]).
pub(crate) fn derive_u64(domain: &[u8], words: &[u64]) -> u64 {
    let digest = hash_words(domain, words);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// The SplitMix64 finaliser: a cheap bijective mixer used for bulk matrix elements.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of device `index` when the configuration does not give one.
pub(crate) fn device_seed(global_seed: u64, index: u32) -> u64 {
    derive_u64(
        b"localtensor-gpu-mock/device-seed/v1",
        &[global_seed, u64::from(index)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix64_matches_the_published_splitmix64_sequence() {
        // SplitMix64 seeded with 0 yields 0xe220a8397b1dcdaf first (reference sequence);
        // the generator's first output is mix64(0).
        assert_eq!(mix64(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn hash_words_is_blake2b_256_of_the_concatenation() {
        let mut bytes = b"dom".to_vec();
        bytes.extend_from_slice(&7u64.to_le_bytes());
        let direct: [u8; 32] = Blake2b256::digest(&bytes).into();
        assert_eq!(hash_words(b"dom", &[7]), direct);
        assert_ne!(derive_u64(b"dom", &[7]), derive_u64(b"dom", &[8]));
    }
}
