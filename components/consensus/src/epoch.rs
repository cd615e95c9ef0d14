//! The production sparse epoch (`epoch_mechanism`), step by step as in §2.2 of the spec.

use crate::case::{EpochCase, EpochResult, NeuronResult};
use crate::fixed::{
    I32F32, I64F64, I96F32, ONE, SafeDiv, ZERO, normalize, normalize_64, normalize_by,
    proportion_to_u16, saturating_sum, u16_proportion,
};
use crate::liquid_alpha::{LiquidAlpha, ema_liquid};
use crate::median::weighted_median_columns;
use crate::sparse::{self, Matrix};

/// Runs one epoch over `case` and returns every uid's outputs.
///
/// Total on any input: it never panics. Weights or bonds that name uids outside the neuron list
/// are ignored, as subtensor ignores them. Call [`EpochCase::validate`] first to reject cases
/// that cannot describe a real subnet.
pub fn run_epoch(case: &EpochCase) -> EpochResult {
    let n = case.neurons.len().min(u16::MAX as usize);
    let neurons = &case.neurons[..n];
    let p = &case.params;
    let owner = case.owner_uid.filter(|&o| (o as usize) < n);
    let is_owner = |i: usize| owner == Some(i as u16);

    // 1. Activity.
    let last_update: Vec<u64> = neurons.iter().map(|x| x.last_update).collect();
    let registered: Vec<u64> = neurons.iter().map(|x| x.registered_at).collect();
    let active: Vec<bool> = last_update
        .iter()
        .map(|&u| u.saturating_add(p.activity_cutoff) >= case.block)
        .collect();

    // 2. Stake: threshold (owner exempt), normalised in I64F64, narrowed by truncation.
    let filtered: Vec<u64> = neurons
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let s = I64F64::saturating_from_num(x.stake);
            if !is_owner(i) && s.saturating_to_num::<u64>() < p.stake_threshold {
                0
            } else {
                x.stake
            }
        })
        .collect();
    let mut stake64: Vec<I64F64> = scale_to_fit_i64(&filtered)
        .into_iter()
        .map(I64F64::saturating_from_num)
        .collect();
    normalize_64(&mut stake64);
    let stake: Vec<I32F32> = stake64
        .iter()
        .map(|s| I32F32::saturating_from_num(*s))
        .collect();

    // 3. Permits: this epoch masks with the previous permits; the new ones are only stored.
    let mut permit: Vec<bool> = neurons.iter().map(|x| x.validator_permit).collect();
    let mut new_permit = top_k_nonzero(&stake, p.max_allowed_validators as usize);
    if let Some(o) = owner {
        permit[o as usize] = true;
        new_permit[o as usize] = true;
    }
    let forbid: Vec<bool> = permit.iter().map(|b| !b).collect();

    // 4. Active stake.
    let mut active_stake: Vec<I32F32> = stake
        .iter()
        .enumerate()
        .map(|(i, &s)| if active[i] && permit[i] { s } else { ZERO })
        .collect();
    normalize(&mut active_stake);

    // 5. Weights: permits, self-weights (owner's kept), outdated, row-normalised.
    let mut weights: Matrix = neurons
        .iter()
        .map(|x| {
            x.weights
                .iter()
                .filter(|(j, _)| (*j as usize) < n)
                .map(|&(j, w)| (j, I32F32::saturating_from_num(w)))
                .collect()
        })
        .collect();
    sparse::mask_rows(&mut weights, &forbid);
    sparse::mask_diagonal(&mut weights, owner);
    sparse::mask_outdated(&mut weights, &last_update, &registered);
    sparse::row_normalize(&mut weights);

    // 6-9. Consensus, clipping, validator trust, incentive.
    let kappa = u16_proportion(p.kappa);
    let consensus = weighted_median_columns(&active_stake, &weights, n, kappa);
    let clipped = sparse::col_clip(&weights, &consensus);
    let validator_trust = sparse::row_sums(&clipped);
    let mut incentive = sparse::matmul(&clipped, &active_stake, n);
    normalize(&mut incentive);

    // 10. Weights for bonds, with the bonds penalty.
    let penalty = u16_proportion(p.bonds_penalty);
    let bond_weights = sparse::interpolate(&weights, &clipped, n, penalty);

    // 11. Bonds and dividends.
    let last_tempo = if case.last_step_block == 0 {
        case.block.saturating_sub(case.tempo)
    } else {
        case.last_step_block.saturating_add(1)
    };
    let bonds_in = |to_fixed: fn(u16) -> I32F32| -> Matrix {
        let mut b: Matrix = neurons
            .iter()
            .map(|x| x.bonds.iter().map(|&(j, v)| (j, to_fixed(v))).collect())
            .collect();
        sparse::mask_columns_since(&mut b, last_tempo, &registered);
        b
    };
    let ema_alpha = bonds_ema_alpha(p.bonds_moving_average);
    let (dividends, stored_bonds) = if p.yuma3 {
        let bonds = bonds_in(u16_proportion);
        let liquid = p.liquid_alpha && consensus.iter().any(|c| *c != ZERO);
        let ema = if liquid {
            let la = LiquidAlpha::new(p.alpha_low, p.alpha_high, p.alpha_sigmoid_steepness);
            ema_liquid(&bond_weights, &bonds, &consensus, &la)
        } else {
            sparse::ema(&bond_weights, &bonds, ema_alpha, n)
        };
        let mut ema_norm = ema.clone();
        sparse::col_normalize(&mut ema_norm, n);
        let per_validator = sparse::row_sums(&sparse::col_hadamard(&ema_norm, &incentive));
        let mut dividends: Vec<I32F32> = per_validator
            .iter()
            .zip(&active_stake)
            .map(|(t, a)| t.checked_mul(*a).unwrap_or_default())
            .collect();
        normalize(&mut dividends);
        (dividends, ema)
    } else {
        let mut bonds = bonds_in(I32F32::saturating_from_num);
        sparse::col_normalize(&mut bonds, n);
        let mut delta = sparse::row_hadamard(&bond_weights, &active_stake);
        sparse::col_normalize(&mut delta, n);
        let mut ema = sparse::ema(&delta, &bonds, ema_alpha, n);
        sparse::col_normalize(&mut ema, n);
        let mut dividends = sparse::matmul_transpose(&ema, &incentive);
        normalize(&mut dividends);
        sparse::col_max_upscale(&mut ema, n);
        (dividends, ema)
    };

    // 12. Emission split, with the fallbacks when nothing was earned.
    let combined: Vec<I32F32> = incentive
        .iter()
        .zip(&dividends)
        .map(|(i, d)| i.saturating_add(*d))
        .collect();
    let emission_sum = saturating_sum(combined.iter());
    let mut server_share = incentive.clone();
    let mut validator_share = dividends.clone();
    let mut combined_share = combined;
    normalize_by(&mut server_share, emission_sum);
    normalize_by(&mut validator_share, emission_sum);
    normalize(&mut combined_share);
    if emission_sum == ZERO {
        let fallback = if saturating_sum(active_stake.iter()) == ZERO {
            &stake
        } else {
            &active_stake
        };
        validator_share.clone_from(fallback);
        combined_share.clone_from(fallback);
    }
    let rao = I96F32::saturating_from_num(case.emission);
    let to_rao = |share: I32F32| {
        I96F32::saturating_from_num(share)
            .saturating_mul(rao)
            .saturating_to_num::<u64>()
    };

    // 13-14. Stored values and bond rows.
    let neurons_out = (0..n)
        .map(|i| {
            let bonds = if new_permit[i] {
                stored_bonds[i]
                    .iter()
                    .map(|&(j, v)| (j, proportion_to_u16(v)))
                    .collect()
            } else if permit[i] {
                Vec::new()
            } else {
                neurons[i].bonds.clone()
            };
            NeuronResult {
                uid: i as u16,
                active: active[i],
                validator_permit: new_permit[i],
                stake_weight: proportion_to_u16(stake[i]),
                consensus: proportion_to_u16(consensus[i]),
                incentive: proportion_to_u16(incentive[i]),
                dividends: proportion_to_u16(dividends[i]),
                validator_trust: proportion_to_u16(validator_trust[i]),
                server_emission: to_rao(server_share[i]),
                validator_emission: to_rao(validator_share[i]),
                emission: to_rao(combined_share[i]),
                bonds,
            }
        })
        .collect();
    EpochResult {
        neurons: neurons_out,
    }
}

/// The constant EMA alpha of the bonds: `1 − bma / 1e6`, the ratio taken in I64F64.
fn bonds_ema_alpha(bonds_moving_average: u64) -> I32F32 {
    let bma = I64F64::saturating_from_num(bonds_moving_average)
        .safe_div(I64F64::saturating_from_num(1_000_000));
    ONE.saturating_sub(I32F32::saturating_from_num(bma))
}

/// Stakes as the I64F64 sum can hold them. Subtensor sums stakes in I64F64, which overflows
/// above 2^63 rao in total (9.2 billion TAO, far beyond the 21 million supply). Below that the
/// stakes are returned untouched, so results are bit-exact; above it they are halved until the
/// total fits, which keeps their proportions instead of overflowing.
fn scale_to_fit_i64(stakes: &[u64]) -> Vec<u64> {
    let total: u128 = stakes.iter().map(|&s| u128::from(s)).sum();
    if total <= i64::MAX as u128 {
        return stakes.to_vec();
    }
    // The smallest shift that brings the total below 2^63; shifting each term can only lower
    // the sum further.
    let shift = (u128::BITS - total.leading_zeros()) - 63;
    stakes.iter().map(|&s| s >> shift).collect()
}

/// Validator permits: the `k` largest non-zero stakes. Ties drop the lower uid first (a stable
/// ascending sort removes the first `len − k`); with fewer than `k` uids, every non-zero stake.
fn top_k_nonzero(stake: &[I32F32], k: usize) -> Vec<bool> {
    let mut result: Vec<bool> = stake.iter().map(|s| *s != ZERO).collect();
    if stake.len() < k {
        return result;
    }
    let mut order: Vec<usize> = (0..stake.len()).collect();
    order.sort_by_key(|&i| stake[i]);
    for &i in order.iter().take(stake.len() - k) {
        result[i] = false;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_drops_lower_uids_on_ties_and_never_permits_zero_stake() {
        let s: Vec<I32F32> = [0.25, 0.25, 0.0, 0.5]
            .iter()
            .map(|x| I32F32::from_num(*x))
            .collect();
        assert_eq!(top_k_nonzero(&s, 2), vec![false, true, false, true]);
        assert_eq!(top_k_nonzero(&s, 8), vec![true, true, false, true]);
    }

    #[test]
    fn stakes_are_only_rescaled_when_their_sum_would_overflow() {
        let fits = [i64::MAX as u64 - 1, 1];
        assert_eq!(scale_to_fit_i64(&fits), fits);
        let scaled = scale_to_fit_i64(&[u64::MAX, u64::MAX, 4]);
        assert_eq!(scaled, [u64::MAX >> 3, u64::MAX >> 3, 0]);
        assert!(scaled.iter().map(|&s| u128::from(s)).sum::<u128>() <= i64::MAX as u128);
    }

    #[test]
    fn default_bonds_alpha_is_about_a_tenth() {
        let a = bonds_ema_alpha(900_000);
        assert!(a > I32F32::from_num(0.0999) && a < I32F32::from_num(0.1001));
        assert_eq!(bonds_ema_alpha(1_000_000), ZERO);
    }
}
