//! The simulated timing model (integer nanoseconds throughout).
//!
//! ```text
//! base     = LAUNCH_OVERHEAD_NS + max(ceil(ops / gflops), ceil(bytes / gb_s))   (a roofline)
//! jittered = base * (1_000_000 + jitter_ppm) / 1_000_000,  jitter_ppm in [-JITTER_PPM, JITTER_PPM]
//! duration = jittered * throttle_micros / 1_000_000                              (throttle fault)
//! ```
//! `ops / gflops` is already nanoseconds (10^9 ops per second), as is `bytes / gb_s`.
//! The jitter is drawn from `device_seed ⊕ job_seed` (plus kind and size), never from a clock.

use serde::Serialize;

use crate::decimal::Decimal6;
use crate::job::{JobKind, JobSpec};
use crate::profile::DeviceProfile;
use crate::seed::derive_u64;

/// Fixed per-job overhead (kernel launch and synchronisation), in nanoseconds.
pub const LAUNCH_OVERHEAD_NS: u64 = 5_000;
/// Half-width of the seeded jitter, in parts per million of the base duration (±2%).
pub const JITTER_PPM: u64 = 20_000;
/// Bytes per matrix element in the simulated GEMM (BF16).
pub const MATMUL_ELEMENT_BYTES: u64 = 2;
/// Bytes each hash-chain step streams from memory (a 256 MiB batch).
pub const HASHCHAIN_STEP_BYTES: u64 = 256 << 20;
/// Operations per hash-chain step (one per byte of its batch).
pub const HASHCHAIN_STEP_OPS: u64 = HASHCHAIN_STEP_BYTES;
/// Device memory a hash chain holds (two step batches, double-buffered).
pub const HASHCHAIN_FOOTPRINT_BYTES: u64 = 2 * HASHCHAIN_STEP_BYTES;

const PPM: u128 = 1_000_000;

/// What a job costs the simulated device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JobCost {
    /// Arithmetic operations (FLOP for matmul).
    pub ops: u128,
    /// Bytes moved to and from device memory.
    pub bytes: u128,
    /// Device memory the job holds while it runs.
    pub footprint_bytes: u64,
}

/// The simulated cost of a spec (sizes are assumed validated; arithmetic cannot overflow for
/// sizes within [`JobKind::size_range`]).
pub fn job_cost(spec: &JobSpec) -> JobCost {
    let size = u128::from(spec.size);
    match spec.kind {
        JobKind::Matmul => {
            // 2n^3 FLOP; A and B read, C written once each.
            let operand_bytes = 3 * size * size * u128::from(MATMUL_ELEMENT_BYTES);
            JobCost {
                ops: 2 * size * size * size,
                bytes: operand_bytes,
                footprint_bytes: u64::try_from(operand_bytes).unwrap_or(u64::MAX),
            }
        }
        JobKind::Hashchain => JobCost {
            ops: size * u128::from(HASHCHAIN_STEP_OPS),
            bytes: size * u128::from(HASHCHAIN_STEP_BYTES),
            footprint_bytes: HASHCHAIN_FOOTPRINT_BYTES,
        },
    }
}

/// The roofline duration of `cost` on `profile`, before jitter and faults, in nanoseconds.
pub fn base_duration_ns(profile: &DeviceProfile, cost: &JobCost) -> u128 {
    let compute = cost
        .ops
        .div_ceil(u128::from(profile.throughput_gflops.max(1)));
    let memory = cost
        .bytes
        .div_ceil(u128::from(profile.bandwidth_gb_s.max(1)));
    u128::from(LAUNCH_OVERHEAD_NS) + compute.max(memory)
}

/// The seeded jitter of a job on a device, in parts per million (`-JITTER_PPM..=JITTER_PPM`).
pub(crate) fn jitter_ppm(device_seed: u64, spec: &JobSpec) -> i64 {
    let draw = derive_u64(
        b"localtensor-gpu-mock/jitter/v1",
        &[device_seed ^ spec.seed, spec.kind.tag(), spec.size],
    );
    let offset = draw % (2 * JITTER_PPM + 1);
    // Both operands are below 2^16, so the conversions are lossless.
    offset as i64 - JITTER_PPM as i64
}

/// The full simulated duration of `spec` on a device: roofline, seeded jitter, then throttling.
///
/// Saturates at `u64::MAX` nanoseconds (unreachable with validated profiles and sizes).
pub fn simulated_duration_ns(
    profile: &DeviceProfile,
    device_seed: u64,
    spec: &JobSpec,
    throttle: Option<Decimal6>,
) -> u64 {
    let base = base_duration_ns(profile, &job_cost(spec));
    let jitter = jitter_ppm(device_seed, spec);
    // |jitter| <= 2% so the factor stays positive.
    let factor = (PPM as i128 + i128::from(jitter)) as u128;
    let mut duration = base.saturating_mul(factor) / PPM;
    if let Some(throttle) = throttle {
        duration = duration.saturating_mul(u128::from(throttle.micros())) / PPM;
    }
    u64::try_from(duration).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::builtin_profile;

    fn spec(kind: JobKind, size: u64, seed: u64) -> JobSpec {
        JobSpec { kind, size, seed }
    }

    #[test]
    fn matmul_roofline_by_hand() {
        let h100 = builtin_profile("H100-80GB").unwrap();
        // n = 4096: 2 * 4096^3 = 137_438_953_472 FLOP / 989_000 GFLOP/s = 138_967.59 -> 138_968 ns;
        // bytes = 3 * 4096^2 * 2 = 100_663_296 / 3350 GB/s = 30_048.7 -> 30_049 ns; compute wins.
        let cost = job_cost(&spec(JobKind::Matmul, 4096, 0));
        assert_eq!(cost.ops, 137_438_953_472);
        assert_eq!(cost.bytes, 100_663_296);
        assert_eq!(base_duration_ns(&h100, &cost), 5_000 + 138_968);
        // n = 16 is memory-bound: 1536 bytes / 3350 -> 1 ns; 8192 FLOP / 989_000 -> 1 ns.
        let small = job_cost(&spec(JobKind::Matmul, 16, 0));
        assert_eq!(base_duration_ns(&h100, &small), 5_001);
    }

    #[test]
    fn hashchain_is_bandwidth_bound_by_hand() {
        let l4 = builtin_profile("L4").unwrap();
        // 1000 steps * 256 MiB = 268_435_456_000 bytes / 300 GB/s = 894_784_853.33 -> 894_784_854 ns.
        let cost = job_cost(&spec(JobKind::Hashchain, 1000, 0));
        assert_eq!(cost.footprint_bytes, 512 << 20);
        assert_eq!(base_duration_ns(&l4, &cost), 5_000 + 894_784_854);
        // H200 has more bandwidth than H100, the same compute: hash chains run faster on it.
        let h100 = builtin_profile("H100-80GB").unwrap();
        let h200 = builtin_profile("H200").unwrap();
        assert!(base_duration_ns(&h200, &cost) < base_duration_ns(&h100, &cost));
    }

    #[test]
    fn jitter_stays_within_bounds_and_varies() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..500u64 {
            let j = jitter_ppm(7, &spec(JobKind::Matmul, 128, seed));
            assert!((-(JITTER_PPM as i64)..=JITTER_PPM as i64).contains(&j));
            seen.insert(j);
        }
        assert!(
            seen.len() > 400,
            "jitter should spread, got {} values",
            seen.len()
        );
    }

    #[test]
    fn jitter_is_keyed_by_device_seed_xor_job_seed() {
        let job = spec(JobKind::Matmul, 128, 0b1010);
        let other = spec(JobKind::Matmul, 128, 0b0110);
        // 0b1100 ^ 0b1010 == 0b0110 ^ 0b0000: same combined seed, same draw.
        assert_eq!(jitter_ppm(0b1100, &job), jitter_ppm(0b0000, &other));
    }

    #[test]
    fn duration_applies_jitter_then_throttle() {
        let a100 = builtin_profile("A100-80GB").unwrap();
        let job = spec(JobKind::Matmul, 8192, 3);
        let base = base_duration_ns(&a100, &job_cost(&job));
        let jitter = jitter_ppm(11, &job);
        let expected = base * (1_000_000 + jitter) as u128 / 1_000_000;
        let plain = simulated_duration_ns(&a100, 11, &job, None);
        assert_eq!(u128::from(plain), expected);
        let throttled =
            simulated_duration_ns(&a100, 11, &job, Some(Decimal6::from_micros(2_500_000)));
        assert_eq!(u128::from(throttled), expected * 5 / 2);
    }
}
