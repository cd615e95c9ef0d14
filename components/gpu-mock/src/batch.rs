//! Batches: a run of related jobs on one device in one call, cut off by a simulated time budget.
//!
//! A batch is exactly the sequence of single jobs it names, submitted one after another through
//! [`GpuMock::submit`]: the same results, durations, fault draws, error counters and telemetry.
//! It only saves the caller a round trip per job.

use serde::{Deserialize, Serialize, Serializer};

use crate::error::GpuError;
use crate::job::{Digest, JobKind, JobSpec};
use crate::mock::{GpuMock, JobRequest};

/// Most units one batch may run (`max_units`).
pub const MAX_BATCH_UNITS: u32 = 1024;

/// A batch of units on one device: unit `k` (from 0) has index `first_index + k × stride` and is
/// the job `{kind, size, seed: seed ⊕ index, block}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The kind of work of every unit.
    pub kind: JobKind,
    /// Matrix dimension or chain length of every unit.
    pub size: u64,
    /// Base seed: a unit's job seed is `seed ⊕ index`.
    pub seed: u64,
    /// The block every unit is judged at, as [`JobRequest::block`].
    #[serde(default)]
    pub block: Option<u64>,
    /// Index of the first unit.
    pub first_index: u64,
    /// Step between consecutive unit indices.
    pub stride: u64,
    /// Most units to run, 1 to [`MAX_BATCH_UNITS`].
    pub max_units: u32,
    /// Simulated time budget in nanoseconds: units are listed while the sum of their
    /// `duration_ns` stays within it.
    pub budget_ns: u64,
}

impl BatchRequest {
    /// Index of unit `k`, if it fits in a `u64`.
    pub fn index(&self, k: u32) -> Option<u64> {
        self.stride
            .checked_mul(u64::from(k))
            .and_then(|step| self.first_index.checked_add(step))
    }

    /// The single job that unit `index` is.
    pub const fn job(&self, index: u64) -> JobRequest {
        JobRequest {
            kind: self.kind,
            size: self.size,
            seed: self.seed ^ index,
            block: self.block,
        }
    }

    /// Checks the batch's own parameters (the job size is checked by [`JobSpec::validate`]).
    fn validate(&self) -> Result<(), GpuError> {
        if self.max_units == 0 || self.max_units > MAX_BATCH_UNITS {
            return Err(GpuError::InvalidBatch {
                reason: format!(
                    "max_units must be 1 to {MAX_BATCH_UNITS}, got {}",
                    self.max_units
                ),
            });
        }
        if self.index(self.max_units - 1).is_none() {
            return Err(GpuError::InvalidBatch {
                reason: "first_index + (max_units - 1) × stride overflows a u64".to_string(),
            });
        }
        Ok(())
    }
}

/// One unit a batch ran within its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchUnit {
    /// Unit index.
    pub index: u64,
    /// Its job seed (`seed ⊕ index`).
    pub seed: u64,
    /// The result, as the single job gives it.
    pub result: Digest,
    /// Simulated duration in nanoseconds, as the single job gives it.
    pub duration_ns: u64,
}

/// Why a batch ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BatchStop {
    /// All `max_units` units ran within the budget.
    MaxUnits,
    /// Unit `index` ran (it counts in telemetry, like any job) but would have taken the total
    /// past the budget, so it is not listed.
    Budget {
        /// The unit that crossed the budget.
        index: u64,
        /// Its simulated duration.
        duration_ns: u64,
    },
    /// Unit `index` failed on the device (lost, out of memory); it is not listed.
    Error {
        /// The unit that failed.
        index: u64,
        /// The error the single job would have answered (`{"code","message"}` in JSON).
        #[serde(serialize_with = "error_body")]
        error: GpuError,
    },
}

fn error_body<S: Serializer>(error: &GpuError, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'a str,
        message: String,
    }
    Body {
        code: error.code(),
        message: error.to_string(),
    }
    .serialize(serializer)
}

/// What a batch did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// Device that ran the units.
    pub device: u32,
    /// The kind of work.
    pub kind: JobKind,
    /// Matrix dimension or chain length.
    pub size: u64,
    /// The units within the budget, in order.
    pub units: Vec<BatchUnit>,
    /// Sum of the listed units' `duration_ns` (at most `budget_ns`).
    pub used_ns: u64,
    /// Why the batch ended.
    pub stop: BatchStop,
}

impl GpuMock {
    /// Runs a batch on device `id`: its units one after another, each exactly as
    /// [`submit`](GpuMock::submit) runs it, while the sum of their durations fits
    /// `budget_ns`. The unit that would cross the budget still runs (and counts in telemetry)
    /// but is not listed; a device error (lost, out of memory) ends the batch at that unit.
    ///
    /// An invalid batch (unknown device, bad size, `max_units` out of range, overflowing
    /// indices) is rejected before anything runs and changes nothing, not even the clock.
    pub fn submit_batch(&self, id: u64, request: &BatchRequest) -> Result<BatchOutcome, GpuError> {
        JobSpec {
            kind: request.kind,
            size: request.size,
            seed: request.seed,
        }
        .validate()?;
        let device = self.device(id)?.id;
        request.validate()?;
        let mut units = Vec::new();
        let mut used_ns: u64 = 0;
        let mut stop = BatchStop::MaxUnits;
        for k in 0..request.max_units {
            // Checked by `validate` for the last unit, so every earlier one fits too.
            let Some(index) = request.index(k) else { break };
            let job = request.job(index);
            let outcome = match self.submit(id, &job) {
                Ok(outcome) => outcome,
                Err(error) => {
                    stop = BatchStop::Error { index, error };
                    break;
                }
            };
            match used_ns.checked_add(outcome.duration_ns) {
                Some(total) if total <= request.budget_ns => used_ns = total,
                _ => {
                    stop = BatchStop::Budget {
                        index,
                        duration_ns: outcome.duration_ns,
                    };
                    break;
                }
            }
            units.push(BatchUnit {
                index,
                seed: job.seed,
                result: outcome.result,
                duration_ns: outcome.duration_ns,
            });
        }
        Ok(BatchOutcome {
            device,
            kind: request.kind,
            size: request.size,
            units,
            used_ns,
            stop,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::config::MockConfig;
    use crate::fault::Faults;
    use crate::job::verify;

    fn config() -> MockConfig {
        MockConfig::from_yaml_str(
            "seed: 5\ndevices:\n  - {profile: H100-80GB}\n  - {profile: L4}\n  - {profile: A100-80GB}\n",
        )
        .unwrap()
    }

    fn batch(kind: JobKind, size: u64, budget_ns: u64) -> BatchRequest {
        BatchRequest {
            kind,
            size,
            seed: 0x5eed,
            block: Some(12),
            first_index: 1,
            stride: 3,
            max_units: 512,
            budget_ns,
        }
    }

    /// What a caller submitting single jobs does: run unit after unit, keep those whose
    /// cumulative duration fits, stop at the first error or at the unit crossing the budget.
    fn by_single_jobs(
        mock: &GpuMock,
        id: u64,
        request: &BatchRequest,
    ) -> (Vec<BatchUnit>, BatchStop) {
        let mut used: u64 = 0;
        let mut units = Vec::new();
        for k in 0..request.max_units {
            let index = request.first_index + u64::from(k) * request.stride;
            let job = JobRequest::new(request.kind, request.size, request.seed ^ index);
            let job = match request.block {
                Some(block) => job.at_block(block),
                None => job,
            };
            let outcome = match mock.submit(id, &job) {
                Ok(outcome) => outcome,
                Err(error) => return (units, BatchStop::Error { index, error }),
            };
            match used.checked_add(outcome.duration_ns) {
                Some(total) if total <= request.budget_ns => used = total,
                _ => {
                    let duration_ns = outcome.duration_ns;
                    return (units, BatchStop::Budget { index, duration_ns });
                }
            }
            units.push(BatchUnit {
                index,
                seed: job.seed,
                result: outcome.result,
                duration_ns: outcome.duration_ns,
            });
        }
        (units, BatchStop::MaxUnits)
    }

    /// Runs `request` as a batch on one mock and as single jobs on a twin, and checks the two
    /// agree on every unit, the stop and the telemetry afterwards.
    fn assert_batch_equals_singles(faults: &[(u64, Faults)], id: u64, request: &BatchRequest) {
        let (batched, single) = (
            GpuMock::new(&config()).unwrap(),
            GpuMock::new(&config()).unwrap(),
        );
        for (device, f) in faults {
            batched.set_faults(*device, *f).unwrap();
            single.set_faults(*device, *f).unwrap();
        }
        let outcome = batched.submit_batch(id, request).unwrap();
        let (units, stop) = by_single_jobs(&single, id, request);
        assert_eq!(outcome.units, units);
        assert_eq!(outcome.stop, stop);
        assert_eq!(
            outcome.used_ns,
            units.iter().map(|u| u.duration_ns).sum::<u64>()
        );
        assert!(outcome.used_ns <= request.budget_ns);
        assert_eq!(batched.telemetry(), single.telemetry());
        assert_eq!(batched.block(), single.block());
    }

    #[test]
    fn a_batch_is_the_sequence_of_its_single_jobs() {
        for id in 0..3 {
            for (kind, size) in [(JobKind::Matmul, 16_384), (JobKind::Hashchain, 250)] {
                for budget_ms in [1, 50, 250, 1_000] {
                    let request = batch(kind, size, budget_ms * 1_000_000);
                    assert_batch_equals_singles(&[], id, &request);
                }
            }
        }
    }

    #[test]
    fn budget_cut_runs_but_omits_the_crossing_unit() {
        let mock = GpuMock::new(&config()).unwrap();
        let outcome = mock
            .submit_batch(0, &batch(JobKind::Matmul, 16_384, 250_000_000))
            .unwrap();
        // About 28 units of ~8.9 ms fit 250 ms on an H100.
        assert!((26..=30).contains(&outcome.units.len()), "{outcome:?}");
        let BatchStop::Budget { index, duration_ns } = outcome.stop else {
            panic!("expected a budget stop: {outcome:?}");
        };
        assert_eq!(index, 1 + 3 * outcome.units.len() as u64);
        assert!(outcome.used_ns + duration_ns > 250_000_000);
        // The crossing unit ran: it is in jobs_done and busy_ns like every listed one.
        let telemetry = mock.device_telemetry(0).unwrap();
        assert_eq!(telemetry.jobs_done, outcome.units.len() as u64 + 1);
        assert_eq!(telemetry.busy_ns, outcome.used_ns + duration_ns);
        for unit in &outcome.units {
            let spec = JobSpec {
                kind: JobKind::Matmul,
                size: 16_384,
                seed: unit.seed,
            };
            assert_eq!(unit.seed, 0x5eed ^ unit.index);
            assert!(verify(&spec, &unit.result));
        }
    }

    #[test]
    fn a_generous_budget_stops_at_max_units() {
        let mut request = batch(JobKind::Hashchain, 1, u64::MAX);
        request.max_units = 7;
        let mock = GpuMock::new(&config()).unwrap();
        let outcome = mock.submit_batch(1, &request).unwrap();
        assert_eq!(outcome.stop, BatchStop::MaxUnits);
        assert_eq!(
            outcome.units.iter().map(|u| u.index).collect::<Vec<_>>(),
            [1, 4, 7, 10, 13, 16, 19]
        );
        assert_batch_equals_singles(&[], 1, &request);
    }

    #[test]
    fn faults_behave_as_in_single_jobs() {
        let wrong = Faults {
            wrong_result_rate: Some(crate::Decimal6::from_micros(300_000)),
            throttle: Some(crate::Decimal6::from_micros(1_500_000)),
            ..Faults::default()
        };
        let request = batch(JobKind::Matmul, 16_384, 1_000_000_000);
        assert_batch_equals_singles(&[(0, wrong)], 0, &request);
        let mock = GpuMock::new(&config()).unwrap();
        mock.set_faults(0, wrong).unwrap();
        let outcome = mock.submit_batch(0, &request).unwrap();
        let corrupted = mock.device_telemetry(0).unwrap().errors.corrupted_results;
        assert!(corrupted > 0, "a 30% rate over ~75 units hits some");
        // Wrong results are listed: they take their time like right ones.
        let spec = |u: &BatchUnit| JobSpec {
            kind: JobKind::Matmul,
            size: 16_384,
            seed: u.seed,
        };
        assert!(outcome.units.iter().any(|u| !verify(&spec(u), &u.result)));

        // Lost at the batch's block: the first unit fails, counted once, nothing listed.
        let lost = Faults {
            lost_from_block: Some(12),
            ..Faults::default()
        };
        assert_batch_equals_singles(&[(2, lost)], 2, &request);
        let mock = GpuMock::new(&config()).unwrap();
        mock.set_faults(2, lost).unwrap();
        let outcome = mock.submit_batch(2, &request).unwrap();
        assert!(outcome.units.is_empty());
        assert!(matches!(
            outcome.stop,
            BatchStop::Error {
                index: 1,
                error: GpuError::DeviceLost { block: 12, .. }
            }
        ));
        assert_eq!(mock.device_telemetry(2).unwrap().errors.device_lost, 1);
        // The clock moved to the batch's block, as the failing single job moves it.
        assert_eq!(mock.block(), 12);

        // Out of memory, by fault and by capacity (an L4 cannot hold n = 65536).
        let oom = Faults {
            oom_above_size: Some(100),
            ..Faults::default()
        };
        assert_batch_equals_singles(&[(0, oom)], 0, &request);
        let big = batch(JobKind::Matmul, 65_536, 1_000_000_000);
        assert_batch_equals_singles(&[], 1, &big);
        let mock = GpuMock::new(&config()).unwrap();
        let outcome = mock.submit_batch(1, &big).unwrap();
        assert!(matches!(
            outcome.stop,
            BatchStop::Error {
                error: GpuError::OutOfMemory { .. },
                ..
            }
        ));
    }

    #[test]
    fn without_a_block_units_are_judged_at_the_clock() {
        let mut request = batch(JobKind::Hashchain, 250, 250_000_000);
        request.block = None;
        let mock = GpuMock::new(&config()).unwrap();
        mock.set_block(30);
        mock.set_faults(
            0,
            Faults {
                lost_from_block: Some(30),
                ..Faults::default()
            },
        )
        .unwrap();
        let outcome = mock.submit_batch(0, &request).unwrap();
        assert!(matches!(
            outcome.stop,
            BatchStop::Error {
                error: GpuError::DeviceLost { block: 30, .. },
                ..
            }
        ));
        assert_batch_equals_singles(&[], 0, &request);
    }

    #[test]
    fn invalid_batches_change_nothing() {
        let mock = GpuMock::new(&config()).unwrap();
        let before = mock.telemetry();
        let good = batch(JobKind::Matmul, 4096, 1_000_000);
        let cases = [
            (3, good, "unknown_device"),
            (0, BatchRequest { size: 0, ..good }, "invalid_size"),
            (
                0,
                BatchRequest {
                    max_units: 0,
                    ..good
                },
                "invalid_batch",
            ),
            (
                0,
                BatchRequest {
                    max_units: MAX_BATCH_UNITS + 1,
                    ..good
                },
                "invalid_batch",
            ),
            (
                0,
                BatchRequest {
                    first_index: u64::MAX - 1,
                    ..good
                },
                "invalid_batch",
            ),
        ];
        for (id, request, code) in cases {
            let error = mock.submit_batch(id, &request).unwrap_err();
            assert_eq!(error.code(), code, "{request:?}");
        }
        assert_eq!(mock.telemetry(), before);
        assert_eq!(mock.block(), 0);
        // The largest batch is accepted; an index ending exactly at u64::MAX too.
        let edge = BatchRequest {
            first_index: u64::MAX - 2,
            stride: 1,
            max_units: 3,
            budget_ns: u64::MAX,
            kind: JobKind::Hashchain,
            size: 1,
            ..good
        };
        let outcome = mock.submit_batch(0, &edge).unwrap();
        assert_eq!(outcome.units.last().map(|u| u.index), Some(u64::MAX));
        let full = BatchRequest {
            max_units: MAX_BATCH_UNITS,
            kind: JobKind::Hashchain,
            size: 1,
            budget_ns: u64::MAX,
            ..good
        };
        assert_eq!(
            mock.submit_batch(0, &full).unwrap().units.len(),
            MAX_BATCH_UNITS as usize
        );
    }

    #[test]
    fn outcomes_serialise_as_documented() {
        let mock = GpuMock::new(&config()).unwrap();
        mock.set_faults(
            1,
            Faults {
                lost_from_block: Some(0),
                ..Faults::default()
            },
        )
        .unwrap();
        let lost = mock
            .submit_batch(1, &batch(JobKind::Hashchain, 8, 1_000))
            .unwrap();
        let json = serde_json::to_value(&lost).unwrap();
        assert_eq!(json["stop"]["reason"], "error");
        assert_eq!(json["stop"]["index"], 1);
        assert_eq!(json["stop"]["error"]["code"], "device_lost");
        assert_eq!(json["units"], serde_json::json!([]));
        let cut = mock
            .submit_batch(0, &batch(JobKind::Hashchain, 8, 0))
            .unwrap();
        let json = serde_json::to_value(&cut).unwrap();
        assert_eq!(json["stop"]["reason"], "budget");
        assert_eq!(json["stop"]["index"], 1);
        assert!(json["stop"]["duration_ns"].as_u64().is_some_and(|d| d > 0));
        let request: BatchRequest = serde_json::from_value(serde_json::json!({
            "kind": "matmul", "size": 8, "seed": 1, "first_index": 0, "stride": 1,
            "max_units": 2, "budget_ns": 10
        }))
        .unwrap();
        assert_eq!(request.block, None);
    }
}
