//! `SubnetInfoRuntimeApi`: subnet summaries and hyperparameters here; dynamic info and
//! metagraphs in their own modules, dispatched from [`call`].

use super::common::{
    FixedI64, MAX_DIFFICULTY, MIN_DIFFICULTY, SCALING_LAW_POWER, SubnetIdentityV3,
    TRANSFERS_ENABLED, YUMA_VERSIONS, subnet_exists, subnets,
};
use super::dynamic_info::{self, DynamicInfo};
use super::metagraph::{self, Metagraph, SelectiveMetagraph, SubnetState};
use super::{ApiError, args, method, param};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::*;
use crate::runtime::pallets::subtensor::types::NetUid;
use crate::state::State;
use frame_metadata::v15::RuntimeApiMetadata;
use parity_scale_codec::Encode;
use scale_info::{TypeInfo, meta_type};

/// A subnet's summary (subtensor's `SubnetInfo`).
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Decode, Encode, TypeInfo)]
pub struct SubnetInfo {
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// `Rho`.
    #[codec(compact)]
    pub rho: u16,
    /// `Kappa`.
    #[codec(compact)]
    pub kappa: u16,
    /// `Difficulty`.
    #[codec(compact)]
    pub difficulty: u64,
    /// `ImmunityPeriod`.
    #[codec(compact)]
    pub immunity_period: u16,
    /// `MaxAllowedValidators`.
    #[codec(compact)]
    pub max_allowed_validators: u16,
    /// `MinAllowedWeights`.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// `ScalingLawPower` (subtensor's default).
    #[codec(compact)]
    pub scaling_law_power: u16,
    /// `SubnetworkN`.
    #[codec(compact)]
    pub subnetwork_n: u16,
    /// `MaxAllowedUids`.
    #[codec(compact)]
    pub max_allowed_uids: u16,
    /// `BlocksSinceLastStep`.
    #[codec(compact)]
    pub blocks_since_last_step: u64,
    /// `Tempo`.
    #[codec(compact)]
    pub tempo: u16,
    /// Network modality (always 0).
    #[codec(compact)]
    pub network_modality: u16,
    /// Network connections (none).
    pub network_connect: Vec<[u16; 2]>,
    /// TAO emitted into the subnet in the last block (`SubnetTaoInEmission`).
    #[codec(compact)]
    pub emission_values: u64,
    /// `Burn`.
    #[codec(compact)]
    pub burn: u64,
    /// `SubnetOwner`.
    pub owner: AccountId32,
}

/// A subnet's summary with its identity (subtensor's `SubnetInfov2`).
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Decode, Encode, TypeInfo)]
pub struct SubnetInfov2 {
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// `Rho`.
    #[codec(compact)]
    pub rho: u16,
    /// `Kappa`.
    #[codec(compact)]
    pub kappa: u16,
    /// `Difficulty`.
    #[codec(compact)]
    pub difficulty: u64,
    /// `ImmunityPeriod`.
    #[codec(compact)]
    pub immunity_period: u16,
    /// `MaxAllowedValidators`.
    #[codec(compact)]
    pub max_allowed_validators: u16,
    /// `MinAllowedWeights`.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// `ScalingLawPower` (subtensor's default).
    #[codec(compact)]
    pub scaling_law_power: u16,
    /// `SubnetworkN`.
    #[codec(compact)]
    pub subnetwork_n: u16,
    /// `MaxAllowedUids`.
    #[codec(compact)]
    pub max_allowed_uids: u16,
    /// `BlocksSinceLastStep`.
    #[codec(compact)]
    pub blocks_since_last_step: u64,
    /// `Tempo`.
    #[codec(compact)]
    pub tempo: u16,
    /// Network modality (always 0).
    #[codec(compact)]
    pub network_modality: u16,
    /// Network connections (none).
    pub network_connect: Vec<[u16; 2]>,
    /// TAO emitted into the subnet in the last block (`SubnetTaoInEmission`).
    #[codec(compact)]
    pub emission_value: u64,
    /// `Burn`.
    #[codec(compact)]
    pub burn: u64,
    /// `SubnetOwner`.
    pub owner: AccountId32,
    /// `SubnetIdentitiesV3`.
    pub identity: Option<SubnetIdentityV3>,
}

/// Hyperparameters (subtensor's `SubnetHyperparams`).
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Decode, Encode, TypeInfo)]
pub struct SubnetHyperparams {
    /// `Rho`.
    #[codec(compact)]
    pub rho: u16,
    /// `Kappa`.
    #[codec(compact)]
    pub kappa: u16,
    /// `ImmunityPeriod`.
    #[codec(compact)]
    pub immunity_period: u16,
    /// `MinAllowedWeights`.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// `Tempo`.
    #[codec(compact)]
    pub tempo: u16,
    /// `MinDifficulty` (subtensor's default).
    #[codec(compact)]
    pub min_difficulty: u64,
    /// `MaxDifficulty` (subtensor's default).
    #[codec(compact)]
    pub max_difficulty: u64,
    /// `WeightsVersionKey`.
    #[codec(compact)]
    pub weights_version: u64,
    /// `WeightsSetRateLimit`.
    #[codec(compact)]
    pub weights_rate_limit: u64,
    /// `AdjustmentInterval`.
    #[codec(compact)]
    pub adjustment_interval: u16,
    /// `ActivityCutoff`.
    #[codec(compact)]
    pub activity_cutoff: u16,
    /// `NetworkRegistrationAllowed`.
    pub registration_allowed: bool,
    /// `TargetRegistrationsPerInterval`.
    #[codec(compact)]
    pub target_regs_per_interval: u16,
    /// `MinBurn`.
    #[codec(compact)]
    pub min_burn: u64,
    /// `MaxBurn`.
    #[codec(compact)]
    pub max_burn: u64,
    /// `BondsMovingAverage`.
    #[codec(compact)]
    pub bonds_moving_avg: u64,
    /// `MaxRegistrationsPerBlock`.
    #[codec(compact)]
    pub max_regs_per_block: u16,
    /// `ServingRateLimit`.
    #[codec(compact)]
    pub serving_rate_limit: u64,
    /// `MaxAllowedValidators`.
    #[codec(compact)]
    pub max_validators: u16,
    /// `AdjustmentAlpha`.
    #[codec(compact)]
    pub adjustment_alpha: u64,
    /// `Difficulty`.
    #[codec(compact)]
    pub difficulty: u64,
    /// `RevealPeriodEpochs`.
    #[codec(compact)]
    pub commit_reveal_period: u64,
    /// `CommitRevealWeightsEnabled`.
    pub commit_reveal_weights_enabled: bool,
    /// Upper liquid alpha bound (`AlphaValues`).
    #[codec(compact)]
    pub alpha_high: u16,
    /// Lower liquid alpha bound (`AlphaValues`).
    #[codec(compact)]
    pub alpha_low: u16,
    /// `LiquidAlphaOn`.
    pub liquid_alpha_enabled: bool,
}

/// Hyperparameters, second version (subtensor's `SubnetHyperparamsV2`).
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Decode, Encode, TypeInfo)]
pub struct SubnetHyperparamsV2 {
    /// `Rho`.
    #[codec(compact)]
    pub rho: u16,
    /// `Kappa`.
    #[codec(compact)]
    pub kappa: u16,
    /// `ImmunityPeriod`.
    #[codec(compact)]
    pub immunity_period: u16,
    /// `MinAllowedWeights`.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// `Tempo`.
    #[codec(compact)]
    pub tempo: u16,
    /// `MinDifficulty` (subtensor's default).
    #[codec(compact)]
    pub min_difficulty: u64,
    /// `MaxDifficulty` (subtensor's default).
    #[codec(compact)]
    pub max_difficulty: u64,
    /// `WeightsVersionKey`.
    #[codec(compact)]
    pub weights_version: u64,
    /// `WeightsSetRateLimit`.
    #[codec(compact)]
    pub weights_rate_limit: u64,
    /// `AdjustmentInterval`.
    #[codec(compact)]
    pub adjustment_interval: u16,
    /// `ActivityCutoff`.
    #[codec(compact)]
    pub activity_cutoff: u16,
    /// `NetworkRegistrationAllowed`.
    pub registration_allowed: bool,
    /// `TargetRegistrationsPerInterval`.
    #[codec(compact)]
    pub target_regs_per_interval: u16,
    /// `MinBurn`.
    #[codec(compact)]
    pub min_burn: u64,
    /// `MaxBurn`.
    #[codec(compact)]
    pub max_burn: u64,
    /// `BondsMovingAverage`.
    #[codec(compact)]
    pub bonds_moving_avg: u64,
    /// `MaxRegistrationsPerBlock`.
    #[codec(compact)]
    pub max_regs_per_block: u16,
    /// `ServingRateLimit`.
    #[codec(compact)]
    pub serving_rate_limit: u64,
    /// `MaxAllowedValidators`.
    #[codec(compact)]
    pub max_validators: u16,
    /// `AdjustmentAlpha`.
    #[codec(compact)]
    pub adjustment_alpha: u64,
    /// `Difficulty`.
    #[codec(compact)]
    pub difficulty: u64,
    /// `RevealPeriodEpochs`.
    #[codec(compact)]
    pub commit_reveal_period: u64,
    /// `CommitRevealWeightsEnabled`.
    pub commit_reveal_weights_enabled: bool,
    /// Upper liquid alpha bound (`AlphaValues`).
    #[codec(compact)]
    pub alpha_high: u16,
    /// Lower liquid alpha bound (`AlphaValues`).
    #[codec(compact)]
    pub alpha_low: u16,
    /// `LiquidAlphaOn`.
    pub liquid_alpha_enabled: bool,
    /// `AlphaSigmoidSteepness` as I32F32.
    pub alpha_sigmoid_steepness: FixedI64,
    /// 3 with `Yuma3On`, else 2.
    #[codec(compact)]
    pub yuma_version: u16,
    /// `SubtokenEnabled`.
    pub subnet_is_active: bool,
    /// `TransferToggle` (subtensor's default: enabled).
    pub transfers_enabled: bool,
    /// `BondsResetOn` (off on the devnet).
    pub bonds_reset_enabled: bool,
    /// User liquidity (off on the devnet).
    pub user_liquidity_enabled: bool,
}

/// The summary of `netuid`, if it exists.
pub fn subnet_info(state: &State, netuid: NetUid) -> Option<SubnetInfo> {
    let v2 = subnet_info_v2(state, netuid)?;
    Some(SubnetInfo {
        netuid: v2.netuid,
        rho: v2.rho,
        kappa: v2.kappa,
        difficulty: v2.difficulty,
        immunity_period: v2.immunity_period,
        max_allowed_validators: v2.max_allowed_validators,
        min_allowed_weights: v2.min_allowed_weights,
        max_weights_limit: v2.max_weights_limit,
        scaling_law_power: v2.scaling_law_power,
        subnetwork_n: v2.subnetwork_n,
        max_allowed_uids: v2.max_allowed_uids,
        blocks_since_last_step: v2.blocks_since_last_step,
        tempo: v2.tempo,
        network_modality: v2.network_modality,
        network_connect: v2.network_connect,
        emission_values: v2.emission_value,
        burn: v2.burn,
        owner: v2.owner,
    })
}

/// The summary of `netuid` with its identity, if it exists.
pub fn subnet_info_v2(state: &State, netuid: NetUid) -> Option<SubnetInfov2> {
    if !subnet_exists(state, netuid) {
        return None;
    }
    let s = state;
    Some(SubnetInfov2 {
        netuid,
        rho: Rho.get(s, &netuid),
        kappa: Kappa.get(s, &netuid),
        difficulty: Difficulty.get(s, &netuid),
        immunity_period: ImmunityPeriod.get(s, &netuid),
        max_allowed_validators: MaxAllowedValidators.get(s, &netuid),
        min_allowed_weights: MinAllowedWeights.get(s, &netuid),
        max_weights_limit: MaxWeightsLimit.get(s, &netuid),
        scaling_law_power: SCALING_LAW_POWER,
        subnetwork_n: SubnetworkN.get(s, &netuid),
        max_allowed_uids: MaxAllowedUids.get(s, &netuid),
        blocks_since_last_step: BlocksSinceLastStep.get(s, &netuid),
        tempo: Tempo.get(s, &netuid),
        network_modality: 0,
        network_connect: Vec::new(),
        emission_value: SubnetTaoInEmission.get(s, &netuid),
        burn: Burn.get(s, &netuid),
        owner: SubnetOwner.get(s, &netuid),
        identity: SubnetIdentitiesV3.try_get(s, &netuid),
    })
}

/// The hyperparameters of `netuid`, if it exists.
pub fn hyperparams(state: &State, netuid: NetUid) -> Option<SubnetHyperparams> {
    let v2 = hyperparams_v2(state, netuid)?;
    Some(SubnetHyperparams {
        rho: v2.rho,
        kappa: v2.kappa,
        immunity_period: v2.immunity_period,
        min_allowed_weights: v2.min_allowed_weights,
        max_weights_limit: v2.max_weights_limit,
        tempo: v2.tempo,
        min_difficulty: v2.min_difficulty,
        max_difficulty: v2.max_difficulty,
        weights_version: v2.weights_version,
        weights_rate_limit: v2.weights_rate_limit,
        adjustment_interval: v2.adjustment_interval,
        activity_cutoff: v2.activity_cutoff,
        registration_allowed: v2.registration_allowed,
        target_regs_per_interval: v2.target_regs_per_interval,
        min_burn: v2.min_burn,
        max_burn: v2.max_burn,
        bonds_moving_avg: v2.bonds_moving_avg,
        max_regs_per_block: v2.max_regs_per_block,
        serving_rate_limit: v2.serving_rate_limit,
        max_validators: v2.max_validators,
        adjustment_alpha: v2.adjustment_alpha,
        difficulty: v2.difficulty,
        commit_reveal_period: v2.commit_reveal_period,
        commit_reveal_weights_enabled: v2.commit_reveal_weights_enabled,
        alpha_high: v2.alpha_high,
        alpha_low: v2.alpha_low,
        liquid_alpha_enabled: v2.liquid_alpha_enabled,
    })
}

/// The hyperparameters of `netuid` in the second layout, if it exists.
pub fn hyperparams_v2(state: &State, netuid: NetUid) -> Option<SubnetHyperparamsV2> {
    if !subnet_exists(state, netuid) {
        return None;
    }
    let s = state;
    let (alpha_low, alpha_high) = AlphaValues.get(s, &netuid);
    Some(SubnetHyperparamsV2 {
        rho: Rho.get(s, &netuid),
        kappa: Kappa.get(s, &netuid),
        immunity_period: ImmunityPeriod.get(s, &netuid),
        min_allowed_weights: MinAllowedWeights.get(s, &netuid),
        max_weights_limit: MaxWeightsLimit.get(s, &netuid),
        tempo: Tempo.get(s, &netuid),
        min_difficulty: MIN_DIFFICULTY,
        max_difficulty: MAX_DIFFICULTY,
        weights_version: WeightsVersionKey.get(s, &netuid),
        weights_rate_limit: WeightsSetRateLimit.get(s, &netuid),
        adjustment_interval: AdjustmentInterval.get(s, &netuid),
        activity_cutoff: ActivityCutoff.get(s, &netuid),
        registration_allowed: NetworkRegistrationAllowed.get(s, &netuid),
        target_regs_per_interval: TargetRegistrationsPerInterval.get(s, &netuid),
        min_burn: MinBurn.get(s, &netuid),
        max_burn: MaxBurn.get(s, &netuid),
        bonds_moving_avg: BondsMovingAverage.get(s, &netuid),
        max_regs_per_block: MaxRegistrationsPerBlock.get(s, &netuid),
        serving_rate_limit: ServingRateLimit.get(s, &netuid),
        max_validators: MaxAllowedValidators.get(s, &netuid),
        adjustment_alpha: AdjustmentAlpha.get(s, &netuid),
        difficulty: Difficulty.get(s, &netuid),
        commit_reveal_period: RevealPeriodEpochs.get(s, &netuid),
        commit_reveal_weights_enabled: CommitRevealWeightsEnabled.get(s, &netuid),
        alpha_high,
        alpha_low,
        liquid_alpha_enabled: LiquidAlphaOn.get(s, &netuid),
        alpha_sigmoid_steepness: FixedI64::from_int(i32::from(
            AlphaSigmoidSteepness.get(s, &netuid),
        )),
        yuma_version: if Yuma3On.get(s, &netuid) {
            YUMA_VERSIONS.1
        } else {
            YUMA_VERSIONS.0
        },
        subnet_is_active: SubtokenEnabled.get(s, &netuid),
        transfers_enabled: TRANSFERS_ENABLED,
        bonds_reset_enabled: false,
        user_liquidity_enabled: false,
    })
}

/// One entry per existing subnet, in netuid order (as subtensor lists them).
fn per_subnet<T>(state: &State, f: impl Fn(&State, NetUid) -> Option<T>) -> Vec<Option<T>> {
    subnets(state).into_iter().map(|n| f(state, n)).collect()
}

/// Serves `SubnetInfoRuntimeApi_<name>`; `None` if there is no such method.
pub fn call(
    state: &State,
    name: &str,
    method: &str,
    bytes: &[u8],
) -> Option<Result<Vec<u8>, ApiError>> {
    let netuid = || args::<NetUid>(method, bytes);
    let none = || args::<()>(method, bytes);
    let out = match name {
        "get_subnet_info" => netuid().map(|n| subnet_info(state, n).encode()),
        "get_subnets_info" => none().map(|()| per_subnet(state, subnet_info).encode()),
        "get_subnet_info_v2" => netuid().map(|n| subnet_info_v2(state, n).encode()),
        "get_subnets_info_v2" => none().map(|()| per_subnet(state, subnet_info_v2).encode()),
        "get_subnet_hyperparams" => netuid().map(|n| hyperparams(state, n).encode()),
        "get_subnet_hyperparams_v2" => netuid().map(|n| hyperparams_v2(state, n).encode()),
        "get_subnet_hyperparams_v3" => netuid().map(|n| {
            hyperparams_v2(state, n)
                .map(|v2| super::hyperparams_v3::entries(&v2))
                .encode()
        }),
        "get_dynamic_info" => netuid().map(|n| dynamic_info::dynamic_info(state, n).encode()),
        "get_all_dynamic_info" => {
            none().map(|()| per_subnet(state, dynamic_info::dynamic_info).encode())
        }
        "get_metagraph" => netuid().map(|n| metagraph::mechagraph(state, n, 0).encode()),
        "get_all_metagraphs" => {
            none().map(|()| per_subnet(state, |s, n| metagraph::mechagraph(s, n, 0)).encode())
        }
        "get_mechagraph" => args::<(NetUid, u8)>(method, bytes)
            .map(|(n, m)| metagraph::mechagraph(state, n, m).encode()),
        "get_all_mechagraphs" => none().map(|()| metagraph::all_mechagraphs(state).encode()),
        "get_subnet_state" => netuid().map(|n| metagraph::subnet_state(state, n).encode()),
        "get_selective_metagraph" => args::<(NetUid, Vec<u16>)>(method, bytes)
            .map(|(n, idx)| metagraph::selective(state, n, 0, &idx).encode()),
        "get_selective_mechagraph" => args::<(NetUid, u8, Vec<u16>)>(method, bytes)
            .map(|(n, m, idx)| metagraph::selective(state, n, m, &idx).encode()),
        "get_coldkey_auto_stake_hotkey" => args::<(AccountId32, NetUid)>(method, bytes)
            // The devnet has no auto-stake destinations.
            .map(|_| Option::<AccountId32>::None.encode()),
        _ => return None,
    };
    Some(out)
}

/// Metadata of `SubnetInfoRuntimeApi` (the methods the devnet serves, in subtensor's order).
pub fn metadata() -> RuntimeApiMetadata {
    let netuid = || vec![param::<NetUid>("netuid")];
    RuntimeApiMetadata {
        name: "SubnetInfoRuntimeApi",
        methods: vec![
            method(
                "get_subnet_info",
                netuid(),
                meta_type::<Option<SubnetInfo>>(),
                &[],
            ),
            method(
                "get_subnets_info",
                vec![],
                meta_type::<Vec<Option<SubnetInfo>>>(),
                &[],
            ),
            method(
                "get_subnet_info_v2",
                netuid(),
                meta_type::<Option<SubnetInfov2>>(),
                &[],
            ),
            method(
                "get_subnets_info_v2",
                vec![],
                meta_type::<Vec<Option<SubnetInfov2>>>(),
                &[],
            ),
            method(
                "get_subnet_hyperparams",
                netuid(),
                meta_type::<Option<SubnetHyperparams>>(),
                &[],
            ),
            method(
                "get_subnet_hyperparams_v2",
                netuid(),
                meta_type::<Option<SubnetHyperparamsV2>>(),
                &[],
            ),
            method(
                "get_subnet_hyperparams_v3",
                netuid(),
                meta_type::<Option<Vec<super::hyperparams_v3::HyperparamEntry>>>(),
                &[],
            ),
            method(
                "get_all_dynamic_info",
                vec![],
                meta_type::<Vec<Option<DynamicInfo>>>(),
                &[],
            ),
            method(
                "get_all_metagraphs",
                vec![],
                meta_type::<Vec<Option<Metagraph>>>(),
                &[],
            ),
            method(
                "get_metagraph",
                netuid(),
                meta_type::<Option<Metagraph>>(),
                &[],
            ),
            method(
                "get_all_mechagraphs",
                vec![],
                meta_type::<Vec<Option<Metagraph>>>(),
                &[],
            ),
            method(
                "get_mechagraph",
                vec![param::<NetUid>("netuid"), param::<u8>("mecid")],
                meta_type::<Option<Metagraph>>(),
                &[],
            ),
            method(
                "get_dynamic_info",
                netuid(),
                meta_type::<Option<DynamicInfo>>(),
                &[],
            ),
            method(
                "get_subnet_state",
                netuid(),
                meta_type::<Option<SubnetState>>(),
                &[],
            ),
            method(
                "get_selective_metagraph",
                vec![
                    param::<NetUid>("netuid"),
                    param::<Vec<u16>>("metagraph_indexes"),
                ],
                meta_type::<Option<SelectiveMetagraph>>(),
                &[],
            ),
            method(
                "get_coldkey_auto_stake_hotkey",
                vec![param::<AccountId32>("coldkey"), param::<NetUid>("netuid")],
                meta_type::<Option<AccountId32>>(),
                &[],
            ),
            method(
                "get_selective_mechagraph",
                vec![
                    param::<NetUid>("netuid"),
                    param::<u8>("subid"),
                    param::<Vec<u16>>("metagraph_indexes"),
                ],
                meta_type::<Option<SelectiveMetagraph>>(),
                &[],
            ),
        ],
        docs: vec![],
    }
}
