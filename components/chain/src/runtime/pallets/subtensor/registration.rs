//! Subnet creation (`register_network`, `start_call`) and neuron registration
//! (`burned_register`), with uid assignment and pruning (spec §6).

use super::items::*;
use super::types::{NetUid, ROOT_NETUID};
use super::{Error, Event};
use crate::primitives::{AccountId32, DispatchError};
use crate::runtime::pallets::balances;
use crate::runtime::{Ctx, DispatchResult, RuntimeEvent};
use crate::state::State;

/// Burn multiplier per registration (subtensor's `BurnIncreaseMult`, 1.26).
const BURN_INCREASE_NUM: u128 = 126;
const BURN_INCREASE_DEN: u128 = 100;
/// Non-immune uids that must remain before an immune one can be pruned (`MinNonImmuneUids`).
const MIN_NON_IMMUNE_UIDS: usize = 10;
/// Key of the block of the last subnet registration (devnet-private; subtensor keeps it in
/// `LastRateLimitedBlock`).
const LAST_NETWORK_REGISTRATION: &[u8] = b":localtensor:network_last_registered";

/// Whether a subnet exists.
pub fn exists(state: &State, netuid: NetUid) -> bool {
    NetworksAdded.get(state, &netuid)
}

/// Fails with `SubnetNotExists` unless the subnet exists.
pub fn ensure_exists(state: &State, netuid: NetUid) -> DispatchResult {
    if exists(state, netuid) {
        Ok(())
    } else {
        Err(Error::SubnetNotExists.into())
    }
}

/// Creates the root subnet (genesis).
pub fn init_root(state: &mut State) {
    NetworksAdded.put(state, &ROOT_NETUID, &true);
    TotalNetworks.put(state, &1);
    Tempo.put(state, &ROOT_NETUID, &100);
    MaxAllowedUids.put(state, &ROOT_NETUID, &64);
    MaxAllowedValidators.put(state, &ROOT_NETUID, &64);
    // The devnet creates subnets on demand: no rate limit between them.
    NetworkRateLimit.put(state, &0);
}

/// The lock cost of the next subnet (spec §6.4): doubles after each registration, then decays
/// linearly back to the minimum over the reduction interval.
pub fn lock_cost(state: &State, block: u64) -> u64 {
    let last_lock = NetworkLastLockCost.get(state);
    let min_lock = NetworkMinLockCost.get(state);
    let last_block: u64 = state.get(LAST_NETWORK_REGISTRATION).unwrap_or(0);
    let interval = NetworkLockReductionInterval.get(state).max(1);
    let mult = if last_block == 0 { 1 } else { 2 };
    let decay = (last_lock / interval).saturating_mul(block.saturating_sub(last_block));
    last_lock
        .saturating_mul(mult)
        .saturating_sub(decay)
        .max(min_lock)
}

/// `register_network`: creates a subnet owned by `coldkey` with `hotkey` as uid 0.
pub fn register_network(
    ctx: &mut Ctx<'_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
) -> DispatchResult {
    let block = u64::from(ctx.block);
    let last: u64 = ctx.state.get(LAST_NETWORK_REGISTRATION).unwrap_or(0);
    let rate_limit = NetworkRateLimit.get(ctx.state);
    if last != 0 && block.saturating_sub(last) < rate_limit {
        return Err(Error::NetworkTxRateLimitExceeded.into());
    }
    ensure_hotkey_owner(ctx.state, coldkey, hotkey)?;
    let netuid = (1..=u16::MAX)
        .find(|n| !exists(ctx.state, *n))
        .ok_or(Error::SubnetLimitReached)?;
    if TotalNetworks.get(ctx.state) >= SubnetLimit.get(ctx.state) {
        return Err(Error::SubnetLimitReached.into());
    }
    let lock = lock_cost(ctx.state, block);
    if balances::free_balance(ctx.state, coldkey) < lock {
        return Err(Error::CannotAffordLockCost.into());
    }
    balances::withdraw(ctx, coldkey, lock).map_err(|_| Error::CannotAffordLockCost)?;
    NetworkLastLockCost.put(ctx.state, &lock);
    ctx.state.put(LAST_NETWORK_REGISTRATION.to_vec(), &block);

    let s = &mut *ctx.state;
    NetworksAdded.put(s, &netuid, &true);
    TotalNetworks.put(s, &TotalNetworks.get(s).saturating_add(1));
    SubnetMechanism.put(s, &netuid, &1);
    NetworkRegisteredAt.put(s, &netuid, &block);
    SubnetOwner.put(s, &netuid, coldkey);
    SubnetOwnerHotkey.put(s, &netuid, hotkey);
    SubnetLocked.put(s, &netuid, &lock);
    // The lock seeds the pool at price 1.
    SubnetTAO.put(s, &netuid, &lock);
    SubnetAlphaIn.put(s, &netuid, &lock);
    TotalStake.put(s, &TotalStake.get(s).saturating_add(lock));
    // `init_new_network` overrides, and commit-reveal off (the devnet has no drand beacon).
    Tempo.put(s, &netuid, &360);
    MaxAllowedUids.put(s, &netuid, &256);
    MaxAllowedValidators.put(s, &netuid, &64);
    MinAllowedWeights.put(s, &netuid, &1);
    ImmunityPeriod.put(s, &netuid, &5000);
    Yuma3On.put(s, &netuid, &true);
    Burn.put(s, &netuid, &1_000_000_000);
    NetworkRegistrationAllowed.put(s, &netuid, &true);
    CommitRevealWeightsEnabled.put(s, &netuid, &false);
    append_neuron(s, netuid, hotkey, block);
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::NetworkAdded(
        netuid, 1,
    )));
    Ok(())
}

/// `start_call`: the owner starts the subnet's emission from the next block.
pub fn start_call(ctx: &mut Ctx<'_>, who: &AccountId32, netuid: NetUid) -> DispatchResult {
    ensure_exists(ctx.state, netuid)?;
    if SubnetOwner.get(ctx.state, &netuid) != *who {
        return Err(DispatchError::BadOrigin);
    }
    if FirstEmissionBlockNumber.contains(ctx.state, &netuid) {
        return Err(Error::FirstEmissionBlockNumberAlreadySet.into());
    }
    let first = u64::from(ctx.block) + 1;
    FirstEmissionBlockNumber.put(ctx.state, &netuid, &first);
    SubtokenEnabled.put(ctx.state, &netuid, &true);
    ctx.deposit(RuntimeEvent::SubtensorModule(
        Event::FirstEmissionBlockNumberSet(netuid, first),
    ));
    Ok(())
}

/// Pairs `hotkey` with `coldkey` if it has no owner yet; fails if another coldkey owns it.
pub fn ensure_hotkey_owner(
    state: &mut State,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
) -> DispatchResult {
    match Owner.try_get(state, hotkey) {
        Some(owner) if owner == *coldkey => Ok(()),
        Some(_) => Err(Error::NonAssociatedColdKey.into()),
        None => {
            Owner.put(state, hotkey, coldkey);
            let mut owned = OwnedHotkeys.get(state, coldkey);
            owned.push(*hotkey);
            OwnedHotkeys.put(state, coldkey, &owned);
            Ok(())
        }
    }
}

/// `burned_register` (and `register`): registers `hotkey` on `netuid`, paid by `coldkey`.
pub fn burned_register(
    ctx: &mut Ctx<'_>,
    coldkey: &AccountId32,
    netuid: NetUid,
    hotkey: &AccountId32,
) -> DispatchResult {
    if netuid == ROOT_NETUID {
        return Err(Error::RegistrationNotPermittedOnRootSubnet.into());
    }
    ensure_exists(ctx.state, netuid)?;
    if !NetworkRegistrationAllowed.get(ctx.state, &netuid) {
        return Err(Error::SubNetRegistrationDisabled.into());
    }
    if Uids.contains(ctx.state, &netuid, hotkey) {
        return Err(Error::HotKeyAlreadyRegisteredInSubNet.into());
    }
    let cost = Burn.get(ctx.state, &netuid);
    if balances::free_balance(ctx.state, coldkey) < cost {
        return Err(Error::NotEnoughBalanceToStake.into());
    }
    ensure_hotkey_owner(ctx.state, coldkey, hotkey)?;
    let block = u64::from(ctx.block);
    let max_uids = MaxAllowedUids.get(ctx.state, &netuid);
    let n = SubnetworkN.get(ctx.state, &netuid);
    let replace = if max_uids == 0 {
        return Err(Error::NoNeuronIdAvailable.into());
    } else if n < max_uids {
        None
    } else {
        Some(neuron_to_prune(ctx.state, netuid, block).ok_or(Error::NoNeuronIdAvailable)?)
    };

    // The burn leaves circulation (subtensor swaps it into the pool and burns the alpha).
    balances::withdraw(ctx, coldkey, cost).map_err(|_| Error::NotEnoughBalanceToStake)?;
    let s = &mut *ctx.state;
    RAORecycledForRegistration.put(
        s,
        &netuid,
        &RAORecycledForRegistration
            .get(s, &netuid)
            .saturating_add(cost),
    );
    let uid = match replace {
        None => append_neuron(s, netuid, hotkey, block),
        Some(uid) => {
            replace_neuron(s, netuid, uid, hotkey, block);
            uid
        }
    };
    let raised = u128::from(cost) * BURN_INCREASE_NUM / BURN_INCREASE_DEN;
    let burn = u64::try_from(raised).unwrap_or(u64::MAX).clamp(
        MinBurn.get(s, &netuid),
        MaxBurn.get(s, &netuid).max(MinBurn.get(s, &netuid)),
    );
    Burn.put(s, &netuid, &burn);
    for counter in [
        RegistrationsThisBlock,
        RegistrationsThisInterval,
        BurnRegistrationsThisInterval,
    ] {
        counter.put(s, &netuid, &counter.get(s, &netuid).saturating_add(1));
    }
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::NeuronRegistered(
        netuid, uid, *hotkey,
    )));
    Ok(())
}

fn push<T: Clone + parity_scale_codec::Codec + scale_info::TypeInfo + Default + 'static>(
    state: &mut State,
    item: &crate::runtime::storage::Map<NetUid, Vec<T>>,
    netuid: NetUid,
    value: T,
) {
    let mut v = item.get(state, &netuid);
    v.push(value);
    item.put(state, &netuid, &v);
}

fn set_at<T: Clone + parity_scale_codec::Codec + scale_info::TypeInfo + Default + 'static>(
    state: &mut State,
    item: &crate::runtime::storage::Map<NetUid, Vec<T>>,
    netuid: NetUid,
    uid: u16,
    value: T,
) {
    let mut v = item.get(state, &netuid);
    if let Some(slot) = v.get_mut(usize::from(uid)) {
        *slot = value;
        item.put(state, &netuid, &v);
    }
}

/// Appends a neuron as the next uid (`append_neuron`); returns its uid.
pub fn append_neuron(state: &mut State, netuid: NetUid, hotkey: &AccountId32, block: u64) -> u16 {
    let uid = SubnetworkN.get(state, &netuid);
    SubnetworkN.put(state, &netuid, &(uid + 1));
    Keys.put(state, &netuid, &uid, hotkey);
    Uids.put(state, &netuid, hotkey, &uid);
    IsNetworkMember.put(state, hotkey, &netuid, &true);
    BlockAtRegistration.put(state, &netuid, &uid, &block);
    push(state, &Active, netuid, true);
    push(state, &Emission, netuid, 0);
    push(state, &Consensus, netuid, 0);
    push(state, &Incentive, netuid, 0);
    push(state, &Dividends, netuid, 0);
    push(state, &ValidatorTrust, netuid, 0);
    push(state, &ValidatorPermit, netuid, false);
    push(state, &StakeWeight, netuid, 0);
    push(state, &LastUpdate, netuid, block);
    uid
}

/// Replaces the neuron at `uid` with `hotkey` (`replace_neuron`): the old hotkey loses its
/// membership, the uid's results, bonds and weights are cleared, and weights other neurons set
/// on it become 0. Stake is not moved.
pub fn replace_neuron(
    state: &mut State,
    netuid: NetUid,
    uid: u16,
    hotkey: &AccountId32,
    block: u64,
) {
    let old = Keys.get(state, &netuid, &uid);
    Uids.remove(state, &netuid, &old);
    IsNetworkMember.remove(state, &old, &netuid);
    Axons.remove(state, &netuid, &old);
    Keys.put(state, &netuid, &uid, hotkey);
    Uids.put(state, &netuid, hotkey, &uid);
    IsNetworkMember.put(state, hotkey, &netuid, &true);
    BlockAtRegistration.put(state, &netuid, &uid, &block);
    set_at(state, &Emission, netuid, uid, 0);
    for item in [
        &Consensus,
        &Incentive,
        &Dividends,
        &ValidatorTrust,
        &StakeWeight,
    ] {
        set_at(state, item, netuid, uid, 0);
    }
    set_at(state, &ValidatorPermit, netuid, uid, false);
    set_at(state, &Active, netuid, uid, true);
    set_at(state, &LastUpdate, netuid, uid, block);
    Bonds.remove(state, &netuid, &uid);
    Weights.remove(state, &netuid, &uid);
    for (row_uid, mut row) in Weights.iter_prefix(state, &netuid) {
        if row.iter().any(|(dest, w)| *dest == uid && *w != 0) {
            for cell in row.iter_mut().filter(|(dest, _)| *dest == uid) {
                cell.1 = 0;
            }
            Weights.put(state, &netuid, &row_uid, &row);
        }
    }
}

/// The uid a full subnet replaces (`get_neuron_to_prune`, spec §6.2).
pub fn neuron_to_prune(state: &State, netuid: NetUid, block: u64) -> Option<u16> {
    let n = SubnetworkN.get(state, &netuid);
    let immunity = u64::from(ImmunityPeriod.get(state, &netuid));
    let emission = Emission.get(state, &netuid);
    let owner_cold = SubnetOwner.get(state, &netuid);
    let owner_hot = SubnetOwnerHotkey.get(state, &netuid);
    // Owner-immortal: the owner hotkey plus the owner coldkey's hotkeys, oldest first, limited.
    let mut owner_uids: Vec<(u64, u16)> = (0..n)
        .filter(|uid| {
            let hk = Keys.get(state, &netuid, uid);
            hk == owner_hot || Owner.try_get(state, &hk) == Some(owner_cold)
        })
        .map(|uid| (BlockAtRegistration.get(state, &netuid, &uid), uid))
        .collect();
    owner_uids.sort();
    owner_uids.truncate(usize::from(ImmuneOwnerUidsLimit.get(state, &netuid)));
    let mut immune = Vec::new();
    let mut mortal = Vec::new();
    for uid in 0..n {
        if owner_uids.iter().any(|(_, u)| *u == uid) {
            continue;
        }
        let reg = BlockAtRegistration.get(state, &netuid, &uid);
        let key = (
            emission.get(usize::from(uid)).copied().unwrap_or(0),
            reg,
            uid,
        );
        if block.saturating_sub(reg) < immunity {
            immune.push(key);
        } else {
            mortal.push(key);
        }
    }
    if mortal.len() > MIN_NON_IMMUNE_UIDS {
        mortal.into_iter().min().map(|k| k.2)
    } else {
        immune.into_iter().min().map(|k| k.2)
    }
}
