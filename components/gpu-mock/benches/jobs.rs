//! Job execution benchmarks: the real work behind a result (what a validator pays to verify)
//! and a full `GpuMock::submit`.

use divan::Bencher;
use localtensor_gpu_mock::{GpuMock, JobKind, JobRequest, JobSpec, MockConfig, expected_result};

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000, 65_536])]
fn hashchain_result(size: u64) {
    let spec = JobSpec {
        kind: JobKind::Hashchain,
        size,
        seed: divan::black_box(7),
    };
    divan::black_box(expected_result(&spec)).ok();
}

#[divan::bench(args = [1_024, 16_384, 131_072])]
fn matmul_result(size: u64) {
    let spec = JobSpec {
        kind: JobKind::Matmul,
        size,
        seed: divan::black_box(7),
    };
    divan::black_box(expected_result(&spec)).ok();
}

#[divan::bench]
fn submit_matmul_4096(bencher: Bencher) {
    let Ok(mock) = GpuMock::new(&MockConfig::uniform("H100-80GB", 1, 1)) else {
        return;
    };
    let mut seed = 0u64;
    bencher.bench_local(|| {
        seed += 1;
        divan::black_box(mock.submit(0, &JobRequest::new(JobKind::Matmul, 4096, seed))).ok();
    });
}
