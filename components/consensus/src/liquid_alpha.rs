//! Liquid alpha: per-cell EMA coefficients from a sigmoid of how far a validator's weight
//! runs ahead of consensus (buying) or its bond runs ahead of its weight (selling), §2.5.

use crate::fixed::{I32F32, ONE, SafeDiv, ZERO, clamp, u16_proportion};
use crate::sparse::{Matrix, Row, Scratch};
use substrate_fixed::transcendental::exp;

/// The liquid-alpha settings of a subnet.
#[derive(Debug, Clone, Copy)]
pub struct LiquidAlpha {
    low: I32F32,
    high: I32F32,
    steepness: I32F32,
}

impl LiquidAlpha {
    /// From stored values: bounds as u16 proportions, steepness as i16.
    pub fn new(alpha_low: u16, alpha_high: u16, steepness: i16) -> Self {
        Self {
            low: u16_proportion(alpha_low),
            high: u16_proportion(alpha_high),
            steepness: I32F32::saturating_from_num(steepness),
        }
    }

    /// The EMA alpha for one cell with weight `w`, bond `b` and column consensus `c`.
    pub fn alpha(&self, c: I32F32, w: I32F32, b: I32F32) -> I32F32 {
        let diff_buy = clamp(w.saturating_sub(c), ZERO, ONE);
        let diff_sell = clamp(b.saturating_sub(w), ZERO, ONE);
        let d = if w >= b { diff_buy } else { diff_sell };
        let slope = self.steepness.safe_div(I32F32::from_num(-100));
        let x = slope.saturating_mul(d.saturating_sub(I32F32::from_num(0.5)));
        let sigmoid = ONE.safe_div(ONE.saturating_add(exp_safe(x)));
        let a = self
            .low
            .saturating_add(sigmoid.saturating_mul(self.high.saturating_sub(self.low)));
        clamp(a, self.low, self.high)
    }
}

/// `exp` with its input clamped to [−20, 20]; on failure 0 (for x ≤ 0) or the maximum.
pub fn exp_safe(x: I32F32) -> I32F32 {
    let x = clamp(x, I32F32::from_num(-20), I32F32::from_num(20));
    match exp::<I32F32, I32F32>(x) {
        Ok(v) => v,
        Err(_) if x <= ZERO => ZERO,
        Err(_) => I32F32::max_value(),
    }
}

/// Looks up a row the way subtensor's merge walk does: columns are visited in ascending order
/// and a pointer only moves forward, so in an unsorted row an entry hidden behind a larger
/// column is never found, and of repeated columns the first wins.
fn walk_lookup(row: &Row, columns: &[u16]) -> Vec<I32F32> {
    let mut p = 0;
    columns
        .iter()
        .map(|&j| {
            while p < row.len() && row[p].0 < j {
                p += 1;
            }
            match row.get(p) {
                Some(&(c, v)) if c == j => v,
                _ => ZERO,
            }
        })
        .collect()
}

/// Bonds EMA with per-cell liquid alphas (subtensor's `mat_ema_alpha_sparse`).
///
/// For each row: old bonds are decayed by `1 − alpha`; then only the cells of `new` are emitted,
/// as `min(1, decayed + max(0, alpha·new))`, in the order of `new`. A bond without a cell in
/// `new` is therefore dropped, not decayed (the sparse path's documented behaviour).
pub fn ema_liquid(
    new: &Matrix,
    old: &Matrix,
    consensus: &[I32F32],
    liquid: &LiquidAlpha,
) -> Matrix {
    let n = consensus.len();
    let mut alphas = Scratch::new(n);
    let mut decayed = Scratch::new(n);
    let empty = Row::new();
    let mut out = Vec::with_capacity(new.len());
    for (i, new_row) in new.iter().enumerate() {
        let old_row = old.get(i).unwrap_or(&empty);
        // Alphas are only ever read at the cells of `new` and `old`.
        let mut columns: Vec<u16> = new_row
            .iter()
            .chain(old_row)
            .map(|(j, _)| *j)
            .filter(|j| (*j as usize) < n)
            .collect();
        columns.sort_unstable();
        columns.dedup();
        let w = walk_lookup(new_row, &columns);
        let b = walk_lookup(old_row, &columns);
        for (k, &j) in columns.iter().enumerate() {
            alphas.set(j, liquid.alpha(consensus[j as usize], w[k], b[k]));
        }
        for &(j, v) in old_row {
            if (j as usize) < n {
                decayed.set(j, ONE.saturating_sub(alphas.get(j)).saturating_mul(v));
            }
        }
        let row = new_row
            .iter()
            .filter(|(j, _)| (*j as usize) < n)
            .filter_map(|&(j, v)| {
                let inc = alphas.get(j).saturating_mul(v).max(ZERO);
                let value = decayed.get(j).saturating_add(inc).min(ONE);
                (value > ZERO).then_some((j, value))
            })
            .collect();
        out.push(row);
        alphas.clear();
        decayed.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_example_from_the_spec() {
        // w = 1, c = 1, b = 0 with (low, high) = (0.1, 0.3) stored as (6553, 19660):
        // alpha ≈ 0.10134, and the first bond becomes u16 6640 (TV3 ep0).
        let la = LiquidAlpha::new(6553, 19660, 1000);
        let a = la.alpha(ONE, ONE, ZERO);
        assert!(
            a > I32F32::from_num(0.1013) && a < I32F32::from_num(0.1014),
            "{a}"
        );
        assert_eq!(crate::fixed::proportion_to_u16(a), 6640);
    }

    #[test]
    fn bonds_without_a_weight_cell_are_dropped() {
        // TV5: old {(0,0): 1.0}, new {(1,0): 2.0}, alpha 0.1 → (0,0) dropped, (1,0) = 0.2.
        let la = LiquidAlpha::new(6553, 6553, 0);
        let new = vec![vec![], vec![(0, I32F32::from_num(2.0))]];
        let old = vec![vec![(0, ONE)], vec![]];
        let out = ema_liquid(&new, &old, &[ONE, ONE], &la);
        assert!(out[0].is_empty());
        assert_eq!(out[1].len(), 1);
        let v = out[1][0].1;
        assert!(
            v > I32F32::from_num(0.1999) && v < I32F32::from_num(0.2001),
            "{v}"
        );
    }

    #[test]
    fn walk_lookup_misses_entries_hidden_in_unsorted_rows() {
        let row = vec![(5, ONE), (2, I32F32::from_num(0.5)), (5, ZERO)];
        assert_eq!(walk_lookup(&row, &[2, 5]), vec![ZERO, ONE]);
    }
}
