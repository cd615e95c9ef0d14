//! The subtensor runtime APIs served through `state_call`: a subnet is created, neurons register,
//! stake and set weights, epochs run; then every API's output is decoded and compared with the
//! storage it reports, unknown subnets give `None`, and malformed arguments are refused. The
//! same scenario is then driven over RPC against the node binary and the real Python SDK
//! (`bittensor==10.5.0`) decodes every API through our V15 metadata.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::chain::{Chain, SealOutcome};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::keys::{dev_account, dev_keypair, to_ss58};
use localtensor_chain::primitives::{AccountId32, H256};
use localtensor_chain::runtime::apis::common::{ChainIdentityV2, SubnetIdentityV3};
use localtensor_chain::runtime::apis::delegate_info::{DelegateInfo, Position};
use localtensor_chain::runtime::apis::dynamic_info::DynamicInfo;
use localtensor_chain::runtime::apis::metagraph::{Metagraph, SelectiveMetagraph, SubnetState};
use localtensor_chain::runtime::apis::neuron_info::{NeuronInfo, NeuronInfoLite};
use localtensor_chain::runtime::apis::stake_info::StakeInfo;
use localtensor_chain::runtime::apis::subnet_info::{
    SubnetHyperparams, SubnetHyperparamsV2, SubnetInfo, SubnetInfov2,
};
use localtensor_chain::runtime::apis::swap::SimSwapResult;
use localtensor_chain::runtime::apis::{self, ApiEnv, ApiError, RuntimeVersion};
use localtensor_chain::runtime::pallets::subtensor::items::*;
use localtensor_chain::runtime::pallets::subtensor::{self, registration, staking};
use localtensor_chain::runtime::pallets::{admin_utils, sudo, system};
use localtensor_chain::runtime::{RuntimeCall, RuntimeEvent};
use localtensor_chain::state::State;
use parity_scale_codec::{Compact, Decode, Encode};
use std::path::{Path, PathBuf};

const NETUID: u16 = 1;
const TEMPO: u16 = 10;
const STAKE: u64 = 100 * TAO;

/// One step of the scenario: a transaction signed by a dev account, or sealing blocks.
enum Step {
    Tx(&'static str, RuntimeCall),
    Seal(u32),
}

fn acc(name: &str) -> AccountId32 {
    dev_account(name).unwrap()
}

fn st(call: subtensor::Call) -> RuntimeCall {
    RuntimeCall::SubtensorModule(call)
}

fn sudo_admin(call: admin_utils::Call) -> RuntimeCall {
    RuntimeCall::Sudo(sudo::Call::sudo {
        call: Box::new(RuntimeCall::AdminUtils(call)),
    })
}

/// Alice creates subnet 1 (owner hotkey Eve, uid 0), sets tempo 10, no weights rate limit and
/// one minimum weight, and starts it; Charlie registers Bob (uid 1) and Dave (uid 2) and stakes
/// to Bob; after an epoch Bob (now a validator) weights Dave; two more epochs run.
fn scenario() -> Vec<Step> {
    use Step::{Seal, Tx};
    vec![
        Tx(
            "Alice",
            st(subtensor::Call::register_network { hotkey: acc("Eve") }),
        ),
        Seal(1),
        Tx(
            "Alice",
            sudo_admin(admin_utils::Call::sudo_set_tempo {
                netuid: NETUID,
                tempo: TEMPO,
            }),
        ),
        Tx(
            "Alice",
            sudo_admin(admin_utils::Call::sudo_set_weights_set_rate_limit {
                netuid: NETUID,
                weights_set_rate_limit: 0,
            }),
        ),
        Tx(
            "Alice",
            sudo_admin(admin_utils::Call::sudo_set_min_allowed_weights {
                netuid: NETUID,
                min_allowed_weights: 1,
            }),
        ),
        Tx("Alice", st(subtensor::Call::start_call { netuid: NETUID })),
        Seal(1),
        Tx(
            "Charlie",
            st(subtensor::Call::burned_register {
                netuid: NETUID,
                hotkey: acc("Bob"),
            }),
        ),
        Seal(1),
        Tx(
            "Charlie",
            st(subtensor::Call::burned_register {
                netuid: NETUID,
                hotkey: acc("Dave"),
            }),
        ),
        Seal(1),
        Tx(
            "Charlie",
            st(subtensor::Call::add_stake {
                hotkey: acc("Bob"),
                netuid: NETUID,
                amount_staked: STAKE,
            }),
        ),
        Seal(u32::from(TEMPO) + 2),
        Tx(
            "Bob",
            st(subtensor::Call::set_weights {
                netuid: NETUID,
                dests: vec![2],
                weights: vec![u16::MAX],
                version_key: 0,
            }),
        ),
        Seal(2 * u32::from(TEMPO) + 3),
    ]
}

fn seal(c: &mut Chain) {
    let mut out = SealOutcome::default();
    c.seal(&mut out);
    let events: Vec<localtensor_chain::runtime::EventRecord> = c
        .state_at(None)
        .unwrap()
        .get(&system::events_key())
        .unwrap_or_default();
    for e in events {
        if let RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) = e.event
        {
            panic!("an extrinsic of the scenario failed: {dispatch_error:?}");
        }
    }
}

fn build_chain() -> Chain {
    let mut c = Chain::new(GenesisConfig::dev().unwrap());
    let genesis = c.genesis_hash();
    for step in scenario() {
        match step {
            Step::Tx(who, call) => {
                let nonce = c.next_nonce(&acc(who));
                let tx = sign(
                    &call,
                    &dev_keypair(who).unwrap(),
                    &SigningParams::immortal(genesis, nonce),
                );
                c.submit(&tx, None).unwrap();
            }
            Step::Seal(n) => (0..n).for_each(|_| seal(&mut c)),
        }
    }
    c
}

fn raw(state: &State, method: &str, args: &[u8]) -> Result<Vec<u8>, ApiError> {
    let env = ApiEnv {
        state,
        metadata_v14: &[],
        metadata_v15: &[],
    };
    apis::call(&env, method, args)
}

fn api<T: Decode>(state: &State, method: &str, args: impl Encode) -> T {
    let out = raw(state, method, &args.encode()).unwrap_or_else(|e| panic!("{method}: {e}"));
    let mut input = &out[..];
    let value = T::decode(&mut input).unwrap_or_else(|e| panic!("{method} output: {e}"));
    assert!(input.is_empty(), "{method}: trailing output bytes");
    value
}

fn uncompact<T: Copy>(v: &[Compact<T>]) -> Vec<T> {
    v.iter().map(|c| c.0).collect()
}

fn compact_row(row: &[(Compact<u16>, Compact<u16>)]) -> Vec<(u16, u16)> {
    row.iter().map(|(a, b)| (a.0, b.0)).collect()
}

#[test]
fn neuron_info_reports_storage() {
    let c = build_chain();
    let s = c.state_at(None).unwrap();
    let n = SubnetworkN.get(&s, &NETUID);
    assert_eq!(n, 3);
    let lite: Vec<NeuronInfoLite> = api(&s, "NeuronInfoRuntimeApi_get_neurons_lite", NETUID);
    let full: Vec<NeuronInfo> = api(&s, "NeuronInfoRuntimeApi_get_neurons", NETUID);
    assert_eq!(lite.len(), 3);
    assert_eq!(full.len(), 3);
    let (incentive, dividends, emission, permits, consensus, vtrust, active, last_update) = (
        Incentive.get(&s, &NETUID),
        Dividends.get(&s, &NETUID),
        Emission.get(&s, &NETUID),
        ValidatorPermit.get(&s, &NETUID),
        Consensus.get(&s, &NETUID),
        ValidatorTrust.get(&s, &NETUID),
        Active.get(&s, &NETUID),
        LastUpdate.get(&s, &NETUID),
    );
    for (uid, (l, f)) in (0u16..).zip(lite.iter().zip(&full)) {
        let i = usize::from(uid);
        let hotkey = Keys.get(&s, &NETUID, &uid);
        assert_eq!(l.uid, uid);
        assert_eq!(l.netuid, NETUID);
        assert_eq!(l.hotkey, hotkey);
        assert_eq!(l.coldkey, Owner.get(&s, &hotkey));
        assert_eq!(
            l.stake,
            vec![(
                l.coldkey,
                Compact(TotalHotkeyAlpha.get(&s, &hotkey, &NETUID))
            )]
        );
        assert_eq!(l.incentive, incentive[i]);
        assert_eq!(l.dividends, dividends[i]);
        assert_eq!(l.emission, emission[i]);
        assert_eq!(l.validator_permit, permits[i]);
        assert_eq!(l.consensus, consensus[i]);
        assert_eq!(l.validator_trust, vtrust[i]);
        assert_eq!(l.active, active[i]);
        assert_eq!(l.last_update, last_update[i]);
        assert_eq!((l.rank, l.trust, l.pruning_score), (0, 0, 0));
        assert_eq!(compact_row(&f.weights), Weights.get(&s, &NETUID, &uid));
        assert_eq!(compact_row(&f.bonds), Bonds.get(&s, &NETUID, &uid));
        assert_eq!(
            (f.hotkey, f.stake.clone(), f.emission, f.dividends),
            (l.hotkey, l.stake.clone(), l.emission, l.dividends)
        );
        let one: Option<NeuronInfo> = api(&s, "NeuronInfoRuntimeApi_get_neuron", (NETUID, uid));
        assert_eq!(one.as_ref(), Some(f));
        let one: Option<NeuronInfoLite> =
            api(&s, "NeuronInfoRuntimeApi_get_neuron_lite", (NETUID, uid));
        assert_eq!(one.as_ref(), Some(l));
    }
    // The scenario produced real consensus results: the miner earns, the validator weights it.
    assert_eq!(lite[1].hotkey, acc("Bob"));
    assert_eq!(lite[2].hotkey, acc("Dave"));
    assert!(lite[2].incentive > 0, "{:?}", lite[2]);
    assert!(lite[1].dividends > 0, "{:?}", lite[1]);
    assert!(lite[1].validator_permit);
    assert!(lite[1].stake[0].1.0 >= STAKE);
    assert_eq!(compact_row(&full[1].weights), vec![(2, u16::MAX)]);
    assert!(lite.iter().any(|l| l.emission > 0));

    // Unknown subnet or uid.
    let none: Vec<NeuronInfoLite> = api(&s, "NeuronInfoRuntimeApi_get_neurons_lite", 7u16);
    assert!(none.is_empty());
    let none: Vec<NeuronInfo> = api(&s, "NeuronInfoRuntimeApi_get_neurons", 7u16);
    assert!(none.is_empty());
    let none: Option<NeuronInfo> = api(&s, "NeuronInfoRuntimeApi_get_neuron", (NETUID, 3u16));
    assert_eq!(none, None);
    let none: Option<NeuronInfoLite> =
        api(&s, "NeuronInfoRuntimeApi_get_neuron_lite", (7u16, 0u16));
    assert_eq!(none, None);
}

#[test]
fn metagraphs_report_storage() {
    let c = build_chain();
    let s = c.state_at(None).unwrap();
    let m: Option<Metagraph> = api(&s, "SubnetInfoRuntimeApi_get_metagraph", NETUID);
    let m = m.unwrap();
    let hotkeys: Vec<AccountId32> = (0..3).map(|uid| Keys.get(&s, &NETUID, &uid)).collect();
    assert_eq!(m.netuid.0, NETUID);
    assert_eq!(m.num_uids.0, 3);
    assert_eq!(m.hotkeys, hotkeys);
    assert_eq!(
        m.coldkeys,
        hotkeys.iter().map(|h| Owner.get(&s, h)).collect::<Vec<_>>()
    );
    assert_eq!(m.owner_hotkey, acc("Eve"));
    assert_eq!(m.owner_coldkey, acc("Alice"));
    assert_eq!(m.block.0, u64::from(c.best_number()));
    assert_eq!(m.tempo.0, TEMPO);
    assert_eq!(m.last_step.0, LastMechansimStepBlock.get(&s, &NETUID));
    assert!(m.last_step.0 > 0);
    assert_eq!(
        m.blocks_since_last_step.0,
        BlocksSinceLastStep.get(&s, &NETUID)
    );
    assert_eq!(m.tao_in.0, SubnetTAO.get(&s, &NETUID));
    assert_eq!(m.alpha_out.0, SubnetAlphaOut.get(&s, &NETUID));
    assert_eq!(m.moving_price.bits, 1 << 32);
    assert_eq!(m.weights_rate_limit.0, 0);
    assert_eq!(m.min_allowed_weights.0, 1);
    assert_eq!(m.burn.0, Burn.get(&s, &NETUID));
    assert!(!m.commit_reveal_weights_enabled);
    assert_eq!(
        uncompact(&m.alpha_stake),
        hotkeys
            .iter()
            .map(|h| TotalHotkeyAlpha.get(&s, h, &NETUID))
            .collect::<Vec<_>>()
    );
    assert_eq!(uncompact(&m.total_stake), uncompact(&m.alpha_stake));
    assert_eq!(uncompact(&m.tao_stake), vec![0, 0, 0]);
    assert_eq!(uncompact(&m.emission), Emission.get(&s, &NETUID));
    assert_eq!(uncompact(&m.incentives), Incentive.get(&s, &NETUID));
    assert_eq!(uncompact(&m.dividends), Dividends.get(&s, &NETUID));
    assert_eq!(uncompact(&m.consensus), Consensus.get(&s, &NETUID));
    assert_eq!(uncompact(&m.last_update), LastUpdate.get(&s, &NETUID));
    assert_eq!(m.validator_permit, ValidatorPermit.get(&s, &NETUID));
    assert_eq!(m.active, Active.get(&s, &NETUID));
    assert_eq!(
        uncompact(&m.block_at_registration),
        (0..3)
            .map(|uid| BlockAtRegistration.get(&s, &NETUID, &uid))
            .collect::<Vec<_>>()
    );
    assert_eq!(m.identities, vec![None, None, None]);
    assert_eq!(m.axons.len(), 3);
    for v in [&m.rank, &m.trust, &m.pruning_score] {
        assert_eq!(uncompact(v), vec![0, 0, 0]);
    }
    assert_eq!(
        m.alpha_dividends_per_hotkey
            .iter()
            .map(|(h, d)| (*h, d.0))
            .collect::<Vec<_>>(),
        hotkeys
            .iter()
            .map(|h| (*h, AlphaDividendsPerSubnet.get(&s, &NETUID, h)))
            .collect::<Vec<_>>()
    );
    assert!(m.alpha_dividends_per_hotkey.iter().any(|(_, d)| d.0 > 0));

    // Mechanism 0 is the metagraph; there is no mechanism 1; unknown subnets give None.
    let mech: Option<Metagraph> = api(&s, "SubnetInfoRuntimeApi_get_mechagraph", (NETUID, 0u8));
    assert_eq!(mech.as_ref(), Some(&m));
    let none: Option<Metagraph> = api(&s, "SubnetInfoRuntimeApi_get_mechagraph", (NETUID, 1u8));
    assert_eq!(none, None);
    let none: Option<Metagraph> = api(&s, "SubnetInfoRuntimeApi_get_metagraph", 7u16);
    assert_eq!(none, None);
    let all: Vec<Option<Metagraph>> = api(&s, "SubnetInfoRuntimeApi_get_all_metagraphs", ());
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].as_ref().map(|g| g.netuid.0), Some(0));
    assert_eq!(all[1].as_ref(), Some(&m));
    let all: Vec<Option<Metagraph>> = api(&s, "SubnetInfoRuntimeApi_get_all_mechagraphs", ());
    assert_eq!(all.len(), 2);

    // Selective: only the requested fields (tempo = 8, hotkeys = 52, validators = 72).
    let sel: Option<SelectiveMetagraph> = api(
        &s,
        "SubnetInfoRuntimeApi_get_selective_metagraph",
        (NETUID, vec![8u16, 52, 72]),
    );
    let sel = sel.unwrap();
    assert_eq!(sel.netuid.0, NETUID);
    assert_eq!(sel.tempo, Some(Compact(TEMPO)));
    assert_eq!(sel.hotkeys, Some(hotkeys.clone()));
    let permitted: Vec<u16> = (0u16..)
        .zip(&m.validator_permit)
        .filter_map(|(uid, p)| p.then_some(uid))
        .collect();
    assert_eq!(sel.validators.as_deref().map(uncompact), Some(permitted));
    assert_eq!(sel.name, None);
    assert_eq!(sel.block, None);
    assert_eq!(sel.alpha_dividends_per_hotkey, None);
    assert_eq!(sel.commitments, None);
    // Every index selected: every field is the metagraph's.
    let every: Vec<u16> = (0..74).collect();
    let sel: Option<SelectiveMetagraph> = api(
        &s,
        "SubnetInfoRuntimeApi_get_selective_mechagraph",
        (NETUID, 0u8, every.clone()),
    );
    let sel = sel.unwrap();
    assert_eq!(sel.name, Some(m.name.clone()));
    assert_eq!(sel.identity, Some(None));
    assert_eq!(sel.alpha_stake, Some(m.alpha_stake.clone()));
    assert_eq!(
        sel.alpha_dividends_per_hotkey,
        Some(m.alpha_dividends_per_hotkey.clone())
    );
    assert_eq!(sel.commitments, Some(vec![]));
    let none: Option<SelectiveMetagraph> = api(
        &s,
        "SubnetInfoRuntimeApi_get_selective_mechagraph",
        (NETUID, 1u8, every),
    );
    assert_eq!(none, None);
    let none: Option<SelectiveMetagraph> = api(
        &s,
        "SubnetInfoRuntimeApi_get_selective_metagraph",
        (7u16, vec![0u16]),
    );
    assert_eq!(none, None);

    // Identities are read from `SubnetIdentitiesV3` / `IdentitiesV2` when a state holds them.
    let mut with_ids = (*s).clone();
    let subnet_id = SubnetIdentityV3 {
        subnet_name: b"apis".to_vec(),
        description: b"runtime API test".to_vec(),
        ..Default::default()
    };
    let charlie_id = ChainIdentityV2 {
        name: b"charlie".to_vec(),
        ..Default::default()
    };
    SubnetIdentitiesV3.put(&mut with_ids, &NETUID, &subnet_id);
    IdentitiesV2.put(&mut with_ids, &acc("Charlie"), &charlie_id);
    let g: Option<Metagraph> = api(&with_ids, "SubnetInfoRuntimeApi_get_metagraph", NETUID);
    let g = g.unwrap();
    assert_eq!(g.identity.as_ref(), Some(&subnet_id));
    assert_eq!(uncompact(&g.name), b"apis".to_vec());
    assert_eq!(
        g.identities,
        vec![None, Some(charlie_id.clone()), Some(charlie_id)]
    );
    let d: Option<DynamicInfo> = api(&with_ids, "SubnetInfoRuntimeApi_get_dynamic_info", NETUID);
    assert_eq!(d.unwrap().subnet_identity, Some(subnet_id.clone()));
    let i: Option<SubnetInfov2> = api(&with_ids, "SubnetInfoRuntimeApi_get_subnet_info_v2", NETUID);
    assert_eq!(i.unwrap().identity, Some(subnet_id));
    assert_eq!(m.identity, None);
    assert!(m.name.is_empty());

    // Subnet state.
    let state: Option<SubnetState> = api(&s, "SubnetInfoRuntimeApi_get_subnet_state", NETUID);
    let state = state.unwrap();
    assert_eq!(state.hotkeys, hotkeys);
    assert_eq!(state.alpha_stake, m.alpha_stake);
    assert_eq!(state.emission, m.emission);
    assert_eq!(state.emission_history.len(), 2);
    let none: Option<SubnetState> = api(&s, "SubnetInfoRuntimeApi_get_subnet_state", 7u16);
    assert_eq!(none, None);
}

#[test]
fn subnet_info_hyperparams_and_dynamic_info_report_storage() {
    let c = build_chain();
    let s = c.state_at(None).unwrap();
    let hp: Option<SubnetHyperparamsV2> =
        api(&s, "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2", NETUID);
    let hp = hp.unwrap();
    assert_eq!(hp.tempo, TEMPO);
    assert_eq!(hp.weights_rate_limit, 0);
    assert_eq!(hp.min_allowed_weights, 1);
    assert_eq!(hp.kappa, Kappa.get(&s, &NETUID));
    assert_eq!(hp.max_burn, MaxBurn.get(&s, &NETUID));
    assert_eq!((hp.alpha_low, hp.alpha_high), AlphaValues.get(&s, &NETUID));
    assert!(!hp.commit_reveal_weights_enabled);
    assert!(hp.subnet_is_active);
    assert_eq!(
        hp.alpha_sigmoid_steepness.bits,
        i64::from(AlphaSigmoidSteepness.get(&s, &NETUID)) << 32
    );
    let v1: Option<SubnetHyperparams> =
        api(&s, "SubnetInfoRuntimeApi_get_subnet_hyperparams", NETUID);
    let v1 = v1.unwrap();
    assert_eq!(
        (v1.tempo, v1.weights_rate_limit, v1.immunity_period),
        (TEMPO, 0, hp.immunity_period)
    );
    let none: Option<SubnetHyperparams> =
        api(&s, "SubnetInfoRuntimeApi_get_subnet_hyperparams", 7u16);
    assert_eq!(none, None);
    let none: Option<SubnetHyperparamsV2> =
        api(&s, "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2", 7u16);
    assert_eq!(none, None);

    let info: Option<SubnetInfov2> = api(&s, "SubnetInfoRuntimeApi_get_subnet_info_v2", NETUID);
    let info = info.unwrap();
    assert_eq!(
        (info.netuid, info.subnetwork_n, info.tempo, info.owner),
        (NETUID, 3, TEMPO, acc("Alice"))
    );
    assert_eq!(info.burn, Burn.get(&s, &NETUID));
    assert_eq!(info.identity, None);
    let v1: Option<SubnetInfo> = api(&s, "SubnetInfoRuntimeApi_get_subnet_info", NETUID);
    assert_eq!(v1.map(|i| i.max_allowed_uids), Some(info.max_allowed_uids));
    let all: Vec<Option<SubnetInfo>> = api(&s, "SubnetInfoRuntimeApi_get_subnets_info", ());
    assert_eq!(
        all.iter()
            .map(|i| i.as_ref().map(|i| i.netuid))
            .collect::<Vec<_>>(),
        vec![Some(0), Some(1)]
    );
    let all: Vec<Option<SubnetInfov2>> = api(&s, "SubnetInfoRuntimeApi_get_subnets_info_v2", ());
    assert_eq!(all.len(), 2);
    let none: Option<SubnetInfo> = api(&s, "SubnetInfoRuntimeApi_get_subnet_info", 7u16);
    assert_eq!(none, None);

    let d: Option<DynamicInfo> = api(&s, "SubnetInfoRuntimeApi_get_dynamic_info", NETUID);
    let d = d.unwrap();
    assert_eq!((d.netuid, d.tempo), (NETUID, TEMPO));
    assert_eq!(d.owner_hotkey, acc("Eve"));
    assert_eq!(d.tao_in, SubnetTAO.get(&s, &NETUID));
    assert_eq!(d.alpha_in, SubnetAlphaIn.get(&s, &NETUID));
    assert_eq!(d.alpha_out, SubnetAlphaOut.get(&s, &NETUID));
    assert_eq!(d.tao_in_emission, SubnetTaoInEmission.get(&s, &NETUID));
    assert!(d.tao_in_emission > 0);
    assert_eq!(d.last_step, LastMechansimStepBlock.get(&s, &NETUID));
    assert_eq!(
        d.pending_alpha_emission,
        PendingServerEmission.get(&s, &NETUID) + PendingValidatorEmission.get(&s, &NETUID)
    );
    assert_eq!(
        d.token_symbol,
        TokenSymbol
            .get(&s, &NETUID)
            .into_iter()
            .map(Compact)
            .collect::<Vec<_>>()
    );
    assert_eq!(d.moving_price.bits, 1 << 32);
    let all: Vec<Option<DynamicInfo>> = api(&s, "SubnetInfoRuntimeApi_get_all_dynamic_info", ());
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].as_ref(), Some(&d));
    let none: Option<DynamicInfo> = api(&s, "SubnetInfoRuntimeApi_get_dynamic_info", 7u16);
    assert_eq!(none, None);
    let auto: Option<AccountId32> = api(
        &s,
        "SubnetInfoRuntimeApi_get_coldkey_auto_stake_hotkey",
        (acc("Charlie"), NETUID),
    );
    assert_eq!(auto, None);
}

#[test]
fn stake_delegate_swap_and_registration_apis() {
    let c = build_chain();
    let s = c.state_at(None).unwrap();
    let (charlie, bob) = (acc("Charlie"), acc("Bob"));
    let alpha = staking::stake(&s, &bob, &charlie, NETUID);
    assert!(alpha >= STAKE);

    let infos: Vec<StakeInfo> = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_info_for_coldkey",
        charlie,
    );
    // Charlie owns Bob and Dave: Bob's stake plus the epochs' payouts to both.
    let bob_info = infos
        .iter()
        .find(|i| i.hotkey == bob && i.netuid == NETUID)
        .unwrap();
    assert_eq!(bob_info.stake, alpha);
    assert_eq!(bob_info.coldkey, charlie);
    assert!(bob_info.is_registered);
    assert_eq!(
        bob_info.emission,
        AlphaDividendsPerSubnet.get(&s, &NETUID, &bob)
    );
    for i in &infos {
        assert_eq!(i.stake, staking::stake(&s, &i.hotkey, &charlie, i.netuid));
        assert!(i.stake > 0);
    }
    let many: Vec<(AccountId32, Vec<StakeInfo>)> = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_info_for_coldkeys",
        vec![charlie, acc("Ferdie")],
    );
    assert_eq!(
        many,
        vec![(charlie, infos.clone()), (acc("Ferdie"), vec![])]
    );
    let one: Option<StakeInfo> = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid",
        (bob, charlie, NETUID),
    );
    assert_eq!(one.as_ref(), Some(bob_info));
    let zero: Option<StakeInfo> = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid",
        (bob, acc("Ferdie"), NETUID),
    );
    assert_eq!(zero.map(|z| z.stake), Some(0));
    // Like subtensor, a netuid that is not a subnet gives a zero position, not `None`.
    let zero: Option<StakeInfo> = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid",
        (bob, charlie, 7u16),
    );
    let zero = zero.unwrap();
    assert_eq!((zero.stake, zero.netuid, zero.is_registered), (0, 7, false));
    let fee: u64 = api(
        &s,
        "StakeInfoRuntimeApi_get_stake_fee",
        (
            Some((bob, NETUID)),
            charlie,
            None::<(AccountId32, u16)>,
            charlie,
            TAO,
        ),
    );
    assert_eq!(fee, 0);

    // No delegates on the devnet unless `Delegates` holds some.
    let ds: Vec<DelegateInfo> = api(&s, "DelegateInfoRuntimeApi_get_delegates", ());
    assert!(ds.is_empty());
    let d: Option<DelegateInfo> = api(&s, "DelegateInfoRuntimeApi_get_delegate", bob);
    assert_eq!(d, None);
    let ds: Vec<(DelegateInfo, Position)> =
        api(&s, "DelegateInfoRuntimeApi_get_delegated", charlie);
    assert!(ds.is_empty());
    // With Bob in `Delegates`, his nominators are read from `Alpha`.
    let mut with_delegate = (*s).clone();
    Delegates.put(&mut with_delegate, &bob, &1000);
    let d: Option<DelegateInfo> = api(&with_delegate, "DelegateInfoRuntimeApi_get_delegate", bob);
    let d = d.unwrap();
    assert_eq!((d.take, d.owner_ss58), (1000, charlie));
    assert_eq!(
        d.nominators,
        vec![(charlie, vec![(Compact(NETUID), Compact(alpha))])]
    );
    assert_eq!(uncompact(&d.registrations), vec![NETUID]);
    assert_eq!(uncompact(&d.validator_permits), vec![NETUID]);
    let ds: Vec<(DelegateInfo, Position)> = api(
        &with_delegate,
        "DelegateInfoRuntimeApi_get_delegated",
        charlie,
    );
    assert_eq!(ds, vec![(d, (Compact(NETUID), Compact(alpha)))]);

    // Swap at the fixed price.
    let price: u64 = api(&s, "SwapRuntimeApi_current_alpha_price", NETUID);
    assert_eq!(price, staking::PRICE_RAO);
    let price: u64 = api(&s, "SwapRuntimeApi_current_alpha_price", 7u16);
    assert_eq!(price, 0);
    let sim: SimSwapResult = api(
        &s,
        "SwapRuntimeApi_sim_swap_tao_for_alpha",
        (NETUID, 5 * TAO),
    );
    assert_eq!(
        sim,
        SimSwapResult {
            tao_amount: 5 * TAO,
            alpha_amount: 5 * TAO,
            tao_fee: 0,
            alpha_fee: 0
        }
    );
    let sim: SimSwapResult = api(
        &s,
        "SwapRuntimeApi_sim_swap_alpha_for_tao",
        (NETUID, 3 * TAO),
    );
    assert_eq!((sim.tao_amount, sim.alpha_amount), (3 * TAO, 3 * TAO));

    // Registration cost: the lock cost at the state's block.
    let cost: u64 = api(
        &s,
        "SubnetRegistrationRuntimeApi_get_network_registration_cost",
        (),
    );
    assert_eq!(
        cost,
        registration::lock_cost(&s, u64::from(c.best_number()))
    );
    assert!(cost >= NetworkMinLockCost.get(&s));
}

#[test]
fn bad_arguments_and_unknown_methods_are_refused() {
    let c = Chain::new(GenesisConfig::dev().unwrap());
    let s = c.state_at(None).unwrap();
    for (method, args) in [
        ("NeuronInfoRuntimeApi_get_neurons_lite", vec![1u8]),
        ("NeuronInfoRuntimeApi_get_neurons_lite", vec![1, 0, 0]),
        ("NeuronInfoRuntimeApi_get_neuron", vec![1, 0]),
        (
            "SubnetInfoRuntimeApi_get_selective_metagraph",
            vec![1, 0, 8],
        ),
        ("SubnetInfoRuntimeApi_get_all_dynamic_info", vec![0]),
        (
            "StakeInfoRuntimeApi_get_stake_info_for_coldkey",
            vec![0; 31],
        ),
        ("StakeInfoRuntimeApi_get_stake_fee", vec![2]),
        ("DelegateInfoRuntimeApi_get_delegate", vec![]),
        ("SwapRuntimeApi_sim_swap_tao_for_alpha", vec![1, 0, 5]),
        (
            "SubnetRegistrationRuntimeApi_get_network_registration_cost",
            vec![0],
        ),
    ] {
        match raw(&s, method, &args) {
            Err(ApiError::BadArgs { method: m, reason }) => {
                assert_eq!(m, method);
                assert!(!reason.is_empty());
            }
            other => panic!("{method}({args:?}): expected BadArgs, got {other:?}"),
        }
    }
    for method in [
        "NeuronInfoRuntimeApi_get_nothing",
        "SubnetInfoRuntimeApi_get_subnet_to_prune_soon",
        "NoSuchApi_get_neurons",
        "NeuronInfoRuntimeApi",
    ] {
        assert!(
            matches!(raw(&s, method, &[]), Err(ApiError::NotFound(m)) if m == method),
            "{method}"
        );
    }
    // The runtime version lists every API served.
    let version = RuntimeVersion::current();
    for (name, _) in apis::API_VERSIONS {
        let hash = localtensor_chain::hashing::blake2_64(name.as_bytes());
        assert!(version.apis.iter().any(|(h, v)| *h == hash && *v >= 1));
    }
    let names: Vec<&str> = apis::metadata().iter().map(|a| a.name).collect();
    for (name, _) in apis::API_VERSIONS {
        assert!(names.contains(&name), "{name} has no metadata");
    }
}

// --- The real Python SDK decodes every API the node serves. ---

const BITTENSOR: &str = "bittensor==10.5.0";

/// The Python of the bittensor 10.5 virtualenv shared by the SDK tests.
fn python() -> PathBuf {
    common::venv(BITTENSOR).join("bin/python")
}

async fn rpc_api<T: Decode>(http: &str, method: &str, args: impl Encode) -> T {
    let data = format!("0x{}", hex::encode(args.encode()));
    let resp = common::call(http, "state_call", serde_json::json!([method, data])).await;
    let out = resp["result"]
        .as_str()
        .unwrap_or_else(|| panic!("{method}: {resp}"));
    let bytes = hex::decode(out.trim_start_matches("0x")).unwrap();
    T::decode(&mut &bytes[..]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_decodes_every_api() {
    let python = tokio::task::spawn_blocking(python).await.unwrap();
    let node = common::start(&["--dev", "--sealing", "manual"]).await;
    let genesis = common::call(&node.http, "chain_getBlockHash", serde_json::json!([0])).await;
    let genesis =
        hex::decode(genesis["result"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let genesis = H256(genesis.try_into().unwrap());
    let mut nonces = std::collections::HashMap::new();
    for step in scenario() {
        match step {
            Step::Tx(who, call) => {
                let nonce = nonces.entry(who).or_insert(0u32);
                let tx = sign(
                    &call,
                    &dev_keypair(who).unwrap(),
                    &SigningParams::immortal(genesis, *nonce),
                );
                *nonce += 1;
                let resp = common::call(
                    &node.http,
                    "author_submitExtrinsic",
                    serde_json::json!([format!("0x{}", hex::encode(tx))]),
                )
                .await;
                assert!(resp["result"].is_string(), "{resp}");
            }
            Step::Seal(n) => {
                let resp = common::call(&node.http, "devnet_mine", serde_json::json!([n])).await;
                assert!(resp["result"].is_object(), "{resp}");
            }
        }
    }
    let lite: Vec<NeuronInfoLite> =
        rpc_api(&node.http, "NeuronInfoRuntimeApi_get_neurons_lite", NETUID).await;
    assert_eq!(lite.len(), 3);
    let hp: Option<SubnetHyperparamsV2> = rpc_api(
        &node.http,
        "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2",
        NETUID,
    )
    .await;
    let cost: u64 = rpc_api(
        &node.http,
        "SubnetRegistrationRuntimeApi_get_network_registration_cost",
        (),
    )
    .await;

    // Malformed arguments over RPC: an execution error naming the method, not a panic.
    let bad = common::call(
        &node.http,
        "state_call",
        serde_json::json!(["NeuronInfoRuntimeApi_get_neurons_lite", "0x01"]),
    )
    .await;
    let message = bad["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Could not decode arguments of NeuronInfoRuntimeApi_get_neurons_lite"),
        "{bad}"
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/runtime_apis.py");
    let (charlie, bob) = (to_ss58(&acc("Charlie")), to_ss58(&acc("Bob")));
    let out = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&node.ws)
        .arg(NETUID.to_string())
        .arg(&charlie)
        .arg(&bob)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "runtime_apis.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Shown with --nocapture: what the SDK printed (warnings, fallbacks) and decoded.
    eprintln!(
        "runtime_apis.py stderr:\n{}\nstdout:\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();

    // Neurons: the SDK sees what the API encodes.
    let neurons = r["neurons_lite"].as_array().unwrap();
    assert_eq!(neurons.len(), 3);
    for (l, n) in lite.iter().zip(neurons) {
        assert_eq!(n["uid"], l.uid);
        assert_eq!(n["hotkey"], to_ss58(&l.hotkey));
        assert_eq!(n["coldkey"], to_ss58(&l.coldkey));
        assert_eq!(n["stake"], l.stake[0].1.0);
        assert_eq!(n["emission"].as_f64().unwrap(), l.emission as f64 / 1e9);
        let close = |key: &str, v: u16| {
            let got = n[key].as_f64().unwrap();
            assert!(
                (got - f64::from(v) / 65535.0).abs() < 1e-6,
                "{key}: {got} vs {v}"
            );
        };
        close("incentive", l.incentive);
        close("dividends", l.dividends);
        assert_eq!(n["validator_permit"], l.validator_permit);
    }
    assert_eq!(r["neurons"][1]["weights"], serde_json::json!([[2, 65535]]));
    assert_eq!(r["neuron_for_uid"]["hotkey"], bob);
    assert_eq!(r["neuron_missing_is_null"], true);
    assert_eq!(r["raw_neuron_lite_uid"], 1);

    // Metagraphs.
    let mg = &r["metagraph"];
    assert_eq!(mg["n"], 3);
    assert_eq!(
        mg["hotkeys"],
        serde_json::json!(lite.iter().map(|l| to_ss58(&l.hotkey)).collect::<Vec<_>>())
    );
    assert_eq!(mg["tempo"], TEMPO);
    assert_eq!(mg["validator_permit"][1], true);
    assert!(mg["incentive"][2].as_f64().unwrap() > 0.0);
    // The SDK keeps metagraph stakes as float32.
    let alpha_stake = mg["alpha_stake"][1].as_f64().unwrap();
    let expected = lite[1].stake[0].1.0 as f64 / 1e9;
    assert!(
        (alpha_stake - expected).abs() / expected < 1e-6,
        "{alpha_stake} vs {expected}"
    );
    assert_eq!(r["metagraph_full"]["weights"][1][2], 1.0);
    assert_eq!(r["metagraph_info"]["num_uids"], 3);
    assert_eq!(r["metagraph_info"]["moving_price"], 1.0);
    assert_eq!(r["selective"]["tempo"], TEMPO);
    assert_eq!(r["selective"]["hotkeys"], mg["hotkeys"]);
    assert_eq!(r["selective"]["name"], serde_json::Value::Null);
    assert_eq!(r["all_metagraphs"], serde_json::json!([0, 1]));
    assert_eq!(r["subnet_state_hotkeys"], 3);
    assert_eq!(r["raw_metagraph_num_uids"], 3);

    // Hyperparameters, subnets, dynamic info.
    let hp = hp.unwrap();
    assert_eq!(r["hyperparameters"]["tempo"], hp.tempo);
    assert_eq!(r["hyperparameters"]["weights_rate_limit"], 0);
    assert_eq!(r["hyperparameters"]["min_allowed_weights"], 1);
    assert_eq!(r["hyperparameters"]["commit_reveal_weights_enabled"], false);
    assert_eq!(r["raw_hyperparams_tempo"], TEMPO);
    assert_eq!(r["subnets_info"], serde_json::json!([0, 1]));
    assert_eq!(r["raw_subnets_info"], serde_json::json!([0, 1]));
    assert_eq!(r["subnet_info"]["subnetwork_n"], 3);
    assert_eq!(r["all_subnets"], serde_json::json!([0, 1]));
    assert_eq!(r["dynamic_info"]["tempo"], TEMPO);
    assert_eq!(r["dynamic_info"]["moving_price"], 1.0);
    assert_eq!(r["dynamic_info"]["owner_hotkey"], to_ss58(&acc("Eve")));
    assert_eq!(r["missing_subnet"], true);
    assert_eq!(r["dynamic_info"]["price"], staking::PRICE_RAO);
    assert_eq!(
        r["all_subnets_prices"],
        serde_json::json!({"0": staking::PRICE_RAO, "1": staking::PRICE_RAO})
    );

    // Stake, delegates, swap, registration cost.
    let stake = lite[1].stake[0].1.0;
    assert_eq!(r["stake_for_coldkey_and_hotkey"], stake);
    assert_eq!(r["get_stake"], stake);
    assert_eq!(r["get_stake_unknown_subnet"], 0);
    assert!(
        r["stake_info_for_coldkey"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["hotkey"] == bob && s["netuid"] == NETUID && s["stake"] == stake)
    );
    assert!(r["stake_info_for_coldkeys"][&charlie].as_u64().unwrap() >= 1);
    assert_eq!(r["stake_add_fee"], 0);
    assert_eq!(r["delegates"], 0);
    assert_eq!(r["delegate"], true);
    assert_eq!(r["delegated"], 0);
    assert_eq!(r["price"], staking::PRICE_RAO);
    assert_eq!(r["sim_swap"]["alpha_amount"], 2 * TAO);
    assert_eq!(r["sim_swap"]["tao_fee"], 0);
    assert_eq!(r["burn_cost"], cost);
}
