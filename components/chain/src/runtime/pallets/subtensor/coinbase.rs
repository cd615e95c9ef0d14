//! The per-block step (spec §5.1): registration price decay, block emission, each subnet's
//! share and alpha-out split into pending pools, and the epochs due this block.
//!
//! Devnet simplifications (README, "How the devnet differs from subtensor"): every emitting
//! subnet has price 1, so subnets share the TAO emission equally; there is no root stake in
//! play (root proportion 0), so the TAO emission enters each subnet's pool without buying
//! alpha; the epoch schedule is the legacy modulo rule that spec-343 clients assume.

use super::epoch;
use super::items::*;
use super::types::{NetUid, ROOT_NETUID};
use crate::runtime::Ctx;
use crate::runtime::pallets::balances;
use crate::state::State;
use localtensor_consensus::{block_emission, split_alpha_out};
use std::sync::OnceLock;
use substrate_fixed::types::U96F32;

/// Burn half-life in blocks (subtensor's `BurnHalfLife` default).
pub const BURN_HALF_LIFE: u32 = 360;

/// `a^n` in Q32 by square-and-multiply with truncating products.
fn pow_q32(base: u64, mut n: u32) -> u64 {
    let mut result: u64 = 1 << 32;
    let mut b = base;
    while n > 0 {
        if n & 1 == 1 {
            result = ((u128::from(result) * u128::from(b)) >> 32) as u64;
        }
        b = ((u128::from(b) * u128::from(b)) >> 32) as u64;
        n >>= 1;
    }
    result
}

/// The largest Q32 factor `f` with `f^half_life <= 0.5` (`decay_factor_q32`).
fn decay_factor_q32(half_life: u32) -> u64 {
    let (mut lo, mut hi) = (0u64, (1u64 << 32) - 1);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if pow_q32(mid, half_life) <= 1 << 31 {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

fn burn_decay() -> u64 {
    static FACTOR: OnceLock<u64> = OnceLock::new();
    *FACTOR.get_or_init(|| decay_factor_q32(BURN_HALF_LIFE))
}

/// Every subnet, root included, in netuid order.
pub fn subnets(state: &State) -> Vec<NetUid> {
    // Storage order is by little-endian key bytes, not by number (256 sorts before 1).
    let mut all: Vec<NetUid> = NetworksAdded
        .iter(state)
        .into_iter()
        .filter_map(|(netuid, added)| added.then_some(netuid))
        .collect();
    all.sort_unstable();
    all
}

/// Whether the legacy schedule runs an epoch for `netuid` at `block` (`should_run_epoch`:
/// when no blocks remain until the next epoch).
pub fn is_epoch_block(netuid: NetUid, tempo: u16, block: u64) -> bool {
    blocks_until_next_epoch(netuid, tempo, block) == 0
}

/// Blocks until the next epoch of `netuid` (`blocks_until_next_epoch`, legacy rule).
pub fn blocks_until_next_epoch(netuid: NetUid, tempo: u16, block: u64) -> u64 {
    if tempo == 0 {
        return u64::MAX;
    }
    let period = u64::from(tempo) + 1;
    u64::from(tempo) - ((block + u64::from(netuid) + 1) % period)
}

/// Subnets that receive emission this block (`get_subnets_to_emit_to`).
pub fn emitting_subnets(state: &State, block: u64) -> Vec<NetUid> {
    subnets(state)
        .into_iter()
        .filter(|n| {
            *n != ROOT_NETUID
                && FirstEmissionBlockNumber
                    .try_get(state, n)
                    .is_some_and(|first| block >= first)
                && SubtokenEnabled.get(state, n)
                && NetworkRegistrationAllowed.get(state, n)
        })
        .collect()
}

fn add(
    state: &mut State,
    item: &crate::runtime::storage::Map<NetUid, u64>,
    netuid: NetUid,
    amount: u64,
) {
    let v = item.get(state, &netuid).saturating_add(amount);
    item.put(state, &netuid, &v);
}

/// Runs the block step; called at the start of every block.
pub fn block_step(ctx: &mut Ctx<'_>) {
    let block = u64::from(ctx.block);
    let s = &mut *ctx.state;
    // Issuance as subtensor counts it: free balances plus staked TAO.
    let issuance = balances::total_issuance(s).saturating_add(TotalStake.get(s));
    TotalIssuance.put(s, &issuance);
    let all = subnets(s);

    // 1. Registration prices decay towards MinBurn.
    for netuid in &all {
        RegistrationsThisBlock.put(s, netuid, &0);
        if block > 1 {
            let burn = Burn.get(s, netuid);
            let decayed = ((u128::from(burn) * u128::from(burn_decay())) >> 32) as u64;
            let min = MinBurn.get(s, netuid);
            Burn.put(
                s,
                netuid,
                &decayed.clamp(min, MaxBurn.get(s, netuid).max(min)),
            );
        }
    }

    // 2-4. Block emission, split equally between emitting subnets (all at price 1).
    let emission = block_emission(issuance);
    BlockEmission.put(s, &emission);
    let emitting = emitting_subnets(s, block);
    let count = emitting.len() as u64;
    for netuid in &emitting {
        let tao = emission / count;
        add(s, &SubnetTAO, *netuid, tao);
        TotalStake.put(s, &TotalStake.get(s).saturating_add(tao));
        TotalIssuance.put(s, &TotalIssuance.get(s).saturating_add(tao));
        SubnetTaoInEmission.put(s, netuid, &tao);
        SubnetAlphaInEmission.put(s, netuid, &0);

        let alpha_issuance = SubnetAlphaIn
            .get(s, netuid)
            .saturating_add(SubnetAlphaOut.get(s, netuid));
        let alpha_out = block_emission(alpha_issuance);
        let split = split_alpha_out(
            U96F32::saturating_from_num(alpha_out),
            Some(SubnetOwnerCut.get(s)),
            U96F32::saturating_from_num(0),
        );
        // Only what reaches a pending pool is minted; the truncation dust is not.
        let minted = split.owner_cut + split.server + split.validator;
        add(s, &SubnetAlphaOut, *netuid, minted);
        SubnetAlphaOutEmission.put(s, netuid, &alpha_out);
        add(s, &PendingOwnerCut, *netuid, split.owner_cut);
        add(s, &PendingServerEmission, *netuid, split.server);
        add(s, &PendingValidatorEmission, *netuid, split.validator);
    }

    // 5. Epochs due this block.
    for netuid in all.into_iter().filter(|n| *n != ROOT_NETUID) {
        let s = &mut *ctx.state;
        add(s, &BlocksSinceLastStep, netuid, 1);
        if !is_epoch_block(netuid, Tempo.get(s, &netuid), block) {
            continue;
        }
        BlocksSinceLastStep.put(s, &netuid, &0);
        let take = |s: &mut State, item: &crate::runtime::storage::Map<NetUid, u64>| {
            let v = item.get(s, &netuid);
            item.put(s, &netuid, &0);
            v
        };
        let pending = epoch::Pending {
            server: take(s, &PendingServerEmission),
            validator: take(s, &PendingValidatorEmission),
            owner_cut: take(s, &PendingOwnerCut),
        };
        take(s, &PendingRootAlphaDivs);
        epoch::run(s, netuid, block, pending);
        LastMechansimStepBlock.put(s, &netuid, &block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burn_decay_halves_over_the_half_life() {
        let f = burn_decay();
        assert!(pow_q32(f, BURN_HALF_LIFE) <= 1 << 31);
        assert!(pow_q32(f + 1, BURN_HALF_LIFE) > 1 << 31);
    }

    #[test]
    fn legacy_schedule_matches_subtensor_first_epoch_table() {
        // (tempo, netuid, first epoch block), from subtensor's doc table.
        for (tempo, netuid, first) in [
            (1, 0, 0),
            (1, 1, 1),
            (2, 0, 1),
            (2, 1, 0),
            (100, 0, 99),
            (100, 1, 98),
        ] {
            let fired = (0..1000).find(|b| is_epoch_block(netuid, tempo, *b));
            assert_eq!(fired, Some(first), "tempo {tempo} netuid {netuid}");
        }
        // The period is tempo + 1.
        let fired: Vec<u64> = (0..400).filter(|b| is_epoch_block(1, 100, *b)).collect();
        assert_eq!(fired, vec![98, 199, 300]);
        assert!(!is_epoch_block(1, 0, 0));
    }
}
