//! Emission and epochs of seeded random subnets, built and driven by real extrinsics, checked
//! block by block against independent computations:
//!
//! - the block emission is the consensus crate's `block_emission` of the issuance the chain held
//!   before the block, and TAO is conserved: free balances + staked TAO grow by exactly the
//!   emission less fees and registration burns;
//! - each block's alpha goes to the pending pools as `split_alpha_out` divides it, and
//!   `SubnetAlphaOut` always equals the alpha staked on the subnet plus the pending pools;
//! - at each epoch block (legacy schedule, see [`is_epoch`]), the results
//!   the chain stores equal `run_epoch` on the input the chain held (the parent state plus this
//!   block's emission), and each hotkey's stake grows by its share under the distribution rule
//!   (incentive to miners except the owner's, the validator pool pro rata to validator emission,
//!   the owner cut to the owner hotkey).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::chain::{Chain, SealOutcome};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{AccountId32, DispatchError};
use localtensor_chain::runtime::pallets::subtensor::epoch;
use localtensor_chain::runtime::pallets::subtensor::items::*;
use localtensor_chain::runtime::pallets::{
    admin_utils, balances, subtensor, sudo, system, transaction_payment,
};
use localtensor_chain::runtime::{EventRecord, Phase, RuntimeCall, RuntimeEvent};
use localtensor_chain::state::State;
use localtensor_consensus::{EpochResult, block_emission, run_epoch, split_alpha_out};
use std::collections::{BTreeMap, HashMap};
use substrate_fixed::types::U96F32;

const NETUID: u16 = 1;
/// Coldkeys (and their hotkeys) available to a scenario.
const ACCOUNTS: usize = 16;
/// Fresh coldkeys used for registrations while blocks are mined.
const LATE: usize = 8;

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn cold(i: usize) -> String {
    format!("cold{i}")
}

fn hot(i: usize) -> String {
    format!("hot{i}")
}

fn late(i: usize) -> String {
    format!("late{i}")
}

struct Keys {
    ids: HashMap<String, AccountId32>,
    pairs: HashMap<String, schnorrkel::Keypair>,
}

impl Keys {
    fn new() -> Keys {
        let mut k = Keys {
            ids: HashMap::new(),
            pairs: HashMap::new(),
        };
        let mut names = vec![
            "Alice".to_string(),
            "Bob".into(),
            "Charlie".into(),
            "Alice_hk".into(),
            "own_hk".into(),
        ];
        for i in 0..ACCOUNTS {
            names.push(cold(i));
            names.push(hot(i));
        }
        for i in 0..LATE {
            names.push(late(i));
            names.push(format!("late_hk{i}"));
        }
        for name in names {
            let pair = dev_keypair(&name).unwrap();
            k.ids.insert(name.clone(), dev_account(&name).unwrap());
            k.pairs.insert(name, pair);
        }
        k
    }

    fn id(&self, name: &str) -> AccountId32 {
        self.ids[name]
    }
}

fn genesis(keys: &Keys) -> GenesisConfig {
    let mut g = GenesisConfig::dev().unwrap();
    for i in 0..ACCOUNTS {
        g.balances.push((keys.id(&cold(i)), 5_000 * TAO));
        g.balances.push((keys.id(&hot(i)), 10 * TAO));
    }
    for i in 0..LATE {
        g.balances.push((keys.id(&late(i)), 500 * TAO));
    }
    g.balances.push((keys.id("Alice_hk"), 10 * TAO));
    g.balances.push((keys.id("own_hk"), 10 * TAO));
    g
}

fn st(call: subtensor::Call) -> RuntimeCall {
    RuntimeCall::SubtensorModule(call)
}

fn sudo(call: admin_utils::Call) -> RuntimeCall {
    RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(RuntimeCall::AdminUtils(call)),
    })
}

/// Totals the checks accumulate over a run, to make sure the run exercised something.
#[derive(Default, Debug)]
struct Tally {
    epochs: u32,
    epochs_with_emission: u32,
    incentive_paid: u64,
    dividends_paid: u64,
    owner_incentive_burned: u64,
    weights_set: u32,
    registrations_during_emission: u32,
    /// Registrations that replaced a pruned neuron.
    replacements: u32,
    /// Registrations refused because no neuron could be pruned.
    full_refusals: u32,
    emitted: u64,
    fees: u64,
    burns: u64,
    /// `Balances.TotalIssuance + TotalStake` when the tally started.
    start_supply: Option<u64>,
    start_total_issuance: Option<u64>,
}

fn supply(s: &State) -> u64 {
    balances::total_issuance(s) + TotalStake.get(s)
}

fn result_of(evs: &[EventRecord], index: u32) -> (Result<(), DispatchError>, u64) {
    let mut result = None;
    let mut inner = None;
    let mut fee = 0;
    for e in evs
        .iter()
        .filter(|e| e.phase == Phase::ApplyExtrinsic(index))
    {
        match &e.event {
            RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. }) => result = Some(Ok(())),
            RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                result = Some(Err(*dispatch_error));
            }
            RuntimeEvent::Sudo(sudo::Event::Sudid { sudo_result }) => inner = Some(*sudo_result),
            RuntimeEvent::TransactionPayment(transaction_payment::Event::TransactionFeePaid {
                actual_fee,
                ..
            }) => fee = *actual_fee,
            _ => {}
        }
    }
    let result = match (result.expect("extrinsic in block"), inner) {
        (Ok(()), Some(inner)) => inner,
        (outer, _) => outer,
    };
    (result, fee)
}

fn is_registration(call: &RuntimeCall) -> bool {
    matches!(
        call,
        RuntimeCall::SubtensorModule(
            subtensor::Call::burned_register { .. } | subtensor::Call::register { .. }
        )
    )
}

/// Alpha staked on the subnet, summed over every (hotkey, coldkey).
fn staked_alpha(s: &State) -> u64 {
    Alpha
        .iter(s)
        .into_iter()
        .filter(|(_, _, netuid, _)| *netuid == NETUID)
        .map(|(_, _, _, shares)| shares.to_int())
        .sum()
}

fn pending(s: &State) -> u64 {
    PendingServerEmission.get(s, &NETUID)
        + PendingValidatorEmission.get(s, &NETUID)
        + PendingOwnerCut.get(s, &NETUID)
        + PendingRootAlphaDivs.get(s, &NETUID)
}

fn emits(s: &State, block: u64) -> bool {
    NetworksAdded.get(s, &NETUID)
        && FirstEmissionBlockNumber
            .try_get(s, &NETUID)
            .is_some_and(|first| block >= first)
        && SubtokenEnabled.get(s, &NETUID)
        && NetworkRegistrationAllowed.get(s, &NETUID)
}

/// Seals one block with `txs` and checks it against its parent. Returns each call's result.
fn step(
    c: &mut Chain,
    keys: &Keys,
    txs: &[(String, RuntimeCall)],
    tally: &mut Tally,
) -> Vec<Result<(), DispatchError>> {
    let parent = c.state_at(None).unwrap();
    let block = u64::from(c.best_number()) + 1;
    let mut encoded = Vec::new();
    for (signer, call) in txs {
        let who = keys.id(signer);
        let tx = sign(
            call,
            &keys.pairs[signer],
            &SigningParams::immortal(c.genesis_hash(), c.next_nonce(&who)),
        );
        c.submit(&tx, None).unwrap();
        encoded.push(tx);
    }
    c.seal(&mut SealOutcome::default());
    let s = c.state_at(None).unwrap();
    let evs: Vec<EventRecord> = s.get(&system::events_key()).unwrap();
    let included = &c.best().extrinsics;
    let mut results = Vec::new();
    let mut fees = 0;
    let mut burns = 0;
    for ((signer, call), tx) in txs.iter().zip(&encoded) {
        let index = included.iter().position(|e| e == tx).expect("included") as u32;
        let (result, fee) = result_of(&evs, index);
        fees += fee;
        if is_registration(call) && result.is_ok() {
            // Registering coldkeys do nothing else in the block: their balance drop less the
            // fee is the burn.
            let who = keys.id(signer);
            let before = system::account(&parent, &who).data.free;
            let after = system::account(&s, &who).data.free;
            burns += before - after - fee;
        }
        results.push(result);
    }
    let registered = txs
        .iter()
        .zip(&results)
        .filter(|((_, call), r)| is_registration(call) && r.is_ok())
        .count() as u32;
    if registered > 0 {
        let grown = u32::from(SubnetworkN.get(&s, &NETUID) - SubnetworkN.get(&parent, &NETUID));
        tally.replacements += registered - grown;
    }
    check_block(&parent, &s, block, fees, burns, tally);
    results
}

fn check_block(p: &State, s: &State, block: u64, fees: u64, burns: u64, tally: &mut Tally) {
    // TAO: the emission is computed from the issuance before the block, then minted.
    let issuance_before = supply(p);
    let emission = block_emission(issuance_before);
    assert_eq!(BlockEmission.get(s), emission, "block {block}");
    let emitting = emits(p, block);
    let minted = if emitting { emission } else { 0 };
    assert_eq!(
        TotalIssuance.get(s),
        issuance_before + minted,
        "TotalIssuance at block {block}"
    );
    assert_eq!(
        supply(s) + fees + burns,
        supply(p) + minted,
        "TAO conservation at block {block}"
    );
    tally.start_supply.get_or_insert(supply(p));
    tally
        .start_total_issuance
        .get_or_insert(TotalIssuance.get(p));
    // SubtensorModule.TotalIssuance is taken at the start of a block: it has grown by every
    // emission so far, less the fees and burns of the blocks before this one.
    tally.emitted += minted;
    assert_eq!(
        i128::from(TotalIssuance.get(s)) - i128::from(tally.start_total_issuance.unwrap()),
        i128::from(tally.emitted) - i128::from(tally.fees) - i128::from(tally.burns),
        "Σ BlockEmission vs TotalIssuance growth at block {block}"
    );
    tally.fees += fees;
    tally.burns += burns;
    assert_eq!(
        supply(s),
        tally.start_supply.unwrap() + tally.emitted - tally.fees - tally.burns,
        "cumulative supply at block {block}"
    );

    if !NetworksAdded.get(p, &NETUID) {
        return;
    }
    // Alpha: this block's emission, split into the pools.
    let split = if emitting {
        let alpha_issuance = SubnetAlphaIn.get(p, &NETUID) + SubnetAlphaOut.get(p, &NETUID);
        split_alpha_out(
            U96F32::saturating_from_num(block_emission(alpha_issuance)),
            Some(SubnetOwnerCut.get(p)),
            U96F32::saturating_from_num(0),
        )
    } else {
        split_alpha_out(
            U96F32::saturating_from_num(0),
            Some(0),
            U96F32::saturating_from_num(0),
        )
    };
    let server = PendingServerEmission.get(p, &NETUID) + split.server;
    let validator = PendingValidatorEmission.get(p, &NETUID) + split.validator;
    let owner_cut = PendingOwnerCut.get(p, &NETUID) + split.owner_cut;

    let tempo = u64::from(Tempo.get(p, &NETUID));
    let epoch_now = is_epoch(tempo, block);
    if epoch_now {
        assert_eq!(LastMechansimStepBlock.get(s, &NETUID), block);
        assert_eq!(pending(s), 0, "pools drained at block {block}");
        check_epoch(p, s, block, server, validator, owner_cut, tally);
    } else {
        assert_eq!(
            LastMechansimStepBlock.get(s, &NETUID),
            LastMechansimStepBlock.get(p, &NETUID),
            "no epoch at block {block} (tempo {tempo})"
        );
        assert_eq!(PendingServerEmission.get(s, &NETUID), server);
        assert_eq!(PendingValidatorEmission.get(s, &NETUID), validator);
        assert_eq!(PendingOwnerCut.get(s, &NETUID), owner_cut);
    }
    assert_eq!(
        SubnetAlphaOut.get(s, &NETUID),
        staked_alpha(s) + pending(s),
        "alpha out = stake + pending at block {block}"
    );
}

/// Subtensor's legacy schedule: `blocks_until_next_epoch = tempo − (block + netuid + 1) mod
/// (tempo + 1)`, and the epoch runs when it is 0 (netuid 1, tempo 100: blocks 98, 199, 300, …;
/// the spec's "`mod == 0`" and its example 359, 720 are off by one against this formula).
fn is_epoch(tempo: u64, block: u64) -> bool {
    epoch_due(NETUID, tempo, block)
}

fn hotkey_alpha(s: &State, hk: &AccountId32) -> u64 {
    TotalHotkeyAlpha.get(s, hk, &NETUID)
}

fn check_epoch(
    p: &State,
    s: &State,
    block: u64,
    server: u64,
    validator: u64,
    owner_cut: u64,
    tally: &mut Tally,
) {
    let total = server + validator;
    // The engine's input as the chain held it at the epoch: the parent state (nothing the
    // epoch reads changes before it in the block step) and the pools after this block's
    // emission.
    let case = epoch::case(p, NETUID, block, total);
    let n = SubnetworkN.get(p, &NETUID);
    assert_eq!(case.neurons.len(), usize::from(n));
    assert_eq!(case.block, block);
    assert_eq!(case.emission, total);
    let result: EpochResult = run_epoch(&case);
    tally.epochs += 1;
    if total > 0 {
        tally.epochs_with_emission += 1;
    }

    // Stored results (the block registers nobody at an epoch, so vectors keep their length).
    let col = |f: fn(&localtensor_consensus::NeuronResult) -> u16| -> Vec<u16> {
        result.neurons.iter().map(f).collect()
    };
    assert_eq!(
        Incentive.get(s, &NETUID),
        col(|r| r.incentive),
        "Incentive @{block}"
    );
    assert_eq!(
        Dividends.get(s, &NETUID),
        col(|r| r.dividends),
        "Dividends @{block}"
    );
    assert_eq!(
        Consensus.get(s, &NETUID),
        col(|r| r.consensus),
        "Consensus @{block}"
    );
    assert_eq!(
        ValidatorTrust.get(s, &NETUID),
        col(|r| r.validator_trust),
        "ValidatorTrust @{block}"
    );
    assert_eq!(
        StakeWeight.get(s, &NETUID),
        col(|r| r.stake_weight),
        "StakeWeight @{block}"
    );
    assert_eq!(
        Emission.get(s, &NETUID),
        result
            .neurons
            .iter()
            .map(|r| r.emission)
            .collect::<Vec<u64>>(),
        "Emission @{block}"
    );
    assert_eq!(
        ValidatorPermit.get(s, &NETUID),
        result
            .neurons
            .iter()
            .map(|r| r.validator_permit)
            .collect::<Vec<bool>>(),
        "ValidatorPermit @{block}"
    );
    assert_eq!(
        Active.get(s, &NETUID),
        result
            .neurons
            .iter()
            .map(|r| r.active)
            .collect::<Vec<bool>>(),
        "Active @{block}"
    );
    for r in &result.neurons {
        assert_eq!(
            Bonds.get(s, &NETUID, &r.uid),
            r.bonds,
            "Bonds[{}] @{block}",
            r.uid
        );
    }

    // Distribution (spec §5.8, devnet form).
    let owner_hot = SubnetOwnerHotkey.get(p, &NETUID);
    let owner_cold = SubnetOwner.get(p, &NETUID);
    let server_sum: u64 = result.neurons.iter().map(|r| r.server_emission).sum();
    let validator_pool = if server_sum != 0 { validator } else { total };
    let vsum: u128 = result
        .neurons
        .iter()
        .map(|r| u128::from(r.validator_emission))
        .sum();
    let mut expected: BTreeMap<AccountId32, u64> = BTreeMap::new();
    for r in &result.neurons {
        let hk = Keys.get(p, &NETUID, &r.uid);
        let owned_by_owner = hk == owner_hot || Owner.try_get(p, &hk) == Some(owner_cold);
        let incentive = if owned_by_owner {
            tally.owner_incentive_burned += r.server_emission;
            0
        } else {
            r.server_emission
        };
        // The validator pool pro rata to validator emission; nothing when no validator earned.
        let dividend = (u128::from(validator_pool) * u128::from(r.validator_emission))
            .checked_div(vsum)
            .map_or(0, |d| d as u64);
        tally.incentive_paid += incentive;
        tally.dividends_paid += dividend;
        assert_eq!(
            AlphaDividendsPerSubnet.get(s, &NETUID, &hk),
            dividend,
            "AlphaDividendsPerSubnet[{}] @{block}",
            r.uid
        );
        *expected.entry(hk).or_default() += incentive + dividend;
    }
    *expected.entry(owner_hot).or_default() += owner_cut;
    for (hk, gain) in &expected {
        assert_eq!(
            hotkey_alpha(s, hk) - hotkey_alpha(p, hk),
            *gain,
            "stake gained by {hk:?} @{block}"
        );
        // Paid to the hotkey's own coldkey.
        let ck = Owner.get(p, hk);
        assert_eq!(
            Alpha.get(s, hk, &ck, &NETUID).to_int() - Alpha.get(p, hk, &ck, &NETUID).to_int(),
            *gain
        );
    }
}

/// Whether a registration at `block` must find no uid (spec §6.2): the subnet is full, and
/// apart from the oldest owner-coldkey uid (`ImmuneOwnerUidsLimit` = 1) there are at most
/// `MinNonImmuneUids` (10) non-immune uids and no immune one.
fn nothing_to_prune(p: &State, block: u64) -> bool {
    let n = SubnetworkN.get(p, &NETUID);
    if n < MaxAllowedUids.get(p, &NETUID) {
        return false;
    }
    let owner_cold = SubnetOwner.get(p, &NETUID);
    let owner_hot = SubnetOwnerHotkey.get(p, &NETUID);
    let oldest_owner = (0..n)
        .filter(|uid| {
            let hk = Keys.get(p, &NETUID, uid);
            hk == owner_hot || Owner.try_get(p, &hk) == Some(owner_cold)
        })
        .min_by_key(|uid| (BlockAtRegistration.get(p, &NETUID, uid), *uid));
    let immunity = u64::from(ImmunityPeriod.get(p, &NETUID));
    let (mut immune, mut mortal) = (0, 0);
    for uid in (0..n).filter(|uid| Some(*uid) != oldest_owner) {
        if block - BlockAtRegistration.get(p, &NETUID, &uid) < immunity {
            immune += 1;
        } else {
            mortal += 1;
        }
    }
    immune == 0 && mortal <= 10
}

/// One seeded scenario.
fn scenario(seed: u64) -> Tally {
    let mut rng = Rng(seed);
    let keys = Keys::new();
    let mut c = Chain::new(genesis(&keys));
    let mut tally = Tally::default();
    let neurons = rng.range(4, 12) as usize;
    let tempo = rng.range(5, 10) as u16;
    let epochs = 6;

    let a = |call| ("Alice".to_string(), call);
    let run = |c: &mut Chain, txs: Vec<(String, RuntimeCall)>, tally: &mut Tally| {
        let results = step(c, &keys, &txs, tally);
        for (r, (who, call)) in results.iter().zip(&txs) {
            assert_eq!(*r, Ok(()), "seed {seed}: {who}: {call:?}");
        }
    };
    run(
        &mut c,
        vec![a(st(subtensor::Call::register_network {
            hotkey: keys.id("Alice_hk"),
        }))],
        &mut tally,
    );
    run(
        &mut c,
        vec![
            a(sudo(admin_utils::Call::sudo_set_tempo {
                netuid: NETUID,
                tempo,
            })),
            a(sudo(admin_utils::Call::sudo_set_weights_set_rate_limit {
                netuid: NETUID,
                weights_set_rate_limit: 0,
            })),
            a(sudo(admin_utils::Call::sudo_set_max_allowed_validators {
                netuid: NETUID,
                max_allowed_validators: rng.range(2, 8) as u16,
            })),
            // Room for a few late registrations; the rest replace pruned neurons.
            a(sudo(admin_utils::Call::sudo_set_max_allowed_uids {
                netuid: NETUID,
                max_allowed_uids: (neurons as u16 + 3).max(8),
            })),
            a(sudo(admin_utils::Call::sudo_set_immunity_period {
                netuid: NETUID,
                immunity_period: rng.range(1, 40) as u16,
            })),
        ],
        &mut tally,
    );
    // Registrations and stake moves stay out of epoch blocks (see below).
    let skip_epoch = |c: &mut Chain, tally: &mut Tally| {
        while is_epoch(u64::from(tempo), u64::from(c.best_number()) + 1) {
            run(c, Vec::new(), tally);
        }
    };
    // Neurons: each coldkey registers its hotkey; the owner's coldkey also runs one miner.
    skip_epoch(&mut c, &mut tally);
    let regs: Vec<(String, RuntimeCall)> = (0..neurons)
        .map(|i| {
            (
                cold(i),
                st(subtensor::Call::burned_register {
                    netuid: NETUID,
                    hotkey: keys.id(&hot(i)),
                }),
            )
        })
        .chain(std::iter::once(a(st(subtensor::Call::burned_register {
            netuid: NETUID,
            hotkey: keys.id("own_hk"),
        }))))
        .collect();
    run(&mut c, regs, &mut tally);
    run(
        &mut c,
        vec![a(st(subtensor::Call::start_call { netuid: NETUID }))],
        &mut tally,
    );
    // Stake: own stake for about half the neurons, and some nominations.
    let mut stakes = Vec::new();
    for i in 0..neurons {
        if rng.chance(60) {
            stakes.push((
                cold(i),
                st(subtensor::Call::add_stake {
                    hotkey: keys.id(&hot(i)),
                    netuid: NETUID,
                    amount_staked: rng.range(TAO, 1_000 * TAO),
                }),
            ));
        }
    }
    for _ in 0..3 {
        let from = rng.below(neurons as u64) as usize;
        let to = rng.below(neurons as u64) as usize;
        stakes.push((
            cold(from),
            st(subtensor::Call::add_stake {
                hotkey: keys.id(&hot(to)),
                netuid: NETUID,
                amount_staked: rng.range(TAO, 100 * TAO),
            }),
        ));
    }
    skip_epoch(&mut c, &mut tally);
    run(&mut c, stakes, &mut tally);

    // Mine through `epochs` epochs with weights, stake moves and late registrations.
    let start = u64::from(c.best_number());
    let mut late_used = 0;
    while tally.epochs < epochs + 1 || u64::from(c.best_number()) < start + 2 {
        let p = c.state_at(None).unwrap();
        let block = u64::from(c.best_number()) + 1;
        let epoch_next = is_epoch(u64::from(tempo), block);
        let n = SubnetworkN.get(&p, &NETUID);
        let permits = ValidatorPermit.get(&p, &NETUID);
        let mut txs: Vec<(String, RuntimeCall)> = Vec::new();
        let mut signers: Vec<String> = Vec::new();
        for uid in 0..n {
            let hk = Keys.get(&p, &NETUID, &uid);
            let Some(name) = keys
                .ids
                .iter()
                .find(|(_, id)| **id == hk)
                .map(|(k, _)| k.clone())
            else {
                continue;
            };
            let is_owner = name == "Alice_hk";
            if !(is_owner || permits[usize::from(uid)]) || !rng.chance(60) {
                continue;
            }
            // A random non-empty subset of uids, random weights.
            let mut dests: Vec<u16> = (0..n).collect();
            for i in (1..dests.len()).rev() {
                dests.swap(i, rng.below(i as u64 + 1) as usize);
            }
            dests.truncate(rng.range(1, u64::from(n)) as usize);
            let weights: Vec<u16> = dests.iter().map(|_| rng.below(65_536) as u16).collect();
            txs.push((
                name.clone(),
                st(subtensor::Call::set_weights {
                    netuid: NETUID,
                    dests,
                    weights,
                    version_key: 0,
                }),
            ));
            signers.push(name);
        }
        if !epoch_next {
            // Stake moves and registrations stay out of epoch blocks, so the stake each
            // hotkey gains there is the epoch's distribution alone.
            if rng.chance(40) {
                let i = rng.below(neurons as u64) as usize;
                let hk = keys.id(&hot(i));
                let own = Alpha.get(&p, &hk, &keys.id(&cold(i)), &NETUID).to_int();
                let call = if own > 10 * TAO && rng.chance(50) {
                    subtensor::Call::remove_stake {
                        hotkey: hk,
                        netuid: NETUID,
                        amount_unstaked: rng.range(TAO, own / 2),
                    }
                } else {
                    subtensor::Call::add_stake {
                        hotkey: hk,
                        netuid: NETUID,
                        amount_staked: rng.range(TAO, 200 * TAO),
                    }
                };
                txs.push((cold(i), st(call)));
            }
            if late_used < LATE && rng.chance(15) {
                txs.push((
                    late(late_used),
                    st(subtensor::Call::burned_register {
                        netuid: NETUID,
                        hotkey: keys.id(&format!("late_hk{late_used}")),
                    }),
                ));
                late_used += 1;
                tally.registrations_during_emission += 1;
            }
        }
        let results = step(&mut c, &keys, &txs, &mut tally);
        for (r, (who, call)) in results.iter().zip(&txs) {
            match (r, call) {
                (
                    Ok(()),
                    RuntimeCall::SubtensorModule(subtensor::Call::set_weights {
                        dests,
                        weights,
                        ..
                    }),
                ) => {
                    tally.weights_set += 1;
                    // Stored max-upscaled as subtensor does (the consensus crate's copy).
                    let s = c.state_at(None).unwrap();
                    // (Unless the validator itself was pruned later in the block.)
                    let Some(uid) = Uids.try_get(&s, &NETUID, &keys.id(who)) else {
                        continue;
                    };
                    let row: Vec<(u16, u16)> = dests
                        .iter()
                        .copied()
                        .zip(localtensor_consensus::fixed::max_upscale_u16(weights))
                        // A uid replaced later in the block keeps its entry at 0.
                        .map(|(dest, w)| {
                            let replaced = BlockAtRegistration.get(&s, &NETUID, &dest) == block;
                            (dest, if replaced { 0 } else { w })
                        })
                        .collect();
                    assert_eq!(Weights.get(&s, &NETUID, &uid), row, "seed {seed}");
                }
                (Ok(()), _) => {}
                // A validator whose permit this block's epoch removed.
                (Err(e), RuntimeCall::SubtensorModule(subtensor::Call::set_weights { .. }))
                    if *e == subtensor::Error::NeuronNoValidatorPermit.into() =>
                {
                    assert!(epoch_next);
                }
                // A full subnet with no neuron the pruning rule may replace (spec §6.2).
                (Err(e), RuntimeCall::SubtensorModule(subtensor::Call::burned_register { .. }))
                    if *e == subtensor::Error::NoNeuronIdAvailable.into() =>
                {
                    assert!(nothing_to_prune(&p, block), "seed {seed} block {block}");
                    tally.full_refusals += 1;
                }
                (Err(e), _) => panic!("seed {seed}: {who}: {call:?} failed: {e:?}"),
            }
        }
    }
    tally
}

#[test]
fn seeded_subnets_emit_and_distribute_as_the_engine_computes() {
    let mut late_registrations = 0;
    let mut replaced = 0;
    for seed in [1, 0xDEC0DE, 20_261_201, 77] {
        let t = scenario(seed);
        late_registrations += t.registrations_during_emission;
        replaced += t.replacements;

        // The run must have exercised what it checks.
        assert!(t.epochs_with_emission >= 3, "seed {seed}: {t:?}");
        assert!(t.incentive_paid > 0, "seed {seed}: {t:?}");
        assert!(t.dividends_paid > 0, "seed {seed}: {t:?}");
        assert!(t.weights_set > 0, "seed {seed}: {t:?}");
        assert!(
            t.emitted > 0 && t.fees > 0 && t.burns > 0,
            "seed {seed}: {t:?}"
        );
    }
    assert!(late_registrations > 0 && replaced > 0);
}

/// Whether `netuid` runs its epoch at `block` under the legacy schedule (see [`is_epoch`]).
fn epoch_due(netuid: u16, tempo: u64, block: u64) -> bool {
    tempo > 0 && tempo - (block + u64::from(netuid) + 1) % (tempo + 1) == 0
}

#[test]
fn emission_is_shared_equally_and_epochs_follow_each_subnets_schedule() {
    // Subnets 1 and 2 started (tempos 4 and 6), subnet 3 never started (tempo 5), subnet 4 with
    // tempo 0 (no epochs).
    let keys = Keys::new();
    let mut c = Chain::new(genesis(&keys));
    let owners = ["Alice", "Bob", "Charlie", "Alice"];
    let hotkeys = ["Alice_hk", "hot0", "hot1", "hot2"];
    let tempos = [4u16, 6, 5, 0];
    let seal_with = |c: &mut Chain, txs: Vec<(&str, RuntimeCall)>| {
        let mut encoded = Vec::new();
        for (signer, call) in &txs {
            let who = keys.id(signer);
            let tx = sign(
                call,
                &keys.pairs[*signer],
                &SigningParams::immortal(c.genesis_hash(), c.next_nonce(&who)),
            );
            c.submit(&tx, None).unwrap();
            encoded.push(tx);
        }
        c.seal(&mut SealOutcome::default());
        let s = c.state_at(None).unwrap();
        let evs: Vec<EventRecord> = s.get(&system::events_key()).unwrap();
        for tx in &encoded {
            let index = c.best().extrinsics.iter().position(|e| e == tx).unwrap() as u32;
            assert_eq!(result_of(&evs, index).0, Ok(()));
        }
    };
    for (owner, hotkey) in owners.iter().zip(hotkeys) {
        seal_with(
            &mut c,
            vec![(
                owner,
                st(subtensor::Call::register_network {
                    hotkey: keys.id(hotkey),
                }),
            )],
        );
    }
    let mut setup = Vec::new();
    for (i, tempo) in tempos.iter().enumerate() {
        let netuid = i as u16 + 1;
        setup.push((
            "Alice",
            sudo(admin_utils::Call::sudo_set_tempo {
                netuid,
                tempo: *tempo,
            }),
        ));
    }
    setup.push((owners[0], st(subtensor::Call::start_call { netuid: 1 })));
    setup.push((owners[1], st(subtensor::Call::start_call { netuid: 2 })));
    setup.push((owners[3], st(subtensor::Call::start_call { netuid: 4 })));
    seal_with(&mut c, setup);

    let mut epochs = [0u32; 4];
    for _ in 0..30 {
        let p = c.state_at(None).unwrap();
        let block = u64::from(c.best_number()) + 1;
        seal_with(&mut c, Vec::new());
        let s = c.state_at(None).unwrap();
        let e = block_emission(supply(&p));
        assert_eq!(BlockEmission.get(&s), e);
        let emitting: Vec<u16> = (1..=4).filter(|n| emits_on(&p, *n, block)).collect();
        assert_eq!(emitting, vec![1, 2, 4], "block {block}");
        let share = e / 3;
        assert_eq!(TotalIssuance.get(&s), supply(&p) + 3 * share);
        assert_eq!(supply(&s), supply(&p) + 3 * share);
        for netuid in 1..=4u16 {
            let i = usize::from(netuid - 1);
            let tao = if emitting.contains(&netuid) { share } else { 0 };
            assert_eq!(
                SubnetTAO.get(&s, &netuid),
                SubnetTAO.get(&p, &netuid) + tao,
                "SubnetTAO[{netuid}] at {block}"
            );
            let due = epoch_due(netuid, u64::from(tempos[i]), block);
            let last = LastMechansimStepBlock.get(&s, &netuid);
            assert_eq!(last == block, due, "epoch of {netuid} at {block}");
            if due {
                epochs[i] += 1;
                let pools = PendingServerEmission.get(&s, &netuid)
                    + PendingValidatorEmission.get(&s, &netuid)
                    + PendingOwnerCut.get(&s, &netuid);
                assert_eq!(pools, 0);
            } else if tao > 0 {
                let alpha_issuance =
                    SubnetAlphaIn.get(&p, &netuid) + SubnetAlphaOut.get(&p, &netuid);
                let split = split_alpha_out(
                    U96F32::saturating_from_num(block_emission(alpha_issuance)),
                    Some(SubnetOwnerCut.get(&p)),
                    U96F32::saturating_from_num(0),
                );
                assert_eq!(
                    PendingServerEmission.get(&s, &netuid),
                    PendingServerEmission.get(&p, &netuid) + split.server
                );
                assert_eq!(
                    PendingOwnerCut.get(&s, &netuid),
                    PendingOwnerCut.get(&p, &netuid) + split.owner_cut
                );
            } else {
                assert_eq!(PendingServerEmission.get(&s, &netuid), 0);
            }
        }
    }
    // Tempo 4 → period 5, tempo 6 → 7, tempo 5 → 6 over 30 blocks; tempo 0 never.
    assert_eq!(epochs, [6, 4, 5, 0]);
}

fn emits_on(s: &State, netuid: u16, block: u64) -> bool {
    FirstEmissionBlockNumber
        .try_get(s, &netuid)
        .is_some_and(|first| block >= first)
        && SubtokenEnabled.get(s, &netuid)
        && NetworkRegistrationAllowed.get(s, &netuid)
}
