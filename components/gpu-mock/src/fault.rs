//! Injectable faults and how they alter a job.

use serde::{Deserialize, Serialize};

use crate::decimal::Decimal6;
use crate::error::GpuError;
use crate::job::JobSpec;
use crate::seed::derive_u64;

/// Largest throttle factor accepted (a device 1000× slower is as good as lost).
pub const MAX_THROTTLE: Decimal6 = Decimal6::from_micros(1_000 * 1_000_000);

/// The faults configured on one device. Every field is optional; `null`/absent means "off".
///
/// Setting faults replaces the whole set; clearing resets every field to `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Jobs whose `size` is above this fail with `out_of_memory`.
    pub oom_above_size: Option<u64>,
    /// Simulated durations are multiplied by this factor (`1.0..=1000.0`).
    pub throttle: Option<Decimal6>,
    /// Fraction of jobs (`0.0..=1.0`) that return a wrong result, chosen by seed.
    pub wrong_result_rate: Option<Decimal6>,
    /// From this block on, the device is lost: every job fails with `device_lost`.
    pub lost_from_block: Option<u64>,
}

impl Faults {
    /// Checks every parameter is in range.
    pub fn validate(&self) -> Result<(), GpuError> {
        if let Some(factor) = self.throttle
            && (factor < Decimal6::ONE || factor > MAX_THROTTLE)
        {
            return Err(GpuError::InvalidFault {
                field: "throttle",
                reason: format!("factor must be between 1 and {MAX_THROTTLE}, got {factor}"),
            });
        }
        if let Some(rate) = self.wrong_result_rate
            && rate > Decimal6::ONE
        {
            return Err(GpuError::InvalidFault {
                field: "wrong_result_rate",
                reason: format!("rate must be between 0 and 1, got {rate}"),
            });
        }
        Ok(())
    }

    /// Whether the device is lost at `block`.
    pub fn is_lost_at(&self, block: u64) -> bool {
        self.lost_from_block.is_some_and(|from| block >= from)
    }

    /// Names of the faults in effect at `block`, in a fixed order.
    pub fn active_at(&self, block: u64) -> Vec<&'static str> {
        let mut active = Vec::new();
        if self.oom_above_size.is_some() {
            active.push("oom_above_size");
        }
        if self.throttle.is_some_and(|f| f > Decimal6::ONE) {
            active.push("throttle");
        }
        if self.wrong_result_rate.is_some_and(|r| r > Decimal6::ZERO) {
            active.push("wrong_result_rate");
        }
        if self.is_lost_at(block) {
            active.push("device_lost");
        }
        active
    }

    /// Whether this job's result is corrupted: a seeded draw below the configured rate.
    pub(crate) fn corrupts(&self, device_seed: u64, spec: &JobSpec) -> bool {
        let Some(rate) = self.wrong_result_rate else {
            return false;
        };
        let draw = derive_u64(
            b"localtensor-gpu-mock/wrong-result/v1",
            &[device_seed ^ spec.seed, spec.kind.tag(), spec.size],
        ) % 1_000_000;
        draw < rate.micros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::JobKind;

    #[test]
    fn parses_from_json_with_defaults_and_rejects_unknown_fields() {
        let f: Faults = serde_json::from_str(r#"{"throttle": 2.5}"#).unwrap();
        assert_eq!(f.throttle, Some(Decimal6::from_micros(2_500_000)));
        assert_eq!(f.oom_above_size, None);
        assert!(serde_json::from_str::<Faults>(r#"{"throtle": 2}"#).is_err());
        let shape = serde_json::to_value(Faults::default()).unwrap();
        assert_eq!(
            shape,
            serde_json::json!({"oom_above_size": null, "throttle": null,
                               "wrong_result_rate": null, "lost_from_block": null})
        );
    }

    #[test]
    fn validation_bounds() {
        let ok = Faults {
            throttle: Some(Decimal6::ONE),
            wrong_result_rate: Some(Decimal6::ONE),
            ..Faults::default()
        };
        ok.validate().unwrap();
        let slow = Faults {
            throttle: Some(Decimal6::from_micros(500_000)),
            ..Faults::default()
        };
        assert!(slow.validate().is_err());
        let huge = Faults {
            throttle: Some(Decimal6::from_micros(1_000_000_001)),
            ..Faults::default()
        };
        assert!(huge.validate().is_err());
        let rate = Faults {
            wrong_result_rate: Some(Decimal6::from_micros(1_000_001)),
            ..Faults::default()
        };
        assert!(rate.validate().is_err());
    }

    #[test]
    fn corruption_rate_is_respected_over_many_seeds() {
        let half = Faults {
            wrong_result_rate: Some(Decimal6::from_micros(500_000)),
            ..Faults::default()
        };
        let all = Faults {
            wrong_result_rate: Some(Decimal6::ONE),
            ..Faults::default()
        };
        let none = Faults {
            wrong_result_rate: Some(Decimal6::ZERO),
            ..Faults::default()
        };
        let mut corrupted = 0;
        for seed in 0..1000 {
            let spec = JobSpec {
                kind: JobKind::Hashchain,
                size: 10,
                seed,
            };
            corrupted += u32::from(half.corrupts(3, &spec));
            assert!(all.corrupts(3, &spec));
            assert!(!none.corrupts(3, &spec));
            assert!(!Faults::default().corrupts(3, &spec));
        }
        assert!(
            (400..=600).contains(&corrupted),
            "{corrupted} of 1000 corrupted at rate 0.5"
        );
    }

    #[test]
    fn lost_from_block_and_active_list() {
        let f = Faults {
            lost_from_block: Some(10),
            throttle: Some(Decimal6::from_micros(2_000_000)),
            ..Faults::default()
        };
        assert!(!f.is_lost_at(9));
        assert!(f.is_lost_at(10));
        assert_eq!(f.active_at(9), vec!["throttle"]);
        assert_eq!(f.active_at(10), vec!["throttle", "device_lost"]);
    }
}
