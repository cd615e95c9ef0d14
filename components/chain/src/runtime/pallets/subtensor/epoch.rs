//! The epoch of one subnet: the consensus engine's input read from storage, its results
//! written back, and the drained emission distributed to stake (spec §5.8).
//!
//! Devnet simplification: a hotkey's incentive and dividends are staked to (hotkey, its owner
//! coldkey); there are no nominator pools, child keys or root dividends.

use super::items::*;
use super::staking::credit;
use super::types::NetUid;
use crate::primitives::AccountId32;
use crate::state::State;
use localtensor_consensus::{EpochCase, EpochParams, EpochResult, NeuronState, run_epoch};

/// Emission drained from a subnet's pending pools at its epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// Miners' alpha.
    pub server: u64,
    /// Validators' alpha.
    pub validator: u64,
    /// The owner's cut.
    pub owner_cut: u64,
}

/// The consensus engine's input for `netuid` as the chain holds it at `block`, distributing
/// `emission` alpha.
pub fn case(state: &State, netuid: NetUid, block: u64, emission: u64) -> EpochCase {
    let n = SubnetworkN.get(state, &netuid);
    let last_update = LastUpdate.get(state, &netuid);
    let permits = ValidatorPermit.get(state, &netuid);
    let (alpha_low, alpha_high) = AlphaValues.get(state, &netuid);
    let owner_hotkey = SubnetOwnerHotkey.get(state, &netuid);
    let neurons = (0..n)
        .map(|uid| {
            let hotkey = Keys.get(state, &netuid, &uid);
            let i = usize::from(uid);
            NeuronState {
                stake: TotalHotkeyAlpha.get(state, &hotkey, &netuid),
                registered_at: BlockAtRegistration.get(state, &netuid, &uid),
                last_update: last_update.get(i).copied().unwrap_or(0),
                validator_permit: permits.get(i).copied().unwrap_or(false),
                weights: Weights.get(state, &netuid, &uid),
                bonds: Bonds.get(state, &netuid, &uid),
            }
        })
        .collect();
    EpochCase {
        block,
        tempo: u64::from(Tempo.get(state, &netuid)),
        last_step_block: LastMechansimStepBlock.get(state, &netuid),
        emission,
        owner_uid: Uids.try_get(state, &netuid, &owner_hotkey),
        params: EpochParams {
            kappa: Kappa.get(state, &netuid),
            bonds_penalty: BondsPenalty.get(state, &netuid),
            bonds_moving_average: BondsMovingAverage.get(state, &netuid),
            yuma3: Yuma3On.get(state, &netuid),
            liquid_alpha: LiquidAlphaOn.get(state, &netuid),
            alpha_low,
            alpha_high,
            alpha_sigmoid_steepness: AlphaSigmoidSteepness.get(state, &netuid),
            max_allowed_validators: MaxAllowedValidators.get(state, &netuid),
            activity_cutoff: u64::from(ActivityCutoff.get(state, &netuid)),
            stake_threshold: StakeThreshold.get(state),
        },
        neurons,
    }
}

/// Writes an epoch's per-uid results and bonds to storage.
fn store_results(state: &mut State, netuid: NetUid, result: &EpochResult) {
    let col = |f: fn(&localtensor_consensus::NeuronResult) -> u16| -> Vec<u16> {
        result.neurons.iter().map(f).collect()
    };
    StakeWeight.put(state, &netuid, &col(|r| r.stake_weight));
    Consensus.put(state, &netuid, &col(|r| r.consensus));
    Incentive.put(state, &netuid, &col(|r| r.incentive));
    Dividends.put(state, &netuid, &col(|r| r.dividends));
    ValidatorTrust.put(state, &netuid, &col(|r| r.validator_trust));
    let flags = |f: fn(&localtensor_consensus::NeuronResult) -> bool| -> Vec<bool> {
        result.neurons.iter().map(f).collect()
    };
    Active.put(state, &netuid, &flags(|r| r.active));
    ValidatorPermit.put(state, &netuid, &flags(|r| r.validator_permit));
    let emission: Vec<u64> = result.neurons.iter().map(|r| r.emission).collect();
    Emission.put(state, &netuid, &emission);
    for r in &result.neurons {
        if r.bonds.is_empty() {
            Bonds.remove(state, &netuid, &r.uid);
        } else {
            Bonds.put(state, &netuid, &r.uid, &r.bonds);
        }
    }
}

/// Whether `hotkey`'s incentive goes to the owner (and is burned, `RecycleOrBurn` = Burn).
fn is_owner_hotkey(state: &State, netuid: NetUid, hotkey: &AccountId32) -> bool {
    *hotkey == SubnetOwnerHotkey.get(state, &netuid)
        || Owner.try_get(state, hotkey) == Some(SubnetOwner.get(state, &netuid))
}

/// Runs the epoch of `netuid` at `block` and distributes `pending`. Returns the result.
pub fn run(state: &mut State, netuid: NetUid, block: u64, pending: Pending) -> EpochResult {
    let total = pending.server.saturating_add(pending.validator);
    let result = run_epoch(&case(state, netuid, block, total));
    store_results(state, netuid, &result);

    let server_sum: u64 = result.neurons.iter().map(|r| r.server_emission).sum();
    let validator_alpha = if server_sum != 0 {
        pending.validator
    } else {
        total
    };
    let dividend_sum: u128 = result
        .neurons
        .iter()
        .map(|r| u128::from(r.validator_emission))
        .sum();
    let mut paid: u64 = 0;
    for r in &result.neurons {
        let hotkey = Keys.get(state, &netuid, &r.uid);
        let owner = Owner.get(state, &hotkey);
        if r.server_emission > 0 && !is_owner_hotkey(state, netuid, &hotkey) {
            credit(state, &hotkey, &owner, netuid, r.server_emission);
            paid += r.server_emission;
        }
        // The epoch's validator amounts are proportions of the validator pool.
        let dividend = (u128::from(validator_alpha) * u128::from(r.validator_emission))
            .checked_div(dividend_sum)
            .map_or(0, |d| u64::try_from(d).unwrap_or(u64::MAX));
        AlphaDividendsPerSubnet.put(state, &netuid, &hotkey, &dividend);
        credit(state, &hotkey, &owner, netuid, dividend);
        paid += dividend;
    }
    let owner_hotkey = SubnetOwnerHotkey.get(state, &netuid);
    let owner_cold = SubnetOwner.get(state, &netuid);
    credit(state, &owner_hotkey, &owner_cold, netuid, pending.owner_cut);
    paid += pending.owner_cut;
    // What was drained but not paid (owner-hotkey incentive, truncation) is burned.
    let drained = total.saturating_add(pending.owner_cut);
    let out = SubnetAlphaOut.get(state, &netuid);
    SubnetAlphaOut.put(
        state,
        &netuid,
        &out.saturating_sub(drained.saturating_sub(paid)),
    );
    result
}
