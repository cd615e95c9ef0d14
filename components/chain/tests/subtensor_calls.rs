//! `SubtensorModule` and `AdminUtils` calls on the in-process chain: the happy paths change
//! exactly what subtensor's calls change, and every refused call fails with the expected
//! pallet error while leaving the state as an empty block would (apart from the fee and nonce).
//!
//! Effects are measured against a baseline: the same block sealed without the call (from a
//! snapshot), because the block step changes subtensor storage every block.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::chain::{Chain, SealOutcome};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::hashing::twox_128;
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{AccountId32, DispatchError};
use localtensor_chain::runtime::pallets::subtensor::items::*;
use localtensor_chain::runtime::pallets::subtensor::types::AxonInfo;
use localtensor_chain::runtime::pallets::{
    admin_utils, balances, subtensor, sudo, system, transaction_payment,
};
use localtensor_chain::runtime::{EventRecord, Phase, RuntimeCall, RuntimeEvent};
use localtensor_chain::state::State;
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Harness

/// Accounts funded at genesis besides the dev accounts (hotkeys sign weights and axons, so they
/// pay fees).
const FUNDED: [&str; 6] = [
    "Alice_hk",
    "Bob_hk",
    "Charlie_hk",
    "Dave_hk",
    "Eve_hk",
    "Stranger_hk",
];

fn acct(name: &str) -> AccountId32 {
    dev_account(name).unwrap()
}

fn genesis() -> GenesisConfig {
    let mut g = GenesisConfig::dev().unwrap();
    for name in FUNDED {
        g.balances.push((acct(name), 100 * TAO));
    }
    // Can pay fees, not a 1 TAO burn.
    g.balances.push((acct("Poor"), TAO / 2));
    g
}

fn st(call: subtensor::Call) -> RuntimeCall {
    RuntimeCall::SubtensorModule(call)
}

fn au(call: admin_utils::Call) -> RuntimeCall {
    RuntimeCall::AdminUtils(call)
}

fn sudo(call: admin_utils::Call) -> RuntimeCall {
    RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(au(call)),
    })
}

fn seal(c: &mut Chain) {
    let mut out = SealOutcome::default();
    c.seal(&mut out);
}

fn state(c: &Chain) -> Arc<State> {
    c.state_at(None).unwrap()
}

fn events(c: &Chain) -> Vec<EventRecord> {
    state(c).get(&system::events_key()).unwrap()
}

fn submit(c: &mut Chain, signer: &str, call: &RuntimeCall) -> Vec<u8> {
    let who = acct(signer);
    let nonce = c.next_nonce(&who);
    let tx = sign(
        call,
        &dev_keypair(signer).unwrap(),
        &SigningParams::immortal(c.genesis_hash(), nonce),
    );
    c.submit(&tx, None).unwrap();
    tx
}

/// The dispatch result of extrinsic `index` of the best block: the `Sudo.Sudid` result for a
/// sudo call, otherwise `ExtrinsicSuccess` / `ExtrinsicFailed`.
fn result_of(evs: &[EventRecord], index: u32) -> Result<(), DispatchError> {
    let mut outer = None;
    let mut inner = None;
    for e in evs
        .iter()
        .filter(|e| e.phase == Phase::ApplyExtrinsic(index))
    {
        match &e.event {
            RuntimeEvent::Sudo(sudo::Event::Sudid { sudo_result }) => inner = Some(*sudo_result),
            RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. }) => outer = Some(Ok(())),
            RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                outer = Some(Err(*dispatch_error));
            }
            _ => {}
        }
    }
    let outer = outer.unwrap_or_else(|| panic!("extrinsic {index} not in the block"));
    match (outer, inner) {
        (Ok(()), Some(inner)) => inner,
        (outer, _) => outer,
    }
}

fn fee_of(evs: &[EventRecord], index: u32) -> u64 {
    evs.iter()
        .filter(|e| e.phase == Phase::ApplyExtrinsic(index))
        .find_map(|e| match &e.event {
            RuntimeEvent::TransactionPayment(transaction_payment::Event::TransactionFeePaid {
                actual_fee,
                ..
            }) => Some(*actual_fee),
            _ => None,
        })
        .expect("fee event")
}

/// Submits the calls (in order), seals one block, and returns each call's result.
fn run_all(c: &mut Chain, calls: &[(&str, RuntimeCall)]) -> Vec<Result<(), DispatchError>> {
    let txs: Vec<Vec<u8>> = calls
        .iter()
        .map(|(signer, call)| submit(c, signer, call))
        .collect();
    seal(c);
    let evs = events(c);
    let included = c.best().extrinsics.clone();
    txs.iter()
        .map(|tx| {
            let index = included
                .iter()
                .position(|e| e == tx)
                .expect("transaction included");
            result_of(&evs, index as u32)
        })
        .collect()
}

fn run(c: &mut Chain, signer: &str, call: RuntimeCall) -> Result<(), DispatchError> {
    run_all(c, &[(signer, call)]).remove(0)
}

#[track_caller]
fn ok(c: &mut Chain, signer: &str, call: RuntimeCall) {
    let r = run(c, signer, call.clone());
    assert_eq!(r, Ok(()), "{signer}: {call:?}");
}

#[track_caller]
fn ok_all(c: &mut Chain, calls: &[(&str, RuntimeCall)]) {
    for (r, (signer, call)) in run_all(c, calls).into_iter().zip(calls) {
        assert_eq!(r, Ok(()), "{signer}: {call:?}");
    }
}

/// The block sealed with `signer`'s call, and the same block sealed without it.
struct Compared {
    base: Arc<State>,
    with: Arc<State>,
    events: Vec<EventRecord>,
    result: Result<(), DispatchError>,
    fee: u64,
    block: u64,
}

fn compare(c: &mut Chain, signer: &str, call: RuntimeCall) -> Compared {
    let snapshot = c.snapshot();
    seal(c);
    let base = state(c);
    c.restore(snapshot, &mut SealOutcome::default());
    submit(c, signer, &call);
    seal(c);
    let evs = events(c);
    Compared {
        base,
        with: state(c),
        result: result_of(&evs, 1),
        fee: fee_of(&evs, 1),
        events: evs,
        block: u64::from(c.best_number()),
    }
}

fn free(s: &State, name: &str) -> u64 {
    system::account(s, &acct(name)).data.free
}

fn subtensor_pairs(s: &State) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let prefix = twox_128(subtensor::PALLET.as_bytes());
    s.pairs()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn subtensor_events(evs: &[EventRecord]) -> Vec<subtensor::Event> {
    evs.iter()
        .filter_map(|e| match &e.event {
            RuntimeEvent::SubtensorModule(ev) => Some(ev.clone()),
            _ => None,
        })
        .collect()
}

fn stake_of(s: &State, hk: &str, ck: &str, netuid: u16) -> u64 {
    Alpha.get(s, &acct(hk), &acct(ck), &netuid).to_int()
}

/// The error a refused call must fail with, with its name as written in the test.
#[derive(Clone, Copy, Debug)]
enum Want {
    Sub(subtensor::Error, &'static str),
    Admin(admin_utils::Error, &'static str),
    BadOrigin,
}

macro_rules! sub {
    ($e:ident) => {
        Want::Sub(subtensor::Error::$e, stringify!($e))
    };
}

macro_rules! admin {
    ($e:ident) => {
        Want::Admin(admin_utils::Error::$e, stringify!($e))
    };
}

fn check_error(got: Result<(), DispatchError>, want: Want) -> Result<(), String> {
    let err = match got {
        Ok(()) => return Err(format!("succeeded, expected {want:?}")),
        Err(e) => e,
    };
    match want {
        Want::BadOrigin => (err == DispatchError::BadOrigin)
            .then_some(())
            .ok_or(format!("got {err:?}, expected BadOrigin")),
        Want::Sub(e, name) => check_module(err, subtensor::INDEX, e.encode()[0], name, |b| {
            subtensor::Error::decode(&mut &[b][..])
                .map(|e| format!("{e:?}"))
                .ok()
        }),
        Want::Admin(e, name) => check_module(err, admin_utils::INDEX, e.encode()[0], name, |b| {
            admin_utils::Error::decode(&mut &[b][..])
                .map(|e| format!("{e:?}"))
                .ok()
        }),
    }
}

fn check_module(
    err: DispatchError,
    pallet: u8,
    variant: u8,
    name: &str,
    decode: impl Fn(u8) -> Option<String>,
) -> Result<(), String> {
    let DispatchError::Module(m) = err else {
        return Err(format!("got {err:?}, expected {name}"));
    };
    let got_name = decode(m.error[0]).unwrap_or_else(|| "?".into());
    if m.index != pallet || m.error != [variant, 0, 0, 0] || got_name != name {
        return Err(format!(
            "got module {} error {:?} ({got_name}), expected module {pallet} error [{variant}, 0, 0, 0] ({name})",
            m.index, m.error
        ));
    }
    Ok(())
}

/// Runs a call that must be refused with `want`, and checks that the state equals the state of
/// the same block without the call except for the signer's fee and nonce.
fn refused(c: &mut Chain, signer: &str, call: RuntimeCall, want: Want) -> Result<(), String> {
    let cmp = compare(c, signer, call);
    check_error(cmp.result, want)?;
    // Subtensor storage: identical.
    let (a, b) = (subtensor_pairs(&cmp.base), subtensor_pairs(&cmp.with));
    if a != b {
        let keys: BTreeSet<&Vec<u8>> = a.keys().chain(b.keys()).collect();
        let changed = keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).count();
        return Err(format!("{changed} SubtensorModule entries changed"));
    }
    // Everything else: only the signer's account, the issuance and the block's events.
    let who = acct(signer);
    let allowed: BTreeSet<Vec<u8>> = [
        system::account_key(&who),
        balances::total_issuance_key(),
        system::events_key(),
        system::event_count_key(),
        system::extrinsic_count_key(),
    ]
    .into_iter()
    .collect();
    let all: BTreeSet<&Vec<u8>> = cmp
        .base
        .pairs()
        .map(|(k, _)| k)
        .chain(cmp.with.pairs().map(|(k, _)| k))
        .collect();
    for k in all {
        if !allowed.contains(k) && cmp.base.get_raw(k) != cmp.with.get_raw(k) {
            return Err(format!("storage key 0x{} changed", hex(k)));
        }
    }
    let (before, after) = (
        system::account(&cmp.base, &who),
        system::account(&cmp.with, &who),
    );
    if after.data.free + cmp.fee != before.data.free || after.nonce != before.nonce + 1 {
        return Err(format!(
            "account: free {} -> {} (fee {}), nonce {} -> {}",
            before.data.free, after.data.free, cmp.fee, before.nonce, after.nonce
        ));
    }
    if balances::total_issuance(&cmp.with) + cmp.fee != balances::total_issuance(&cmp.base) {
        return Err("issuance changed by more than the fee".into());
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Subnet 1 owned by Alice (hotkey `Alice_hk`, uid 0), started, weights rate limit 0, with
/// `Bob_hk` (uid 1), `Charlie_hk` (uid 2) and `Dave_hk` (uid 3) registered by their coldkeys,
/// and stake from Bob and Charlie.
fn base() -> Chain {
    let mut c = Chain::new(genesis());
    ok(
        &mut c,
        "Alice",
        st(subtensor::Call::register_network {
            hotkey: acct("Alice_hk"),
        }),
    );
    ok_all(
        &mut c,
        &[
            ("Alice", st(subtensor::Call::start_call { netuid: 1 })),
            (
                "Alice",
                sudo(admin_utils::Call::sudo_set_weights_set_rate_limit {
                    netuid: 1,
                    weights_set_rate_limit: 0,
                }),
            ),
        ],
    );
    ok_all(
        &mut c,
        &[
            ("Bob", register(1, "Bob_hk")),
            ("Charlie", register(1, "Charlie_hk")),
            ("Dave", register(1, "Dave_hk")),
        ],
    );
    ok_all(
        &mut c,
        &[
            ("Bob", add_stake("Bob_hk", 1, 100 * TAO)),
            ("Charlie", add_stake("Charlie_hk", 1, 50 * TAO)),
        ],
    );
    c
}

fn register(netuid: u16, hotkey: &str) -> RuntimeCall {
    st(subtensor::Call::burned_register {
        netuid,
        hotkey: acct(hotkey),
    })
}

fn add_stake(hotkey: &str, netuid: u16, amount: u64) -> RuntimeCall {
    st(subtensor::Call::add_stake {
        hotkey: acct(hotkey),
        netuid,
        amount_staked: amount,
    })
}

fn remove_stake(hotkey: &str, netuid: u16, amount: u64) -> RuntimeCall {
    st(subtensor::Call::remove_stake {
        hotkey: acct(hotkey),
        netuid,
        amount_unstaked: amount,
    })
}

fn set_weights(netuid: u16, dests: &[u16], weights: &[u16]) -> RuntimeCall {
    st(subtensor::Call::set_weights {
        netuid,
        dests: dests.to_vec(),
        weights: weights.to_vec(),
        version_key: 0,
    })
}

fn axon(netuid: u16, ip: u128, port: u16, ip_type: u8) -> RuntimeCall {
    st(subtensor::Call::serve_axon {
        netuid,
        version: 1,
        ip,
        port,
        ip_type,
        protocol: 4,
        placeholder1: 0,
        placeholder2: 0,
    })
}

/// The row `set_weights` must store: subtensor's `vec_u16_max_upscale_to_u16` as the consensus
/// crate reproduces it (I32F32; above a maximum of 32768 it multiplies by the truncated
/// `65535 / max`, so a few exact halves round down).
fn upscaled(weights: &[u16]) -> Vec<u16> {
    localtensor_consensus::fixed::max_upscale_u16(weights)
}

// ---------------------------------------------------------------------------------------------
// Happy paths

#[test]
fn register_network_creates_the_subnet_and_withdraws_the_lock() {
    let mut c = Chain::new(genesis());
    seal(&mut c);
    let cmp = compare(
        &mut c,
        "Alice",
        st(subtensor::Call::register_network {
            hotkey: acct("Alice_hk"),
        }),
    );
    assert_eq!(cmp.result, Ok(()));
    let s = &cmp.with;
    // Spec §6.4: the first lock is the minimum, 1000 TAO.
    let lock = 1_000 * TAO;
    assert_eq!(free(s, "Alice") + cmp.fee + lock, free(&cmp.base, "Alice"));
    assert_eq!(
        balances::total_issuance(s) + cmp.fee + lock,
        balances::total_issuance(&cmp.base)
    );
    assert!(NetworksAdded.get(s, &1));
    assert_eq!(TotalNetworks.get(s), 2);
    assert_eq!(SubnetLocked.get(s, &1), lock);
    assert_eq!(SubnetTAO.get(s, &1), lock);
    assert_eq!(TotalStake.get(s), TotalStake.get(&cmp.base) + lock);
    assert_eq!(SubnetMechanism.get(s, &1), 1);
    assert_eq!(SubnetOwner.get(s, &1), acct("Alice"));
    assert_eq!(SubnetOwnerHotkey.get(s, &1), acct("Alice_hk"));
    assert_eq!(Owner.get(s, &acct("Alice_hk")), acct("Alice"));
    // uid 0 is the owner hotkey.
    assert_eq!(SubnetworkN.get(s, &1), 1);
    assert_eq!(Keys.get(s, &1, &0), acct("Alice_hk"));
    assert_eq!(Uids.try_get(s, &1, &acct("Alice_hk")), Some(0));
    assert!(IsNetworkMember.get(s, &acct("Alice_hk"), &1));
    assert_eq!(BlockAtRegistration.get(s, &1, &0), cmp.block);
    assert_eq!(LastUpdate.get(s, &1), vec![cmp.block]);
    // init_new_network overrides (spec §6.4), commit-reveal off on the devnet.
    assert_eq!(Tempo.get(s, &1), 360);
    assert_eq!(MaxAllowedUids.get(s, &1), 256);
    assert_eq!(MaxAllowedValidators.get(s, &1), 64);
    assert_eq!(MinAllowedWeights.get(s, &1), 1);
    assert_eq!(ImmunityPeriod.get(s, &1), 5000);
    assert!(Yuma3On.get(s, &1));
    assert_eq!(Burn.get(s, &1), TAO);
    assert!(NetworkRegistrationAllowed.get(s, &1));
    assert!(!CommitRevealWeightsEnabled.get(s, &1));
    // No emission before start_call.
    assert!(FirstEmissionBlockNumber.try_get(s, &1).is_none());
    assert!(!SubtokenEnabled.get(s, &1));
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::NetworkAdded(1, 1)]
    );

    // The next lock doubles, less the linear decay since the last registration (spec §6.4).
    let cmp2 = compare(
        &mut c,
        "Bob",
        st(subtensor::Call::register_network {
            hotkey: acct("Bob_hk"),
        }),
    );
    assert_eq!(cmp2.result, Ok(()));
    let elapsed = cmp2.block - cmp.block;
    let lock2 = 2 * lock - lock / 100_800 * elapsed;
    assert_eq!(
        free(&cmp2.with, "Bob") + cmp2.fee + lock2,
        free(&cmp2.base, "Bob")
    );
    assert_eq!(SubnetLocked.get(&cmp2.with, &2), lock2);
    assert_eq!(SubnetOwner.get(&cmp2.with, &2), acct("Bob"));
    assert_eq!(
        subtensor_events(&cmp2.events),
        vec![subtensor::Event::NetworkAdded(2, 1)]
    );
}

#[test]
fn start_call_starts_emission_from_the_next_block() {
    let mut c = Chain::new(genesis());
    ok(
        &mut c,
        "Alice",
        st(subtensor::Call::register_network {
            hotkey: acct("Alice_hk"),
        }),
    );
    seal(&mut c);
    assert_eq!(PendingServerEmission.get(&state(&c), &1), 0);
    let cmp = compare(
        &mut c,
        "Alice",
        st(subtensor::Call::start_call { netuid: 1 }),
    );
    assert_eq!(cmp.result, Ok(()));
    assert_eq!(
        FirstEmissionBlockNumber.try_get(&cmp.with, &1),
        Some(cmp.block + 1)
    );
    assert!(SubtokenEnabled.get(&cmp.with, &1));
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::FirstEmissionBlockNumberSet(
            1,
            cmp.block + 1
        )]
    );
    assert_eq!(PendingServerEmission.get(&cmp.with, &1), 0);
    seal(&mut c);
    let s = state(&c);
    assert!(PendingServerEmission.get(&s, &1) > 0);
    assert!(PendingValidatorEmission.get(&s, &1) > 0);
    assert!(PendingOwnerCut.get(&s, &1) > 0);
}

#[test]
fn burned_register_pays_the_burn_and_raises_it() {
    let mut c = base();
    let n = SubnetworkN.get(&state(&c), &1);
    let cmp = compare(&mut c, "Eve", register(1, "Eve_hk"));
    assert_eq!(cmp.result, Ok(()));
    let (b, s) = (&cmp.base, &cmp.with);
    // The price paid is this block's (decayed) burn, read from the block without the call.
    let price = Burn.get(b, &1);
    assert!(price > 0);
    assert_eq!(free(s, "Eve") + cmp.fee + price, free(b, "Eve"));
    assert_eq!(
        balances::total_issuance(s) + cmp.fee + price,
        balances::total_issuance(b)
    );
    let raised = (u128::from(price) * 126 / 100) as u64;
    assert_eq!(
        Burn.get(s, &1),
        raised.clamp(MinBurn.get(s, &1), MaxBurn.get(s, &1))
    );
    assert_eq!(SubnetworkN.get(s, &1), n + 1);
    assert_eq!(Keys.get(s, &1, &n), acct("Eve_hk"));
    assert_eq!(Uids.try_get(s, &1, &acct("Eve_hk")), Some(n));
    assert_eq!(Owner.get(s, &acct("Eve_hk")), acct("Eve"));
    assert_eq!(BlockAtRegistration.get(s, &1, &n), cmp.block);
    let lu = LastUpdate.get(s, &1);
    assert_eq!(lu.len(), usize::from(n) + 1);
    assert_eq!(lu[usize::from(n)], cmp.block);
    for len in [
        Incentive.get(s, &1).len(),
        Dividends.get(s, &1).len(),
        Consensus.get(s, &1).len(),
        ValidatorTrust.get(s, &1).len(),
        Emission.get(s, &1).len(),
        ValidatorPermit.get(s, &1).len(),
        Active.get(s, &1).len(),
    ] {
        assert_eq!(len, usize::from(n) + 1);
    }
    assert_eq!(RegistrationsThisBlock.get(s, &1), 1);
    assert_eq!(
        RAORecycledForRegistration.get(s, &1),
        RAORecycledForRegistration.get(b, &1) + price
    );
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::NeuronRegistered(1, n, acct("Eve_hk"))]
    );
    // `register` (the POW form) registers the same way, paid by the signer.
    let cmp = compare(
        &mut c,
        "Ferdie",
        st(subtensor::Call::register {
            netuid: 1,
            block_number: 0,
            nonce: 0,
            work: vec![],
            hotkey: acct("Ferdie_hk"),
            coldkey: acct("Alice"),
        }),
    );
    assert_eq!(cmp.result, Ok(()));
    let price = Burn.get(&cmp.base, &1);
    assert_eq!(
        free(&cmp.with, "Ferdie") + cmp.fee + price,
        free(&cmp.base, "Ferdie")
    );
    assert_eq!(Owner.get(&cmp.with, &acct("Ferdie_hk")), acct("Ferdie"));
    assert_eq!(Uids.try_get(&cmp.with, &1, &acct("Ferdie_hk")), Some(n + 1));
}

#[test]
fn full_subnet_replaces_the_oldest_lowest_emission_neuron() {
    let mut c = base();
    // 4 uids, at most 4: the next registration prunes. All non-owner uids are immune, so the
    // best immune one goes (spec §6.2): lowest emission (all 0), then oldest (uid 1, Bob_hk).
    ok_all(
        &mut c,
        &[
            (
                "Alice",
                sudo(admin_utils::Call::sudo_set_max_allowed_validators {
                    netuid: 1,
                    max_allowed_validators: 4,
                }),
            ),
            (
                "Alice",
                sudo(admin_utils::Call::sudo_set_max_allowed_uids {
                    netuid: 1,
                    max_allowed_uids: 4,
                }),
            ),
        ],
    );
    ok(&mut c, "Alice_hk", set_weights(1, &[1, 2], &[1, 1]));
    let bob_stake = stake_of(&state(&c), "Bob_hk", "Bob", 1);
    let cmp = compare(&mut c, "Eve", register(1, "Eve_hk"));
    assert_eq!(cmp.result, Ok(()));
    let s = &cmp.with;
    assert_eq!(SubnetworkN.get(s, &1), 4);
    assert_eq!(Keys.get(s, &1, &1), acct("Eve_hk"));
    assert_eq!(Uids.try_get(s, &1, &acct("Bob_hk")), None);
    assert!(!IsNetworkMember.get(s, &acct("Bob_hk"), &1));
    assert_eq!(BlockAtRegistration.get(s, &1, &1), cmp.block);
    assert_eq!(LastUpdate.get(s, &1)[1], cmp.block);
    // Weights on the replaced uid become 0; the row is kept.
    assert_eq!(Weights.get(s, &1, &0), vec![(1, 0), (2, u16::MAX)]);
    // Stake is not moved.
    assert_eq!(stake_of(s, "Bob_hk", "Bob", 1), bob_stake);
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::NeuronRegistered(1, 1, acct("Eve_hk"))]
    );
}

#[test]
fn add_and_remove_stake_move_tao_and_alpha_together() {
    let mut c = base();
    let amount = 7 * TAO + 123;
    let cmp = compare(&mut c, "Eve", add_stake("Charlie_hk", 1, amount));
    assert_eq!(cmp.result, Ok(()));
    let (b, s) = (&cmp.base, &cmp.with);
    // Devnet price: 1 alpha per TAO, no fee.
    assert_eq!(free(s, "Eve") + cmp.fee + amount, free(b, "Eve"));
    assert_eq!(stake_of(s, "Charlie_hk", "Eve", 1), amount);
    assert_eq!(
        stake_of(s, "Charlie_hk", "Charlie", 1),
        stake_of(b, "Charlie_hk", "Charlie", 1)
    );
    let hk = acct("Charlie_hk");
    assert_eq!(
        TotalHotkeyAlpha.get(s, &hk, &1),
        TotalHotkeyAlpha.get(b, &hk, &1) + amount
    );
    assert_eq!(
        SubnetAlphaOut.get(s, &1),
        SubnetAlphaOut.get(b, &1) + amount
    );
    assert_eq!(SubnetTAO.get(s, &1), SubnetTAO.get(b, &1) + amount);
    assert_eq!(TotalStake.get(s), TotalStake.get(b) + amount);
    assert!(StakingHotkeys.get(s, &acct("Eve")).contains(&hk));
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::StakeAdded(
            acct("Eve"),
            hk,
            amount,
            amount,
            1,
            0
        )]
    );
    // TAO moved, not created: free balances + staked TAO are unchanged but for the fee.
    assert_eq!(
        balances::total_issuance(s) + TotalStake.get(s) + cmp.fee,
        balances::total_issuance(b) + TotalStake.get(b)
    );

    let part = amount - 1_000;
    let cmp = compare(&mut c, "Eve", remove_stake("Charlie_hk", 1, part));
    assert_eq!(cmp.result, Ok(()));
    let (b, s) = (&cmp.base, &cmp.with);
    assert_eq!(free(s, "Eve") + cmp.fee, free(b, "Eve") + part);
    assert_eq!(stake_of(s, "Charlie_hk", "Eve", 1), amount - part);
    assert_eq!(
        TotalHotkeyAlpha.get(s, &hk, &1) + part,
        TotalHotkeyAlpha.get(b, &hk, &1)
    );
    assert_eq!(SubnetAlphaOut.get(s, &1) + part, SubnetAlphaOut.get(b, &1));
    assert_eq!(SubnetTAO.get(s, &1) + part, SubnetTAO.get(b, &1));
    assert_eq!(TotalStake.get(s) + part, TotalStake.get(b));
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::StakeRemoved(
            acct("Eve"),
            hk,
            part,
            part,
            1,
            0
        )]
    );

    // Removing everything that is left, even below the minimum, is allowed.
    ok(&mut c, "Eve", remove_stake("Charlie_hk", 1, amount - part));
    let s = state(&c);
    assert_eq!(stake_of(&s, "Charlie_hk", "Eve", 1), 0);
    assert!(
        Alpha
            .iter(&s)
            .iter()
            .all(|(h, ck, _, _)| !(*h == hk && *ck == acct("Eve")))
    );

    // Limit orders fill at the fixed price when the limit allows it.
    ok(
        &mut c,
        "Eve",
        st(subtensor::Call::add_stake_limit {
            hotkey: hk,
            netuid: 1,
            amount_staked: 2 * TAO,
            limit_price: TAO,
            allow_partial: false,
        }),
    );
    ok(
        &mut c,
        "Eve",
        st(subtensor::Call::remove_stake_limit {
            hotkey: hk,
            netuid: 1,
            amount_unstaked: TAO,
            limit_price: TAO,
            allow_partial: false,
        }),
    );
    assert_eq!(stake_of(&state(&c), "Charlie_hk", "Eve", 1), TAO);
}

#[test]
fn set_weights_stores_the_row_max_upscaled() {
    let mut c = base();
    let dests = [0u16, 1, 2, 3];
    let weights = [1u16, 2, 3, 7];
    // The owner hotkey needs no permit.
    let cmp = compare(&mut c, "Alice_hk", set_weights(1, &dests, &weights));
    assert_eq!(cmp.result, Ok(()));
    let row = Weights.get(&cmp.with, &1, &0);
    let expected: Vec<(u16, u16)> = dests.iter().copied().zip(upscaled(&weights)).collect();
    assert_eq!(row, expected);
    assert_eq!(row[3].1, u16::MAX);
    let lu = LastUpdate.get(&cmp.with, &1);
    assert_eq!(lu[0], cmp.block);
    assert_eq!(lu[1..], LastUpdate.get(&cmp.base, &1)[1..]);
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::WeightsSet(1, 0)]
    );
    // Above a maximum of 32768, subtensor scales by the truncated 65535 / max: 32767 of 65534
    // is exactly 32767.5 but stored as 32767.
    ok(
        &mut c,
        "Alice_hk",
        set_weights(1, &[1, 2], &[32_767, 65_534]),
    );
    assert_eq!(
        Weights.get(&state(&c), &1, &0),
        vec![(1, 32_767), (2, u16::MAX)]
    );
    assert_eq!(upscaled(&[32_767, 65_534]), vec![32_767, u16::MAX]);
    // A self-weight needs no permit either.
    ok(&mut c, "Dave_hk", set_weights(1, &[3], &[5]));
    assert_eq!(Weights.get(&state(&c), &1, &3), vec![(3, u16::MAX)]);
}

#[test]
fn set_mechanism_weights_works_for_a_permitted_validator() {
    let mut c = base();
    // Epochs every 2 blocks: the next one hands out validator permits by stake.
    ok(
        &mut c,
        "Alice",
        sudo(admin_utils::Call::sudo_set_tempo {
            netuid: 1,
            tempo: 1,
        }),
    );
    seal(&mut c);
    seal(&mut c);
    let permits = ValidatorPermit.get(&state(&c), &1);
    assert!(permits[1], "Bob_hk has the largest stake: {permits:?}");
    let dests = [0u16, 2, 3];
    let weights = [10u16, 600, 40_000];
    let cmp = compare(
        &mut c,
        "Bob_hk",
        st(subtensor::Call::set_mechanism_weights {
            netuid: 1,
            mecid: 0,
            dests: dests.to_vec(),
            weights: weights.to_vec(),
            version_key: 0,
        }),
    );
    assert_eq!(cmp.result, Ok(()));
    let expected: Vec<(u16, u16)> = dests.iter().copied().zip(upscaled(&weights)).collect();
    assert_eq!(Weights.get(&cmp.with, &1, &1), expected);
    assert_eq!(LastUpdate.get(&cmp.with, &1)[1], cmp.block);
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::WeightsSet(1, 1)]
    );
}

#[test]
fn serve_axon_stores_the_endpoint() {
    let mut c = base();
    let ip = u128::from(u32::from_be_bytes([10, 0, 0, 7]));
    let cmp = compare(
        &mut c,
        "Bob_hk",
        st(subtensor::Call::serve_axon {
            netuid: 1,
            version: 3,
            ip,
            port: 8091,
            ip_type: 4,
            protocol: 4,
            placeholder1: 1,
            placeholder2: 2,
        }),
    );
    assert_eq!(cmp.result, Ok(()));
    assert_eq!(
        Axons.try_get(&cmp.with, &1, &acct("Bob_hk")),
        Some(AxonInfo {
            block: cmp.block,
            version: 3,
            ip,
            port: 8091,
            ip_type: 4,
            protocol: 4,
            placeholder1: 1,
            placeholder2: 2,
        })
    );
    assert_eq!(
        subtensor_events(&cmp.events),
        vec![subtensor::Event::AxonServed(1, acct("Bob_hk"))]
    );
    // IPv6, after the serving rate limit.
    ok(
        &mut c,
        "Alice",
        sudo(admin_utils::Call::sudo_set_serving_rate_limit {
            netuid: 1,
            serving_rate_limit: 0,
        }),
    );
    let ip6 = 0x2001_0db8_u128 << 96;
    ok(&mut c, "Bob_hk", axon(1, ip6, 9000, 6));
    let stored = Axons.try_get(&state(&c), &1, &acct("Bob_hk")).unwrap();
    assert_eq!((stored.ip, stored.port, stored.ip_type), (ip6, 9000, 6));
}

// ---------------------------------------------------------------------------------------------
// AdminUtils setters

/// One setter: the call, the storage key it writes, the SCALE value it must write there, and
/// whether the subnet owner may call it (otherwise root only).
struct Setter {
    call: admin_utils::Call,
    key: Vec<u8>,
    value: Vec<u8>,
    owner: bool,
}

/// Every setter of `admin_utils.rs`, in an order in which each is valid on `base()` when
/// applied one after the other.
fn setters() -> Vec<Setter> {
    use admin_utils::Call as A;
    let n = 1u16;
    macro_rules! set {
        ($owner:expr, $call:expr, $item:expr, $v:expr) => {
            Setter {
                call: $call,
                key: $item.key(&n),
                value: $v.encode(),
                owner: $owner,
            }
        };
        (global $call:expr, $item:expr, $v:expr) => {
            Setter {
                call: $call,
                key: $item.key(),
                value: $v.encode(),
                owner: false,
            }
        };
    }
    vec![
        set!(global A::sudo_set_tx_rate_limit { tx_rate_limit: 77 }, TxRateLimit, 77u64),
        set!(
            true,
            A::sudo_set_serving_rate_limit {
                netuid: n,
                serving_rate_limit: 7
            },
            ServingRateLimit,
            7u64
        ),
        set!(
            true,
            A::sudo_set_weights_version_key {
                netuid: n,
                weights_version_key: 5
            },
            WeightsVersionKey,
            5u64
        ),
        set!(
            false,
            A::sudo_set_weights_set_rate_limit {
                netuid: n,
                weights_set_rate_limit: 9
            },
            WeightsSetRateLimit,
            9u64
        ),
        set!(
            false,
            A::sudo_set_adjustment_interval {
                netuid: n,
                adjustment_interval: 50
            },
            AdjustmentInterval,
            50u16
        ),
        set!(
            true,
            A::sudo_set_adjustment_alpha {
                netuid: n,
                adjustment_alpha: 12_345
            },
            AdjustmentAlpha,
            12_345u64
        ),
        set!(
            true,
            A::sudo_set_immunity_period {
                netuid: n,
                immunity_period: 111
            },
            ImmunityPeriod,
            111u16
        ),
        set!(
            true,
            A::sudo_set_min_allowed_weights {
                netuid: n,
                min_allowed_weights: 2
            },
            MinAllowedWeights,
            2u16
        ),
        set!(
            false,
            A::sudo_set_max_allowed_uids {
                netuid: n,
                max_allowed_uids: 300
            },
            MaxAllowedUids,
            300u16
        ),
        set!(
            false,
            A::sudo_set_kappa {
                netuid: n,
                kappa: 30_000
            },
            Kappa,
            30_000u16
        ),
        set!(true, A::sudo_set_rho { netuid: n, rho: 11 }, Rho, 11u16),
        set!(
            true,
            A::sudo_set_activity_cutoff {
                netuid: n,
                activity_cutoff: 400
            },
            ActivityCutoff,
            400u16
        ),
        set!(
            true,
            A::sudo_set_network_pow_registration_allowed {
                netuid: n,
                registration_allowed: false
            },
            NetworkPowRegistrationAllowed,
            false
        ),
        set!(
            false,
            A::sudo_set_target_registrations_per_interval {
                netuid: n,
                target_registrations_per_interval: 5
            },
            TargetRegistrationsPerInterval,
            5u16
        ),
        set!(
            false,
            A::sudo_set_min_burn {
                netuid: n,
                min_burn: 1_000_000
            },
            MinBurn,
            1_000_000u64
        ),
        set!(
            false,
            A::sudo_set_max_burn {
                netuid: n,
                max_burn: 200 * TAO
            },
            MaxBurn,
            200 * TAO
        ),
        set!(
            false,
            A::sudo_set_difficulty {
                netuid: n,
                difficulty: 12_345_678
            },
            Difficulty,
            12_345_678u64
        ),
        set!(
            false,
            A::sudo_set_max_allowed_validators {
                netuid: n,
                max_allowed_validators: 10
            },
            MaxAllowedValidators,
            10u16
        ),
        set!(
            true,
            A::sudo_set_bonds_moving_average {
                netuid: n,
                bonds_moving_average: 950_000
            },
            BondsMovingAverage,
            950_000u64
        ),
        set!(
            false,
            A::sudo_set_max_registrations_per_block {
                netuid: n,
                max_registrations_per_block: 3
            },
            MaxRegistrationsPerBlock,
            3u16
        ),
        set!(global A::sudo_set_subnet_owner_cut { subnet_owner_cut: 5_000 }, SubnetOwnerCut, 5_000u16),
        set!(global A::sudo_set_network_rate_limit { rate_limit: 10 }, NetworkRateLimit, 10u64),
        set!(
            false,
            A::sudo_set_tempo {
                netuid: n,
                tempo: 20
            },
            Tempo,
            20u16
        ),
        set!(global A::sudo_set_network_min_lock_cost { lock_cost: 500 * TAO }, NetworkMinLockCost, 500 * TAO),
        set!(global A::sudo_set_stake_threshold { min_stake: 1_000 }, StakeThreshold, 1_000u64),
        set!(
            true,
            A::sudo_set_commit_reveal_weights_enabled {
                netuid: n,
                enabled: true
            },
            CommitRevealWeightsEnabled,
            true
        ),
        set!(
            true,
            A::sudo_set_liquid_alpha_enabled {
                netuid: n,
                enabled: true
            },
            LiquidAlphaOn,
            true
        ),
        set!(
            true,
            A::sudo_set_alpha_values {
                netuid: n,
                alpha_low: 6_553,
                alpha_high: 19_660
            },
            AlphaValues,
            (6_553u16, 19_660u16)
        ),
        set!(
            true,
            A::sudo_set_bonds_penalty {
                netuid: n,
                bonds_penalty: 100
            },
            BondsPenalty,
            100u16
        ),
        set!(
            false,
            A::sudo_set_subtoken_enabled {
                netuid: n,
                subtoken_enabled: false
            },
            SubtokenEnabled,
            false
        ),
        set!(
            true,
            A::sudo_set_alpha_sigmoid_steepness {
                netuid: n,
                steepness: 500
            },
            AlphaSigmoidSteepness,
            500i16
        ),
        set!(
            true,
            A::sudo_set_yuma3_enabled {
                netuid: n,
                enabled: false
            },
            Yuma3On,
            false
        ),
        set!(
            false,
            A::sudo_set_network_registration_allowed {
                netuid: n,
                registration_allowed: false
            },
            NetworkRegistrationAllowed,
            false
        ),
    ]
}

/// The stored value at `key`, or the item's default when the key is absent.
fn stored_or_default(s: &State, setter: &Setter) -> Option<Vec<u8>> {
    s.get_raw(&setter.key).map(<[u8]>::to_vec)
}

#[test]
fn every_setter_covers_a_distinct_call_of_admin_utils() {
    // Each call index of AdminUtils::Call appears once in the table.
    let indices: BTreeSet<u8> = setters().iter().map(|s| s.call.encode()[0]).collect();
    assert_eq!(indices.len(), setters().len());
    let scale_info::TypeDef::Variant(calls) = admin_utils::Call::type_info().type_def else {
        panic!("AdminUtils::Call is an enum");
    };
    assert_eq!(
        indices.len(),
        calls.variants.len(),
        "update the table when a setter is added"
    );
}

#[test]
fn root_setters_write_their_items() {
    let mut c = base();
    let table = setters();
    for setter in &table {
        assert_ne!(
            stored_or_default(&state(&c), setter).as_deref(),
            Some(&setter.value[..]),
            "{:?} already holds the value",
            setter.call
        );
    }
    let calls: Vec<(&str, RuntimeCall)> = table
        .iter()
        .map(|s| ("Alice", sudo(s.call.clone())))
        .collect();
    ok_all(&mut c, &calls);
    let s = state(&c);
    for setter in &table {
        assert_eq!(
            s.get_raw(&setter.key),
            Some(&setter.value[..]),
            "{:?}",
            setter.call
        );
    }
    assert!(events(&c).iter().any(|e| e.event
        == RuntimeEvent::AdminUtils(admin_utils::Event::Yuma3EnableToggled {
            netuid: 1,
            enabled: false
        })));
}

#[test]
fn owner_setters_write_their_items_and_root_setters_refuse_the_owner() {
    let mut c = base();
    let mut problems = Vec::new();
    for setter in setters() {
        if setter.owner {
            let r = run(&mut c, "Alice", au(setter.call.clone()));
            if r != Ok(()) || state(&c).get_raw(&setter.key) != Some(&setter.value[..]) {
                problems.push(format!("owner {:?}: {r:?}", setter.call));
            }
        } else if let Err(e) = refused(&mut c, "Alice", au(setter.call.clone()), Want::BadOrigin) {
            problems.push(format!("owner {:?}: {e}", setter.call));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn setters_refuse_a_signed_non_owner() {
    let mut c = base();
    let mut problems = Vec::new();
    for setter in setters() {
        if let Err(e) = refused(&mut c, "Bob", au(setter.call.clone()), Want::BadOrigin) {
            problems.push(format!("{:?}: {e}", setter.call));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

// ---------------------------------------------------------------------------------------------
// Refused calls

type Setup = fn(&mut Chain);

fn nothing(_: &mut Chain) {}

fn sudo_ok(c: &mut Chain, call: admin_utils::Call) {
    ok(c, "Alice", sudo(call));
}

struct Case {
    what: &'static str,
    setup: Setup,
    signer: &'static str,
    call: RuntimeCall,
    want: Want,
}

fn case(
    what: &'static str,
    setup: Setup,
    signer: &'static str,
    call: RuntimeCall,
    want: Want,
) -> Case {
    Case {
        what,
        setup,
        signer,
        call,
        want,
    }
}

fn run_cases(cases: Vec<Case>) {
    let mut problems = Vec::new();
    for k in cases {
        let mut c = base();
        (k.setup)(&mut c);
        if let Err(e) = refused(&mut c, k.signer, k.call, k.want) {
            problems.push(format!("{}: {e}", k.what));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn refused_registrations() {
    use subtensor::Call as S;
    run_cases(vec![
        case(
            "register_network: hotkey of another coldkey",
            nothing,
            "Eve",
            st(S::register_network {
                hotkey: acct("Bob_hk"),
            }),
            sub!(NonAssociatedColdKey),
        ),
        case(
            "register_network: lock unaffordable",
            nothing,
            "Poor",
            st(S::register_network {
                hotkey: acct("Stranger_hk"),
            }),
            sub!(CannotAffordLockCost),
        ),
        case(
            "register_network: rate limit",
            |c| {
                ok(
                    c,
                    "Bob",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Bob_hk"),
                    }),
                );
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_network_rate_limit { rate_limit: 100 },
                );
            },
            "Charlie",
            st(S::register_network {
                hotkey: acct("Charlie_hk"),
            }),
            sub!(NetworkTxRateLimitExceeded),
        ),
        case(
            "register_network: subnet limit",
            |c| {
                c.mutate_best_state(|ctx| SubnetLimit.put(ctx.state, &2));
            },
            "Bob",
            st(S::register_network {
                hotkey: acct("Bob_hk"),
            }),
            sub!(SubnetLimitReached),
        ),
        case(
            "start_call: unknown netuid",
            nothing,
            "Alice",
            st(S::start_call { netuid: 9 }),
            sub!(SubnetNotExists),
        ),
        case(
            "start_call: not the owner",
            |c| {
                ok(
                    c,
                    "Bob",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Bob_hk"),
                    }),
                )
            },
            "Alice",
            st(S::start_call { netuid: 2 }),
            Want::BadOrigin,
        ),
        case(
            "start_call: twice",
            nothing,
            "Alice",
            st(S::start_call { netuid: 1 }),
            sub!(FirstEmissionBlockNumberAlreadySet),
        ),
        case(
            "burned_register: root",
            nothing,
            "Eve",
            register(0, "Eve_hk"),
            sub!(RegistrationNotPermittedOnRootSubnet),
        ),
        case(
            "burned_register: unknown netuid",
            nothing,
            "Eve",
            register(9, "Eve_hk"),
            sub!(SubnetNotExists),
        ),
        case(
            "burned_register: registration disabled",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_network_registration_allowed {
                        netuid: 1,
                        registration_allowed: false,
                    },
                )
            },
            "Eve",
            register(1, "Eve_hk"),
            sub!(SubNetRegistrationDisabled),
        ),
        case(
            "burned_register: already registered",
            nothing,
            "Bob",
            register(1, "Bob_hk"),
            sub!(HotKeyAlreadyRegisteredInSubNet),
        ),
        case(
            "burned_register: cannot pay the burn",
            nothing,
            "Poor",
            register(1, "Stranger_hk"),
            sub!(NotEnoughBalanceToStake),
        ),
        case(
            "burned_register: hotkey registered by another coldkey",
            nothing,
            "Eve",
            st(S::burned_register {
                netuid: 1,
                hotkey: acct("Bob_hk"),
            }),
            sub!(HotKeyAlreadyRegisteredInSubNet),
        ),
        case(
            "burned_register: hotkey paired with another coldkey",
            |c| {
                ok(
                    c,
                    "Bob",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Eve_hk"),
                    }),
                );
            },
            "Eve",
            register(1, "Eve_hk"),
            sub!(NonAssociatedColdKey),
        ),
        case(
            "burned_register: full of owner-immune uids",
            |c| {
                ok(
                    c,
                    "Alice",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Alice_hk"),
                    }),
                );
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_max_allowed_validators {
                        netuid: 2,
                        max_allowed_validators: 1,
                    },
                );
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_max_allowed_uids {
                        netuid: 2,
                        max_allowed_uids: 1,
                    },
                );
            },
            "Eve",
            register(2, "Eve_hk"),
            sub!(NoNeuronIdAvailable),
        ),
    ]);
}

#[test]
fn refused_stake_moves() {
    use subtensor::Call as S;
    let limit = |hk: &str, amount: u64, limit_price: u64, allow_partial: bool| {
        st(S::add_stake_limit {
            hotkey: acct(hk),
            netuid: 1,
            amount_staked: amount,
            limit_price,
            allow_partial,
        })
    };
    let unlimit = |hk: &str, amount: u64, limit_price: u64, allow_partial: bool| {
        st(S::remove_stake_limit {
            hotkey: acct(hk),
            netuid: 1,
            amount_unstaked: amount,
            limit_price,
            allow_partial,
        })
    };
    run_cases(vec![
        case(
            "add_stake: unknown netuid",
            nothing,
            "Bob",
            add_stake("Bob_hk", 9, TAO),
            sub!(SubnetNotExists),
        ),
        case(
            "add_stake: subnet not started",
            |c| {
                ok(
                    c,
                    "Bob",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Eve_hk"),
                    }),
                )
            },
            "Bob",
            add_stake("Eve_hk", 2, TAO),
            sub!(SubtokenDisabled),
        ),
        case(
            "add_stake: below the minimum",
            nothing,
            "Bob",
            add_stake("Bob_hk", 1, 1_999_999),
            sub!(AmountTooLow),
        ),
        case(
            "add_stake: balance short",
            nothing,
            "Dave",
            add_stake("Dave_hk", 1, 5_000 * TAO),
            sub!(NotEnoughBalanceToStake),
        ),
        case(
            "add_stake: unknown hotkey",
            nothing,
            "Bob",
            add_stake("Stranger_hk", 1, TAO),
            sub!(HotKeyAccountNotExists),
        ),
        case(
            "add_stake_limit: price above limit",
            nothing,
            "Bob",
            limit("Bob_hk", TAO, TAO - 1, false),
            sub!(SlippageTooHigh),
        ),
        case(
            "add_stake_limit: partial fill of nothing",
            nothing,
            "Bob",
            limit("Bob_hk", TAO, TAO - 1, true),
            sub!(ZeroMaxStakeAmount),
        ),
        case(
            "remove_stake: unknown netuid",
            nothing,
            "Bob",
            remove_stake("Bob_hk", 9, TAO),
            sub!(SubnetNotExists),
        ),
        case(
            "remove_stake: subnet not started",
            |c| {
                ok(
                    c,
                    "Bob",
                    st(subtensor::Call::register_network {
                        hotkey: acct("Eve_hk"),
                    }),
                )
            },
            "Bob",
            remove_stake("Eve_hk", 2, TAO),
            sub!(SubtokenDisabled),
        ),
        case(
            "remove_stake: zero",
            nothing,
            "Bob",
            remove_stake("Bob_hk", 1, 0),
            sub!(AmountTooLow),
        ),
        case(
            "remove_stake: unknown hotkey",
            nothing,
            "Bob",
            remove_stake("Stranger_hk", 1, TAO),
            sub!(HotKeyAccountNotExists),
        ),
        case(
            "remove_stake: more than staked",
            nothing,
            "Bob",
            remove_stake("Bob_hk", 1, 100 * TAO + 1),
            sub!(NotEnoughStakeToWithdraw),
        ),
        case(
            "remove_stake: nothing staked by this coldkey",
            nothing,
            "Eve",
            remove_stake("Bob_hk", 1, TAO),
            sub!(NotEnoughStakeToWithdraw),
        ),
        case(
            "remove_stake: the subnet's pool holds too little TAO",
            |c| {
                c.mutate_best_state(|ctx| {
                    // One block's emission (1 TAO) enters the pool before the call.
                    subtensor::items::SubnetTAO.put(ctx.state, &1, &0);
                });
            },
            "Bob",
            remove_stake("Bob_hk", 1, 50 * TAO),
            sub!(InsufficientLiquidity),
        ),
        case(
            "remove_stake: partial below the minimum",
            nothing,
            "Bob",
            remove_stake("Bob_hk", 1, 1_999_999),
            sub!(AmountTooLow),
        ),
        case(
            "remove_stake_limit: price below limit",
            nothing,
            "Bob",
            unlimit("Bob_hk", TAO, TAO + 1, false),
            sub!(SlippageTooHigh),
        ),
        case(
            "remove_stake_limit: partial fill of nothing",
            nothing,
            "Bob",
            unlimit("Bob_hk", TAO, TAO + 1, true),
            sub!(ZeroMaxStakeAmount),
        ),
    ]);
}

#[test]
fn refused_weights() {
    use subtensor::Call as S;
    let mech = |mecid: u8| {
        st(S::set_mechanism_weights {
            netuid: 1,
            mecid,
            dests: vec![1],
            weights: vec![1],
            version_key: 0,
        })
    };
    run_cases(vec![
        case(
            "set_weights: commit-reveal on",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_commit_reveal_weights_enabled {
                        netuid: 1,
                        enabled: true,
                    },
                )
            },
            "Alice_hk",
            set_weights(1, &[1], &[1]),
            sub!(CommitRevealEnabled),
        ),
        // Commit-reveal defaults to on, so an unknown subnet reports it first (as in subtensor).
        case(
            "set_weights: unknown netuid",
            nothing,
            "Alice_hk",
            set_weights(9, &[1], &[1]),
            sub!(CommitRevealEnabled),
        ),
        case(
            "set_weights: root",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_commit_reveal_weights_enabled {
                        netuid: 0,
                        enabled: false,
                    },
                )
            },
            "Alice_hk",
            set_weights(0, &[0], &[1]),
            sub!(CanNotSetRootNetworkWeights),
        ),
        case(
            "set_weights: lengths differ",
            nothing,
            "Alice_hk",
            set_weights(1, &[1, 2], &[1]),
            sub!(WeightVecNotEqualSize),
        ),
        case(
            "set_mechanism_weights: unknown mechanism",
            nothing,
            "Alice_hk",
            mech(1),
            sub!(MechanismDoesNotExist),
        ),
        case(
            "set_weights: more uids than the subnet",
            nothing,
            "Alice_hk",
            set_weights(1, &[0, 1, 2, 3, 4], &[1, 1, 1, 1, 1]),
            sub!(UidsLengthExceedUidsInSubNet),
        ),
        case(
            "set_weights: unregistered hotkey",
            nothing,
            "Eve_hk",
            set_weights(1, &[1], &[1]),
            sub!(HotKeyNotRegisteredInSubNet),
        ),
        case(
            "set_weights: stake below threshold",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_stake_threshold {
                        min_stake: 1_000 * TAO,
                    },
                )
            },
            "Bob_hk",
            set_weights(1, &[1], &[1]),
            sub!(NotEnoughStakeToSetWeights),
        ),
        case(
            "set_weights: version key too low",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_weights_version_key {
                        netuid: 1,
                        weights_version_key: 7,
                    },
                )
            },
            "Alice_hk",
            set_weights(1, &[1], &[1]),
            sub!(IncorrectWeightVersionKey),
        ),
        case(
            "set_weights: too soon",
            |c| {
                sudo_ok(
                    c,
                    admin_utils::Call::sudo_set_weights_set_rate_limit {
                        netuid: 1,
                        weights_set_rate_limit: 5,
                    },
                );
                ok(c, "Alice_hk", set_weights(1, &[1], &[1]));
            },
            "Alice_hk",
            set_weights(1, &[2], &[1]),
            sub!(SettingWeightsTooFast),
        ),
        case(
            "set_weights: no validator permit",
            nothing,
            "Bob_hk",
            set_weights(1, &[2], &[1]),
            sub!(NeuronNoValidatorPermit),
        ),
        case(
            "set_weights: duplicate uids",
            nothing,
            "Alice_hk",
            set_weights(1, &[1, 1], &[1, 2]),
            sub!(DuplicateUids),
        ),
        case(
            "set_weights: uid out of range",
            nothing,
            "Alice_hk",
            set_weights(1, &[1, 4], &[1, 2]),
            sub!(UidVecContainInvalidOne),
        ),
        case(
            "set_weights: too few weights",
            |c| {
                ok(
                    c,
                    "Alice",
                    au(admin_utils::Call::sudo_set_min_allowed_weights {
                        netuid: 1,
                        min_allowed_weights: 3,
                    }),
                )
            },
            "Alice_hk",
            set_weights(1, &[1, 2], &[1, 2]),
            sub!(WeightVecLengthIsLow),
        ),
        case(
            "serve_axon: not registered",
            nothing,
            "Eve_hk",
            axon(1, 1, 8091, 4),
            sub!(HotKeyNotRegisteredInNetwork),
        ),
        case(
            "serve_axon: unknown netuid",
            nothing,
            "Bob_hk",
            axon(9, 1, 8091, 4),
            sub!(HotKeyNotRegisteredInNetwork),
        ),
        case(
            "serve_axon: ip type",
            nothing,
            "Bob_hk",
            axon(1, 1, 8091, 5),
            sub!(InvalidIpType),
        ),
        case(
            "serve_axon: ipv4 out of range",
            nothing,
            "Bob_hk",
            axon(1, u128::from(u32::MAX), 8091, 4),
            sub!(InvalidIpAddress),
        ),
        case(
            "serve_axon: ipv6 all ones",
            nothing,
            "Bob_hk",
            axon(1, u128::MAX, 8091, 6),
            sub!(InvalidIpAddress),
        ),
        case(
            "serve_axon: port 0",
            nothing,
            "Bob_hk",
            axon(1, 1, 0, 4),
            sub!(InvalidPort),
        ),
        case(
            "serve_axon: rate limit",
            |c| ok(c, "Bob_hk", axon(1, 1, 8091, 4)),
            "Bob_hk",
            axon(1, 2, 8092, 4),
            sub!(ServingRateLimitExceeded),
        ),
    ]);
}

#[test]
fn refused_admin_values() {
    use admin_utils::Call as A;
    let liquid_on: Setup = |c| {
        sudo_ok(
            c,
            A::sudo_set_liquid_alpha_enabled {
                netuid: 1,
                enabled: true,
            },
        )
    };
    run_cases(vec![
        case(
            "unknown netuid",
            nothing,
            "Alice",
            sudo(A::sudo_set_tempo {
                netuid: 9,
                tempo: 5,
            }),
            admin!(SubnetDoesNotExist),
        ),
        case(
            "owner of an unknown netuid",
            nothing,
            "Alice",
            au(A::sudo_set_rho { netuid: 9, rho: 5 }),
            Want::BadOrigin,
        ),
        case(
            "max uids below current uids",
            nothing,
            "Alice",
            sudo(A::sudo_set_max_allowed_uids {
                netuid: 1,
                max_allowed_uids: 3,
            }),
            admin!(MaxAllowedUIdsLessThanCurrentUIds),
        ),
        case(
            "max uids below max validators",
            nothing,
            "Alice",
            sudo(A::sudo_set_max_allowed_uids {
                netuid: 1,
                max_allowed_uids: 63,
            }),
            admin!(MaxValidatorsLargerThanMaxUIds),
        ),
        case(
            "max validators above max uids",
            nothing,
            "Alice",
            sudo(A::sudo_set_max_allowed_validators {
                netuid: 1,
                max_allowed_validators: 257,
            }),
            admin!(MaxValidatorsLargerThanMaxUIds),
        ),
        case(
            "owner bonds moving average above the owner limit",
            nothing,
            "Alice",
            au(A::sudo_set_bonds_moving_average {
                netuid: 1,
                bonds_moving_average: 975_001,
            }),
            admin!(BondsMovingAverageMaxReached),
        ),
        case(
            "owner negative sigmoid steepness",
            nothing,
            "Alice",
            au(A::sudo_set_alpha_sigmoid_steepness {
                netuid: 1,
                steepness: -1,
            }),
            admin!(NegativeSigmoidSteepness),
        ),
        case(
            "activity cutoff below the minimum",
            nothing,
            "Alice",
            sudo(A::sudo_set_activity_cutoff {
                netuid: 1,
                activity_cutoff: 359,
            }),
            sub!(ActivityCutoffTooLow),
        ),
        case(
            "alpha values with liquid alpha off",
            nothing,
            "Alice",
            sudo(A::sudo_set_alpha_values {
                netuid: 1,
                alpha_low: 2_000,
                alpha_high: 60_000,
            }),
            sub!(LiquidAlphaDisabled),
        ),
        case(
            "alpha high too low",
            liquid_on,
            "Alice",
            sudo(A::sudo_set_alpha_values {
                netuid: 1,
                alpha_low: 100,
                alpha_high: 1_637,
            }),
            sub!(AlphaHighTooLow),
        ),
        // Spec §2.5: both bounds at least 1638 (= 65535/40), low not above high.
        case(
            "alpha low below 1638",
            liquid_on,
            "Alice",
            sudo(A::sudo_set_alpha_values {
                netuid: 1,
                alpha_low: 1_637,
                alpha_high: 60_000,
            }),
            sub!(AlphaLowOutOfRange),
        ),
        case(
            "alpha low above high",
            liquid_on,
            "Alice",
            sudo(A::sudo_set_alpha_values {
                netuid: 1,
                alpha_low: 60_001,
                alpha_high: 60_000,
            }),
            sub!(AlphaLowOutOfRange),
        ),
        case(
            "min burn above max burn",
            nothing,
            "Alice",
            sudo(A::sudo_set_min_burn {
                netuid: 1,
                min_burn: 100 * TAO + 1,
            }),
            admin!(ValueNotInBounds),
        ),
        case(
            "max burn below min burn",
            nothing,
            "Alice",
            sudo(A::sudo_set_max_burn {
                netuid: 1,
                max_burn: 499_999,
            }),
            admin!(ValueNotInBounds),
        ),
    ]);
}

#[test]
fn refused_calls_cover_every_error_the_pallet_returns() {
    // Every `Error::X` named in the pallet's sources must be exercised by one of the tables
    // above (read back from this file, so a new error path cannot go untested unnoticed).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/runtime/pallets");
    let mut used = BTreeSet::new();
    for file in [
        "subtensor/registration.rs",
        "subtensor/staking.rs",
        "subtensor/weights.rs",
        "subtensor/mod.rs",
        "admin_utils.rs",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        for part in text.split("Error::").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            // `DispatchError::BadOrigin` is checked as `Want::BadOrigin`.
            if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && name != "BadOrigin" {
                used.insert(name);
            }
        }
    }
    let this = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/subtensor_calls.rs"
    ))
    .unwrap();
    let missing: Vec<&String> = used
        .iter()
        .filter(|name| {
            !this.contains(&format!("sub!({name})")) && !this.contains(&format!("admin!({name})"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "error paths without a test: {missing:?}"
    );
}
