//! Reimplements the documented result and timing definitions (README) from scratch with the
//! blake2 crate and checks the mock agrees: a validator in another language can rely on them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest as _};
use localtensor_gpu_mock::{
    Digest, GpuMock, JobKind, JobRequest, JobSpec, MockConfig, builtin_profile, expected_result,
};

type B256 = Blake2b<U32>;

fn b(domain: &str, words: &[u64]) -> [u8; 32] {
    let mut h = B256::new();
    h.update(domain.as_bytes());
    for w in words {
        h.update(w.to_le_bytes());
    }
    h.finalize().into()
}

fn d(domain: &str, words: &[u64]) -> u64 {
    u64::from_le_bytes(b(domain, words)[..8].try_into().unwrap())
}

fn splitmix_finaliser(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

fn element(seed: u64, tag: &[u8; 8], line: u64, index: u64) -> u64 {
    let tag = u64::from_be_bytes(*tag);
    splitmix_finaliser(splitmix_finaliser(seed ^ tag ^ splitmix_finaliser(line)) ^ index) & 0xff
}

fn matmul_by_spec(seed: u64, n: u64) -> Digest {
    // Full matrices, so the checksum is checked against a genuine product.
    let a: Vec<Vec<u64>> = (0..n)
        .map(|i| (0..n).map(|k| element(seed, b"MATRIX_A", i, k)).collect())
        .collect();
    let bm: Vec<Vec<u64>> = (0..n)
        .map(|k| (0..n).map(|j| element(seed, b"MATRIX_B", j, k)).collect())
        .collect();
    let mut words = vec![seed, n];
    for s in 0..16 {
        let row = d("localtensor-gpu-mock/matmul-row/v1", &[seed, n, s]) % n;
        let col = d("localtensor-gpu-mock/matmul-col/v1", &[seed, n, s]) % n;
        let c: u64 = (0..n as usize)
            .map(|k| a[row as usize][k] * bm[k][col as usize])
            .sum();
        words.extend([row, col, c]);
    }
    Digest(b("localtensor-gpu-mock/matmul/v1", &words))
}

fn hashchain_by_spec(seed: u64, size: u64) -> Digest {
    let mut h = b("localtensor-gpu-mock/hashchain/v1", &[seed, size]);
    for _ in 0..size {
        h = B256::digest(h).into();
    }
    Digest(h)
}

#[test]
fn matmul_results_follow_the_documented_definition() {
    for (seed, n) in [(0, 1), (1, 7), (42, 33), (u64::MAX, 64)] {
        let spec = JobSpec {
            kind: JobKind::Matmul,
            size: n,
            seed,
        };
        assert_eq!(
            expected_result(&spec).unwrap(),
            matmul_by_spec(seed, n),
            "seed {seed} n {n}"
        );
    }
}

#[test]
fn hashchain_results_follow_the_documented_definition() {
    for (seed, size) in [(0, 1), (9, 500), (u64::MAX, 2)] {
        let spec = JobSpec {
            kind: JobKind::Hashchain,
            size,
            seed,
        };
        assert_eq!(
            expected_result(&spec).unwrap(),
            hashchain_by_spec(seed, size)
        );
    }
}

#[test]
fn durations_follow_the_documented_formula() {
    let global_seed = 77;
    let mock = GpuMock::new(&MockConfig::uniform("RTX-4090", 2, global_seed)).unwrap();
    let profile = builtin_profile("RTX-4090").unwrap();
    for (device, kind, tag, size, job_seed) in [
        (0u64, JobKind::Matmul, 1u64, 12_000u64, 5u64),
        (1, JobKind::Hashchain, 2, 300, 6),
        (1, JobKind::Matmul, 1, 3, 7),
    ] {
        let device_seed = d(
            "localtensor-gpu-mock/device-seed/v1",
            &[global_seed, device],
        );
        assert_eq!(mock.device(device).unwrap().seed, device_seed);
        let (ops, bytes): (u128, u128) = match kind {
            JobKind::Matmul => {
                let n = u128::from(size);
                (2 * n * n * n, 6 * n * n)
            }
            JobKind::Hashchain => (u128::from(size) << 28, u128::from(size) << 28),
        };
        let compute = ops.div_ceil(u128::from(profile.throughput_gflops));
        let memory = bytes.div_ceil(u128::from(profile.bandwidth_gb_s));
        let base = 5_000 + compute.max(memory);
        let draw = d(
            "localtensor-gpu-mock/jitter/v1",
            &[device_seed ^ job_seed, tag, size],
        );
        let jitter = (draw % 40_001) as i128 - 20_000;
        let expected = (base as i128 * (1_000_000 + jitter) / 1_000_000) as u64;
        let outcome = mock
            .submit(device, &JobRequest::new(kind, size, job_seed))
            .unwrap();
        assert_eq!(
            outcome.duration_ns, expected,
            "{kind} {size} on device {device}"
        );
    }
}
