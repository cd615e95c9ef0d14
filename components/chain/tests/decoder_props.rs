//! Property tests over the extrinsic decoder: arbitrary bytes and mutations of valid
//! transactions never panic, and anything accepted re-encodes to the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::extrinsic::Extrinsic;
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{H256, MultiAddress};
use localtensor_chain::runtime::RuntimeCall;
use localtensor_chain::runtime::pallets::{balances, sudo};
use parity_scale_codec::Encode;
use proptest::prelude::*;

fn valid_tx(value: u64, nonce: u32, nested: bool) -> Vec<u8> {
    let mut call = RuntimeCall::Balances(balances::Call::transfer_allow_death {
        dest: MultiAddress::Id(dev_account("Bob").unwrap()),
        value,
    });
    if nested {
        call = RuntimeCall::Sudo(sudo::Call::sudo {
            call: Box::new(call),
        });
    }
    sign(
        &call,
        &dev_keypair("Alice").unwrap(),
        &SigningParams::immortal(H256([1; 32]), nonce),
    )
}

/// Decoded extrinsics re-encode to exactly the input (nothing ignored or invented).
fn check_roundtrip(bytes: &[u8]) {
    if let Ok(ext) = Extrinsic::decode_prefixed(bytes) {
        let mut body = Vec::new();
        match &ext.signature {
            Some(s) => {
                body.push(0x84);
                s.address.encode_to(&mut body);
                s.signature.encode_to(&mut body);
                s.extra.encode_to(&mut body);
            }
            None => body.push(0x04),
        }
        ext.call.encode_to(&mut body);
        assert_eq!(
            localtensor_chain::primitives::with_length_prefix(&body),
            bytes
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_roundtrip(&bytes);
    }

    #[test]
    fn mutated_transactions_never_panic(
        value in any::<u64>(),
        nonce in any::<u32>(),
        nested in any::<bool>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut tx = valid_tx(value, nonce, nested);
        check_roundtrip(&tx);
        prop_assert!(Extrinsic::decode_prefixed(&tx).is_ok());
        for (at, byte) in flips {
            let i = at.index(tx.len());
            tx[i] ^= byte;
        }
        if truncate {
            tx.truncate(cut.index(tx.len()));
        }
        check_roundtrip(&tx);
    }
}

#[test]
fn deeply_nested_calls_are_refused_not_overflowed() {
    // sudo(sudo(...(remark)...)) nested far beyond the depth limit.
    let mut call_bytes = vec![0u8, 0, 0]; // System.remark(vec![])
    for _ in 0..10_000 {
        let mut outer = vec![12u8, 0];
        outer.extend_from_slice(&call_bytes);
        call_bytes = outer;
    }
    let mut body = vec![0x04];
    body.extend_from_slice(&call_bytes);
    let tx = localtensor_chain::primitives::with_length_prefix(&body);
    assert!(Extrinsic::decode_prefixed(&tx).is_err());
}
