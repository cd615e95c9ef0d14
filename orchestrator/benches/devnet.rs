//! Devnet benchmarks (divan): how long a user waits, not micro-timings.
//!
//! - `first_block_minimal`: `topologies/minimal.yaml` from nothing to the first sealed block
//!   every neuron has finished (chain start, setup extrinsics, neuron start, the block with the
//!   miners' axons): `Devnet::launch`. Teardown is not measured (divan drops the returned devnet
//!   after the sample).
//! - `epoch_basic`, `epoch_large`: wall time of one `run_epochs(1)` (lock-step blocks up to the
//!   next epoch of every subnet, and the snapshot reads), on a devnet launched and run one epoch
//!   outside the measurement. Each sample prints the blocks it sealed.
//! - `epoch_large` also samples, every 250 ms from the end of its launch until its teardown
//!   (the unmeasured epoch and the measured one), the resident memory of
//!   every component process (chain, GPU mocks, neurons) and prints the peak of the sums of
//!   `VmRSS` and of `Pss` (`/proc/PID/smaps_rollup`: shared pages of the one binary divided
//!   among the processes, so it sums meaningfully).
//!
//! `cargo bench -p localtensor --bench devnet` (release build of everything), or
//! `cargo bench -p localtensor --bench devnet --profile dev` to reuse the test build.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{load, tokio};
use divan::Bencher;
use localtensor::devnet::{Devnet, Launcher};
use localtensor::runtime::{ProcessRuntime, Runtime};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

fn main() {
    divan::main();
}

/// A launched devnet; dropping it tears it down (inside the tokio runtime), then removes its
/// root and stops the memory sampler, if any.
struct Running {
    devnet: Option<Devnet<ProcessRuntime>>,
    handle: tokio::runtime::Handle,
    sampler: Option<Sampler>,
    _root: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(sampler) = self.sampler.take() {
            sampler.finish();
        }
        let _guard = self.handle.enter();
        self.devnet.take();
    }
}

async fn launch(name: &str) -> (Devnet<ProcessRuntime>, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let runtime = ProcessRuntime::builder()
        .with_root(root.path())
        .build()
        .unwrap();
    let launcher = Launcher::new(env!("CARGO_BIN_EXE_localtensor"));
    let devnet = Devnet::launch(runtime, load(name), &launcher, |_| {})
        .await
        .unwrap();
    (devnet, root)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn first_block_minimal(bencher: Bencher) {
    let rt = tokio();
    let handle = rt.handle().clone();
    bencher.bench_local(|| {
        let (devnet, root) = rt.block_on(launch("minimal"));
        Running {
            devnet: Some(devnet),
            handle: handle.clone(),
            sampler: None,
            _root: root,
        }
    });
}

/// Launches `name`, optionally starts sampling memory, runs one epoch.
fn prepared(rt: &tokio::runtime::Runtime, name: &str, sample_memory: bool) -> Running {
    rt.block_on(async {
        let (mut devnet, root) = launch(name).await;
        let sampler = if sample_memory {
            Some(Sampler::start(component_pids(&mut devnet).await))
        } else {
            None
        };
        devnet.run_epochs(1, |_| {}).await.unwrap();
        Running {
            devnet: Some(devnet),
            handle: rt.handle().clone(),
            sampler,
            _root: root,
        }
    })
}

/// One measured `run_epochs(1)`.
fn one_epoch(rt: &tokio::runtime::Runtime, running: &mut Running, name: &str) {
    let devnet = running.devnet.as_mut().unwrap();
    let before = devnet.head();
    rt.block_on(devnet.run_epochs(1, |_| {})).unwrap();
    eprintln!("{name}: one epoch = {} blocks", devnet.head() - before);
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn epoch_basic(bencher: Bencher) {
    let rt = tokio();
    bencher
        .with_inputs(|| prepared(&rt, "basic", false))
        .bench_local_refs(|running| one_epoch(&rt, running, "basic"));
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn epoch_large(bencher: Bencher) {
    let rt = tokio();
    bencher
        .with_inputs(|| prepared(&rt, "large", true))
        .bench_local_refs(|running| one_epoch(&rt, running, "large"));
}

/// The pids of every component of `devnet`: the chain, its GPU mocks, its built-in neurons.
async fn component_pids(devnet: &mut Devnet<ProcessRuntime>) -> Vec<(String, i32)> {
    let mut names = vec!["chain".to_owned()];
    names.extend(devnet.gpu_endpoints().keys().cloned());
    // Every built-in neuron, miners included (only validators are lock-step peers).
    let neurons: Vec<String> = devnet
        .setup()
        .subnets
        .iter()
        .flat_map(|s| &s.neurons)
        .map(|n| n.name.clone())
        .collect();
    names.extend(neurons);
    let mut out = Vec::new();
    for name in names {
        // Offline and bring-your-own neurons may have no process of their own.
        let Ok(status) = devnet.runtime_mut().status(&name).await else {
            continue;
        };
        if let Some(process) = status.process {
            out.push((name, process.pid));
        }
    }
    out
}

/// A `/proc/PID/status` or `smaps_rollup` field in kB.
fn kb(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[derive(Debug, Default, Clone, Copy)]
struct Memory {
    rss_kb: u64,
    pss_kb: u64,
    chain_rss_kb: u64,
}

fn measure(pids: &[(String, i32)]) -> Memory {
    let mut m = Memory::default();
    for (name, pid) in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss = kb(&status, "VmRSS:");
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        m.rss_kb += rss;
        m.pss_kb += kb(&rollup, "Pss:");
        if name == "chain" {
            m.chain_rss_kb = rss;
        }
    }
    m
}

/// Samples the memory of a set of processes on a thread until finished; prints the peak.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<(Memory, Memory, usize)>,
}

impl Sampler {
    fn start(pids: Vec<(String, i32)>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut peak_rss, mut peak_pss) = (Memory::default(), Memory::default());
            while !flag.load(Ordering::Relaxed) {
                let m = measure(&pids);
                if m.rss_kb > peak_rss.rss_kb {
                    peak_rss = m;
                }
                if m.pss_kb > peak_pss.pss_kb {
                    peak_pss = m;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            (peak_rss, peak_pss, pids.len())
        });
        Self { stop, thread }
    }

    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let (rss, pss, processes) = self.thread.join().unwrap();
        let mib = |kb: u64| kb as f64 / 1024.0;
        eprintln!(
            "peak memory over {processes} component processes: sum VmRSS {:.0} MiB (chain {:.0} MiB), \
             sum Pss {:.0} MiB",
            mib(rss.rss_kb),
            mib(rss.chain_rss_kb),
            mib(pss.pss_kb)
        );
    }
}
