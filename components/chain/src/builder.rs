//! Building signed extrinsics (for tests, benchmarks and tools that drive the node directly).

use crate::extrinsic::{Extra, Implicit, signing_payload};
use crate::primitives::{AccountId32, Era, H256, MultiAddress, MultiSignature, with_length_prefix};
use crate::runtime::RuntimeCall;
use parity_scale_codec::Encode;
use schnorrkel::Keypair;

/// Everything a signature covers besides the call.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams {
    /// Era (with `birth` below its birth block hash).
    pub era: Era,
    /// Nonce.
    pub nonce: u32,
    /// Tip.
    pub tip: u64,
    /// Implicit data.
    pub implicit: Implicit,
}

impl SigningParams {
    /// Immortal, no tip, this node's spec and transaction versions.
    pub fn immortal(genesis: H256, nonce: u32) -> SigningParams {
        SigningParams {
            era: Era::Immortal,
            nonce,
            tip: 0,
            implicit: Implicit {
                spec_version: crate::runtime::SPEC_VERSION,
                transaction_version: crate::runtime::TRANSACTION_VERSION,
                genesis,
                birth: genesis,
            },
        }
    }
}

/// Signs `call` (given as bytes, so that invalid calls can be built too) with an sr25519 key and
/// returns the extrinsic with its length prefix.
pub fn sign_raw(call_bytes: &[u8], signer: &Keypair, params: &SigningParams) -> Vec<u8> {
    let extra = Extra {
        era: params.era,
        nonce: params.nonce,
        tip: params.tip,
        metadata_hash_mode: 0,
    };
    let payload = signing_payload(call_bytes, &extra, &params.implicit);
    let signature = signer.sign_simple(b"substrate", &payload).to_bytes();
    let mut body = vec![0x84];
    MultiAddress::Id(AccountId32(signer.public.to_bytes())).encode_to(&mut body);
    MultiSignature::Sr25519(signature).encode_to(&mut body);
    extra.encode_to(&mut body);
    body.extend_from_slice(call_bytes);
    with_length_prefix(&body)
}

/// Like [`sign_raw`] with an ed25519 key (the account id is the ed25519 public key).
pub fn sign_raw_ed25519(
    call_bytes: &[u8],
    signer: &ed25519_dalek::SigningKey,
    params: &SigningParams,
) -> Vec<u8> {
    use ed25519_dalek::Signer;
    let extra = Extra {
        era: params.era,
        nonce: params.nonce,
        tip: params.tip,
        metadata_hash_mode: 0,
    };
    let payload = signing_payload(call_bytes, &extra, &params.implicit);
    let signature = signer.sign(&payload).to_bytes();
    let mut body = vec![0x84];
    MultiAddress::Id(AccountId32(signer.verifying_key().to_bytes())).encode_to(&mut body);
    MultiSignature::Ed25519(signature).encode_to(&mut body);
    extra.encode_to(&mut body);
    body.extend_from_slice(call_bytes);
    with_length_prefix(&body)
}

/// Signs a call.
pub fn sign(call: &RuntimeCall, signer: &Keypair, params: &SigningParams) -> Vec<u8> {
    sign_raw(&call.encode(), signer, params)
}
