//! The validator's per-miner moving average of scores, and turning values into a u16 weights
//! row.
//!
//! Moving average (fixed point, [`EMA_ONE`] = 1.0 score unit):
//!
//! ```text
//! ema ← (ema × (EMA_DEN − EMA_NUM) + score × EMA_ONE × EMA_NUM) / EMA_DEN     (floor)
//! ```
//!
//! with alpha = `EMA_NUM / EMA_DEN` = 1/10 (the SDK template's `moving_average_alpha`). A uid
//! whose hotkey changes (re-registration) starts again from 0.
//!
//! Weights ([`normalize_max_upscale`]): the largest value becomes `u16::MAX`, the others
//! `round(v × 65535 / max)` with halves rounded up, in exact integer arithmetic; zero values and
//! values that round to zero are dropped; entries are sorted by uid.

use std::collections::BTreeMap;

use localtensor_client::AccountId;

/// Fixed-point one of the moving average.
pub const EMA_ONE: u64 = 1 << 16;
/// Numerator of the moving-average alpha.
pub const EMA_NUM: u64 = 1;
/// Denominator of the moving-average alpha.
pub const EMA_DEN: u64 = 10;

/// Moving averages of scores per uid (remembering the hotkey each belongs to).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MovingAverages {
    entries: BTreeMap<u16, (AccountId, u64)>,
}

impl MovingAverages {
    /// No scores yet.
    pub fn new() -> MovingAverages {
        MovingAverages::default()
    }

    /// Folds `score` for `uid` (held by `hotkey`) into its average.
    pub fn update(&mut self, uid: u16, hotkey: &AccountId, score: u64) {
        let entry = self.entries.entry(uid).or_insert((*hotkey, 0));
        if entry.0 != *hotkey {
            *entry = (*hotkey, 0);
        }
        let old = u128::from(entry.1);
        let new = (old * u128::from(EMA_DEN - EMA_NUM)
            + u128::from(score) * u128::from(EMA_ONE) * u128::from(EMA_NUM))
            / u128::from(EMA_DEN);
        entry.1 = u64::try_from(new).unwrap_or(u64::MAX);
    }

    /// Forgets uids whose hotkey is no longer `hotkeys[uid]` (or that no longer exist).
    pub fn retain_registered(&mut self, hotkeys: &[AccountId]) {
        self.entries
            .retain(|uid, (hk, _)| hotkeys.get(usize::from(*uid)) == Some(hk));
    }

    /// The average of `uid` (fixed point), 0 if unknown.
    pub fn get(&self, uid: u16) -> u64 {
        self.entries.get(&uid).map_or(0, |(_, v)| *v)
    }

    /// `(uid, average)` for every uid with a nonzero average, by uid.
    pub fn nonzero(&self) -> Vec<(u16, u64)> {
        self.entries
            .iter()
            .filter(|(_, (_, v))| *v > 0)
            .map(|(uid, (_, v))| (*uid, *v))
            .collect()
    }
}

/// Max-upscales `values` into u16 weights (see the module docs); the result is sorted by uid
/// with no zero weights. Duplicate uids keep their first value.
pub fn normalize_max_upscale(values: &[(u16, u64)]) -> Vec<(u16, u16)> {
    let mut by_uid: BTreeMap<u16, u64> = BTreeMap::new();
    for (uid, v) in values {
        by_uid.entry(*uid).or_insert(*v);
    }
    let max = by_uid.values().copied().max().unwrap_or(0);
    if max == 0 {
        return Vec::new();
    }
    let max = u128::from(max);
    by_uid
        .into_iter()
        .filter_map(|(uid, v)| {
            let scaled = (u128::from(v) * u128::from(u16::MAX) * 2 + max) / (2 * max);
            let w = u16::try_from(scaled).unwrap_or(u16::MAX);
            (w > 0).then_some((uid, w))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn moving_average_by_hand() {
        let a = AccountId([1; 32]);
        let mut m = MovingAverages::new();
        m.update(3, &a, 10);
        assert_eq!(m.get(3), 65_536); // 0.1 × 10
        m.update(3, &a, 10);
        assert_eq!(m.get(3), (65_536 * 9 + 655_360) / 10); // 1.9
        let before = m.get(3);
        m.update(3, &a, 0);
        assert_eq!(m.get(3), before * 9 / 10);
        assert_eq!(m.get(4), 0);
        // A new hotkey at the uid starts from zero.
        let b = AccountId([2; 32]);
        m.update(3, &b, 1);
        assert_eq!(m.get(3), 6_553);
        // Deregistered uids are forgotten.
        m.update(0, &a, 5);
        m.retain_registered(&[a]);
        assert_eq!(m.nonzero(), vec![(0, 32_768)]);
    }

    #[test]
    fn averages_decay_towards_zero_and_saturate() {
        let a = AccountId([1; 32]);
        let mut m = MovingAverages::new();
        m.update(0, &a, 1);
        for _ in 0..200 {
            m.update(0, &a, 0);
        }
        assert_eq!(m.get(0), 0, "floor division reaches zero");
        assert!(m.nonzero().is_empty());
        m.update(0, &a, u64::MAX);
        assert_eq!(m.get(0), u64::MAX);
    }

    #[test]
    fn normalisation_max_upscales_with_round_half_up() {
        assert_eq!(normalize_max_upscale(&[]), vec![]);
        assert_eq!(normalize_max_upscale(&[(1, 0), (2, 0)]), vec![]);
        assert_eq!(normalize_max_upscale(&[(5, 7)]), vec![(5, 65_535)]);
        assert_eq!(
            normalize_max_upscale(&[(2, 1), (1, 2)]),
            vec![(1, 65_535), (2, 32_768)] // 32767.5 rounds up
        );
        // 1/3 → 21845, 2/3 → 43690; sorted by uid, zero dropped.
        assert_eq!(
            normalize_max_upscale(&[(9, 3), (4, 1), (7, 2), (8, 0)]),
            vec![(4, 21_845), (7, 43_690), (9, 65_535)]
        );
        // Values too small to show are dropped.
        assert_eq!(
            normalize_max_upscale(&[(0, u64::MAX), (1, 1)]),
            vec![(0, 65_535)]
        );
        // Duplicates keep the first value.
        assert_eq!(
            normalize_max_upscale(&[(0, 1), (0, 4), (1, 2)]),
            vec![(0, 32_768), (1, 65_535)]
        );
        // The sum is what max-upscaling gives: deterministic across calls.
        let row = normalize_max_upscale(&[(0, 10), (1, 20), (2, 30)]);
        let sum: u32 = row.iter().map(|(_, w)| u32::from(*w)).sum();
        assert_eq!(sum, 21_845 + 43_690 + 65_535);
        assert_eq!(row, normalize_max_upscale(&[(2, 30), (0, 10), (1, 20)]));
    }
}
