//! Signed requests: the headers, the signed message and the nonce replay window.
//!
//! A validator signs each challenge with its hotkey (sr25519, Substrate's `substrate` signing
//! context) over
//!
//! ```text
//! message = blake2_256(DOMAIN ‖ blake2_256(body) ‖ nonce (u64 LE) ‖ target public key (32 bytes) ‖ block (u64 LE))
//! ```
//!
//! where `target` and `block` are the challenge's and `DOMAIN` is
//! `localtensor-neuron/challenge-auth/v1`. The headers carry the caller's SS58 hotkey
//! ([`HOTKEY_HEADER`]), the nonce in decimal ([`NONCE_HEADER`]) and the 64-byte signature in
//! hex ([`SIGNATURE_HEADER`]). Nonces are `block × 2^16 + counter` ([`nonce_for`]), so they
//! increase block by block; a miner accepts each `(caller, nonce)` once ([`NonceWindow`]).

use std::collections::HashMap;
use std::str::FromStr;

use localtensor_client::{AccountId, Keypair};
use subxt_signer::sr25519;

use crate::draw::blake2_256;

/// Domain tag of the signed message.
pub const DOMAIN: &[u8] = b"localtensor-neuron/challenge-auth/v1";
/// Header with the caller's hotkey (SS58).
pub const HOTKEY_HEADER: &str = "x-localtensor-hotkey";
/// Header with the nonce (decimal u64).
pub const NONCE_HEADER: &str = "x-localtensor-nonce";
/// Header with the sr25519 signature (128 hex digits).
pub const SIGNATURE_HEADER: &str = "x-localtensor-signature";
/// How many nonces below the highest seen are still accepted once each (out-of-order arrival).
pub const REPLAY_WINDOW: u64 = 64;

/// The message a caller signs.
pub fn signed_message(body: &[u8], nonce: u64, target: &AccountId, block: u64) -> [u8; 32] {
    let mut data = Vec::with_capacity(DOMAIN.len() + 32 + 8 + 32 + 8);
    data.extend_from_slice(DOMAIN);
    data.extend_from_slice(&blake2_256(body));
    data.extend_from_slice(&nonce.to_le_bytes());
    data.extend_from_slice(&target.0);
    data.extend_from_slice(&block.to_le_bytes());
    blake2_256(&data)
}

/// The nonce of the `counter`-th request a caller makes at `block`.
pub fn nonce_for(block: u64, counter: u16) -> u64 {
    block
        .saturating_mul(1 << 16)
        .saturating_add(u64::from(counter))
}

/// The three auth headers of a request, as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeaders {
    /// Caller hotkey, SS58.
    pub hotkey: String,
    /// Nonce, decimal.
    pub nonce: String,
    /// Signature, hex.
    pub signature: String,
}

/// Signs a request body for `target` at `block`.
pub fn sign_request(
    signer: &Keypair,
    body: &[u8],
    nonce: u64,
    target: &AccountId,
    block: u64,
) -> AuthHeaders {
    let message = signed_message(body, nonce, target, block);
    let signature = signer.sign(&message);
    AuthHeaders {
        hotkey: AccountId(signer.public_key().0).to_string(),
        nonce: nonce.to_string(),
        signature: to_hex(&signature.0),
    }
}

/// Why a request's signature is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The hotkey header is not an SS58 address.
    #[error("hotkey header is not an SS58 address")]
    BadHotkey,
    /// The nonce header is not a decimal u64.
    #[error("nonce header is not a decimal u64")]
    BadNonce,
    /// The signature header is not 128 hex digits.
    #[error("signature header is not 128 hex digits")]
    BadEncoding,
    /// The signature does not verify.
    #[error("signature does not verify")]
    Invalid,
}

/// A request whose signature verified: who signed it and with which nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The caller's hotkey.
    pub caller: AccountId,
    /// The nonce it signed.
    pub nonce: u64,
}

/// Checks the headers' signature over `body` for `target` at `block`.
pub fn verify_request(
    headers: &AuthHeaders,
    body: &[u8],
    target: &AccountId,
    block: u64,
) -> Result<Verified, SignatureError> {
    let caller =
        AccountId::from_str(headers.hotkey.trim()).map_err(|_| SignatureError::BadHotkey)?;
    let nonce: u64 = headers
        .nonce
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadNonce)?;
    let signature = from_hex::<64>(headers.signature.trim()).ok_or(SignatureError::BadEncoding)?;
    let message = signed_message(body, nonce, target, block);
    if sr25519::verify(
        &sr25519::Signature(signature),
        message,
        &sr25519::PublicKey(caller.0),
    ) {
        Ok(Verified { caller, nonce })
    } else {
        Err(SignatureError::Invalid)
    }
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `N` bytes from exactly `2N` hex digits (an optional `0x` prefix allowed).
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let hex = text.strip_prefix("0x").unwrap_or(text).as_bytes();
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *slot = u8::try_from(hi << 4 | lo).ok()?;
    }
    Some(out)
}

/// Per-caller replay protection: each nonce is accepted once; nonces more than
/// [`REPLAY_WINDOW`] below the highest accepted one are refused (too old to tell).
#[derive(Debug, Default)]
pub struct NonceWindow {
    callers: HashMap<[u8; 32], CallerWindow>,
}

#[derive(Debug, Clone, Copy)]
struct CallerWindow {
    /// Highest nonce accepted.
    highest: u64,
    /// Bit `i` set: nonce `highest - i` was accepted (bit 0 is `highest` itself).
    seen: u64,
}

impl NonceWindow {
    /// An empty window.
    pub fn new() -> NonceWindow {
        NonceWindow::default()
    }

    /// Accepts `nonce` from `caller` if it has not been used (and is not too old), recording
    /// it; returns false for a replay.
    pub fn accept(&mut self, caller: &AccountId, nonce: u64) -> bool {
        let Some(w) = self.callers.get_mut(&caller.0) else {
            self.callers.insert(
                caller.0,
                CallerWindow {
                    highest: nonce,
                    seen: 1,
                },
            );
            return true;
        };
        if nonce > w.highest {
            let shift = nonce - w.highest;
            w.seen = if shift >= REPLAY_WINDOW {
                0
            } else {
                w.seen << shift
            } | 1;
            w.highest = nonce;
            return true;
        }
        let age = w.highest - nonce;
        if age >= REPLAY_WINDOW {
            return false;
        }
        let bit = 1u64 << age;
        if w.seen & bit != 0 {
            return false;
        }
        w.seen |= bit;
        true
    }

    /// Whether `nonce` from `caller` would be accepted (without recording it).
    pub fn would_accept(&self, caller: &AccountId, nonce: u64) -> bool {
        match self.callers.get(&caller.0) {
            None => true,
            Some(w) if nonce > w.highest => true,
            Some(w) => {
                let age = w.highest - nonce;
                age < REPLAY_WINDOW && w.seen & (1u64 << age) == 0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use localtensor_client::{account_id, keypair_from_uri};

    #[test]
    fn message_covers_every_part() {
        let t = AccountId([1; 32]);
        let base = signed_message(b"{}", 5, &t, 9);
        assert_eq!(base, signed_message(b"{}", 5, &t, 9));
        assert_ne!(base, signed_message(b"{ }", 5, &t, 9));
        assert_ne!(base, signed_message(b"{}", 6, &t, 9));
        assert_ne!(base, signed_message(b"{}", 5, &AccountId([2; 32]), 9));
        assert_ne!(base, signed_message(b"{}", 5, &t, 10));
        // The construction, spelled out.
        let mut data = DOMAIN.to_vec();
        data.extend_from_slice(&blake2_256(b"{}"));
        data.extend_from_slice(&5u64.to_le_bytes());
        data.extend_from_slice(&[1; 32]);
        data.extend_from_slice(&9u64.to_le_bytes());
        assert_eq!(base, blake2_256(&data));
    }

    #[test]
    fn signatures_verify_and_forgeries_do_not() {
        let alice = keypair_from_uri("//Alice").unwrap();
        let bob = keypair_from_uri("//Bob").unwrap();
        let target = account_id(&bob);
        let h = sign_request(&alice, b"body", 7, &target, 3);
        assert_eq!(
            verify_request(&h, b"body", &target, 3),
            Ok(Verified {
                caller: account_id(&alice),
                nonce: 7
            })
        );
        assert_eq!(
            verify_request(&h, b"other", &target, 3),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_request(&h, b"body", &account_id(&alice), 3),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_request(&h, b"body", &target, 4),
            Err(SignatureError::Invalid)
        );
        let claimed_by_bob = AuthHeaders {
            hotkey: target.to_string(),
            ..h.clone()
        };
        assert_eq!(
            verify_request(&claimed_by_bob, b"body", &target, 3),
            Err(SignatureError::Invalid)
        );
        let other_nonce = AuthHeaders {
            nonce: "8".into(),
            ..h.clone()
        };
        assert_eq!(
            verify_request(&other_nonce, b"body", &target, 3),
            Err(SignatureError::Invalid)
        );
        let bad = |f: fn(&mut AuthHeaders)| {
            let mut x = h.clone();
            f(&mut x);
            verify_request(&x, b"body", &target, 3)
        };
        assert_eq!(
            bad(|x| x.hotkey = "nope".into()),
            Err(SignatureError::BadHotkey)
        );
        assert_eq!(
            bad(|x| x.nonce = "-1".into()),
            Err(SignatureError::BadNonce)
        );
        assert_eq!(
            bad(|x| x.signature = "zz".into()),
            Err(SignatureError::BadEncoding)
        );
    }

    #[test]
    fn nonces_increase_with_the_block() {
        assert!(nonce_for(10, u16::MAX) < nonce_for(11, 0));
        assert_eq!(nonce_for(1, 2), 65_538);
    }

    #[test]
    fn replay_window_accepts_each_nonce_once() {
        let a = AccountId([1; 32]);
        let b = AccountId([2; 32]);
        let mut w = NonceWindow::new();
        assert!(w.accept(&a, 100));
        assert!(!w.accept(&a, 100), "exact replay");
        assert!(w.accept(&b, 100), "windows are per caller");
        assert!(w.accept(&a, 105));
        assert!(w.accept(&a, 101), "late but unseen, inside the window");
        assert!(!w.accept(&a, 101));
        assert!(!w.accept(&a, 105));
        assert!(!w.accept(&a, 100));
        assert!(w.would_accept(&a, 102));
        assert!(w.would_accept(&a, 102), "would_accept records nothing");
        // Far ahead: everything at or below the new highest minus the window is refused.
        assert!(w.accept(&a, 105 + REPLAY_WINDOW + 10));
        assert!(!w.accept(&a, 102), "too old to tell");
        assert!(!w.would_accept(&a, 105 + REPLAY_WINDOW + 10));
        assert!(w.accept(&a, 105 + REPLAY_WINDOW + 10 - (REPLAY_WINDOW - 1)));
        assert!(!w.accept(&a, 105 + REPLAY_WINDOW + 10 - REPLAY_WINDOW));
    }
}
