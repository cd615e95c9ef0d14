//! `SubtensorModule` costs: sealing an epoch block (and, for scale, an ordinary block) of a
//! subnet of 256 and 4096 neurons with 64 validators weighting every uid, and block production
//! with 64 validators each setting a full weights row every block.
//!
//! Subnets are created by extrinsics (`register_network`, `start_call`, sudo setters); the
//! neurons are added through the pallet's own functions (`append_neuron`, `credit`) rather than
//! thousands of signed registrations.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::chain::{Chain, ChainSnapshot, SealOutcome};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::AccountId32;
use localtensor_chain::runtime::RuntimeCall;
use localtensor_chain::runtime::pallets::subtensor::coinbase::blocks_until_next_epoch;
use localtensor_chain::runtime::pallets::subtensor::items::*;
use localtensor_chain::runtime::pallets::subtensor::{registration, staking};
use localtensor_chain::runtime::pallets::{admin_utils, subtensor, sudo};
use std::cell::RefCell;

fn main() {
    divan::main();
}

const NETUID: u16 = 1;
const VALIDATORS: u16 = 64;

fn seal(c: &mut Chain) {
    c.seal(&mut SealOutcome::default());
}

fn submit(c: &mut Chain, signer: &str, call: RuntimeCall) {
    let who = dev_account(signer).unwrap();
    let tx = sign(
        &call,
        &dev_keypair(signer).unwrap(),
        &SigningParams::immortal(c.genesis_hash(), c.next_nonce(&who)),
    );
    c.submit(&tx, None).unwrap();
}

fn sudo_call(call: admin_utils::Call) -> RuntimeCall {
    RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(RuntimeCall::AdminUtils(call)),
    })
}

fn validator_name(i: u16) -> String {
    format!("val{i}")
}

/// A miner's hotkey (never signs).
fn miner(uid: u16) -> AccountId32 {
    let mut id = [0xAB; 32];
    id[..2].copy_from_slice(&uid.to_le_bytes());
    AccountId32(id)
}

/// Deterministic weights.
fn lcg(x: &mut u64) -> u16 {
    *x = x
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*x >> 48) as u16
}

/// Subnet 1 with `n` neurons: uids 1..=64 are validators (signing dev keys, the largest
/// stakes), the rest miners; every validator's row weights every uid; two epochs have run, so
/// validator permits and bonds exist.
fn subnet(n: u16, tempo: u16) -> Chain {
    let mut genesis = GenesisConfig::dev().unwrap();
    for i in 0..VALIDATORS {
        genesis
            .balances
            .push((dev_account(&validator_name(i)).unwrap(), 1_000 * TAO));
    }
    let mut c = Chain::new(genesis);
    submit(
        &mut c,
        "Alice",
        RuntimeCall::SubtensorModule(subtensor::Call::register_network {
            hotkey: dev_account("Alice_hk").unwrap(),
        }),
    );
    seal(&mut c);
    submit(
        &mut c,
        "Alice",
        RuntimeCall::SubtensorModule(subtensor::Call::start_call { netuid: NETUID }),
    );
    for call in [
        admin_utils::Call::sudo_set_max_allowed_uids {
            netuid: NETUID,
            max_allowed_uids: n.max(256),
        },
        admin_utils::Call::sudo_set_max_allowed_validators {
            netuid: NETUID,
            max_allowed_validators: VALIDATORS,
        },
        admin_utils::Call::sudo_set_tempo {
            netuid: NETUID,
            tempo,
        },
        admin_utils::Call::sudo_set_weights_set_rate_limit {
            netuid: NETUID,
            weights_set_rate_limit: 0,
        },
    ] {
        submit(&mut c, "Alice", sudo_call(call));
    }
    seal(&mut c);
    assert_eq!(
        MaxAllowedUids.get(&c.state_at(None).unwrap(), &NETUID),
        n.max(256)
    );

    let alice = dev_account("Alice").unwrap();
    c.mutate_best_state(|ctx| {
        let block = u64::from(ctx.block);
        let s = &mut *ctx.state;
        let mut alpha_out = SubnetAlphaOut.get(s, &NETUID);
        for uid in 1..n {
            let (hotkey, coldkey, stake) = if uid <= VALIDATORS {
                let hk = dev_account(&validator_name(uid - 1)).unwrap();
                (hk, hk, 10_000 * TAO + u64::from(uid) * TAO)
            } else {
                (miner(uid), alice, TAO + u64::from(uid))
            };
            registration::ensure_hotkey_owner(s, &coldkey, &hotkey).unwrap();
            assert_eq!(registration::append_neuron(s, NETUID, &hotkey, block), uid);
            staking::credit(s, &hotkey, &coldkey, NETUID, stake);
            alpha_out += stake;
        }
        SubnetAlphaOut.put(s, &NETUID, &alpha_out);
        let mut seed = 7;
        for uid in 1..=VALIDATORS.min(n - 1) {
            let row: Vec<(u16, u16)> = (0..n).map(|dest| (dest, lcg(&mut seed))).collect();
            Weights.put(s, &NETUID, &uid, &row);
        }
    });
    // Two epochs: permits, then bonds.
    for _ in 0..2 {
        seal(&mut c);
        while blocks_until_next_epoch(NETUID, tempo, u64::from(c.best_number())) != 0 {
            seal(&mut c);
        }
    }
    let s = c.state_at(None).unwrap();
    let permits = ValidatorPermit.get(&s, &NETUID);
    assert!((1..=VALIDATORS.min(n - 1)).all(|uid| permits[usize::from(uid)]));
    c
}

/// A chain at the snapshot whose best state is not shared, so that sealing does not pay for
/// copying it.
fn chain_at(snapshot: &ChainSnapshot) -> Chain {
    let mut c = Chain::new(GenesisConfig::dev().unwrap());
    c.restore(snapshot.clone(), &mut SealOutcome::default());
    c.mutate_best_state(|_| {});
    c
}

/// Sealing the block at which a subnet of `n` neurons runs its epoch.
#[divan::bench(args = [256, 4096], sample_count = 10, sample_size = 1)]
fn epoch_block(bencher: divan::Bencher, n: u16) {
    let tempo = 10;
    let mut c = subnet(n, tempo);
    while blocks_until_next_epoch(NETUID, tempo, u64::from(c.best_number()) + 1) != 0 {
        seal(&mut c);
    }
    let snapshot = c.snapshot();
    bencher
        .with_inputs(|| chain_at(&snapshot))
        .bench_local_values(|mut c| {
            seal(&mut c);
            let s = c.state_at(None).unwrap();
            assert_eq!(
                LastMechansimStepBlock.get(&s, &NETUID),
                u64::from(c.best_number())
            );
            c
        });
}

/// Sealing an ordinary (no epoch) block next to the same subnet, for comparison.
#[divan::bench(args = [256, 4096], sample_count = 10, sample_size = 1)]
fn ordinary_block(bencher: divan::Bencher, n: u16) {
    let tempo = 10;
    let mut c = subnet(n, tempo);
    seal(&mut c);
    assert_ne!(
        blocks_until_next_epoch(NETUID, tempo, u64::from(c.best_number()) + 1),
        0
    );
    let snapshot = c.snapshot();
    bencher
        .with_inputs(|| chain_at(&snapshot))
        .bench_local_values(|mut c| {
            seal(&mut c);
            c
        });
}

/// One block in which each of 64 validators sets a weights row over all 256 uids (submitted,
/// validated and included; signing is done beforehand). Epochs (tempo 10) are included in
/// their natural proportion.
#[divan::bench(sample_count = 100, sample_size = 1)]
fn block_with_64_weight_sets(bencher: divan::Bencher) {
    let n = 256;
    let tempo = 10;
    let chain = RefCell::new(subnet(n, tempo));
    let keys: Vec<_> = (0..VALIDATORS)
        .map(|i| dev_keypair(&validator_name(i)).unwrap())
        .collect();
    let ids: Vec<AccountId32> = (0..VALIDATORS)
        .map(|i| dev_account(&validator_name(i)).unwrap())
        .collect();
    let genesis = chain.borrow().genesis_hash();
    let mut seed = 11;
    bencher
        .with_inputs(|| {
            let c = chain.borrow();
            keys.iter()
                .zip(&ids)
                .map(|(key, id)| {
                    let call = RuntimeCall::SubtensorModule(subtensor::Call::set_weights {
                        netuid: NETUID,
                        dests: (0..n).collect(),
                        weights: (0..n).map(|_| lcg(&mut seed)).collect(),
                        version_key: 0,
                    });
                    sign(
                        &call,
                        key,
                        &SigningParams::immortal(genesis, c.next_nonce(id)),
                    )
                })
                .collect::<Vec<_>>()
        })
        .bench_local_values(|txs| {
            let mut c = chain.borrow_mut();
            for tx in &txs {
                c.submit(tx, None).unwrap();
            }
            seal(&mut c);
            assert_eq!(c.best().extrinsics.len(), txs.len() + 1);
        });
    // Every weights row was accepted.
    let s = chain.borrow().state_at(None).unwrap();
    let last = LastUpdate.get(&s, &NETUID);
    let best = u64::from(chain.borrow().best_number());
    assert!((1..=VALIDATORS).all(|uid| last[usize::from(uid)] == best));
}
