//! Default values and allowed ranges of topology fields.
//!
//! Hyperparameter defaults follow subtensor's `init_new_network` (a freshly registered subnet),
//! except where a devnet needs otherwise; those deviations are listed in `docs/topology.md`.

use super::model::{GpuSpec, Tao};

/// Default seed.
pub const SEED: u64 = 0;
/// Default number of epochs.
pub const EPOCHS: u32 = 3;
/// Most epochs a run may ask for.
pub const MAX_EPOCHS: u32 = 100_000;
/// Longest delay a `latency` fault adds, in milliseconds: the Docker runtime's limit.
pub const MAX_DELAY_MS: u32 = crate::runtime::docker::MAX_DELAY_MS;
/// Default interval block time (milliseconds), as subtensor's fast runtime.
pub const BLOCK_TIME_MS: u64 = 250;
/// Allowed interval block times (milliseconds).
pub const BLOCK_TIME_MS_RANGE: (u64, u64) = (1, 600_000);
/// Most replicas in one group (a guard against typos such as `replicas: 100000`).
pub const MAX_REPLICAS: u32 = 4096;
/// Most subnets in one topology (subtensor's `SubnetLimit`).
pub const MAX_SUBNETS: usize = 128;
/// Most devices in one GPU mock.
pub const MAX_GPU_DEVICES: u32 = 256;
/// Highest netuid accepted (netuids are u16; 0 is root).
pub const MAX_NETUID: u16 = 1024;
/// Default stake of a validator instance.
pub const VALIDATOR_STAKE: Tao = Tao::from_tao(1000);
/// Default stake of a miner instance.
pub const MINER_STAKE: Tao = Tao::from_tao(0);
/// Default slowdown of a `slow` miner.
pub const SLOWDOWN: f64 = 4.0;
/// Default failure rate of a `flaky` miner.
pub const FAILURE_RATE: f64 = 0.5;

/// Devnet default tempo: subtensor's fast-runtime value (mainnet uses 360).
pub const TEMPO: u16 = 10;
/// subtensor `Kappa` default (≈ 0.5).
pub const KAPPA: u16 = 32_767;
/// subtensor `init_new_network` immunity period.
pub const IMMUNITY_PERIOD: u16 = 5000;
/// subtensor `init_new_network` min allowed weights.
pub const MIN_ALLOWED_WEIGHTS: u16 = 1;
/// subtensor `init_new_network` max allowed validators.
pub const MAX_ALLOWED_VALIDATORS: u16 = 64;
/// subtensor `init_new_network` max allowed UIDs.
pub const MAX_ALLOWED_UIDS: u16 = 256;
/// Highest `max_allowed_uids` (UIDs of a mechanism live below 4096).
pub const MAX_UIDS_LIMIT: u16 = 4096;
/// Devnet default weights rate limit: 0, so validators can set weights every epoch at tempo 10
/// (subtensor's default is 100 blocks).
pub const WEIGHTS_RATE_LIMIT: u64 = 0;
/// subtensor's activity cutoff factor (per mille of tempo); the default cutoff in blocks is
/// `max(MIN_ACTIVITY_CUTOFF, factor * tempo / 1000)`.
pub const ACTIVITY_CUTOFF_FACTOR_MILLI: u64 = 13_889;
/// subtensor `BondsMovingAverage` default (α = 0.1).
pub const BONDS_MOVING_AVERAGE: u64 = 900_000;
/// Upper bound of `bonds_moving_average` (parts per million).
pub const BONDS_MOVING_AVERAGE_MAX: u64 = 1_000_000;
/// subtensor `BondsPenalty` default (1.0).
pub const BONDS_PENALTY: u16 = 65_535;
/// subtensor `init_new_network` turns Yuma3 on.
pub const YUMA3: bool = true;
/// subtensor `LiquidAlphaOn` default.
pub const LIQUID_ALPHA: bool = false;
/// subtensor `AlphaValues` default low (≈ 0.7).
pub const ALPHA_LOW: u16 = 45_875;
/// subtensor `AlphaValues` default high (≈ 0.9).
pub const ALPHA_HIGH: u16 = 58_982;
/// Smallest alpha value subtensor's `do_set_alpha_values` accepts (65535 / 40).
pub const ALPHA_MIN: u16 = 1638;
/// Devnet default: commit-reveal off (the real chain needs drand from the internet).
pub const COMMIT_REVEAL: bool = false;
/// subtensor `init_new_network`: registration allowed.
pub const REGISTRATION_ALLOWED: bool = true;
/// subtensor `init_new_network` burn (1 TAO).
pub const BURN: Tao = Tao::from_tao(1);
/// subtensor `MinBurn` (0.0005 TAO).
pub const MIN_BURN: Tao = Tao { rao: 500_000 };
/// subtensor `MaxBurn` (100 TAO).
pub const MAX_BURN: Tao = Tao::from_tao(100);

/// subtensor `MinActivityCutoff`: `sudo_set_activity_cutoff` refuses anything lower.
pub const MIN_ACTIVITY_CUTOFF: u16 = 360;

/// Default activity cutoff (blocks) for a tempo, as subtensor derives it, but no lower than
/// what `sudo_set_activity_cutoff` accepts.
pub fn activity_cutoff(tempo: u16) -> u16 {
    let blocks = ACTIVITY_CUTOFF_FACTOR_MILLI * u64::from(tempo) / 1000;
    u16::try_from(blocks.max(u64::from(MIN_ACTIVITY_CUTOFF))).unwrap_or(u16::MAX)
}

/// Names of the built-in GPU profiles, in documentation order.
pub const GPU_PROFILES: &[&str] = &["A100-80GB", "H100-80GB", "H200", "RTX-4090", "L4", "custom"];

/// Device specification of a built-in profile (`None` for `custom` and unknown names).
///
/// Figures are vendor datasheet values: memory, dense BF16 TFLOPS, memory bandwidth, board power.
pub fn gpu_profile(name: &str) -> Option<GpuSpec> {
    let (memory_gb, tflops, bandwidth_gbps, power_watts) = match name {
        "A100-80GB" => (80, 312.0, 2039, 400),
        "H100-80GB" => (80, 989.0, 3350, 700),
        "H200" => (141, 989.0, 4800, 700),
        "RTX-4090" => (24, 165.2, 1008, 450),
        "L4" => (24, 121.0, 300, 72),
        _ => return None,
    };
    Some(GpuSpec {
        memory_gb,
        tflops,
        bandwidth_gbps,
        power_watts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_cutoff_matches_subtensor_at_tempo_360() {
        // subtensor: factor 13 889 ‰ ⇒ 5000 blocks at tempo 360.
        assert_eq!(activity_cutoff(360), 5000);
        // Short tempos are held at subtensor's MinActivityCutoff.
        assert_eq!(activity_cutoff(10), 360);
        assert_eq!(activity_cutoff(0), 360);
        assert_eq!(activity_cutoff(26), 361);
    }

    #[test]
    fn every_named_profile_has_a_spec() {
        for name in GPU_PROFILES.iter().filter(|n| **n != "custom") {
            assert!(gpu_profile(name).is_some(), "{name}");
        }
        assert!(gpu_profile("custom").is_none());
    }
}
