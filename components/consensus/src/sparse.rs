//! Sparse matrices as subtensor's epoch uses them: one row per uid, each row a list of
//! `(column uid, value)` in stored order.
//!
//! Every function reproduces the result of the matching helper in subtensor's `epoch/math.rs`,
//! including its treatment of duplicate, unsorted and out-of-range entries, but does work in
//! proportion to the number of entries rather than `n` per row.

use crate::fixed::{I32F32, ONE, SafeDiv, ZERO, saturating_sum};

/// One row: `(column, value)` pairs.
pub type Row = Vec<(u16, I32F32)>;
/// A square `n x n` sparse matrix, one row per uid.
pub type Matrix = Vec<Row>;

/// A dense row of `n` cells that remembers which cells were written, so it can be reset and
/// read back in column order in time proportional to the cells touched.
pub(crate) struct Scratch {
    cells: Vec<I32F32>,
    written: Vec<bool>,
    touched: Vec<u16>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            cells: vec![ZERO; n],
            written: vec![false; n],
            touched: Vec::new(),
        }
    }

    fn mark(&mut self, j: usize) {
        if !self.written[j] {
            self.written[j] = true;
            self.touched.push(j as u16);
        }
    }

    /// Overwrites cell `j` (ignored when out of range).
    pub(crate) fn set(&mut self, j: u16, v: I32F32) {
        let j = j as usize;
        if j < self.cells.len() {
            self.mark(j);
            self.cells[j] = v;
        }
    }

    /// Adds to cell `j` with saturation (ignored when out of range).
    pub(crate) fn add(&mut self, j: u16, v: I32F32) {
        let j = j as usize;
        if j < self.cells.len() {
            self.mark(j);
            self.cells[j] = self.cells[j].saturating_add(v);
        }
    }

    /// Cell `j`, zero when never written or out of range.
    pub(crate) fn get(&self, j: u16) -> I32F32 {
        self.cells.get(j as usize).copied().unwrap_or(ZERO)
    }

    /// The written columns in ascending order.
    pub(crate) fn sorted_columns(&mut self) -> &[u16] {
        self.touched.sort_unstable();
        &self.touched
    }

    /// Zeroes the written cells.
    pub(crate) fn clear(&mut self) {
        for &j in &self.touched {
            self.cells[j as usize] = ZERO;
            self.written[j as usize] = false;
        }
        self.touched.clear();
    }

    /// Emits the written cells with a positive value, in column order, then clears.
    pub(crate) fn drain_positive(&mut self) -> Row {
        self.touched.sort_unstable();
        let row = self
            .touched
            .iter()
            .map(|&j| (j, self.cells[j as usize]))
            .filter(|(_, v)| *v > ZERO)
            .collect();
        self.clear();
        row
    }
}

/// Empties the rows whose `mask` entry is true (or missing).
pub fn mask_rows(matrix: &mut Matrix, mask: &[bool]) {
    for (i, row) in matrix.iter_mut().enumerate() {
        if mask.get(i).copied().unwrap_or(true) {
            row.clear();
        }
    }
}

/// Drops self-weights `(i, i)`, except the one of `keep` (the subnet owner).
pub fn mask_diagonal(matrix: &mut Matrix, keep: Option<u16>) {
    for (i, row) in matrix.iter_mut().enumerate() {
        if keep.is_some_and(|k| k as usize == i) {
            continue;
        }
        row.retain(|(j, _)| *j as usize != i);
    }
}

/// Drops `(i, j)` when `row_key[i] <= col_key[j]`; missing keys count as 0.
///
/// With `row_key = last_update` and `col_key = registered_at` this removes weights set before
/// the target uid was (re)registered.
pub fn mask_outdated(matrix: &mut Matrix, row_key: &[u64], col_key: &[u64]) {
    for (i, row) in matrix.iter_mut().enumerate() {
        let ri = row_key.get(i).copied().unwrap_or(0);
        row.retain(|(j, _)| ri > col_key.get(*j as usize).copied().unwrap_or(0));
    }
}

/// Drops `(i, j)` when `scalar <= col_key[j]`; missing keys count as 0.
pub fn mask_columns_since(matrix: &mut Matrix, scalar: u64, col_key: &[u64]) {
    for row in matrix.iter_mut() {
        row.retain(|(j, _)| scalar > col_key.get(*j as usize).copied().unwrap_or(0));
    }
}

/// Divides each row by its sum when the sum is positive.
pub fn row_normalize(matrix: &mut Matrix) {
    for row in matrix.iter_mut() {
        let sum = saturating_sum(row.iter().map(|(_, v)| v));
        if sum > ZERO {
            for (_, v) in row.iter_mut() {
                *v = v.safe_div(sum);
            }
        }
    }
}

/// Per-column reduction over the in-range entries.
fn column_fold(matrix: &Matrix, n: usize, f: impl Fn(I32F32, I32F32) -> I32F32) -> Vec<I32F32> {
    let mut acc = vec![ZERO; n];
    for row in matrix {
        for &(j, v) in row {
            if let Some(a) = acc.get_mut(j as usize) {
                *a = f(*a, v);
            }
        }
    }
    acc
}

/// Divides every entry by a per-column divisor, skipping zero divisors and out-of-range columns.
fn divide_columns(matrix: &mut Matrix, divisors: &[I32F32]) {
    for row in matrix.iter_mut() {
        for (j, v) in row.iter_mut() {
            let d = divisors.get(*j as usize).copied().unwrap_or(ZERO);
            if d != ZERO {
                *v = v.safe_div(d);
            }
        }
    }
}

/// Makes each column sum to 1 (columns summing to zero are left alone).
pub fn col_normalize(matrix: &mut Matrix, n: usize) {
    let sums = column_fold(matrix, n, |a, v| a.saturating_add(v));
    divide_columns(matrix, &sums);
}

/// Divides each column by its maximum, so the largest entry of a column becomes 1.
pub fn col_max_upscale(matrix: &mut Matrix, n: usize) {
    let maxima = column_fold(matrix, n, |a, v| if a < v { v } else { a });
    divide_columns(matrix, &maxima);
}

/// Clips each entry to its column's consensus; entries above a zero consensus are dropped.
pub fn col_clip(matrix: &Matrix, threshold: &[I32F32]) -> Matrix {
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let t = threshold.get(j as usize).copied().unwrap_or(ZERO);
                    if t < v {
                        (t > ZERO).then_some((j, t))
                    } else {
                        Some((j, v))
                    }
                })
                .collect()
        })
        .collect()
}

/// Row sums.
pub fn row_sums(matrix: &Matrix) -> Vec<I32F32> {
    matrix
        .iter()
        .map(|row| saturating_sum(row.iter().map(|(_, v)| v)))
        .collect()
}

/// `r_j = Σ_i v_i · M_ij` over `n` columns.
pub fn matmul(matrix: &Matrix, vector: &[I32F32], n: usize) -> Vec<I32F32> {
    let mut out = vec![ZERO; n];
    for (i, row) in matrix.iter().enumerate() {
        let scale = vector.get(i).copied().unwrap_or(ZERO);
        for &(j, v) in row {
            if let Some(o) = out.get_mut(j as usize) {
                *o = o.saturating_add(scale.saturating_mul(v));
            }
        }
    }
    out
}

/// `r_i = Σ_j v_j · M_ij`.
pub fn matmul_transpose(matrix: &Matrix, vector: &[I32F32]) -> Vec<I32F32> {
    matrix
        .iter()
        .map(|row| {
            row.iter().fold(ZERO, |acc, &(j, v)| {
                let x = vector.get(j as usize).copied().unwrap_or(ZERO);
                acc.saturating_add(x.saturating_mul(v))
            })
        })
        .collect()
}

/// `M_ij · v_i`.
pub fn row_hadamard(matrix: &Matrix, vector: &[I32F32]) -> Matrix {
    matrix
        .iter()
        .zip(vector)
        .map(|(row, &s)| row.iter().map(|&(j, v)| (j, v.saturating_mul(s))).collect())
        .collect()
}

/// `M_ij · v_j`, dropping products that are exactly zero and columns outside `v`.
pub fn col_hadamard(matrix: &Matrix, vector: &[I32F32]) -> Matrix {
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let p = v.saturating_mul(*vector.get(j as usize)?);
                    (p != ZERO).then_some((j, p))
                })
                .collect()
        })
        .collect()
}

/// `A + ratio · (B − A)` cell by cell, keeping positive cells in column order.
/// A ratio of exactly 0 or 1 returns `A` or `B` unchanged (stored order, zeros kept).
pub fn interpolate(a: &Matrix, b: &Matrix, n: usize, ratio: I32F32) -> Matrix {
    if ratio == ZERO {
        return a.clone();
    }
    if ratio == ONE {
        return b.clone();
    }
    let mut ra = Scratch::new(n);
    let mut rb = Scratch::new(n);
    let mut out = Vec::with_capacity(a.len());
    for (row_a, row_b) in a.iter().zip(b) {
        // Later duplicates overwrite earlier ones, as subtensor's dense rows do.
        for &(j, v) in row_a {
            ra.set(j, v);
        }
        for &(j, v) in row_b {
            rb.set(j, v);
        }
        let mut columns: Vec<u16> = ra.sorted_columns().to_vec();
        columns.extend_from_slice(rb.sorted_columns());
        columns.sort_unstable();
        columns.dedup();
        let row = columns
            .into_iter()
            .filter_map(|j| {
                let (x, y) = (ra.get(j), rb.get(j));
                let v = x.saturating_add(ratio.saturating_mul(y.saturating_sub(x)));
                (v > ZERO).then_some((j, v))
            })
            .collect();
        out.push(row);
        ra.clear();
        rb.clear();
    }
    out
}

/// Exponential moving average with one `alpha`: `alpha·new + (1−alpha)·old` over the union of
/// both patterns, positive cells only, in column order (subtensor's `mat_ema_sparse`).
pub fn ema(new: &Matrix, old: &Matrix, alpha: I32F32, n: usize) -> Matrix {
    let keep = ONE.saturating_sub(alpha);
    let mut acc = Scratch::new(n);
    let empty = Row::new();
    new.iter()
        .enumerate()
        .map(|(i, new_row)| {
            for &(j, v) in new_row {
                acc.add(j, alpha.saturating_mul(v));
            }
            for &(j, v) in old.get(i).unwrap_or(&empty) {
                acc.add(j, keep.saturating_mul(v));
            }
            acc.drain_positive()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn ema_keeps_the_union_and_sorts_columns() {
        let new = vec![vec![(2, f(1.0))], vec![]];
        let old = vec![vec![(0, f(0.5)), (2, f(0.5))], vec![(1, f(1.0))]];
        let out = ema(&new, &old, f(0.5), 3);
        assert_eq!(out[0], vec![(0, f(0.25)), (2, f(0.75))]);
        assert_eq!(out[1], vec![(1, f(0.5))]);
    }

    #[test]
    fn interpolate_keeps_only_positive_cells() {
        let a = vec![vec![(0, f(1.0)), (1, f(0.5))]];
        let b = vec![vec![(1, f(0.5))]];
        assert_eq!(
            interpolate(&a, &b, 2, f(0.5)),
            vec![vec![(0, f(0.5)), (1, f(0.5))]]
        );
        assert_eq!(interpolate(&a, &b, 2, ONE), b);
        assert_eq!(interpolate(&a, &b, 2, ZERO), a);
    }

    #[test]
    fn clip_drops_entries_above_zero_consensus_and_keeps_zeros() {
        let m = vec![vec![(0, f(0.5)), (1, f(0.25)), (2, ZERO)]];
        let c = vec![f(0.25), ZERO, ZERO];
        assert_eq!(col_clip(&m, &c), vec![vec![(0, f(0.25)), (2, ZERO)]]);
    }

    #[test]
    fn column_normalisation_ignores_out_of_range_columns() {
        let mut m = vec![vec![(0, f(1.0)), (9, f(3.0))], vec![(0, f(3.0))]];
        col_normalize(&mut m, 2);
        assert_eq!(m, vec![vec![(0, f(0.25)), (9, f(3.0))], vec![(0, f(0.75))]]);
    }

    #[test]
    fn outdated_mask_compares_last_update_with_registration() {
        let mut m = vec![vec![(0, ONE), (1, ONE)], vec![]];
        mask_outdated(&mut m, &[10, 0], &[10, 9]);
        assert_eq!(m[0], vec![(1, ONE)]);
    }
}
