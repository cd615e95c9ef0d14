//! Property tests: exact decimals, monotone timing, results that only the job determines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_gpu_mock::{
    Decimal6, GpuMock, JobCost, JobKind, JobRequest, JobSpec, MockConfig, base_duration_ns,
    builtin_profiles, job_cost, simulated_duration_ns, verify,
};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = JobKind> {
    prop_oneof![Just(JobKind::Matmul), Just(JobKind::Hashchain)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decimals_round_trip_through_json_exactly(micros in 0u64..=999_999_999_999_999) {
        let value = Decimal6::from_micros(micros);
        let json = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(serde_json::from_str::<Decimal6>(&json).unwrap(), value);
        // The Display form parses back too (as a quoted string).
        let text = format!("\"{value}\"");
        prop_assert_eq!(serde_json::from_str::<Decimal6>(&text).unwrap(), value);
    }

    #[test]
    fn base_duration_grows_with_size(size in 1u64..100_000, extra in 1u64..1000, profile in 0usize..5) {
        let profile = &builtin_profiles()[profile];
        let cost = |size| JobCost { ops: u128::from(size) * 1000, bytes: u128::from(size) * 10, footprint_bytes: 0 };
        prop_assert!(base_duration_ns(profile, &cost(size)) <= base_duration_ns(profile, &cost(size + extra)));
        for kind in [JobKind::Matmul, JobKind::Hashchain] {
            let small = job_cost(&JobSpec { kind, size: size.min(1 << 16), seed: 0 });
            let large = job_cost(&JobSpec { kind, size: (size + extra).min(1 << 16), seed: 0 });
            prop_assert!(base_duration_ns(profile, &small) <= base_duration_ns(profile, &large));
        }
    }

    #[test]
    fn jitter_stays_within_two_percent_and_throttle_scales(
        kind in kind(), size in 1u64..4096, seed: u64, device_seed: u64, factor in 1_000_000u64..50_000_000,
    ) {
        let spec = JobSpec { kind, size, seed };
        for profile in builtin_profiles() {
            let base = base_duration_ns(&profile, &job_cost(&spec));
            let plain = u128::from(simulated_duration_ns(&profile, device_seed, &spec, None));
            prop_assert!(plain * 100 >= base * 98 - 100 && plain * 100 <= base * 102, "{plain} vs base {base}");
            let throttled = u128::from(simulated_duration_ns(&profile, device_seed, &spec, Some(Decimal6::from_micros(factor))));
            prop_assert_eq!(throttled, plain * u128::from(factor) / 1_000_000);
        }
    }

    #[test]
    fn results_depend_on_the_job_only(kind in kind(), size in 1u64..512, seed: u64, a: u64, b: u64) {
        let request = JobRequest::new(kind, size, seed);
        let on_a = GpuMock::new(&MockConfig::uniform("L4", 1, a)).unwrap().submit(0, &request).unwrap();
        let on_b = GpuMock::new(&MockConfig::uniform("H200", 1, b)).unwrap().submit(0, &request).unwrap();
        prop_assert_eq!(on_a.result, on_b.result);
        prop_assert!(verify(&request.spec(), &on_a.result));
    }
}
