//! Keyed hashes for every seeded decision (challenge seeds, job kinds, sampling, flaky
//! failures, garbage results).
//!
//! A draw is `BLAKE2b-256` keyed with the topology seed (as 8 little-endian bytes) over a domain
//! tag naming the decision, then the netuid, the parts (hotkeys, block...) in a fixed order,
//! each length-prefixed. Nothing else enters, so a draw cannot depend on time or order.

use blake2::digest::{Mac, consts::U32};
use blake2::{Blake2b, Blake2bMac, Digest as _};

type Blake2bMac256 = Blake2bMac<U32>;
type Blake2b256 = Blake2b<U32>;

/// One part of a draw's input.
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    /// A number (8 little-endian bytes).
    U64(u64),
    /// Bytes such as a public key (length-prefixed).
    Bytes(&'a [u8]),
}

/// The 32-byte keyed hash of `tag` and `parts` under `seed` on `netuid`.
pub fn draw(seed: u64, tag: &str, netuid: u16, parts: &[Part<'_>]) -> [u8; 32] {
    // A key of 8 bytes is always valid for BLAKE2b (keys up to 64 bytes).
    let mut mac = match Blake2bMac256::new_from_slice(&seed.to_le_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable_key(),
    };
    mac.update(&(tag.len() as u64).to_le_bytes());
    mac.update(tag.as_bytes());
    mac.update(&u64::from(netuid).to_le_bytes());
    for part in parts {
        match part {
            Part::U64(v) => {
                mac.update(&[0]);
                mac.update(&v.to_le_bytes());
            }
            Part::Bytes(b) => {
                mac.update(&[1]);
                mac.update(&(b.len() as u64).to_le_bytes());
                mac.update(b);
            }
        }
    }
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_key() -> ! {
    // BLAKE2b accepts any key of 0..=64 bytes; an 8-byte key cannot be refused.
    panic!("BLAKE2b refused an 8-byte key")
}

/// The first 8 bytes of a draw as a little-endian `u64`.
pub fn draw_u64(seed: u64, tag: &str, netuid: u16, parts: &[Part<'_>]) -> u64 {
    first_u64(&draw(seed, tag, netuid, parts))
}

/// The first 8 bytes of `bytes` as a little-endian `u64`.
pub fn first_u64(bytes: &[u8; 32]) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(head)
}

/// Whether a draw falls below `ppm` parts per million (a seeded coin with that probability).
pub fn below_ppm(value: u64, ppm: u32) -> bool {
    // value / 2^64 < ppm / 10^6, in exact integer arithmetic.
    u128::from(value) * 1_000_000 < u128::from(ppm) << 64
}

/// Substrate's `blake2_256`: unkeyed BLAKE2b with a 32-byte output.
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    Blake2b256::digest(data).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn draws_are_keyed_and_domain_separated() {
        let a = draw(1, "x", 1, &[Part::U64(5)]);
        assert_eq!(a, draw(1, "x", 1, &[Part::U64(5)]));
        assert_ne!(a, draw(2, "x", 1, &[Part::U64(5)]));
        assert_ne!(a, draw(1, "y", 1, &[Part::U64(5)]));
        assert_ne!(a, draw(1, "x", 2, &[Part::U64(5)]));
        assert_ne!(a, draw(1, "x", 1, &[Part::U64(6)]));
        // Length prefixes: moving a byte between parts changes the draw.
        assert_ne!(
            draw(1, "x", 1, &[Part::Bytes(b"ab"), Part::Bytes(b"c")]),
            draw(1, "x", 1, &[Part::Bytes(b"a"), Part::Bytes(b"bc")])
        );
    }

    #[test]
    fn ppm_coin_bounds() {
        assert!(!below_ppm(0, 0));
        assert!(below_ppm(0, 1));
        assert!(below_ppm(u64::MAX, 1_000_000));
        assert!(!below_ppm(u64::MAX / 2 + 1, 500_000));
        assert!(below_ppm(u64::MAX / 2 - 1, 500_000));
    }

    #[test]
    fn blake2_256_matches_substrate() {
        // blake2_256(b"") from Substrate's sp-core test vectors.
        let empty = blake2_256(b"");
        assert_eq!(
            empty[..4],
            [0x0e, 0x57, 0x51, 0xc0],
            "blake2b-256 of the empty string starts 0e5751c0"
        );
    }
}
