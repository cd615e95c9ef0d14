//! In-process behaviour of `GpuMock`: determinism, profile ordering, faults, verification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_gpu_mock::{
    Decimal6, DeviceStatus, Faults, GpuError, GpuMock, JobKind, JobRequest, MockConfig, OomCause,
    builtin_profile, expected_result, verify,
};

fn mixed_config(seed: u64) -> MockConfig {
    MockConfig::from_yaml_str(&format!(
        "seed: {seed}\ndevices:\n  - {{profile: H100-80GB, count: 2}}\n  - profile: L4\n  - profile: RTX-4090\n"
    ))
    .unwrap()
}

/// A fixed workload touching every device and both kinds, then the telemetry as JSON.
fn run_workload(mock: &GpuMock) -> (Vec<String>, String) {
    let mut outcomes = Vec::new();
    for block in 1..=3u64 {
        for device in 0..4u64 {
            for (kind, size) in [(JobKind::Matmul, 2048), (JobKind::Hashchain, 64)] {
                let request = JobRequest::new(kind, size, block * 100 + device).at_block(block);
                let outcome = mock.submit(device, &request).unwrap();
                outcomes.push(serde_json::to_string(&outcome).unwrap());
            }
        }
    }
    (outcomes, serde_json::to_string(&mock.telemetry()).unwrap())
}

#[test]
fn same_seed_gives_identical_results_durations_and_telemetry() {
    let a = run_workload(&GpuMock::new(&mixed_config(42)).unwrap());
    let b = run_workload(&GpuMock::new(&mixed_config(42)).unwrap());
    assert_eq!(a, b);
}

#[test]
fn different_seed_changes_durations_but_not_results() {
    let a = GpuMock::new(&mixed_config(1)).unwrap();
    let b = GpuMock::new(&mixed_config(2)).unwrap();
    let request = JobRequest::new(JobKind::Matmul, 8192, 5);
    let (ra, rb) = (
        a.submit(0, &request).unwrap(),
        b.submit(0, &request).unwrap(),
    );
    // The result is a function of the job alone, so a validator can check it anywhere...
    assert_eq!(ra.result, rb.result);
    // ...while the device seed feeds the jitter.
    assert_ne!(ra.duration_ns, rb.duration_ns);
    // Different job seeds give different results.
    let other = a
        .submit(0, &JobRequest::new(JobKind::Matmul, 8192, 6))
        .unwrap();
    assert_ne!(ra.result, other.result);
}

#[test]
fn order_of_submission_does_not_change_outcomes() {
    let forward = GpuMock::new(&mixed_config(9)).unwrap();
    let backward = GpuMock::new(&mixed_config(9)).unwrap();
    let requests: Vec<JobRequest> = (0..6)
        .map(|s| JobRequest::new(JobKind::Matmul, 512, s))
        .collect();
    let mut f: Vec<_> = requests
        .iter()
        .map(|r| forward.submit(1, r).unwrap())
        .collect();
    let mut b: Vec<_> = requests
        .iter()
        .rev()
        .map(|r| backward.submit(1, r).unwrap())
        .collect();
    f.sort_by_key(|o| o.seed);
    b.sort_by_key(|o| o.seed);
    assert_eq!(f, b);
    assert_eq!(forward.telemetry(), backward.telemetry());
}

#[test]
fn faster_profiles_finish_the_same_job_sooner() {
    let order = ["H100-80GB", "A100-80GB", "RTX-4090", "L4"];
    let durations: Vec<u64> = order
        .iter()
        .map(|profile| {
            let mock = GpuMock::new(&MockConfig::uniform(profile, 1, 3)).unwrap();
            mock.submit(0, &JobRequest::new(JobKind::Matmul, 16_384, 77))
                .unwrap()
                .duration_ns
        })
        .collect();
    for pair in durations.windows(2) {
        assert!(
            pair[0] < pair[1],
            "{order:?} should be strictly ordered: {durations:?}"
        );
    }
    // H100 at 989 TFLOP/s vs L4 at 121: roughly 8x apart (the jitter is only +-2%).
    let ratio = durations[3] / durations[0];
    assert!((7..=9).contains(&ratio), "L4/H100 ratio {ratio}");
}

#[test]
fn memory_bound_jobs_follow_bandwidth() {
    let run = |profile: &str| {
        let mock = GpuMock::new(&MockConfig::uniform(profile, 1, 3)).unwrap();
        mock.submit(0, &JobRequest::new(JobKind::Hashchain, 500, 1))
            .unwrap()
            .duration_ns
    };
    // Same compute, 4.8 vs 3.35 TB/s.
    assert!(run("H200") < run("H100-80GB"));
}

#[test]
fn results_verify_and_tampering_is_caught() {
    let mock = GpuMock::new(&mixed_config(5)).unwrap();
    for (kind, size) in [(JobKind::Matmul, 3000), (JobKind::Hashchain, 1000)] {
        let outcome = mock.submit(2, &JobRequest::new(kind, size, 11)).unwrap();
        assert!(verify(&outcome.spec(), &outcome.result));
        assert_eq!(expected_result(&outcome.spec()).unwrap(), outcome.result);
        let mut tampered = outcome.result;
        tampered.0[0] ^= 0x80;
        assert!(!verify(&outcome.spec(), &tampered));
        // A result for another seed does not pass for this one.
        let other = mock.submit(2, &JobRequest::new(kind, size, 12)).unwrap();
        assert!(!verify(&outcome.spec(), &other.result));
    }
}

#[test]
fn invalid_requests_change_nothing() {
    let mock = GpuMock::new(&mixed_config(5)).unwrap();
    let before = mock.telemetry();
    let bad_size = mock.submit(0, &JobRequest::new(JobKind::Matmul, 0, 1).at_block(50));
    assert!(matches!(
        bad_size,
        Err(GpuError::InvalidSize { size: 0, .. })
    ));
    let too_big = mock.submit(0, &JobRequest::new(JobKind::Hashchain, (1 << 16) + 1, 1));
    assert!(matches!(too_big, Err(GpuError::InvalidSize { .. })));
    let unknown = mock.submit(4, &JobRequest::new(JobKind::Matmul, 8, 1).at_block(50));
    assert_eq!(
        unknown.unwrap_err(),
        GpuError::UnknownDevice { id: 4, count: 4 }
    );
    let bad_fault = Faults {
        throttle: Some(Decimal6::from_micros(10)),
        ..Faults::default()
    };
    assert!(matches!(
        mock.set_faults(0, bad_fault),
        Err(GpuError::InvalidFault { .. })
    ));
    assert!(matches!(
        mock.set_faults(9, Faults::default()),
        Err(GpuError::UnknownDevice { .. })
    ));
    assert_eq!(mock.telemetry(), before);
    assert_eq!(mock.block(), 0);
}

#[test]
fn oom_above_size_fault() {
    let mock = GpuMock::new(&MockConfig::uniform("A100-80GB", 1, 0)).unwrap();
    mock.set_faults(
        0,
        Faults {
            oom_above_size: Some(1000),
            ..Faults::default()
        },
    )
    .unwrap();
    assert!(
        mock.submit(0, &JobRequest::new(JobKind::Matmul, 1000, 1))
            .is_ok()
    );
    let err = mock
        .submit(0, &JobRequest::new(JobKind::Matmul, 1001, 1))
        .unwrap_err();
    assert_eq!(
        err,
        GpuError::OutOfMemory {
            device: 0,
            cause: OomCause::Fault { limit: 1000 }
        }
    );
    let t = mock.device_telemetry(0).unwrap();
    assert_eq!((t.jobs_done, t.errors.out_of_memory), (1, 1));
    assert_eq!(t.active_faults, vec!["oom_above_size".to_owned()]);
    mock.clear_faults(0).unwrap();
    assert!(
        mock.submit(0, &JobRequest::new(JobKind::Matmul, 1001, 1))
            .is_ok()
    );
}

#[test]
fn jobs_larger_than_device_memory_run_out_of_memory() {
    // n = 2^16: 3 * 2^32 * 2 bytes = 24 GiB of operands. Fits 80 GB, not 24 GB minus the context.
    let request = JobRequest::new(JobKind::Matmul, 1 << 16, 1);
    let l4 = GpuMock::new(&MockConfig::uniform("L4", 1, 0)).unwrap();
    match l4.submit(0, &request).unwrap_err() {
        GpuError::OutOfMemory {
            cause:
                OomCause::Capacity {
                    required_bytes,
                    available_bytes,
                },
            ..
        } => {
            assert_eq!(required_bytes, 3 * (1u64 << 32) * 2);
            assert_eq!(available_bytes, (24 * 1024 - 512) * (1 << 20));
        }
        other => panic!("expected a capacity OOM, got {other:?}"),
    }
    let h100 = GpuMock::new(&MockConfig::uniform("H100-80GB", 1, 0)).unwrap();
    h100.submit(0, &request).unwrap();
    // The largest job in the block shows up in memory used: 24 GiB + 512 MiB context.
    assert_eq!(
        h100.device_telemetry(0).unwrap().memory_used_mib,
        24 * 1024 + 512
    );
}

#[test]
fn throttle_multiplies_duration_exactly() {
    let mock = GpuMock::new(&MockConfig::uniform("H100-80GB", 1, 8)).unwrap();
    let request = JobRequest::new(JobKind::Matmul, 8192, 3);
    let normal = mock.submit(0, &request).unwrap();
    mock.set_faults(
        0,
        Faults {
            throttle: Some(Decimal6::from_micros(3_000_000)),
            ..Faults::default()
        },
    )
    .unwrap();
    let slow = mock.submit(0, &request).unwrap();
    assert_eq!(slow.duration_ns, normal.duration_ns * 3);
    assert_eq!(slow.result, normal.result);
    let t = mock.device_telemetry(0).unwrap();
    assert_eq!(t.active_faults, vec!["throttle".to_owned()]);
    mock.clear_faults(0).unwrap();
    assert_eq!(
        mock.submit(0, &request).unwrap().duration_ns,
        normal.duration_ns
    );
}

#[test]
fn wrong_results_at_a_seeded_rate_are_caught_by_verify() {
    let mock = GpuMock::new(&MockConfig::uniform("RTX-4090", 1, 4)).unwrap();
    mock.set_faults(
        0,
        Faults {
            wrong_result_rate: Some(Decimal6::from_micros(250_000)),
            ..Faults::default()
        },
    )
    .unwrap();
    let mut wrong = 0u64;
    for seed in 0..400 {
        let outcome = mock
            .submit(0, &JobRequest::new(JobKind::Matmul, 64, seed))
            .unwrap();
        if !verify(&outcome.spec(), &outcome.result) {
            wrong += 1;
        }
    }
    assert!(
        (60..=140).contains(&wrong),
        "{wrong} of 400 wrong at rate 0.25"
    );
    let t = mock.device_telemetry(0).unwrap();
    assert_eq!(t.errors.corrupted_results, wrong);
    assert_eq!(t.jobs_done, 400);
    // The same job is always hit or always spared (no dependence on submission count).
    let probe = JobRequest::new(JobKind::Matmul, 64, 3);
    assert_eq!(
        mock.submit(0, &probe).unwrap(),
        mock.submit(0, &probe).unwrap()
    );
}

#[test]
fn device_lost_from_a_block_on() {
    let mock = GpuMock::new(&mixed_config(0)).unwrap();
    mock.set_faults(
        1,
        Faults {
            lost_from_block: Some(10),
            ..Faults::default()
        },
    )
    .unwrap();
    let request = JobRequest::new(JobKind::Hashchain, 10, 1);
    assert!(mock.submit(1, &request.at_block(9)).is_ok());
    let err = mock.submit(1, &request.at_block(10)).unwrap_err();
    assert_eq!(
        err,
        GpuError::DeviceLost {
            device: 1,
            since_block: 10,
            block: 10
        }
    );
    // The job's block advanced the clock; other devices still work.
    assert_eq!(mock.block(), 10);
    assert!(mock.submit(0, &request).is_ok());
    // Without a block, a job is judged at the clock.
    assert!(matches!(
        mock.submit(1, &request),
        Err(GpuError::DeviceLost { block: 10, .. })
    ));
    // A job naming an older block is judged at that block, and does not move the clock back.
    let late = mock.submit(1, &request.at_block(3)).unwrap();
    assert_eq!((late.block, mock.block()), (3, 10));
    let t = mock.device_telemetry(1).unwrap();
    assert_eq!(t.status, DeviceStatus::Lost);
    assert_eq!(t.errors.device_lost, 2);
    assert_eq!(t.power_w, None);
    // The clock API can move back (chain revert), and clearing the fault restores the device.
    mock.set_block(5);
    assert!(mock.submit(1, &request).is_ok());
    mock.set_block(20);
    mock.clear_all_faults();
    assert!(mock.submit(1, &request).is_ok());
}

#[test]
fn utilisation_is_measured_per_block_in_simulated_time() {
    let mut config = MockConfig::uniform("L4", 1, 0);
    config.block_time_ms = 1_000;
    let mock = GpuMock::new(&config).unwrap();
    // 60 hash steps on an L4: 60 * 256 MiB / 300 GB/s = 53.7 ms of a 1 s block, so 5%
    // (the +-2% jitter keeps it between 5.2% and 5.5%).
    mock.submit(0, &JobRequest::new(JobKind::Hashchain, 60, 1).at_block(1))
        .unwrap();
    let t = mock.device_telemetry(0).unwrap();
    assert_eq!(t.utilization_pct, 5);
    assert!(t.power_w.unwrap() > builtin_profile("L4").unwrap().idle_watts);
    mock.set_block(2);
    let t = mock.device_telemetry(0).unwrap();
    assert_eq!(t.utilization_pct, 0);
    assert_eq!(t.power_w, Some(7));
    assert_eq!(t.jobs_done, 1);
}
