//! Metagraphs (`get_metagraph`, `get_mechagraph`, `get_selective_metagraph`,
//! `get_selective_mechagraph`, `get_all_*`) and `get_subnet_state`.
//!
//! Per-uid vectors have `SubnetworkN` entries. The devnet keeps one set of per-uid results per
//! subnet, so every mechanism of a subnet shows the same neurons; a mechanism's graph carries
//! its storage index (`mecid * 4096 + netuid`) in `netuid`, as subtensor's does.

use super::common::{
    ChainIdentityV2, FixedI128, MAX_DIFFICULTY, MECHANISM_STRIDE, MIN_DIFFICULTY, SubnetIdentityV3,
    block_number, coldkeys, compact, compact_bytes, hotkeys, per_uid, registration_blocks, stakes,
    subnet_exists, subnets,
};
use super::dynamic_info::{pending_alpha, subnet_name};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::*;
use crate::runtime::pallets::subtensor::types::{AxonInfo, NetUid};
use crate::state::State;
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

/// Declares `Metagraph` (every field after `netuid`, in subtensor's order) and
/// `SelectiveMetagraph` (the same fields as options, plus `validators` and `commitments`), and
/// the projection of one onto the other by field index.
macro_rules! metagraphs {
    ($($(#[doc = $doc:literal])* $field:ident: $ty:ty,)*) => {
        /// A subnet's metagraph (subtensor's `Metagraph`).
        #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
        pub struct Metagraph {
            /// Subnet (storage index for mechanisms other than 0).
            pub netuid: Compact<u16>,
            $($(#[doc = $doc])* pub $field: $ty,)*
        }

        /// The fields of a metagraph a client asked for (subtensor's `SelectiveMetagraph`):
        /// field `i` is `Some` when index `i` was requested (`netuid`, index 0, always is).
        #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
        pub struct SelectiveMetagraph {
            /// Subnet (storage index for mechanisms other than 0).
            pub netuid: Compact<u16>,
            $($(#[doc = $doc])* pub $field: Option<$ty>,)*
            /// Uids holding a validator permit.
            pub validators: Option<Vec<Compact<u16>>>,
            /// Commitments per hotkey (the devnet has no commitments pallet: empty).
            pub commitments: Option<Vec<(AccountId32, Vec<Compact<u8>>)>>,
        }

        /// Index of `validators` in `SelectiveMetagraph` (`commitments` follows it).
        pub const VALIDATORS_INDEX: u16 = [$(stringify!($field)),*].len() as u16 + 1;

        impl Metagraph {
            /// Projects onto the requested field indexes.
            pub fn select(self, wanted: &[u16]) -> SelectiveMetagraph {
                let want = |i: u16| wanted.contains(&i);
                let mut index: u16 = 0;
                let validators = want(VALIDATORS_INDEX).then(|| {
                    compact(
                        &(0u16..)
                            .zip(&self.validator_permit)
                            .filter_map(|(uid, permit)| permit.then_some(uid))
                            .collect::<Vec<u16>>(),
                    )
                });
                SelectiveMetagraph {
                    netuid: self.netuid,
                    $($field: {
                        index += 1;
                        want(index).then_some(self.$field)
                    },)*
                    validators,
                    commitments: want(VALIDATORS_INDEX + 1).then(Vec::new),
                }
            }
        }
    };
}

metagraphs! {
    /// Name.
    name: Vec<Compact<u8>>,
    /// `TokenSymbol`.
    symbol: Vec<Compact<u8>>,
    /// `SubnetIdentitiesV3`.
    identity: Option<SubnetIdentityV3>,
    /// `NetworkRegisteredAt`.
    network_registered_at: Compact<u64>,
    /// `SubnetOwnerHotkey`.
    owner_hotkey: AccountId32,
    /// `SubnetOwner`.
    owner_coldkey: AccountId32,
    /// The block of the state read.
    block: Compact<u64>,
    /// `Tempo`.
    tempo: Compact<u16>,
    /// `LastMechansimStepBlock`.
    last_step: Compact<u64>,
    /// `BlocksSinceLastStep`.
    blocks_since_last_step: Compact<u64>,
    /// TAO emitted into the subnet in the last block (`SubnetTaoInEmission`).
    subnet_emission: Compact<u64>,
    /// `SubnetAlphaIn`.
    alpha_in: Compact<u64>,
    /// `SubnetAlphaOut`.
    alpha_out: Compact<u64>,
    /// `SubnetTAO`.
    tao_in: Compact<u64>,
    /// `SubnetAlphaOutEmission`.
    alpha_out_emission: Compact<u64>,
    /// `SubnetAlphaInEmission`.
    alpha_in_emission: Compact<u64>,
    /// `SubnetTaoInEmission`.
    tao_in_emission: Compact<u64>,
    /// `PendingServerEmission + PendingValidatorEmission`.
    pending_alpha_emission: Compact<u64>,
    /// `PendingRootAlphaDivs`.
    pending_root_emission: Compact<u64>,
    /// Traded volume (0: no pool trading on the devnet).
    subnet_volume: Compact<u128>,
    /// Moving price: the devnet's fixed price, 1.0.
    moving_price: FixedI128,
    /// `Rho`.
    rho: Compact<u16>,
    /// `Kappa`.
    kappa: Compact<u16>,
    /// `MinAllowedWeights`.
    min_allowed_weights: Compact<u16>,
    /// `MaxWeightsLimit`.
    max_weights_limit: Compact<u16>,
    /// `WeightsVersionKey`.
    weights_version: Compact<u64>,
    /// `WeightsSetRateLimit`.
    weights_rate_limit: Compact<u64>,
    /// `ActivityCutoff`.
    activity_cutoff: Compact<u16>,
    /// `MaxAllowedValidators`.
    max_validators: Compact<u16>,
    /// `SubnetworkN`.
    num_uids: Compact<u16>,
    /// `MaxAllowedUids`.
    max_uids: Compact<u16>,
    /// `Burn`.
    burn: Compact<u64>,
    /// `Difficulty`.
    difficulty: Compact<u64>,
    /// `NetworkRegistrationAllowed`.
    registration_allowed: bool,
    /// `NetworkPowRegistrationAllowed`.
    pow_registration_allowed: bool,
    /// `ImmunityPeriod`.
    immunity_period: Compact<u16>,
    /// `MinDifficulty` (subtensor's default).
    min_difficulty: Compact<u64>,
    /// `MaxDifficulty` (subtensor's default).
    max_difficulty: Compact<u64>,
    /// `MinBurn`.
    min_burn: Compact<u64>,
    /// `MaxBurn`.
    max_burn: Compact<u64>,
    /// `AdjustmentAlpha`.
    adjustment_alpha: Compact<u64>,
    /// `AdjustmentInterval`.
    adjustment_interval: Compact<u16>,
    /// `TargetRegistrationsPerInterval`.
    target_regs_per_interval: Compact<u16>,
    /// `MaxRegistrationsPerBlock`.
    max_regs_per_block: Compact<u16>,
    /// `ServingRateLimit`.
    serving_rate_limit: Compact<u64>,
    /// `CommitRevealWeightsEnabled`.
    commit_reveal_weights_enabled: bool,
    /// `RevealPeriodEpochs`.
    commit_reveal_period: Compact<u64>,
    /// `LiquidAlphaOn`.
    liquid_alpha_enabled: bool,
    /// Upper liquid alpha bound (`AlphaValues`).
    alpha_high: Compact<u16>,
    /// Lower liquid alpha bound (`AlphaValues`).
    alpha_low: Compact<u16>,
    /// `BondsMovingAverage`.
    bonds_moving_avg: Compact<u64>,
    /// Hotkey of each uid (`Keys`).
    hotkeys: Vec<AccountId32>,
    /// Owning coldkey of each uid's hotkey (`Owner`).
    coldkeys: Vec<AccountId32>,
    /// Identity of each uid's coldkey (`IdentitiesV2`).
    identities: Vec<Option<ChainIdentityV2>>,
    /// Axon of each uid (`Axons`, default when none).
    axons: Vec<AxonInfo>,
    /// `Active`.
    active: Vec<bool>,
    /// `ValidatorPermit`.
    validator_permit: Vec<bool>,
    /// Pruning scores (no longer computed: 0).
    pruning_score: Vec<Compact<u16>>,
    /// `LastUpdate`.
    last_update: Vec<Compact<u64>>,
    /// `Emission`.
    emission: Vec<Compact<u64>>,
    /// `Dividends`.
    dividends: Vec<Compact<u16>>,
    /// `Incentive`.
    incentives: Vec<Compact<u16>>,
    /// `Consensus`.
    consensus: Vec<Compact<u16>>,
    /// Trust (no longer computed: 0).
    trust: Vec<Compact<u16>>,
    /// Rank (no longer computed: 0).
    rank: Vec<Compact<u16>>,
    /// `BlockAtRegistration`.
    block_at_registration: Vec<Compact<u64>>,
    /// Alpha staked to each hotkey on the subnet (`TotalHotkeyAlpha`).
    alpha_stake: Vec<Compact<u64>>,
    /// TAO staked to each hotkey on root (`TotalHotkeyAlpha` of root).
    tao_stake: Vec<Compact<u64>>,
    /// `alpha_stake + tao_stake * TaoWeight`.
    total_stake: Vec<Compact<u64>>,
    /// TAO dividends of each hotkey at the last epoch (no root dividends on the devnet: 0).
    tao_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
    /// Alpha dividends of each hotkey at the last epoch (`AlphaDividendsPerSubnet`).
    alpha_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
}

/// A subnet's per-uid state (subtensor's `SubnetState`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct SubnetState {
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Hotkey of each uid.
    pub hotkeys: Vec<AccountId32>,
    /// Owning coldkey of each uid's hotkey.
    pub coldkeys: Vec<AccountId32>,
    /// `Active`.
    pub active: Vec<bool>,
    /// `ValidatorPermit`.
    pub validator_permit: Vec<bool>,
    /// Pruning scores (no longer computed: 0).
    pub pruning_score: Vec<Compact<u16>>,
    /// `LastUpdate`.
    pub last_update: Vec<Compact<u64>>,
    /// `Emission`.
    pub emission: Vec<Compact<u64>>,
    /// `Dividends`.
    pub dividends: Vec<Compact<u16>>,
    /// `Incentive`.
    pub incentives: Vec<Compact<u16>>,
    /// `Consensus`.
    pub consensus: Vec<Compact<u16>>,
    /// Trust (no longer computed: 0).
    pub trust: Vec<Compact<u16>>,
    /// Rank (no longer computed: 0).
    pub rank: Vec<Compact<u16>>,
    /// `BlockAtRegistration`.
    pub block_at_registration: Vec<Compact<u64>>,
    /// Alpha staked to each hotkey on the subnet.
    pub alpha_stake: Vec<Compact<u64>>,
    /// TAO staked to each hotkey on root.
    pub tao_stake: Vec<Compact<u64>>,
    /// `alpha_stake + tao_stake * TaoWeight`.
    pub total_stake: Vec<Compact<u64>>,
    /// For every subnet (netuid order), each hotkey's alpha dividends there at its last epoch.
    pub emission_history: Vec<Vec<Compact<u64>>>,
}

/// The metagraph of mechanism `mecid` of `netuid`, if both exist.
pub fn mechagraph(state: &State, netuid: NetUid, mecid: u8) -> Option<Metagraph> {
    if !subnet_exists(state, netuid) || mecid >= MechanismCountCurrent.get(state, &netuid) {
        return None;
    }
    let s = state;
    let n = SubnetworkN.get(s, &netuid);
    let hks = hotkeys(s, netuid);
    let cks = coldkeys(s, &hks);
    let (alpha, tao, total) = stakes(s, netuid, &hks);
    let (alpha_low, alpha_high) = AlphaValues.get(s, &netuid);
    let zeros = vec![Compact(0u16); usize::from(n)];
    let storage_index = u16::from(mecid)
        .saturating_mul(MECHANISM_STRIDE)
        .saturating_add(netuid);
    Some(Metagraph {
        netuid: Compact(storage_index),
        name: compact_bytes(&subnet_name(s, netuid)),
        symbol: compact_bytes(&TokenSymbol.get(s, &netuid)),
        identity: SubnetIdentitiesV3.try_get(s, &netuid),
        network_registered_at: Compact(NetworkRegisteredAt.get(s, &netuid)),
        owner_hotkey: SubnetOwnerHotkey.get(s, &netuid),
        owner_coldkey: SubnetOwner.get(s, &netuid),
        block: Compact(block_number(s)),
        tempo: Compact(Tempo.get(s, &netuid)),
        last_step: Compact(LastMechansimStepBlock.get(s, &netuid)),
        blocks_since_last_step: Compact(BlocksSinceLastStep.get(s, &netuid)),
        subnet_emission: Compact(SubnetTaoInEmission.get(s, &netuid)),
        alpha_in: Compact(SubnetAlphaIn.get(s, &netuid)),
        alpha_out: Compact(SubnetAlphaOut.get(s, &netuid)),
        tao_in: Compact(SubnetTAO.get(s, &netuid)),
        alpha_out_emission: Compact(SubnetAlphaOutEmission.get(s, &netuid)),
        alpha_in_emission: Compact(SubnetAlphaInEmission.get(s, &netuid)),
        tao_in_emission: Compact(SubnetTaoInEmission.get(s, &netuid)),
        pending_alpha_emission: Compact(pending_alpha(s, netuid)),
        pending_root_emission: Compact(PendingRootAlphaDivs.get(s, &netuid)),
        subnet_volume: Compact(0),
        moving_price: FixedI128::from_int(1),
        rho: Compact(Rho.get(s, &netuid)),
        kappa: Compact(Kappa.get(s, &netuid)),
        min_allowed_weights: Compact(MinAllowedWeights.get(s, &netuid)),
        max_weights_limit: Compact(MaxWeightsLimit.get(s, &netuid)),
        weights_version: Compact(WeightsVersionKey.get(s, &netuid)),
        weights_rate_limit: Compact(WeightsSetRateLimit.get(s, &netuid)),
        activity_cutoff: Compact(ActivityCutoff.get(s, &netuid)),
        max_validators: Compact(MaxAllowedValidators.get(s, &netuid)),
        num_uids: Compact(n),
        max_uids: Compact(MaxAllowedUids.get(s, &netuid)),
        burn: Compact(Burn.get(s, &netuid)),
        difficulty: Compact(Difficulty.get(s, &netuid)),
        registration_allowed: NetworkRegistrationAllowed.get(s, &netuid),
        pow_registration_allowed: NetworkPowRegistrationAllowed.get(s, &netuid),
        immunity_period: Compact(ImmunityPeriod.get(s, &netuid)),
        min_difficulty: Compact(MIN_DIFFICULTY),
        max_difficulty: Compact(MAX_DIFFICULTY),
        min_burn: Compact(MinBurn.get(s, &netuid)),
        max_burn: Compact(MaxBurn.get(s, &netuid)),
        adjustment_alpha: Compact(AdjustmentAlpha.get(s, &netuid)),
        adjustment_interval: Compact(AdjustmentInterval.get(s, &netuid)),
        target_regs_per_interval: Compact(TargetRegistrationsPerInterval.get(s, &netuid)),
        max_regs_per_block: Compact(MaxRegistrationsPerBlock.get(s, &netuid)),
        serving_rate_limit: Compact(ServingRateLimit.get(s, &netuid)),
        commit_reveal_weights_enabled: CommitRevealWeightsEnabled.get(s, &netuid),
        commit_reveal_period: Compact(RevealPeriodEpochs.get(s, &netuid)),
        liquid_alpha_enabled: LiquidAlphaOn.get(s, &netuid),
        alpha_high: Compact(alpha_high),
        alpha_low: Compact(alpha_low),
        bonds_moving_avg: Compact(BondsMovingAverage.get(s, &netuid)),
        identities: cks.iter().map(|c| IdentitiesV2.try_get(s, c)).collect(),
        coldkeys: cks,
        axons: hks
            .iter()
            .map(|hk| Axons.try_get(s, &netuid, hk).unwrap_or_default())
            .collect(),
        active: per_uid(&Active.get(s, &netuid), n),
        validator_permit: per_uid(&ValidatorPermit.get(s, &netuid), n),
        pruning_score: zeros.clone(),
        last_update: compact(&per_uid(&LastUpdate.get(s, &netuid), n)),
        emission: compact(&per_uid(&Emission.get(s, &netuid), n)),
        dividends: compact(&per_uid(&Dividends.get(s, &netuid), n)),
        incentives: compact(&per_uid(&Incentive.get(s, &netuid), n)),
        consensus: compact(&per_uid(&Consensus.get(s, &netuid), n)),
        trust: zeros.clone(),
        rank: zeros,
        block_at_registration: compact(&registration_blocks(s, netuid)),
        alpha_stake: compact(&alpha),
        tao_stake: compact(&tao),
        total_stake: compact(&total),
        tao_dividends_per_hotkey: hks.iter().map(|hk| (*hk, Compact(0))).collect(),
        alpha_dividends_per_hotkey: hks
            .iter()
            .map(|hk| (*hk, Compact(AlphaDividendsPerSubnet.get(s, &netuid, hk))))
            .collect(),
        hotkeys: hks,
    })
}

/// Every mechanism of every subnet, in (netuid, mecid) order.
pub fn all_mechagraphs(state: &State) -> Vec<Option<Metagraph>> {
    subnets(state)
        .into_iter()
        .flat_map(|netuid| {
            (0..MechanismCountCurrent.get(state, &netuid))
                .map(move |m| mechagraph(state, netuid, m))
        })
        .collect()
}

/// The requested fields of the metagraph of mechanism `mecid` of `netuid`, if both exist.
pub fn selective(
    state: &State,
    netuid: NetUid,
    mecid: u8,
    wanted: &[u16],
) -> Option<SelectiveMetagraph> {
    Some(mechagraph(state, netuid, mecid)?.select(wanted))
}

/// The per-uid state of `netuid`, if it exists.
pub fn subnet_state(state: &State, netuid: NetUid) -> Option<SubnetState> {
    let m = mechagraph(state, netuid, 0)?;
    let emission_history = subnets(state)
        .into_iter()
        .map(|other| {
            m.hotkeys
                .iter()
                .map(|hk| Compact(AlphaDividendsPerSubnet.get(state, &other, hk)))
                .collect()
        })
        .collect();
    Some(SubnetState {
        netuid,
        hotkeys: m.hotkeys,
        coldkeys: m.coldkeys,
        active: m.active,
        validator_permit: m.validator_permit,
        pruning_score: m.pruning_score,
        last_update: m.last_update,
        emission: m.emission,
        dividends: m.dividends,
        incentives: m.incentives,
        consensus: m.consensus,
        trust: m.trust,
        rank: m.rank,
        block_at_registration: m.block_at_registration,
        alpha_stake: m.alpha_stake,
        tao_stake: m.tao_stake,
        total_stake: m.total_stake,
        emission_history,
    })
}
