//! Scoring a miner's answer to a challenge.
//!
//! ```text
//! counted(u)  = max(u.duration_ns, floor(kind, size))
//! in budget   = the units of a lane, in the order listed, while Σ counted ≤ budget_ns
//! score       = number of units in budget whose result verifies (localtensor_gpu_mock::verify)
//! ```
//!
//! Wrong results use up their time and earn nothing; units past the budget earn nothing;
//! duplicate indices, lanes ≥ [`MAX_LANES`] and units past [`MAX_UNITS_PER_LANE`] are ignored.
//! Durations are the miner's claim: `floor` is what the fastest built-in GPU profile needs for
//! the job, minus the mock's maximum jitter, so a miner claiming impossibly short durations
//! scores at most like the fastest known device.

use std::collections::{BTreeMap, HashSet};

use localtensor_gpu_mock::{
    DeviceProfile, JITTER_PPM, JobSpec, base_duration_ns, builtin_profiles, job_cost, verify,
};

use crate::challenge::{Challenge, ChallengeAnswer, MAX_LANES, MAX_UNITS_PER_LANE};

/// What scoring found in an answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScoreReport {
    /// Units listed in the answer.
    pub claimed: u64,
    /// Units within the budget of their lane.
    pub in_budget: u64,
    /// Units within budget whose result verified: the score.
    pub verified: u64,
}

impl ScoreReport {
    /// The score (verified units within budget).
    pub fn score(&self) -> u64 {
        self.verified
    }
}

/// The shortest duration a unit of `spec` is counted as: the fastest built-in profile's
/// roofline time, less the maximum jitter.
pub fn duration_floor_ns(spec: &JobSpec) -> u64 {
    let fastest = fastest_profile();
    let base = base_duration_ns(&fastest, &job_cost(spec));
    let floor = base * u128::from(1_000_000 - JITTER_PPM) / 1_000_000;
    u64::try_from(floor).unwrap_or(u64::MAX)
}

/// A synthetic profile with the best throughput and bandwidth of every built-in profile.
fn fastest_profile() -> DeviceProfile {
    let all = builtin_profiles();
    let mut best = all.first().cloned().unwrap_or(DeviceProfile {
        name: "fastest".into(),
        memory_mib: 1,
        throughput_gflops: 1,
        bandwidth_gb_s: 1,
        tdp_watts: 1,
        idle_watts: 0,
    });
    for p in &all {
        best.throughput_gflops = best.throughput_gflops.max(p.throughput_gflops);
        best.bandwidth_gb_s = best.bandwidth_gb_s.max(p.bandwidth_gb_s);
    }
    best
}

/// Scores `answer` against `challenge` (CPU work: one verification per unit in budget).
pub fn score_answer(challenge: &Challenge, answer: &ChallengeAnswer) -> ScoreReport {
    let budget = challenge.budget_ns();
    let floor = duration_floor_ns(&challenge.unit_spec(0));
    let mut report = ScoreReport {
        claimed: answer.units.len() as u64,
        ..ScoreReport::default()
    };
    // Per lane: (cumulative counted duration, units considered, closed).
    let mut lanes: BTreeMap<u32, (u64, u32, bool)> = BTreeMap::new();
    let mut seen = HashSet::new();
    for unit in &answer.units {
        if unit.lane >= MAX_LANES || !seen.insert(unit.index) {
            continue;
        }
        let (used, count, closed) = lanes.entry(unit.lane).or_insert((0, 0, false));
        if *closed || *count >= MAX_UNITS_PER_LANE {
            continue;
        }
        *count += 1;
        let counted = unit.duration_ns.max(floor);
        match used.checked_add(counted) {
            Some(total) if total <= budget => *used = total,
            _ => {
                *closed = true;
                continue;
            }
        }
        report.in_budget += 1;
        if verify(&challenge.unit_spec(unit.index), &unit.result) {
            report.verified += 1;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::challenge::{CHALLENGE_VERSION, UnitResult};
    use localtensor_gpu_mock::{Digest, JobKind, expected_result};

    fn challenge(kind: JobKind, size: u64, budget_ms: u64) -> Challenge {
        Challenge {
            version: CHALLENGE_VERSION,
            netuid: 1,
            block: 5,
            target: String::new(),
            kind,
            size,
            seed: 42,
            budget_ms,
        }
    }

    fn unit(c: &Challenge, index: u64, lane: u32, duration_ns: u64) -> UnitResult {
        UnitResult {
            index,
            lane,
            result: expected_result(&c.unit_spec(index)).unwrap(),
            duration_ns,
        }
    }

    #[test]
    fn counts_verified_units_within_budget() {
        let c = challenge(JobKind::Hashchain, 10, 10);
        let ms = 1_000_000;
        let answer = ChallengeAnswer {
            units: vec![
                unit(&c, 0, 0, 4 * ms),
                unit(&c, 1, 0, 4 * ms),
                unit(&c, 2, 0, 4 * ms),  // lane 0 at 12 ms: over budget
                unit(&c, 3, 0, ms),      // after the cut-off: ignored
                unit(&c, 4, 1, 10 * ms), // lane 1 exactly at the budget
            ],
        };
        let r = score_answer(&c, &answer);
        assert_eq!(
            r,
            ScoreReport {
                claimed: 5,
                in_budget: 3,
                verified: 3
            }
        );
        assert_eq!(r.score(), 3);
    }

    #[test]
    fn wrong_results_score_zero_and_use_their_time() {
        let c = challenge(JobKind::Hashchain, 10, 10);
        let ms = 1_000_000;
        let mut wrong = unit(&c, 0, 0, 6 * ms);
        wrong.result = Digest([0; 32]);
        let answer = ChallengeAnswer {
            units: vec![wrong, unit(&c, 1, 0, 6 * ms)],
        };
        assert_eq!(score_answer(&c, &answer).verified, 0);
        // A right result for another unit's index does not count either.
        let mut swapped = unit(&c, 1, 0, ms);
        swapped.index = 2;
        let r = score_answer(
            &c,
            &ChallengeAnswer {
                units: vec![swapped],
            },
        );
        assert_eq!((r.in_budget, r.verified), (1, 0));
    }

    #[test]
    fn duplicates_far_lanes_and_impossible_durations_are_contained() {
        let c = challenge(JobKind::Matmul, 16_384, 250);
        let floor = duration_floor_ns(&c.unit_spec(0));
        // The fastest built-in (H100/H200 at 989 TFLOP/s) needs ~8.9 ms.
        assert!((8_500_000..9_000_000).contains(&floor), "{floor}");
        let units: Vec<_> = (0..100).map(|i| unit(&c, i, 0, 1)).collect();
        let r = score_answer(&c, &ChallengeAnswer { units });
        assert_eq!(r.verified, 250_000_000 / floor);
        let dup = vec![
            unit(&c, 0, 0, 1),
            unit(&c, 0, 1, 1),
            unit(&c, 1, MAX_LANES, 1),
        ];
        assert_eq!(
            score_answer(&c, &ChallengeAnswer { units: dup }).verified,
            1
        );
        assert_eq!(
            score_answer(&c, &ChallengeAnswer::default()),
            ScoreReport::default()
        );
    }

    #[test]
    fn faster_devices_fit_more_units() {
        use localtensor_gpu_mock::{GpuMock, JobRequest, MockConfig};
        for kind in [JobKind::Matmul, JobKind::Hashchain] {
            let mut scores = Vec::new();
            for profile in ["H100-80GB", "L4"] {
                let mock = GpuMock::new(&MockConfig::uniform(profile, 1, 3)).unwrap();
                let c = challenge(kind, crate::challenge::unit_size(kind), 250);
                let mut units = Vec::new();
                for i in 0..64 {
                    let spec = c.unit_spec(i);
                    let out = mock
                        .submit(0, &JobRequest::new(kind, spec.size, spec.seed).at_block(5))
                        .unwrap();
                    units.push(UnitResult {
                        index: i,
                        lane: 0,
                        result: out.result,
                        duration_ns: out.duration_ns,
                    });
                }
                scores.push(score_answer(&c, &ChallengeAnswer { units }).verified);
            }
            assert!(scores[0] > scores[1], "{kind}: {scores:?}");
            assert!((10..=40).contains(&scores[0]), "{kind}: {scores:?}");
            assert!(scores[1] >= 1, "{kind}: {scores:?}");
        }
    }
}
