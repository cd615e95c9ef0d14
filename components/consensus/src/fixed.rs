//! Fixed-point conventions shared by the epoch and emission math.
//!
//! Subtensor computes in `substrate-fixed` types and divides with `safe_div` (zero on division by
//! zero or overflow). Reproducing those exact operations, in the same order, is what makes the
//! results bit-exact; see `subtensor-epoch.md` §1.

pub use substrate_fixed::types::{I32F32, I64F64, I96F32, U64F64, U96F32};

/// Division that yields zero instead of failing (subtensor's `safe_div`).
pub trait SafeDiv: Sized {
    /// `self / rhs`, or zero when `rhs` is zero or the quotient overflows.
    fn safe_div(self, rhs: Self) -> Self;
}

macro_rules! impl_safe_div {
    ($($t:ty),*) => {$(
        impl SafeDiv for $t {
            fn safe_div(self, rhs: Self) -> Self {
                self.checked_div(rhs).unwrap_or_default()
            }
        }
    )*};
}
impl_safe_div!(I32F32, I64F64, I96F32, U64F64, U96F32);

/// `0` as an `I32F32`.
pub const ZERO: I32F32 = I32F32::from_bits(0);
/// `1` as an `I32F32`.
pub const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// `u16::MAX` as an `I32F32`, the scale of every stored proportion.
fn u16_max() -> I32F32 {
    I32F32::saturating_from_num(u16::MAX)
}

/// A stored u16 proportion as a fraction in [0, 1]: `x / 65535`.
pub fn u16_proportion(x: u16) -> I32F32 {
    I32F32::saturating_from_num(x).safe_div(u16_max())
}

/// A fraction in [0, 1] as a stored u16 proportion: `trunc(x * 65535)`, saturating.
pub fn proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(u16_max()).saturating_to_num::<u16>()
}

/// Sum with saturation. Subtensor sums with plain addition, which only differs on overflow,
/// where it would panic; saturating keeps the engine total on any input.
pub fn saturating_sum<'a>(values: impl IntoIterator<Item = &'a I32F32>) -> I32F32 {
    values
        .into_iter()
        .fold(ZERO, |acc, v| acc.saturating_add(*v))
}

/// Normalises in place so the values sum to 1; leaves an all-zero vector unchanged.
pub fn normalize(values: &mut [I32F32]) {
    let sum = saturating_sum(values.iter());
    normalize_by(values, sum);
}

/// Divides every value by `sum`, unless `sum` is zero.
pub fn normalize_by(values: &mut [I32F32], sum: I32F32) {
    if sum == ZERO {
        return;
    }
    for v in values {
        *v = v.safe_div(sum);
    }
}

/// [`normalize`] for `I64F64` vectors (stake before it is narrowed to `I32F32`).
pub fn normalize_64(values: &mut [I64F64]) {
    let sum = values
        .iter()
        .fold(I64F64::from_bits(0), |acc, v| acc.saturating_add(*v));
    if sum == I64F64::from_bits(0) {
        return;
    }
    for v in values {
        *v = v.safe_div(sum);
    }
}

/// Clamps into `[low, high]` the way subtensor does: upper bound first, then lower bound.
pub fn clamp(value: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    value.min(high).max(low)
}

/// Max-upscales a weight vector as `set_weights` stores it (`vec_u16_max_upscale_to_u16`):
/// the largest entry becomes 65535 and the others keep their ratio, rounded half away from zero.
pub fn max_upscale_u16(values: &[u16]) -> Vec<u16> {
    let fixed: Vec<I32F32> = values
        .iter()
        .map(|v| I32F32::saturating_from_num(*v))
        .collect();
    let Some(max) = fixed.iter().max().copied() else {
        return Vec::new();
    };
    let scale = u16_max();
    if max == ZERO {
        return fixed
            .iter()
            .map(|e| e.saturating_mul(scale).saturating_to_num::<u16>())
            .collect();
    }
    // Two operation orders, chosen by the size of the maximum, exactly as subtensor does.
    if max > I32F32::saturating_from_num(32768) {
        let factor = scale.safe_div(max);
        fixed
            .iter()
            .map(|e| e.saturating_mul(factor).round().saturating_to_num::<u16>())
            .collect()
    } else {
        fixed
            .iter()
            .map(|e| {
                e.saturating_mul(scale)
                    .safe_div(max)
                    .round()
                    .saturating_to_num::<u16>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportion_round_trips_match_the_spec_examples() {
        // 0.1, 0.4 and 1.0 in I32F32 bits, from subtensor-epoch.md §1.
        assert_eq!(proportion_to_u16(I32F32::from_bits(429_496_729)), 6553);
        assert_eq!(proportion_to_u16(I32F32::from_num(0.4)), 26213);
        assert_eq!(proportion_to_u16(ONE), 65535);
        assert_eq!(u16_proportion(65535), ONE);
        assert_eq!(u16_proportion(0), ZERO);
    }

    #[test]
    fn safe_div_by_zero_is_zero() {
        assert_eq!(ONE.safe_div(ZERO), ZERO);
        assert_eq!(I32F32::max_value().safe_div(I32F32::from_num(0.5)), ZERO);
    }

    #[test]
    fn max_upscale_matches_set_weights_examples() {
        // TV4: [10000, 10000, 40000] is stored as [16384, 16384, 65535].
        assert_eq!(
            max_upscale_u16(&[10000, 10000, 40000]),
            vec![16384, 16384, 65535]
        );
        assert_eq!(max_upscale_u16(&[65535, 32768, 0]), vec![65535, 32768, 0]);
        assert_eq!(max_upscale_u16(&[1]), vec![65535]);
        assert_eq!(max_upscale_u16(&[0, 0]), vec![0, 0]);
        assert!(max_upscale_u16(&[]).is_empty());
    }

    #[test]
    fn clamp_prefers_the_lower_bound_when_bounds_cross() {
        let low = I32F32::from_num(0.7);
        let high = I32F32::from_num(0.3);
        assert_eq!(clamp(I32F32::from_num(0.5), low, high), low);
    }
}
