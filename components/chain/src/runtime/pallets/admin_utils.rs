//! `AdminUtils` (index 19): the hyperparameter setters, called through `Sudo.sudo` (or, for
//! the ones subtensor lets owners set, by the subnet owner), writing `SubtensorModule` storage.

use super::subtensor::items::*;
use super::subtensor::registration;
use super::subtensor::{self, types::NetUid};
use crate::primitives::{AccountId32, DispatchError, Weight};
use crate::runtime::{Ctx, DispatchResult, Origin, RuntimeEvent, module_error};
use frame_metadata::v15::PalletMetadata;
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "AdminUtils";
/// Pallet index.
pub const INDEX: u8 = 19;
/// Highest bonds moving average an owner may set (subtensor's limit for owners).
pub const OWNER_MAX_BONDS_MOVING_AVERAGE: u64 = 975_000;

/// Calls of `AdminUtils` (the hyperparameter setters; names, indices and arguments as in
/// subtensor).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Sets `TxRateLimit`: transaction rate limit.
    #[codec(index = 2)]
    sudo_set_tx_rate_limit {
        /// New value.
        tx_rate_limit: u64,
    },
    /// Sets `ServingRateLimit`: blocks between axon updates.
    #[codec(index = 3)]
    sudo_set_serving_rate_limit {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        serving_rate_limit: u64,
    },
    /// Sets `WeightsVersionKey`: minimum weights version key.
    #[codec(index = 6)]
    sudo_set_weights_version_key {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        weights_version_key: u64,
    },
    /// Sets `WeightsSetRateLimit`: blocks between weight updates of a uid.
    #[codec(index = 7)]
    sudo_set_weights_set_rate_limit {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        weights_set_rate_limit: u64,
    },
    /// Sets `AdjustmentInterval`: blocks between registration price adjustments.
    #[codec(index = 8)]
    sudo_set_adjustment_interval {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        adjustment_interval: u16,
    },
    /// Sets `AdjustmentAlpha`: inertia of registration price adjustments.
    #[codec(index = 9)]
    sudo_set_adjustment_alpha {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        adjustment_alpha: u64,
    },
    /// Sets `ImmunityPeriod`: blocks a registration is immune from pruning.
    #[codec(index = 13)]
    sudo_set_immunity_period {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        immunity_period: u16,
    },
    /// Sets `MinAllowedWeights`: minimum number of weights per validator.
    #[codec(index = 14)]
    sudo_set_min_allowed_weights {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        min_allowed_weights: u16,
    },
    /// Sets `MaxAllowedUids`: maximum number of uids.
    #[codec(index = 15)]
    sudo_set_max_allowed_uids {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        max_allowed_uids: u16,
    },
    /// Sets `Kappa`: consensus majority.
    #[codec(index = 16)]
    sudo_set_kappa {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        kappa: u16,
    },
    /// Sets `Rho`: rho.
    #[codec(index = 17)]
    sudo_set_rho {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        rho: u16,
    },
    /// Sets `ActivityCutoff`: blocks of inactivity before a validator is inactive.
    #[codec(index = 18)]
    sudo_set_activity_cutoff {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        activity_cutoff: u16,
    },
    /// Sets `NetworkRegistrationAllowed`: whether registrations are open.
    #[codec(index = 19)]
    sudo_set_network_registration_allowed {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        registration_allowed: bool,
    },
    /// Sets `NetworkPowRegistrationAllowed`: whether proof-of-work registrations are open.
    #[codec(index = 20)]
    sudo_set_network_pow_registration_allowed {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        registration_allowed: bool,
    },
    /// Sets `TargetRegistrationsPerInterval`: target registrations per interval.
    #[codec(index = 21)]
    sudo_set_target_registrations_per_interval {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        target_registrations_per_interval: u16,
    },
    /// Sets `MinBurn`: lower bound of the burn.
    #[codec(index = 22)]
    sudo_set_min_burn {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        min_burn: u64,
    },
    /// Sets `MaxBurn`: upper bound of the burn.
    #[codec(index = 23)]
    sudo_set_max_burn {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        max_burn: u64,
    },
    /// Sets `Difficulty`: proof-of-work difficulty.
    #[codec(index = 24)]
    sudo_set_difficulty {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        difficulty: u64,
    },
    /// Sets `MaxAllowedValidators`: maximum number of validator permits.
    #[codec(index = 25)]
    sudo_set_max_allowed_validators {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        max_allowed_validators: u16,
    },
    /// Sets `BondsMovingAverage`: bonds moving average, per million.
    #[codec(index = 26)]
    sudo_set_bonds_moving_average {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        bonds_moving_average: u64,
    },
    /// Sets `MaxRegistrationsPerBlock`: maximum registrations per block.
    #[codec(index = 27)]
    sudo_set_max_registrations_per_block {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        max_registrations_per_block: u16,
    },
    /// Sets `SubnetOwnerCut`: owner share of alpha emission.
    #[codec(index = 28)]
    sudo_set_subnet_owner_cut {
        /// New value.
        subnet_owner_cut: u16,
    },
    /// Sets `NetworkRateLimit`: blocks between subnet registrations.
    #[codec(index = 29)]
    sudo_set_network_rate_limit {
        /// New value.
        rate_limit: u64,
    },
    /// Sets `Tempo`: blocks per epoch.
    #[codec(index = 30)]
    sudo_set_tempo {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        tempo: u16,
    },
    /// Sets `NetworkMinLockCost`: minimum subnet lock cost.
    #[codec(index = 36)]
    sudo_set_network_min_lock_cost {
        /// New value.
        lock_cost: u64,
    },
    /// Sets `StakeThreshold`: minimum stake for weights.
    #[codec(index = 42)]
    sudo_set_stake_threshold {
        /// New value.
        min_stake: u64,
    },
    /// Sets `CommitRevealWeightsEnabled`: whether weights are committed and revealed.
    #[codec(index = 49)]
    sudo_set_commit_reveal_weights_enabled {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        enabled: bool,
    },
    /// Sets `LiquidAlphaOn`: liquid alpha.
    #[codec(index = 50)]
    sudo_set_liquid_alpha_enabled {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        enabled: bool,
    },
    /// Sets the liquid alpha bounds.
    #[codec(index = 51)]
    sudo_set_alpha_values {
        /// Subnet.
        netuid: NetUid,
        /// Lower bound (u16 proportion).
        alpha_low: u16,
        /// Upper bound (u16 proportion).
        alpha_high: u16,
    },
    /// Sets `BondsPenalty`: bonds penalty.
    #[codec(index = 60)]
    sudo_set_bonds_penalty {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        bonds_penalty: u16,
    },
    /// Sets `SubtokenEnabled`: whether staking is enabled.
    #[codec(index = 66)]
    sudo_set_subtoken_enabled {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        subtoken_enabled: bool,
    },
    /// Sets `AlphaSigmoidSteepness`: liquid alpha sigmoid steepness.
    #[codec(index = 68)]
    sudo_set_alpha_sigmoid_steepness {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        steepness: i16,
    },
    /// Sets `Yuma3On`: yuma3 bonds.
    #[codec(index = 69)]
    sudo_set_yuma3_enabled {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        enabled: bool,
    },
}

/// Events of `AdminUtils`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// Yuma3 was switched on or off.
    #[codec(index = 1)]
    Yuma3EnableToggled {
        /// Subnet.
        netuid: NetUid,
        /// New state.
        enabled: bool,
    },
}

/// Errors of `AdminUtils` (all of subtensor's, in order).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    /// The subnet does not exist.
    SubnetDoesNotExist,
    /// Max validators would exceed max uids.
    MaxValidatorsLargerThanMaxUIds,
    /// Max uids would be below the current number of uids.
    MaxAllowedUIdsLessThanCurrentUIds,
    /// The bonds moving average is above the owner's limit.
    BondsMovingAverageMaxReached,
    /// The sigmoid steepness is negative.
    NegativeSigmoidSteepness,
    /// The value is out of bounds.
    ValueNotInBounds,
    /// Min uids would exceed the current number of uids.
    MinAllowedUidsGreaterThanCurrentUids,
    /// Min uids would exceed max uids.
    MinAllowedUidsGreaterThanMaxAllowedUids,
    /// Max uids would be below min uids.
    MaxAllowedUidsLessThanMinAllowedUids,
    /// Max uids would exceed the default maximum.
    MaxAllowedUidsGreaterThanDefaultMaxAllowedUids,
    /// The value is invalid.
    InvalidValue,
}

impl From<Error> for DispatchError {
    fn from(e: Error) -> DispatchError {
        module_error(INDEX, e)
    }
}

impl Call {
    /// Weight of the call.
    pub fn weight(&self) -> Weight {
        Weight {
            ref_time: 15_000_000,
            proof_size: 3_500,
        }
    }

    /// The subnet the call configures, if any.
    fn netuid(&self) -> Option<NetUid> {
        match self {
            Call::sudo_set_serving_rate_limit { netuid, .. }
            | Call::sudo_set_weights_version_key { netuid, .. }
            | Call::sudo_set_weights_set_rate_limit { netuid, .. }
            | Call::sudo_set_adjustment_interval { netuid, .. }
            | Call::sudo_set_adjustment_alpha { netuid, .. }
            | Call::sudo_set_immunity_period { netuid, .. }
            | Call::sudo_set_min_allowed_weights { netuid, .. }
            | Call::sudo_set_max_allowed_uids { netuid, .. }
            | Call::sudo_set_kappa { netuid, .. }
            | Call::sudo_set_rho { netuid, .. }
            | Call::sudo_set_activity_cutoff { netuid, .. }
            | Call::sudo_set_network_registration_allowed { netuid, .. }
            | Call::sudo_set_network_pow_registration_allowed { netuid, .. }
            | Call::sudo_set_target_registrations_per_interval { netuid, .. }
            | Call::sudo_set_min_burn { netuid, .. }
            | Call::sudo_set_max_burn { netuid, .. }
            | Call::sudo_set_difficulty { netuid, .. }
            | Call::sudo_set_max_allowed_validators { netuid, .. }
            | Call::sudo_set_bonds_moving_average { netuid, .. }
            | Call::sudo_set_max_registrations_per_block { netuid, .. }
            | Call::sudo_set_tempo { netuid, .. }
            | Call::sudo_set_commit_reveal_weights_enabled { netuid, .. }
            | Call::sudo_set_liquid_alpha_enabled { netuid, .. }
            | Call::sudo_set_bonds_penalty { netuid, .. }
            | Call::sudo_set_subtoken_enabled { netuid, .. }
            | Call::sudo_set_alpha_sigmoid_steepness { netuid, .. }
            | Call::sudo_set_yuma3_enabled { netuid, .. }
            | Call::sudo_set_alpha_values { netuid, .. } => Some(*netuid),
            _ => None,
        }
    }

    /// Whether subtensor lets the subnet owner make this call (otherwise root only).
    fn owner_may_call(&self) -> bool {
        matches!(
            self,
            Call::sudo_set_serving_rate_limit { .. }
                | Call::sudo_set_weights_version_key { .. }
                | Call::sudo_set_adjustment_alpha { .. }
                | Call::sudo_set_immunity_period { .. }
                | Call::sudo_set_min_allowed_weights { .. }
                | Call::sudo_set_rho { .. }
                | Call::sudo_set_activity_cutoff { .. }
                | Call::sudo_set_network_pow_registration_allowed { .. }
                | Call::sudo_set_bonds_moving_average { .. }
                | Call::sudo_set_commit_reveal_weights_enabled { .. }
                | Call::sudo_set_liquid_alpha_enabled { .. }
                | Call::sudo_set_bonds_penalty { .. }
                | Call::sudo_set_alpha_sigmoid_steepness { .. }
                | Call::sudo_set_yuma3_enabled { .. }
                | Call::sudo_set_alpha_values { .. }
        )
    }
}

/// Requires root, or the owner of `netuid` when `owner_ok`.
fn ensure_root_or_owner(
    ctx: &Ctx<'_>,
    origin: Origin,
    netuid: Option<NetUid>,
    owner_ok: bool,
) -> DispatchResult {
    match (origin, netuid) {
        (Origin::Root, _) => Ok(()),
        (Origin::Signed(who), Some(netuid)) if owner_ok && is_owner(ctx, &who, netuid) => Ok(()),
        _ => Err(DispatchError::BadOrigin),
    }
}

fn is_owner(ctx: &Ctx<'_>, who: &AccountId32, netuid: NetUid) -> bool {
    registration::exists(ctx.state, netuid) && SubnetOwner.get(ctx.state, &netuid) == *who
}

/// Dispatches an `AdminUtils` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    let netuid = call.netuid();
    ensure_root_or_owner(ctx, origin, netuid, call.owner_may_call())?;
    if let Some(netuid) = netuid
        && !registration::exists(ctx.state, netuid)
    {
        return Err(Error::SubnetDoesNotExist.into());
    }
    validate(ctx, origin, call)?;
    let s = &mut *ctx.state;
    match call {
        Call::sudo_set_serving_rate_limit {
            netuid,
            serving_rate_limit,
        } => ServingRateLimit.put(s, netuid, serving_rate_limit),
        Call::sudo_set_weights_version_key {
            netuid,
            weights_version_key,
        } => WeightsVersionKey.put(s, netuid, weights_version_key),
        Call::sudo_set_weights_set_rate_limit {
            netuid,
            weights_set_rate_limit,
        } => WeightsSetRateLimit.put(s, netuid, weights_set_rate_limit),
        Call::sudo_set_adjustment_interval {
            netuid,
            adjustment_interval,
        } => AdjustmentInterval.put(s, netuid, adjustment_interval),
        Call::sudo_set_adjustment_alpha {
            netuid,
            adjustment_alpha,
        } => AdjustmentAlpha.put(s, netuid, adjustment_alpha),
        Call::sudo_set_immunity_period {
            netuid,
            immunity_period,
        } => ImmunityPeriod.put(s, netuid, immunity_period),
        Call::sudo_set_min_allowed_weights {
            netuid,
            min_allowed_weights,
        } => MinAllowedWeights.put(s, netuid, min_allowed_weights),
        Call::sudo_set_max_allowed_uids {
            netuid,
            max_allowed_uids,
        } => MaxAllowedUids.put(s, netuid, max_allowed_uids),
        Call::sudo_set_kappa { netuid, kappa } => Kappa.put(s, netuid, kappa),
        Call::sudo_set_rho { netuid, rho } => Rho.put(s, netuid, rho),
        Call::sudo_set_activity_cutoff {
            netuid,
            activity_cutoff,
        } => ActivityCutoff.put(s, netuid, activity_cutoff),
        Call::sudo_set_network_registration_allowed {
            netuid,
            registration_allowed,
        } => NetworkRegistrationAllowed.put(s, netuid, registration_allowed),
        Call::sudo_set_network_pow_registration_allowed {
            netuid,
            registration_allowed,
        } => NetworkPowRegistrationAllowed.put(s, netuid, registration_allowed),
        Call::sudo_set_target_registrations_per_interval {
            netuid,
            target_registrations_per_interval,
        } => TargetRegistrationsPerInterval.put(s, netuid, target_registrations_per_interval),
        Call::sudo_set_min_burn { netuid, min_burn } => MinBurn.put(s, netuid, min_burn),
        Call::sudo_set_max_burn { netuid, max_burn } => MaxBurn.put(s, netuid, max_burn),
        Call::sudo_set_difficulty { netuid, difficulty } => Difficulty.put(s, netuid, difficulty),
        Call::sudo_set_max_allowed_validators {
            netuid,
            max_allowed_validators,
        } => MaxAllowedValidators.put(s, netuid, max_allowed_validators),
        Call::sudo_set_bonds_moving_average {
            netuid,
            bonds_moving_average,
        } => BondsMovingAverage.put(s, netuid, bonds_moving_average),
        Call::sudo_set_max_registrations_per_block {
            netuid,
            max_registrations_per_block,
        } => MaxRegistrationsPerBlock.put(s, netuid, max_registrations_per_block),
        Call::sudo_set_tempo { netuid, tempo } => Tempo.put(s, netuid, tempo),
        Call::sudo_set_commit_reveal_weights_enabled { netuid, enabled } => {
            CommitRevealWeightsEnabled.put(s, netuid, enabled)
        }
        Call::sudo_set_liquid_alpha_enabled { netuid, enabled } => {
            LiquidAlphaOn.put(s, netuid, enabled)
        }
        Call::sudo_set_bonds_penalty {
            netuid,
            bonds_penalty,
        } => BondsPenalty.put(s, netuid, bonds_penalty),
        Call::sudo_set_subtoken_enabled {
            netuid,
            subtoken_enabled,
        } => SubtokenEnabled.put(s, netuid, subtoken_enabled),
        Call::sudo_set_alpha_sigmoid_steepness { netuid, steepness } => {
            AlphaSigmoidSteepness.put(s, netuid, steepness)
        }
        Call::sudo_set_yuma3_enabled { netuid, enabled } => Yuma3On.put(s, netuid, enabled),
        Call::sudo_set_tx_rate_limit { tx_rate_limit } => TxRateLimit.put(s, tx_rate_limit),
        Call::sudo_set_subnet_owner_cut { subnet_owner_cut } => {
            SubnetOwnerCut.put(s, subnet_owner_cut)
        }
        Call::sudo_set_network_rate_limit { rate_limit } => NetworkRateLimit.put(s, rate_limit),
        Call::sudo_set_network_min_lock_cost { lock_cost } => NetworkMinLockCost.put(s, lock_cost),
        Call::sudo_set_stake_threshold { min_stake } => StakeThreshold.put(s, min_stake),
        Call::sudo_set_alpha_values {
            netuid,
            alpha_low,
            alpha_high,
        } => AlphaValues.put(s, netuid, &(*alpha_low, *alpha_high)),
    }
    if let Call::sudo_set_yuma3_enabled { netuid, enabled } = call {
        ctx.deposit(RuntimeEvent::AdminUtils(Event::Yuma3EnableToggled {
            netuid: *netuid,
            enabled: *enabled,
        }));
    }
    Ok(())
}

/// Lowest liquid alpha bound (`do_set_alpha_values`: 65535/40).
const MIN_ALPHA: u16 = u16::MAX / 40;

/// Value checks, as subtensor makes them; nothing is written when one fails.
fn validate(ctx: &Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    let s = &*ctx.state;
    let root = origin == Origin::Root;
    let err: DispatchError = match call {
        Call::sudo_set_max_allowed_uids {
            netuid,
            max_allowed_uids,
        } if *max_allowed_uids < SubnetworkN.get(s, netuid) => {
            Error::MaxAllowedUIdsLessThanCurrentUIds.into()
        }
        Call::sudo_set_max_allowed_uids {
            netuid,
            max_allowed_uids,
        } if *max_allowed_uids < MaxAllowedValidators.get(s, netuid) => {
            Error::MaxValidatorsLargerThanMaxUIds.into()
        }
        Call::sudo_set_max_allowed_validators {
            netuid,
            max_allowed_validators,
        } if *max_allowed_validators > MaxAllowedUids.get(s, netuid) => {
            Error::MaxValidatorsLargerThanMaxUIds.into()
        }
        Call::sudo_set_bonds_moving_average {
            bonds_moving_average,
            ..
        } if !root && *bonds_moving_average > OWNER_MAX_BONDS_MOVING_AVERAGE => {
            Error::BondsMovingAverageMaxReached.into()
        }
        Call::sudo_set_alpha_sigmoid_steepness { steepness, .. } if !root && *steepness < 0 => {
            Error::NegativeSigmoidSteepness.into()
        }
        Call::sudo_set_activity_cutoff {
            activity_cutoff, ..
        } if *activity_cutoff < MinActivityCutoff.get(s) => {
            subtensor::Error::ActivityCutoffTooLow.into()
        }
        Call::sudo_set_alpha_values { netuid, .. } if !LiquidAlphaOn.get(s, netuid) => {
            subtensor::Error::LiquidAlphaDisabled.into()
        }
        // Both bounds at least 65535/40 = 1638, the lower one not above the upper (spec §2.5).
        Call::sudo_set_alpha_values { alpha_high, .. } if *alpha_high < MIN_ALPHA => {
            subtensor::Error::AlphaHighTooLow.into()
        }
        Call::sudo_set_alpha_values {
            alpha_low,
            alpha_high,
            ..
        } if *alpha_low < MIN_ALPHA || alpha_low > alpha_high => {
            subtensor::Error::AlphaLowOutOfRange.into()
        }
        Call::sudo_set_min_burn { netuid, min_burn } if *min_burn > MaxBurn.get(s, netuid) => {
            Error::ValueNotInBounds.into()
        }
        Call::sudo_set_max_burn { netuid, max_burn } if *max_burn < MinBurn.get(s, netuid) => {
            Error::ValueNotInBounds.into()
        }
        _ => return Ok(()),
    };
    Err(err)
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: None,
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
