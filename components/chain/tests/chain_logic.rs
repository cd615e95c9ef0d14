//! The chain in-process: transfers, fees, sudo, events, and invalid transactions that must be
//! refused with Substrate's errors while changing nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_chain::builder::{SigningParams, sign, sign_raw};
use localtensor_chain::chain::{Chain, SealOutcome, SubmitError};
use localtensor_chain::extrinsic::{
    InvalidTransaction, TransactionValidityError, UnknownTransaction,
};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{
    DispatchError, Era, H256, ModuleError, MultiAddress, TokenError,
};
use localtensor_chain::runtime::pallets::{balances, sudo, system};
use localtensor_chain::runtime::{EventRecord, Phase, RuntimeCall, RuntimeEvent};
use parity_scale_codec::Encode;

fn chain() -> Chain {
    Chain::new(GenesisConfig::dev().unwrap())
}

fn seal(c: &mut Chain) -> H256 {
    let mut out = SealOutcome::default();
    c.seal(&mut out);
    out.headers.last().unwrap().1
}

fn events(c: &Chain) -> Vec<EventRecord> {
    c.state_at(None)
        .unwrap()
        .get(&system::events_key())
        .unwrap()
}

fn free(c: &Chain, name: &str) -> u64 {
    system::account(&c.state_at(None).unwrap(), &dev_account(name).unwrap())
        .data
        .free
}

fn transfer(to: &str, value: u64) -> RuntimeCall {
    RuntimeCall::Balances(balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(dev_account(to).unwrap()),
        value,
    })
}

fn invalid(e: SubmitError) -> InvalidTransaction {
    match e {
        SubmitError::Validity(TransactionValidityError::Invalid(i)) => i,
        other => panic!("expected an invalid transaction, got {other:?}"),
    }
}

#[test]
fn genesis_is_deterministic_and_blocks_chain_up() {
    let mut a = chain();
    let b = chain();
    assert_eq!(a.genesis_hash(), b.genesis_hash());
    let h1 = seal(&mut a);
    let h2 = seal(&mut a);
    let block2 = a.block_by_hash(&h2).unwrap();
    assert_eq!(block2.header.parent_hash, h1);
    assert_eq!(block2.header.number, 2);
    // The Timestamp.set inherent is extrinsic 0 and decodes as an unsigned call.
    let inherent = &block2.extrinsics[0];
    let ext = localtensor_chain::extrinsic::Extrinsic::decode_prefixed(inherent).unwrap();
    assert!(ext.signature.is_none());
    assert!(matches!(ext.call, RuntimeCall::Timestamp(_)));
    // System.BlockHash(1) holds block 1's hash once block 2 exists.
    let state = a.state_at(None).unwrap();
    assert_eq!(state.get::<H256>(&system::block_hash_key(1)), Some(h1));
}

#[test]
fn transfer_pays_fee_and_emits_events_in_order() {
    let mut c = chain();
    let alice = dev_keypair("Alice").unwrap();
    let genesis = c.genesis_hash();
    let issuance_before = balances::total_issuance(&c.state_at(None).unwrap());
    let tx = sign(
        &transfer("Bob", 5 * TAO),
        &alice,
        &SigningParams::immortal(genesis, 0),
    );
    c.submit(&tx, None).unwrap();
    assert_eq!(c.next_nonce(&dev_account("Alice").unwrap()), 1);
    seal(&mut c);
    let evs = events(&c);
    let fee = evs
        .iter()
        .find_map(|e| match &e.event {
            RuntimeEvent::TransactionPayment(
                localtensor_chain::runtime::pallets::transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
            ) => Some(*actual_fee),
            _ => None,
        })
        .unwrap();
    assert!(fee > 0);
    assert_eq!(free(&c, "Bob"), 1_000_000 * TAO + 5 * TAO);
    assert_eq!(free(&c, "Alice"), 1_000_000 * TAO - 5 * TAO - fee);
    // Fees are burned.
    assert_eq!(
        balances::total_issuance(&c.state_at(None).unwrap()),
        issuance_before - fee
    );
    let phases: Vec<Phase> = evs.iter().map(|e| e.phase).collect();
    assert_eq!(
        phases,
        [
            Phase::ApplyExtrinsic(0),
            Phase::ApplyExtrinsic(1),
            Phase::ApplyExtrinsic(1),
            Phase::ApplyExtrinsic(1),
            Phase::ApplyExtrinsic(1)
        ]
    );
}

#[test]
fn failed_dispatch_reports_error_and_keeps_only_the_fee() {
    let mut c = chain();
    let dave = dev_keypair("Dave").unwrap();
    let genesis = c.genesis_hash();
    // Dave has 2,000 TAO: sending 3,000 fails in dispatch (the fee is still paid).
    let tx = sign(
        &transfer("Bob", 3_000 * TAO),
        &dave,
        &SigningParams::immortal(genesis, 0),
    );
    c.submit(&tx, None).unwrap();
    seal(&mut c);
    let failed = events(&c).into_iter().find_map(|e| match e.event {
        RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
            Some(dispatch_error)
        }
        _ => None,
    });
    assert_eq!(
        failed,
        Some(DispatchError::Token(TokenError::FundsUnavailable))
    );
    assert_eq!(free(&c, "Bob"), 1_000_000 * TAO);
    assert!(free(&c, "Dave") < 2_000 * TAO);
    assert_eq!(
        system::account(&c.state_at(None).unwrap(), &dev_account("Dave").unwrap()).nonce,
        1
    );
}

#[test]
fn sudo_dispatches_as_root_and_reports_module_errors() {
    let mut c = chain();
    let alice = dev_keypair("Alice").unwrap();
    let genesis = c.genesis_hash();
    let charlie = dev_account("Charlie").unwrap();
    let set = RuntimeCall::Balances(balances::Call::force_set_balance {
        who: MultiAddress::Id(charlie),
        new_free: 7 * TAO,
    });
    let call = RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(set),
    });
    c.submit(
        &sign(&call, &alice, &SigningParams::immortal(genesis, 0)),
        None,
    )
    .unwrap();
    // sudo_as(Bob, sudo(...)): Bob is not the key, so the inner call fails with Sudo::RequireSudo.
    let inner = RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(transfer("Eve", TAO)),
    });
    let call = RuntimeCall::Sudo(sudo::Call::sudo_as {
        who: MultiAddress::Id(dev_account("Bob").unwrap()),
        call: Box::new(inner),
    });
    c.submit(
        &sign(&call, &alice, &SigningParams::immortal(genesis, 1)),
        None,
    )
    .unwrap();
    seal(&mut c);
    assert_eq!(free(&c, "Charlie"), 7 * TAO);
    let evs = events(&c);
    assert!(evs.iter().any(|e| e.event
        == RuntimeEvent::Sudo(sudo::Event::Sudid {
            sudo_result: Ok(())
        })));
    let require_sudo = DispatchError::Module(ModuleError {
        index: 12,
        error: [0, 0, 0, 0],
    });
    assert!(evs.iter().any(|e| e.event
        == RuntimeEvent::Sudo(sudo::Event::SudoAsDone {
            sudo_result: Err(require_sudo)
        })));
}

#[test]
fn invalid_transactions_are_refused_and_change_nothing() {
    let mut c = chain();
    seal(&mut c);
    seal(&mut c);
    let alice = dev_keypair("Alice").unwrap();
    let bob = dev_keypair("Bob").unwrap();
    let genesis = c.genesis_hash();
    let ok = SigningParams::immortal(genesis, 0);
    let call = transfer("Bob", TAO);

    // Wrong signature: signed by Bob, sent as Alice.
    let mut tx = sign(&call, &alice, &ok);
    let forged = sign(&call, &bob, &ok);
    let sig_at = tx.len() - call.encode().len() - 4 - 64; // extra is 4 bytes for an immortal tx with nonce 0, tip 0, mode 0
    tx[sig_at..sig_at + 64].copy_from_slice(&forged[sig_at..sig_at + 64]);
    assert_eq!(
        invalid(c.submit(&tx, None).unwrap_err()),
        InvalidTransaction::BadProof
    );

    // Wrong genesis and wrong spec version: the payload differs, so the signature fails.
    let mut p = ok;
    p.implicit.genesis = H256([7; 32]);
    assert_eq!(
        invalid(c.submit(&sign(&call, &alice, &p), None).unwrap_err()),
        InvalidTransaction::BadProof
    );
    let mut p = ok;
    p.implicit.spec_version += 1;
    assert_eq!(
        invalid(c.submit(&sign(&call, &alice, &p), None).unwrap_err()),
        InvalidTransaction::BadProof
    );

    // Mortal era born in the future: no such block yet.
    let mut p = ok;
    p.era = Era::mortal(64, 40);
    assert_eq!(
        invalid(c.submit(&sign(&call, &alice, &p), None).unwrap_err()),
        InvalidTransaction::AncientBirthBlock
    );

    // Mortal era whose window has passed: the birth computed now is another block -> bad proof.
    let mut p = ok;
    p.era = Era::mortal(4, 0);
    p.implicit.birth = genesis;
    let stale_era_tx = sign(&call, &alice, &p);
    for _ in 0..6 {
        seal(&mut c);
    }
    let root_before = c.state_at(None).unwrap().root();
    let best_events_before = events(&c);
    assert_eq!(
        invalid(c.submit(&stale_era_tx, None).unwrap_err()),
        InvalidTransaction::BadProof
    );

    // Unsigned transactions have no validator.
    let unsigned = localtensor_chain::extrinsic::Extrinsic::unsigned(call.clone()).encoded;
    assert!(matches!(
        c.submit(&unsigned, None).unwrap_err(),
        SubmitError::Validity(TransactionValidityError::Unknown(
            UnknownTransaction::NoUnsignedValidator
        ))
    ));

    // Only the sudo key may send Sudo calls.
    let sudo_call = RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(call.clone()),
    });
    assert_eq!(
        invalid(c.submit(&sign(&sudo_call, &bob, &ok), None).unwrap_err()),
        InvalidTransaction::BadSigner
    );

    // Cannot pay: a fresh account with nothing.
    let nobody = dev_keypair("Nobody").unwrap();
    assert_eq!(
        invalid(c.submit(&sign(&call, &nobody, &ok), None).unwrap_err()),
        InvalidTransaction::Payment
    );

    // Unknown pallet index, unknown call index, truncated and oversized encodings.
    for call_bytes in [vec![99u8, 0], vec![5u8, 99], vec![5u8, 3, 0]] {
        let tx = sign_raw(&call_bytes, &alice, &ok);
        assert!(
            matches!(c.submit(&tx, None).unwrap_err(), SubmitError::Format(_)),
            "{call_bytes:?}"
        );
    }
    let good = sign(&call, &alice, &ok);
    assert!(matches!(
        c.submit(&good[..good.len() - 1], None).unwrap_err(),
        SubmitError::Format(_)
    ));
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(
        c.submit(&longer, None).unwrap_err(),
        SubmitError::Format(_)
    ));
    assert!(matches!(
        c.submit(&[], None).unwrap_err(),
        SubmitError::Format(_)
    ));

    // Nothing changed, nothing is pooled, and a valid transaction still goes through.
    assert_eq!(c.pool_len(), 0);
    assert_eq!(c.state_at(None).unwrap().root(), root_before);
    assert_eq!(events(&c), best_events_before);
    c.submit(&good, None).unwrap();
    // The same bytes again, and the same nonce again.
    assert!(matches!(
        c.submit(&good, None).unwrap_err(),
        SubmitError::AlreadyImported
    ));
    seal(&mut c);
    assert_eq!(
        invalid(
            c.submit(&sign(&transfer("Eve", 1), &alice, &ok), None)
                .unwrap_err()
        ),
        InvalidTransaction::Stale
    );
}

#[test]
fn older_states_are_rebuilt_exactly() {
    let mut c = chain();
    let alice = dev_keypair("Alice").unwrap();
    let genesis = c.genesis_hash();
    let mut roots = vec![(genesis, c.state_at(None).unwrap().root())];
    for nonce in 0..5 {
        let tx = sign(
            &transfer("Bob", TAO),
            &alice,
            &SigningParams::immortal(genesis, nonce),
        );
        c.submit(&tx, None).unwrap();
        let h = seal(&mut c);
        let root = c.state_at(None).unwrap().root();
        assert_eq!(c.block_by_hash(&h).unwrap().header.state_root, root);
        roots.push((h, root));
    }
    // Devnet changes to the best state do not leak into its parent.
    let bob = dev_account("Bob").unwrap();
    c.mutate_best_state(|ctx| balances::set_free_balance(ctx, &bob, 1_000));
    for (hash, root) in &roots[..roots.len() - 1] {
        assert_eq!(&c.state_at(Some(hash)).unwrap().root(), root);
    }
    assert_eq!(free(&c, "Bob"), 1_000);
    // A snapshot keeps its own copy.
    let snap = c.snapshot();
    seal(&mut c);
    let mut out = SealOutcome::default();
    c.restore(snap, &mut out);
    assert_eq!(free(&c, "Bob"), 1_000);
    assert_eq!(c.best_number(), 5);
}

#[test]
fn query_info_predicts_the_fee_charged() {
    use localtensor_chain::runtime::apis::{ApiEnv, call};
    use localtensor_chain::runtime::pallets::transaction_payment::RuntimeDispatchInfo;
    use parity_scale_codec::Decode;
    let mut c = chain();
    let alice = dev_keypair("Alice").unwrap();
    let tx = sign(
        &transfer("Bob", TAO),
        &alice,
        &SigningParams::immortal(c.genesis_hash(), 0),
    );
    let mut args = tx.clone();
    (tx.len() as u32).encode_to(&mut args);
    let state = c.state_at(None).unwrap();
    let env = ApiEnv {
        state: &state,
        metadata_v14: &[],
        metadata_v15: &[],
    };
    let out = call(&env, "TransactionPaymentApi_query_info", &args).unwrap();
    let info = RuntimeDispatchInfo::decode(&mut &out[..]).unwrap();
    assert!(
        call(
            &env,
            "TransactionPaymentApi_query_info",
            &args[..args.len() - 1]
        )
        .is_err()
    );
    c.submit(&tx, None).unwrap();
    seal(&mut c);
    assert_eq!(free(&c, "Alice"), 1_000_000 * TAO - TAO - info.partial_fee);
}

#[test]
fn ed25519_signed_transfers_are_accepted() {
    use localtensor_chain::builder::sign_raw_ed25519;
    use localtensor_chain::primitives::AccountId32;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let who = AccountId32(key.verifying_key().to_bytes());
    let mut genesis = GenesisConfig::dev().unwrap();
    genesis.balances.push((who, 10 * TAO));
    let mut c = Chain::new(genesis);
    let params = SigningParams::immortal(c.genesis_hash(), 0);
    let call = transfer("Bob", TAO).encode();
    // A bad ed25519 signature is refused like any other.
    let mut forged = sign_raw_ed25519(&call, &key, &params);
    let at = forged.len() - call.len() - 4 - 10;
    forged[at] ^= 1;
    assert_eq!(
        invalid(c.submit(&forged, None).unwrap_err()),
        InvalidTransaction::BadProof
    );
    c.submit(&sign_raw_ed25519(&call, &key, &params), None)
        .unwrap();
    seal(&mut c);
    assert_eq!(free(&c, "Bob"), 1_000_000 * TAO + TAO);
    assert_eq!(system::account(&c.state_at(None).unwrap(), &who).nonce, 1);
}

#[test]
fn utility_batches_follow_substrate_semantics() {
    use localtensor_chain::runtime::pallets::utility;
    let mut c = chain();
    let eve = dev_keypair("Eve").unwrap();
    let genesis = c.genesis_hash();
    let ok = transfer("Bob", TAO);
    let too_big = transfer("Bob", 1_000_000 * TAO);
    let calls = vec![ok.clone(), too_big.clone(), ok.clone()];
    let batch = RuntimeCall::Utility(utility::Call::batch {
        calls: calls.clone(),
    });
    let batch_all = RuntimeCall::Utility(utility::Call::batch_all {
        calls: calls.clone(),
    });
    let force = RuntimeCall::Utility(utility::Call::force_batch { calls });
    for (nonce, call) in [batch, batch_all, force].iter().enumerate() {
        c.submit(
            &sign(call, &eve, &SigningParams::immortal(genesis, nonce as u32)),
            None,
        )
        .unwrap();
    }
    seal(&mut c);
    let evs: Vec<(Phase, RuntimeEvent)> =
        events(&c).into_iter().map(|e| (e.phase, e.event)).collect();
    let of = |i: u32| -> Vec<&RuntimeEvent> {
        evs.iter()
            .filter(|(p, _)| *p == Phase::ApplyExtrinsic(i))
            .map(|(_, e)| e)
            .collect()
    };
    let funds = DispatchError::Token(TokenError::FundsUnavailable);
    // batch: first call done, interrupted at index 1, batch itself succeeds.
    let b = of(1);
    assert!(
        b.contains(&&RuntimeEvent::Utility(utility::Event::BatchInterrupted {
            index: 1,
            error: funds
        }))
    );
    assert_eq!(
        b.iter()
            .filter(|e| ***e == RuntimeEvent::Utility(utility::Event::ItemCompleted))
            .count(),
        1
    );
    assert!(matches!(
        b.last(),
        Some(RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. }))
    ));
    // batch_all: fails as a whole, nothing of it remains.
    let b = of(2);
    assert!(!b.iter().any(|e| matches!(
        e,
        RuntimeEvent::Utility(_) | RuntimeEvent::Balances(balances::Event::Transfer { .. })
    )));
    assert!(
        matches!(b.last(), Some(RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. })) if *dispatch_error == funds)
    );
    // force_batch: both good calls done, one failure reported.
    let b = of(3);
    assert!(
        b.contains(&&RuntimeEvent::Utility(utility::Event::ItemFailed {
            error: funds
        }))
    );
    assert!(b.contains(&&RuntimeEvent::Utility(
        utility::Event::BatchCompletedWithErrors
    )));
    // 1 (batch) + 0 (batch_all) + 2 (force_batch) TAO arrived.
    assert_eq!(free(&c, "Bob"), 1_000_000 * TAO + 3 * TAO);
}

#[test]
fn future_nonces_wait_for_the_gap_to_close() {
    let mut c = chain();
    let alice = dev_keypair("Alice").unwrap();
    let alice_id = dev_account("Alice").unwrap();
    let genesis = c.genesis_hash();
    let tx = |nonce: u32, to: &str| {
        sign(
            &transfer(to, TAO),
            &alice,
            &SigningParams::immortal(genesis, nonce),
        )
    };
    assert!(
        c.submit(&tx(2, "Bob"), None).unwrap().1,
        "nonce 2 is future"
    );
    assert!(
        c.submit(&tx(1, "Bob"), None).unwrap().1,
        "nonce 1 is future"
    );
    // Same sender and nonce again.
    assert!(matches!(
        c.submit(&tx(2, "Eve"), None).unwrap_err(),
        SubmitError::TooLowPriority
    ));
    assert_eq!(c.next_nonce(&alice_id), 0, "the gap at 0 is still open");
    seal(&mut c);
    assert_eq!(c.best().extrinsics.len(), 1, "only the inherent");
    assert_eq!(c.pool_len(), 2);
    assert!(
        !c.submit(&tx(0, "Bob"), None).unwrap().1,
        "nonce 0 is ready"
    );
    assert_eq!(c.next_nonce(&alice_id), 3);
    seal(&mut c);
    assert_eq!(
        c.best().extrinsics.len(),
        4,
        "the whole run of nonces, in order"
    );
    assert_eq!(c.pool_len(), 0);
    assert_eq!(free(&c, "Bob"), 1_000_000 * TAO + 3 * TAO);
    assert_eq!(
        system::account(&c.state_at(None).unwrap(), &alice_id).nonce,
        3
    );
}
