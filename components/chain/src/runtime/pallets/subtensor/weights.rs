//! `set_weights` / `set_mechanism_weights` with subtensor's validation order (spec §8.1), and
//! `serve_axon` (spec §8.3).

use super::items::*;
use super::types::{AxonInfo, NetUid, ROOT_NETUID};
use super::{Error, Event};
use crate::primitives::AccountId32;
use crate::runtime::{Ctx, DispatchResult, RuntimeEvent};

/// Scales weights so the largest becomes `u16::MAX`, bit-exactly as subtensor's
/// `vec_u16_max_upscale_to_u16` (in I32F32: above a maximum of 32768 it multiplies by the
/// truncated `65535 / max`, so some exact halves round down, e.g. 32767 of 65534 → 32767).
pub fn max_upscale(weights: &[u16]) -> Vec<u16> {
    localtensor_consensus::fixed::max_upscale_u16(weights)
}

/// Validates and stores a weights row for the caller's uid.
pub fn set_weights(
    ctx: &mut Ctx<'_>,
    hotkey: &AccountId32,
    netuid: NetUid,
    mecid: u8,
    dests: &[u16],
    values: &[u16],
    version_key: u64,
) -> DispatchResult {
    let s = &*ctx.state;
    if CommitRevealWeightsEnabled.get(s, &netuid) {
        return Err(Error::CommitRevealEnabled.into());
    }
    if netuid == ROOT_NETUID {
        return Err(Error::CanNotSetRootNetworkWeights.into());
    }
    if dests.len() != values.len() {
        return Err(Error::WeightVecNotEqualSize.into());
    }
    if !NetworksAdded.get(s, &netuid) {
        return Err(Error::SubnetNotExists.into());
    }
    if mecid >= MechanismCountCurrent.get(s, &netuid) {
        return Err(Error::MechanismDoesNotExist.into());
    }
    let n = SubnetworkN.get(s, &netuid);
    if dests.len() > usize::from(n) {
        return Err(Error::UidsLengthExceedUidsInSubNet.into());
    }
    let Some(uid) = Uids.try_get(s, &netuid, hotkey) else {
        return Err(Error::HotKeyNotRegisteredInSubNet.into());
    };
    let is_owner = SubnetOwnerHotkey.get(s, &netuid) == *hotkey;
    if !is_owner && TotalHotkeyAlpha.get(s, hotkey, &netuid) < StakeThreshold.get(s) {
        return Err(Error::NotEnoughStakeToSetWeights.into());
    }
    let required = WeightsVersionKey.get(s, &netuid);
    if required != 0 && version_key < required {
        return Err(Error::IncorrectWeightVersionKey.into());
    }
    let block = u64::from(ctx.block);
    let mut last_update = LastUpdate.get(s, &netuid);
    let last = last_update.get(usize::from(uid)).copied().unwrap_or(0);
    if last != 0 && block.saturating_sub(last) < WeightsSetRateLimit.get(s, &netuid) {
        return Err(Error::SettingWeightsTooFast.into());
    }
    let self_weight = dests.len() == 1 && dests[0] == uid;
    let permit = ValidatorPermit
        .get(s, &netuid)
        .get(usize::from(uid))
        .copied()
        .unwrap_or(false);
    if !self_weight && !is_owner && !permit {
        return Err(Error::NeuronNoValidatorPermit.into());
    }
    let mut seen = std::collections::HashSet::new();
    if !dests.iter().all(|d| seen.insert(*d)) {
        return Err(Error::DuplicateUids.into());
    }
    if dests.iter().any(|d| *d >= n) {
        return Err(Error::UidVecContainInvalidOne.into());
    }
    let min = usize::from(MinAllowedWeights.get(s, &netuid).min(n));
    if !self_weight && dests.len() < min {
        return Err(Error::WeightVecLengthIsLow.into());
    }
    let row: Vec<(u16, u16)> = dests.iter().copied().zip(max_upscale(values)).collect();
    Weights.put(ctx.state, &netuid, &uid, &row);
    if let Some(slot) = last_update.get_mut(usize::from(uid)) {
        *slot = block;
    }
    LastUpdate.put(ctx.state, &netuid, &last_update);
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::WeightsSet(
        netuid, uid,
    )));
    Ok(())
}

/// Validates and stores an axon for the caller's hotkey.
pub fn serve_axon(
    ctx: &mut Ctx<'_>,
    hotkey: &AccountId32,
    netuid: NetUid,
    axon: AxonInfo,
) -> DispatchResult {
    let s = &*ctx.state;
    if !Uids.contains(s, &netuid, hotkey) {
        return Err(Error::HotKeyNotRegisteredInNetwork.into());
    }
    // Devnet difference: loopback addresses are accepted, since a process-runtime devnet
    // runs every neuron on loopback.
    let ip_ok = match axon.ip_type {
        4 => axon.ip < u128::from(u32::MAX),
        6 => axon.ip != u128::MAX,
        _ => return Err(Error::InvalidIpType.into()),
    };
    if !ip_ok {
        return Err(Error::InvalidIpAddress.into());
    }
    if axon.port == 0 {
        return Err(Error::InvalidPort.into());
    }
    let limit = ServingRateLimit.get(s, &netuid);
    if let Some(prev) = Axons.try_get(s, &netuid, hotkey)
        && limit != 0
        && prev.block != 0
        && axon.block.saturating_sub(prev.block) < limit
    {
        return Err(Error::ServingRateLimitExceeded.into());
    }
    Axons.put(ctx.state, &netuid, hotkey, &axon);
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::AxonServed(
        netuid, *hotkey,
    )));
    Ok(())
}
