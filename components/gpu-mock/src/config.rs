//! Mock configuration: seed, block time, custom profiles and the device list.
//!
//! ```yaml
//! seed: 42
//! block_time_ms: 12000
//! profiles:
//!   - { name: T4-16GB, memory_mib: 16384, throughput_gflops: 65000, bandwidth_gb_s: 320, tdp_watts: 70 }
//! devices:
//!   - { profile: H100-80GB, count: 2 }
//!   - { profile: T4-16GB, faults: { throttle: 2.0 } }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::fault::Faults;
use crate::profile::{DeviceProfile, builtin_profiles};
use crate::seed::device_seed;

/// Most devices one mock holds.
pub const MAX_DEVICES: u32 = 256;
/// Longest simulated block.
pub const MAX_BLOCK_TIME_MS: u64 = 24 * 60 * 60 * 1000;
/// Bittensor's block time.
pub const DEFAULT_BLOCK_TIME_MS: u64 = 12_000;

/// The whole configuration of a mock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockConfig {
    /// Seed from which device seeds derive (unless a device gives its own).
    #[serde(default)]
    pub seed: u64,
    /// Simulated length of a block: the window utilisation is measured over.
    #[serde(default = "default_block_time_ms")]
    pub block_time_ms: u64,
    /// Custom profiles, usable by name in `devices`.
    #[serde(default)]
    pub profiles: Vec<ProfileSpec>,
    /// Device entries, expanded in order into devices 0, 1, 2, ...
    pub devices: Vec<DeviceSpec>,
}

fn default_block_time_ms() -> u64 {
    DEFAULT_BLOCK_TIME_MS
}

fn default_count() -> u32 {
    1
}

/// A custom profile in configuration (`idle_watts` defaults to a tenth of `tdp_watts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Profile name (ASCII letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Device memory in MiB.
    pub memory_mib: u64,
    /// Peak throughput in GFLOP/s.
    pub throughput_gflops: u64,
    /// Memory bandwidth in GB/s.
    pub bandwidth_gb_s: u64,
    /// TDP in watts.
    pub tdp_watts: u32,
    /// Idle power in watts.
    #[serde(default)]
    pub idle_watts: Option<u32>,
}

/// One entry of the device list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSpec {
    /// Built-in or custom profile name.
    pub profile: String,
    /// How many identical devices this entry makes.
    #[serde(default = "default_count")]
    pub count: u32,
    /// Explicit device seed (only with `count: 1`).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Faults active from the start.
    #[serde(default)]
    pub faults: Faults,
}

/// A device ready to be built: profile resolved, seed derived, faults validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResolvedDevice {
    pub profile: DeviceProfile,
    pub seed: u64,
    pub faults: Faults,
}

impl MockConfig {
    /// `count` devices of one profile.
    pub fn uniform(profile: &str, count: u32, seed: u64) -> Self {
        Self {
            seed,
            block_time_ms: DEFAULT_BLOCK_TIME_MS,
            profiles: Vec::new(),
            devices: vec![DeviceSpec {
                profile: profile.to_owned(),
                count,
                seed: None,
                faults: Faults::default(),
            }],
        }
    }

    /// Parses YAML text.
    pub fn from_yaml_str(text: &str) -> Result<Self, ConfigError> {
        serde_saphyr::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message: e.to_string(),
        })
    }

    /// Parses JSON text; errors name the field path.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let parse_error = |message: String| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            if e.path().iter().next().is_some() {
                parse_error(format!("at {}: {}", e.path(), e.inner()))
            } else {
                parse_error(e.inner().to_string())
            }
        })?;
        de.end().map_err(|e| parse_error(e.to_string()))?;
        Ok(config)
    }

    /// Reads a `.yaml`/`.yml`/`.json` file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let parse: fn(&str) -> Result<Self, ConfigError> = match ext {
            "yaml" | "yml" => Self::from_yaml_str,
            "json" => Self::from_json_str,
            _ => {
                return Err(ConfigError::UnknownFormat {
                    path: path.to_owned(),
                });
            }
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        parse(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Validates everything and expands the device list.
    pub(crate) fn resolve(&self) -> Result<Vec<ResolvedDevice>, ConfigError> {
        if self.block_time_ms == 0 || self.block_time_ms > MAX_BLOCK_TIME_MS {
            return Err(ConfigError::BlockTime {
                value: self.block_time_ms,
                max: MAX_BLOCK_TIME_MS,
            });
        }
        let mut profiles = builtin_profiles();
        for spec in &self.profiles {
            if profiles.iter().any(|p| p.name == spec.name) {
                return Err(ConfigError::DuplicateProfile {
                    name: spec.name.clone(),
                });
            }
            let profile = DeviceProfile {
                name: spec.name.clone(),
                memory_mib: spec.memory_mib,
                throughput_gflops: spec.throughput_gflops,
                bandwidth_gb_s: spec.bandwidth_gb_s,
                tdp_watts: spec.tdp_watts,
                idle_watts: spec.idle_watts.unwrap_or(spec.tdp_watts / 10),
            };
            profile.validate()?;
            profiles.push(profile);
        }
        let total: u64 = self.devices.iter().map(|d| u64::from(d.count)).sum();
        if total == 0 || total > u64::from(MAX_DEVICES) {
            return Err(ConfigError::DeviceCount {
                count: total,
                max: MAX_DEVICES,
            });
        }
        let mut devices = Vec::new();
        for (entry, spec) in self.devices.iter().enumerate() {
            let Some(profile) = profiles.iter().find(|p| p.name == spec.profile) else {
                return Err(ConfigError::UnknownProfile {
                    entry,
                    name: spec.profile.clone(),
                    known: profiles
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if spec.count == 0 {
                return Err(ConfigError::InvalidDevice {
                    entry,
                    reason: "count must be at least 1".into(),
                });
            }
            if spec.seed.is_some() && spec.count != 1 {
                return Err(ConfigError::InvalidDevice {
                    entry,
                    reason: format!("an explicit seed needs count 1, got count {}", spec.count),
                });
            }
            spec.faults
                .validate()
                .map_err(|e| ConfigError::InvalidDevice {
                    entry,
                    reason: e.to_string(),
                })?;
            for _ in 0..spec.count {
                // Bounded by MAX_DEVICES above, so the index fits.
                let index = u32::try_from(devices.len()).unwrap_or(u32::MAX);
                devices.push(ResolvedDevice {
                    profile: profile.clone(),
                    seed: spec.seed.unwrap_or_else(|| device_seed(self.seed, index)),
                    faults: spec.faults,
                });
            }
        }
        Ok(devices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_forms_agree() {
        let yaml = "seed: 7\nprofiles:\n  - {name: T4, memory_mib: 16384, throughput_gflops: 65000, bandwidth_gb_s: 320, tdp_watts: 70}\ndevices:\n  - {profile: H100-80GB, count: 2}\n  - profile: T4\n    faults: {throttle: 2.5}\n";
        let json = r#"{"seed": 7, "profiles": [{"name": "T4", "memory_mib": 16384, "throughput_gflops": 65000, "bandwidth_gb_s": 320, "tdp_watts": 70}],
                       "devices": [{"profile": "H100-80GB", "count": 2}, {"profile": "T4", "faults": {"throttle": 2.5}}]}"#;
        let a = MockConfig::from_yaml_str(yaml).unwrap();
        let b = MockConfig::from_json_str(json).unwrap();
        assert_eq!(a, b);
        let devices = a.resolve().unwrap();
        assert_eq!(devices.len(), 3);
        assert_eq!(devices[2].profile.name, "T4");
        assert_eq!(devices[2].profile.idle_watts, 7);
        assert_eq!(devices[2].faults.throttle.unwrap().micros(), 2_500_000);
        assert_ne!(devices[0].seed, devices[1].seed);
    }

    #[test]
    fn parse_errors_name_the_field() {
        let err = MockConfig::from_json_str(r#"{"devices": [{"profile": "L4", "count": "two"}]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("devices[0].count"), "{err}");
        let err = MockConfig::from_json_str(r#"{"devices": [], "colour": 1}"#).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err =
            MockConfig::from_yaml_str("devices:\n  - profile: L4\n    cuont: 2\n").unwrap_err();
        assert!(err.to_string().contains("cuont"), "{err}");
    }

    #[test]
    fn semantic_errors() {
        let unknown = MockConfig::uniform("H900", 1, 0).resolve().unwrap_err();
        assert!(matches!(unknown, ConfigError::UnknownProfile { .. }));
        assert!(
            unknown.to_string().contains("H100-80GB"),
            "lists known names: {unknown}"
        );
        assert!(matches!(
            MockConfig::uniform("L4", 0, 0).resolve(),
            Err(ConfigError::DeviceCount { .. })
        ));
        assert!(matches!(
            MockConfig::uniform("L4", 257, 0).resolve(),
            Err(ConfigError::DeviceCount { .. })
        ));
        let mut seeded = MockConfig::uniform("L4", 2, 0);
        seeded.devices[0].seed = Some(1);
        assert!(matches!(
            seeded.resolve(),
            Err(ConfigError::InvalidDevice { .. })
        ));
        let mut shadow = MockConfig::uniform("L4", 1, 0);
        shadow.profiles.push(ProfileSpec {
            name: "L4".into(),
            memory_mib: 1,
            throughput_gflops: 1,
            bandwidth_gb_s: 1,
            tdp_watts: 10,
            idle_watts: None,
        });
        assert!(matches!(
            shadow.resolve(),
            Err(ConfigError::DuplicateProfile { .. })
        ));
        let mut block = MockConfig::uniform("L4", 1, 0);
        block.block_time_ms = 0;
        assert!(matches!(
            block.resolve(),
            Err(ConfigError::BlockTime { .. })
        ));
    }

    #[test]
    fn device_seeds_follow_the_global_seed() {
        let a = MockConfig::uniform("L4", 2, 1).resolve().unwrap();
        let b = MockConfig::uniform("L4", 2, 1).resolve().unwrap();
        let c = MockConfig::uniform("L4", 2, 2).resolve().unwrap();
        assert_eq!(a, b);
        assert_ne!(a[0].seed, c[0].seed);
    }
}
