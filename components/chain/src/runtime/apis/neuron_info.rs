//! `NeuronInfoRuntimeApi`: one neuron (uid) of a subnet, with or without its weights and bonds.

use super::common::{PrometheusInfo, at, subnet_exists};
use super::{ApiError, args, method, param};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::{
    Active, Axons, Bonds, Consensus, Dividends, Emission, Incentive, Keys, LastUpdate, Owner,
    SubnetworkN, TotalHotkeyAlpha, ValidatorPermit, ValidatorTrust, Weights,
};
use crate::runtime::pallets::subtensor::types::{AxonInfo, NetUid};
use crate::state::State;
use frame_metadata::v15::RuntimeApiMetadata;
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// A neuron without its weights and bonds (subtensor's `NeuronInfoLite`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct NeuronInfoLite {
    /// Hotkey.
    pub hotkey: AccountId32,
    /// Owning coldkey (`Owner`).
    pub coldkey: AccountId32,
    /// Uid.
    #[codec(compact)]
    pub uid: u16,
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Active at the last epoch.
    pub active: bool,
    /// Served axon (`Axons`, default when none).
    pub axon_info: AxonInfo,
    /// Prometheus endpoint (never served on the devnet).
    pub prometheus_info: PrometheusInfo,
    /// `[(coldkey, TotalHotkeyAlpha on the subnet)]`, as subtensor reports it.
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    /// Rank (no longer computed: 0).
    #[codec(compact)]
    pub rank: u16,
    /// Alpha emission at the last epoch.
    #[codec(compact)]
    pub emission: u64,
    /// Incentive.
    #[codec(compact)]
    pub incentive: u16,
    /// Consensus.
    #[codec(compact)]
    pub consensus: u16,
    /// Trust (no longer computed: 0).
    #[codec(compact)]
    pub trust: u16,
    /// Validator trust.
    #[codec(compact)]
    pub validator_trust: u16,
    /// Dividends.
    #[codec(compact)]
    pub dividends: u16,
    /// Block of the last weights update.
    #[codec(compact)]
    pub last_update: u64,
    /// Validator permit.
    pub validator_permit: bool,
    /// Pruning score (no longer computed: 0).
    #[codec(compact)]
    pub pruning_score: u16,
}

/// A neuron with its weights and bonds rows (subtensor's `NeuronInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct NeuronInfo {
    /// Hotkey.
    pub hotkey: AccountId32,
    /// Owning coldkey (`Owner`).
    pub coldkey: AccountId32,
    /// Uid.
    #[codec(compact)]
    pub uid: u16,
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Active at the last epoch.
    pub active: bool,
    /// Served axon (`Axons`, default when none).
    pub axon_info: AxonInfo,
    /// Prometheus endpoint (never served on the devnet).
    pub prometheus_info: PrometheusInfo,
    /// `[(coldkey, TotalHotkeyAlpha on the subnet)]`, as subtensor reports it.
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    /// Rank (no longer computed: 0).
    #[codec(compact)]
    pub rank: u16,
    /// Alpha emission at the last epoch.
    #[codec(compact)]
    pub emission: u64,
    /// Incentive.
    #[codec(compact)]
    pub incentive: u16,
    /// Consensus.
    #[codec(compact)]
    pub consensus: u16,
    /// Trust (no longer computed: 0).
    #[codec(compact)]
    pub trust: u16,
    /// Validator trust.
    #[codec(compact)]
    pub validator_trust: u16,
    /// Dividends.
    #[codec(compact)]
    pub dividends: u16,
    /// Block of the last weights update.
    #[codec(compact)]
    pub last_update: u64,
    /// Validator permit.
    pub validator_permit: bool,
    /// Weights row: (uid, weight).
    pub weights: Vec<(Compact<u16>, Compact<u16>)>,
    /// Bonds row: (uid, bond).
    pub bonds: Vec<(Compact<u16>, Compact<u16>)>,
    /// Pruning score (no longer computed: 0).
    #[codec(compact)]
    pub pruning_score: u16,
}

/// The lite view of `uid`, if it exists on the subnet.
pub fn neuron_lite(state: &State, netuid: NetUid, uid: u16) -> Option<NeuronInfoLite> {
    if !subnet_exists(state, netuid) || uid >= SubnetworkN.get(state, &netuid) {
        return None;
    }
    let hotkey = Keys.get(state, &netuid, &uid);
    let coldkey = Owner.get(state, &hotkey);
    let stake = TotalHotkeyAlpha.get(state, &hotkey, &netuid);
    Some(NeuronInfoLite {
        hotkey,
        coldkey,
        uid,
        netuid,
        active: at(&Active.get(state, &netuid), uid),
        axon_info: Axons.try_get(state, &netuid, &hotkey).unwrap_or_default(),
        prometheus_info: PrometheusInfo::default(),
        stake: vec![(coldkey, Compact(stake))],
        rank: 0,
        emission: at(&Emission.get(state, &netuid), uid),
        incentive: at(&Incentive.get(state, &netuid), uid),
        consensus: at(&Consensus.get(state, &netuid), uid),
        trust: 0,
        validator_trust: at(&ValidatorTrust.get(state, &netuid), uid),
        dividends: at(&Dividends.get(state, &netuid), uid),
        last_update: at(&LastUpdate.get(state, &netuid), uid),
        validator_permit: at(&ValidatorPermit.get(state, &netuid), uid),
        pruning_score: 0,
    })
}

fn compact_row(row: Vec<(u16, u16)>) -> Vec<(Compact<u16>, Compact<u16>)> {
    row.into_iter()
        .map(|(uid, v)| (Compact(uid), Compact(v)))
        .collect()
}

/// The full view of `uid`, if it exists on the subnet.
pub fn neuron(state: &State, netuid: NetUid, uid: u16) -> Option<NeuronInfo> {
    let l = neuron_lite(state, netuid, uid)?;
    Some(NeuronInfo {
        hotkey: l.hotkey,
        coldkey: l.coldkey,
        uid: l.uid,
        netuid: l.netuid,
        active: l.active,
        axon_info: l.axon_info,
        prometheus_info: l.prometheus_info,
        stake: l.stake,
        rank: l.rank,
        emission: l.emission,
        incentive: l.incentive,
        consensus: l.consensus,
        trust: l.trust,
        validator_trust: l.validator_trust,
        dividends: l.dividends,
        last_update: l.last_update,
        validator_permit: l.validator_permit,
        weights: compact_row(Weights.get(state, &netuid, &uid)),
        bonds: compact_row(Bonds.get(state, &netuid, &uid)),
        pruning_score: l.pruning_score,
    })
}

fn all<T>(state: &State, netuid: NetUid, f: fn(&State, NetUid, u16) -> Option<T>) -> Vec<T> {
    (0..SubnetworkN.get(state, &netuid))
        .filter_map(|uid| f(state, netuid, uid))
        .collect()
}

/// Serves `NeuronInfoRuntimeApi_<name>`; `None` if there is no such method.
pub fn call(
    state: &State,
    name: &str,
    method: &str,
    bytes: &[u8],
) -> Option<Result<Vec<u8>, ApiError>> {
    let out = match name {
        "get_neurons_lite" => {
            args::<NetUid>(method, bytes).map(|n| all(state, n, neuron_lite).encode())
        }
        "get_neurons" => args::<NetUid>(method, bytes).map(|n| all(state, n, neuron).encode()),
        "get_neuron_lite" => {
            args::<(NetUid, u16)>(method, bytes).map(|(n, uid)| neuron_lite(state, n, uid).encode())
        }
        "get_neuron" => {
            args::<(NetUid, u16)>(method, bytes).map(|(n, uid)| neuron(state, n, uid).encode())
        }
        _ => return None,
    };
    Some(out)
}

/// Metadata of `NeuronInfoRuntimeApi`.
pub fn metadata() -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name: "NeuronInfoRuntimeApi",
        methods: vec![
            method(
                "get_neurons",
                vec![param::<NetUid>("netuid")],
                meta_type::<Vec<NeuronInfo>>(),
                &[],
            ),
            method(
                "get_neuron",
                vec![param::<NetUid>("netuid"), param::<u16>("uid")],
                meta_type::<Option<NeuronInfo>>(),
                &[],
            ),
            method(
                "get_neurons_lite",
                vec![param::<NetUid>("netuid")],
                meta_type::<Vec<NeuronInfoLite>>(),
                &[],
            ),
            method(
                "get_neuron_lite",
                vec![param::<NetUid>("netuid"), param::<u16>("uid")],
                meta_type::<Option<NeuronInfoLite>>(),
                &[],
            ),
        ],
        docs: vec![],
    }
}
