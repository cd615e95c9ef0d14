//! Stake-weighted median consensus (`weighted_median` and `weighted_median_col_sparse`).

use crate::fixed::{I32F32, ZERO, normalize, saturating_sum};
use crate::sparse::Matrix;

/// The stake-weighted median of `score` over the positions `0..stake.len()`: the smallest
/// score `v` with `stake(score < v) <= minority` and `stake(score <= v) > minority`, found by
/// subtensor's deterministic mid-pivot partition search (§3.1), including its iteration cap.
pub fn weighted_median(
    stake: &[I32F32],
    score: &[I32F32],
    minority: I32F32,
    mut lo: I32F32,
    mut hi: I32F32,
) -> I32F32 {
    if stake.len() != score.len() {
        return ZERO;
    }
    let limit = stake.len();
    let mut current: Vec<usize> = (0..stake.len()).collect();
    let mut lower = Vec::new();
    let mut upper = Vec::new();
    for _ in 0..=limit {
        match current.as_slice() {
            [] => return ZERO,
            [only] => return score[*only],
            _ => {}
        }
        let pivot = score[current[current.len() / 2]];
        let (mut lo_stake, mut hi_stake) = (ZERO, ZERO);
        lower.clear();
        upper.clear();
        for &k in &current {
            if score[k] < pivot {
                lo_stake = lo_stake.saturating_add(stake[k]);
                lower.push(k);
            } else if score[k] > pivot {
                hi_stake = hi_stake.saturating_add(stake[k]);
                upper.push(k);
            }
        }
        if minority < lo.saturating_add(lo_stake) && !lower.is_empty() {
            hi = lo.saturating_add(lo_stake);
            std::mem::swap(&mut current, &mut lower);
        } else if hi.saturating_sub(hi_stake) <= minority && !upper.is_empty() {
            lo = hi.saturating_sub(hi_stake);
            std::mem::swap(&mut current, &mut upper);
        } else {
            return pivot;
        }
    }
    ZERO
}

/// Consensus per column: the `kappa`-majority stake-weighted median of the validators' weights.
///
/// Only validators with positive `stake` vote; their stake is renormalised. A validator without
/// an entry for a column votes 0 for it. If a row repeats a column, its last entry counts.
pub fn weighted_median_columns(
    stake: &[I32F32],
    weights: &Matrix,
    n: usize,
    kappa: I32F32,
) -> Vec<I32F32> {
    let voters: Vec<usize> = (0..stake.len()).filter(|&i| stake[i] > ZERO).collect();
    let mut use_stake: Vec<I32F32> = voters.iter().map(|&i| stake[i]).collect();
    normalize(&mut use_stake);
    let stake_sum = saturating_sum(use_stake.iter());
    let minority = stake_sum.saturating_sub(kappa);

    // Column-major votes, but only for columns someone voted on: an all-zero column's
    // median is 0 whatever the stakes, so it needs no work.
    let mut votes: Vec<Option<Vec<I32F32>>> = vec![None; n];
    for (k, &i) in voters.iter().enumerate() {
        for &(j, w) in weights.get(i).map(Vec::as_slice).unwrap_or_default() {
            if let Some(column) = votes.get_mut(j as usize) {
                column.get_or_insert_with(|| vec![ZERO; voters.len()])[k] = w;
            }
        }
    }
    votes
        .iter()
        .map(|column| match column {
            Some(scores) => weighted_median(&use_stake, scores, minority, ZERO, stake_sum),
            None => ZERO,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[f64]) -> Vec<I32F32> {
        xs.iter().map(|x| I32F32::from_num(*x)).collect()
    }

    /// The unit cases of subtensor's `test_math_weighted_median` (spec TV5), majority 0.51.
    #[test]
    fn unit_cases_from_tv5() {
        let cases: [(&[f64], &[f64], f64); 5] = [
            (&[0.51], &[1.0], 1.0),
            (&[0.49, 0.51], &[0.5, 1.0], 1.0),
            (&[0.51, 0.49], &[0.5, 1.0], 0.5),
            (&[0.49, 0.0, 0.51], &[0.5, 0.7, 1.0], 1.0),
            (&[0.49, 0.01, 0.5], &[0.5, 0.7, 1.0], 0.7),
        ];
        for (stake, score, expected) in cases {
            let stake = v(stake);
            let total = saturating_sum(stake.iter());
            let minority = total.saturating_sub(I32F32::from_num(0.51));
            let got = weighted_median(&stake, &v(score), minority, ZERO, total);
            assert_eq!(got, I32F32::from_num(expected), "stake {stake:?}");
        }
    }

    #[test]
    fn missing_votes_count_as_zero_and_zero_stake_does_not_vote() {
        // Two equal validators: kappa just under 1/2 resolves a 50/50 split to the higher score.
        let stake = v(&[0.5, 0.5, 0.0]);
        let kappa = I32F32::from_num(32767) / I32F32::from_num(65535);
        let weights = vec![
            vec![(0, I32F32::from_num(0.2))],
            vec![(0, I32F32::from_num(0.8)), (1, I32F32::from_num(1.0))],
            vec![(2, I32F32::from_num(1.0))],
        ];
        let c = weighted_median_columns(&stake, &weights, 3, kappa);
        assert_eq!(c, v(&[0.8, 1.0, 0.0]));
    }
}
