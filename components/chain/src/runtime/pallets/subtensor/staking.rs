//! `add_stake` / `remove_stake` and their `_limit` forms (spec §7.1).
//!
//! Devnet simplification: alpha trades 1:1 with TAO, without a pool or fees, so the price is
//! always 1 TAO per alpha; a hotkey's pool shares equal its alpha (see the README, "How the
//! devnet differs from subtensor").

use super::items::*;
use super::registration::ensure_exists;
use super::types::{FixedU128, NetUid};
use super::{Error, Event};
use crate::primitives::AccountId32;
use crate::runtime::pallets::balances;
use crate::runtime::{Ctx, DispatchResult, RuntimeEvent};
use crate::state::State;

/// Minimum stake movement in rao (subtensor's `DefaultMinStake`).
pub const MIN_STAKE: u64 = 2_000_000;
/// The devnet's fixed price: rao of TAO per alpha.
pub const PRICE_RAO: u64 = 1_000_000_000;

/// Alpha staked by `coldkey` to `hotkey` on `netuid`.
pub fn stake(state: &State, hotkey: &AccountId32, coldkey: &AccountId32, netuid: NetUid) -> u64 {
    Alpha.get(state, hotkey, coldkey, &netuid).to_int()
}

/// Credits `amount` alpha to (hotkey, coldkey) on `netuid`, keeping the hotkey totals and
/// the coldkey's staking-hotkey list in step. Does not touch `SubnetAlphaOut`.
pub fn credit(
    state: &mut State,
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: NetUid,
    amount: u64,
) {
    if amount == 0 {
        return;
    }
    let own = stake(state, hotkey, coldkey, netuid).saturating_add(amount);
    Alpha.put(state, hotkey, coldkey, &netuid, &FixedU128::from_int(own));
    let total = TotalHotkeyAlpha
        .get(state, hotkey, &netuid)
        .saturating_add(amount);
    TotalHotkeyAlpha.put(state, hotkey, &netuid, &total);
    TotalHotkeyShares.put(state, hotkey, &netuid, &FixedU128::from_int(total));
    let mut hotkeys = StakingHotkeys.get(state, coldkey);
    if !hotkeys.contains(hotkey) {
        hotkeys.push(*hotkey);
        StakingHotkeys.put(state, coldkey, &hotkeys);
    }
}

/// Debits `amount` alpha (at most the stake) from (hotkey, coldkey); returns what was debited.
fn debit(
    state: &mut State,
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: NetUid,
    amount: u64,
) -> u64 {
    let own = stake(state, hotkey, coldkey, netuid);
    let taken = amount.min(own);
    if own == taken {
        Alpha.remove(state, hotkey, coldkey, &netuid);
    } else {
        Alpha.put(
            state,
            hotkey,
            coldkey,
            &netuid,
            &FixedU128::from_int(own - taken),
        );
    }
    let total = TotalHotkeyAlpha
        .get(state, hotkey, &netuid)
        .saturating_sub(taken);
    TotalHotkeyAlpha.put(state, hotkey, &netuid, &total);
    TotalHotkeyShares.put(state, hotkey, &netuid, &FixedU128::from_int(total));
    taken
}

/// The error of a limit order the fixed price cannot fill: with a partial fill allowed, the
/// fillable amount is zero.
fn slippage(allow_partial: bool) -> crate::primitives::DispatchError {
    if allow_partial {
        Error::ZeroMaxStakeAmount.into()
    } else {
        Error::SlippageTooHigh.into()
    }
}

/// `add_stake(_limit)`: moves `tao` from the coldkey's balance to alpha on (hotkey, netuid).
pub fn add_stake(
    ctx: &mut Ctx<'_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
    netuid: NetUid,
    tao: u64,
    limit: Option<(u64, bool)>,
) -> DispatchResult {
    ensure_exists(ctx.state, netuid)?;
    if netuid != 0 && !SubtokenEnabled.get(ctx.state, &netuid) {
        return Err(Error::SubtokenDisabled.into());
    }
    if tao < MIN_STAKE {
        return Err(Error::AmountTooLow.into());
    }
    if balances::free_balance(ctx.state, coldkey) < tao {
        return Err(Error::NotEnoughBalanceToStake.into());
    }
    if !Owner.contains(ctx.state, hotkey) {
        return Err(Error::HotKeyAccountNotExists.into());
    }
    if let Some((limit_price, partial)) = limit
        && PRICE_RAO > limit_price
    {
        return Err(slippage(partial));
    }
    balances::withdraw(ctx, coldkey, tao).map_err(|_| Error::NotEnoughBalanceToStake)?;
    let alpha = tao;
    let s = &mut *ctx.state;
    SubnetTAO.put(s, &netuid, &SubnetTAO.get(s, &netuid).saturating_add(tao));
    TotalStake.put(s, &TotalStake.get(s).saturating_add(tao));
    SubnetAlphaOut.put(
        s,
        &netuid,
        &SubnetAlphaOut.get(s, &netuid).saturating_add(alpha),
    );
    credit(s, hotkey, coldkey, netuid, alpha);
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::StakeAdded(
        *coldkey, *hotkey, tao, alpha, netuid, 0,
    )));
    Ok(())
}

/// `remove_stake(_limit)`: moves `alpha` from (hotkey, netuid) back to the coldkey's balance.
pub fn remove_stake(
    ctx: &mut Ctx<'_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
    netuid: NetUid,
    alpha: u64,
    limit: Option<(u64, bool)>,
) -> DispatchResult {
    ensure_exists(ctx.state, netuid)?;
    if netuid != 0 && !SubtokenEnabled.get(ctx.state, &netuid) {
        return Err(Error::SubtokenDisabled.into());
    }
    if alpha == 0 {
        return Err(Error::AmountTooLow.into());
    }
    if !Owner.contains(ctx.state, hotkey) {
        return Err(Error::HotKeyAccountNotExists.into());
    }
    let own = stake(ctx.state, hotkey, coldkey, netuid);
    if own < alpha {
        return Err(Error::NotEnoughStakeToWithdraw.into());
    }
    // Pay 1:1; a subnet whose pool holds less TAO than that refuses rather than short-pays.
    let tao = alpha;
    if SubnetTAO.get(ctx.state, &netuid) < tao {
        return Err(Error::InsufficientLiquidity.into());
    }
    if alpha < own && tao < MIN_STAKE {
        return Err(Error::AmountTooLow.into());
    }
    if let Some((limit_price, partial)) = limit
        && PRICE_RAO < limit_price
    {
        return Err(slippage(partial));
    }
    let s = &mut *ctx.state;
    debit(s, hotkey, coldkey, netuid, alpha);
    SubnetAlphaOut.put(
        s,
        &netuid,
        &SubnetAlphaOut.get(s, &netuid).saturating_sub(alpha),
    );
    SubnetTAO.put(s, &netuid, &SubnetTAO.get(s, &netuid).saturating_sub(tao));
    TotalStake.put(s, &TotalStake.get(s).saturating_sub(tao));
    balances::deposit(ctx, coldkey, tao);
    ctx.deposit(RuntimeEvent::SubtensorModule(Event::StakeRemoved(
        *coldkey, *hotkey, tao, alpha, netuid, 0,
    )));
    Ok(())
}
