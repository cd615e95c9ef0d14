//! Device profiles: the hardware figures the timing, memory and power models use.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// The hardware figures of one kind of device.
///
/// Throughput is the dense (no sparsity) BF16 tensor-core peak; bandwidth is the memory
/// bandwidth; power is the board's TDP. Idle power is a model assumption (a tenth of TDP unless a
/// custom profile says otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceProfile {
    /// Profile name, such as `H100-80GB`.
    pub name: String,
    /// Device memory in MiB.
    pub memory_mib: u64,
    /// Peak dense BF16 throughput in GFLOP/s.
    pub throughput_gflops: u64,
    /// Memory bandwidth in GB/s (10^9 bytes per second, as spec sheets give it).
    pub bandwidth_gb_s: u64,
    /// Board power limit (TDP) in watts.
    pub tdp_watts: u32,
    /// Power drawn when idle, in watts.
    pub idle_watts: u32,
}

/// Upper bounds that keep every product in the timing model far from overflow.
pub(crate) const MAX_MEMORY_MIB: u64 = 1 << 30; // 1 PiB
pub(crate) const MAX_THROUGHPUT_GFLOPS: u64 = 1_000_000_000; // 1 ZFLOP/s
pub(crate) const MAX_BANDWIDTH_GB_S: u64 = 100_000_000;
pub(crate) const MAX_TDP_WATTS: u32 = 100_000;
const MAX_NAME_LEN: usize = 64;

/// Built-in profiles from public spec sheets (SXM variants for the data-centre parts).
///
/// | profile | memory | dense BF16 | bandwidth | TDP |
/// |---|---|---|---|---|
/// | A100-80GB | 80 GB HBM2e | 312 TFLOP/s | 2039 GB/s | 400 W |
/// | H100-80GB | 80 GB HBM3 | 989 TFLOP/s | 3350 GB/s | 700 W |
/// | H200 | 141 GB HBM3e | 989 TFLOP/s | 4800 GB/s | 700 W |
/// | RTX-4090 | 24 GB GDDR6X | 165.2 TFLOP/s | 1008 GB/s | 450 W |
/// | L4 | 24 GB GDDR6 | 121 TFLOP/s | 300 GB/s | 72 W |
pub fn builtin_profiles() -> Vec<DeviceProfile> {
    [
        ("A100-80GB", 80 * 1024, 312_000, 2_039, 400),
        ("H100-80GB", 80 * 1024, 989_000, 3_350, 700),
        ("H200", 141 * 1024, 989_000, 4_800, 700),
        ("RTX-4090", 24 * 1024, 165_200, 1_008, 450),
        ("L4", 24 * 1024, 121_000, 300, 72),
    ]
    .into_iter()
    .map(
        |(name, memory_mib, throughput_gflops, bandwidth_gb_s, tdp_watts)| DeviceProfile {
            name: name.to_owned(),
            memory_mib,
            throughput_gflops,
            bandwidth_gb_s,
            tdp_watts,
            idle_watts: tdp_watts / 10,
        },
    )
    .collect()
}

/// The built-in profile called `name` (exact match), if any.
pub fn builtin_profile(name: &str) -> Option<DeviceProfile> {
    builtin_profiles().into_iter().find(|p| p.name == name)
}

impl DeviceProfile {
    /// Checks every figure is positive and within the model's bounds.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |reason: String| ConfigError::InvalidProfile {
            name: self.name.clone(),
            reason,
        };
        validate_name(&self.name).map_err(&invalid)?;
        if self.memory_mib == 0 || self.memory_mib > MAX_MEMORY_MIB {
            return Err(invalid(format!(
                "memory_mib must be between 1 and {MAX_MEMORY_MIB}, got {}",
                self.memory_mib
            )));
        }
        if self.throughput_gflops == 0 || self.throughput_gflops > MAX_THROUGHPUT_GFLOPS {
            return Err(invalid(format!(
                "throughput_gflops must be between 1 and {MAX_THROUGHPUT_GFLOPS}, got {}",
                self.throughput_gflops
            )));
        }
        if self.bandwidth_gb_s == 0 || self.bandwidth_gb_s > MAX_BANDWIDTH_GB_S {
            return Err(invalid(format!(
                "bandwidth_gb_s must be between 1 and {MAX_BANDWIDTH_GB_S}, got {}",
                self.bandwidth_gb_s
            )));
        }
        if self.tdp_watts == 0 || self.tdp_watts > MAX_TDP_WATTS {
            return Err(invalid(format!(
                "tdp_watts must be between 1 and {MAX_TDP_WATTS}, got {}",
                self.tdp_watts
            )));
        }
        if self.idle_watts >= self.tdp_watts {
            return Err(invalid(format!(
                "idle_watts ({}) must be below tdp_watts ({})",
                self.idle_watts, self.tdp_watts
            )));
        }
        Ok(())
    }
}

fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(format!(
            "name must be 1 to {MAX_NAME_LEN} characters, got {}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "name may only contain ASCII letters, digits, '-', '_' and '.', found {bad:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_uniquely_named() {
        let profiles = builtin_profiles();
        let mut names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), profiles.len());
        for name in ["A100-80GB", "H100-80GB", "H200", "RTX-4090", "L4"] {
            let profile = builtin_profile(name).unwrap();
            profile.validate().unwrap();
        }
        assert!(builtin_profile("h100-80gb").is_none());
    }

    #[test]
    fn spec_sheet_figures() {
        let h200 = builtin_profile("H200").unwrap();
        assert_eq!(h200.memory_mib, 144_384);
        assert_eq!(h200.bandwidth_gb_s, 4_800);
        let l4 = builtin_profile("L4").unwrap();
        assert_eq!((l4.tdp_watts, l4.idle_watts), (72, 7));
        assert_eq!(l4.memory_mib, 24_576);
    }

    #[test]
    fn validation_rejects_bad_figures() {
        let good = builtin_profile("L4").unwrap();
        let cases = [
            DeviceProfile {
                name: String::new(),
                ..good.clone()
            },
            DeviceProfile {
                name: "bad name".into(),
                ..good.clone()
            },
            DeviceProfile {
                memory_mib: 0,
                ..good.clone()
            },
            DeviceProfile {
                throughput_gflops: 0,
                ..good.clone()
            },
            DeviceProfile {
                bandwidth_gb_s: MAX_BANDWIDTH_GB_S + 1,
                ..good.clone()
            },
            DeviceProfile {
                tdp_watts: 0,
                idle_watts: 0,
                ..good.clone()
            },
            DeviceProfile {
                idle_watts: 72,
                ..good.clone()
            },
        ];
        for case in cases {
            assert!(case.validate().is_err(), "{case:?} should be invalid");
        }
    }
}
