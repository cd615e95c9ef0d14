//! Every example topology against its golden file: one test per topology (filter them by name,
//! `cargo nextest run golden_basic`), each running `localtensor check topologies/<name>.yaml`
//! exactly as a user would. When a change is intended, review the difference and update the
//! file with `localtensor check topologies/<name>.yaml --update`.
//!
//! The `docker_*` tests run the same check in containers (`--runtime docker`): the Docker runtime
//! must give the golden files the process runtime made, byte for byte, and leave no container or
//! network behind. `partition` cuts a validator's network, which only the Docker runtime can do,
//! so it runs there alone. `docker_loss_and_latency_change_no_result_in_lockstep` makes `basic`
//! lossy and slow for an epoch (rules on the host, so it needs root) and requires `basic`'s
//! golden file unchanged. `large` (322 containers) needs a kernel neighbour table larger than
//! Linux's default on Docker (docs/docker.md, "Networks, names, labels"), and its two tests never
//! run at the same time.
//!
//! `demo` runs free (interval sealing), so it has no golden file; its test checks that it runs,
//! its bring-your-own command gets its placeholders, and nothing is left behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Containers and networks an orchestrator process created (by its pid label).
fn docker_objects_of(pid: u32) -> Vec<String> {
    common::docker_objects(&format!("label=io.localtensor.orchestrator.pid={pid}"))
}

/// Runs `localtensor check` on one topology with a runtime; requires a match and no leftovers.
fn check_on(name: &str, runtime: &str) {
    let topology = workspace().join(format!("topologies/{name}.yaml"));
    check_file(&topology, name, runtime, |_| {});
}

/// Runs `localtensor check FILE` for topology `name` (compared with `golden/<name>.yaml`),
/// telling `started` the orchestrator's pid; requires a match and no leftovers. Returns the pid.
fn check_file(topology: &Path, name: &str, runtime: &str, started: impl FnOnce(u32)) -> u32 {
    let runs = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .current_dir(workspace())
        .arg("check")
        .arg(topology)
        .args(["--quiet", "--runtime", runtime])
        .env("LOCALTENSOR_RUN_ROOT", runs.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    started(pid);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name} on the {runtime} runtime does not match golden/{name}.yaml:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("ok   {name}: matches")),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(runs.path()).unwrap().collect();
    assert!(left.is_empty(), "run directories left: {left:?}");
    if runtime == "docker" {
        let left = docker_objects_of(pid);
        assert!(left.is_empty(), "left behind by the run: {left:?}");
    }
    pid
}

fn check(name: &str) {
    check_on(name, "process");
}

fn check_docker(name: &str) {
    check_on(name, "docker");
}

#[test]
fn golden_minimal() {
    check("minimal");
}

#[test]
fn golden_basic() {
    check("basic");
}

#[test]
fn golden_multi_subnet() {
    check("multi-subnet");
}

#[test]
fn golden_adversarial() {
    check("adversarial");
}

#[test]
fn golden_gpu_heterogeneous() {
    check("gpu-heterogeneous");
}

/// `large` on either runtime starts 322 components: one at a time, or they starve each other
/// (and everything else) on a small machine.
static LARGE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn golden_large() {
    let _one = LARGE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    check("large");
}

/// 322 containers: the neighbour table must hold about 9 200 entries, more than Linux's default
/// (`ci/test` raises it when run as root; otherwise the runtime refuses with the sysctl to run).
#[test]
fn docker_large() {
    let _one = LARGE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    check_docker("large");
}

#[test]
fn docker_minimal() {
    check_docker("minimal");
}

#[test]
fn docker_basic() {
    check_docker("basic");
}

#[test]
fn docker_multi_subnet() {
    check_docker("multi-subnet");
}

#[test]
fn docker_adversarial() {
    check_docker("adversarial");
}

#[test]
fn docker_gpu_heterogeneous() {
    check_docker("gpu-heterogeneous");
}

/// `partition` runs on Docker only (its schedule cuts a validator's network). Besides matching
/// its golden file, the golden numbers must tell the story: cut off for epoch 2, `v-cut` sets
/// no weights, is inactive at the epoch and earns no dividends while `v-steady` earns them all;
/// healed, it earns dividends again.
#[test]
fn docker_partition() {
    check_docker("partition");
    let golden = std::fs::read_to_string(workspace().join("golden/partition.yaml")).unwrap();
    let snapshot: serde_json::Value = serde_saphyr::from_str(&golden).unwrap();
    let dividends = |epoch: usize, name: &str| -> u64 {
        let neurons = snapshot["epochs"][epoch - 1]["subnets"][0]["neurons"]
            .as_array()
            .unwrap();
        let neuron = neurons.iter().find(|n| n["name"] == name).unwrap();
        neuron["dividends"].as_u64().unwrap()
    };
    assert_eq!(dividends(2, "v-cut"), 0, "partitioned during epoch 2");
    assert_eq!(dividends(2, "v-steady"), 65535, "the only active validator");
    for epoch in [3, 4] {
        assert!(dividends(epoch, "v-cut") > 0, "healed, epoch {epoch}");
        assert!(dividends(epoch, "v-steady") > 0, "epoch {epoch}");
    }
    assert!(
        dividends(4, "v-cut") >= dividends(3, "v-cut"),
        "its bonds build up again after the heal"
    );
}

/// The host's loss and latency rules made by orchestrator `pid` (named in their comments).
fn host_rules_of(pid: u32) -> Vec<String> {
    common::host_rules(&format!(" owner={pid}."))
}

/// Loss and latency slow a lock-step devnet down but change nothing it computes: TCP resends
/// what is dropped, and every block waits for every validator. `basic` with its validators,
/// the slow miners and the chain made lossy, and the fast miners delayed, for epoch 2 gives
/// `basic`'s golden file byte for byte; the rules were in place meanwhile and are gone
/// afterwards.
#[test]
fn docker_loss_and_latency_change_no_result_in_lockstep() {
    let dir = tempfile::tempdir().unwrap();
    let basic = std::fs::read_to_string(workspace().join("topologies/basic.yaml")).unwrap();
    assert!(
        !basic.contains("faults:"),
        "basic.yaml has faults of its own"
    );
    let lossy = format!(
        "{basic}
faults:
  - {{ epoch: 2, action: loss, target: validator, percent: 20 }}
  - {{ epoch: 2, action: loss, target: m-slow, percent: 30 }}
  - {{ epoch: 2, action: loss, target: chain, percent: 5 }}
  - {{ epoch: 2, action: latency, target: m-fast, delay_ms: 25 }}
  - {{ epoch: 3, action: heal, target: validator }}
  - {{ epoch: 3, action: heal, target: m-slow }}
  - {{ epoch: 3, action: heal, target: chain }}
  - {{ epoch: 3, action: heal, target: m-fast }}
"
    );
    let topology = dir.path().join("basic.yaml");
    std::fs::write(&topology, lossy).unwrap();

    // Watch the host's rules while the run goes on: the most seen at once.
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let owner = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let watcher = {
        let (watching, owner) = (watching.clone(), owner.clone());
        std::thread::spawn(move || {
            let mut most = 0;
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                let pid = owner.load(std::sync::atomic::Ordering::Relaxed);
                if pid != 0 {
                    most = most.max(host_rules_of(pid).len());
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            most
        })
    };
    let pid = check_file(&topology, "basic", "docker", |pid| {
        owner.store(pid, std::sync::atomic::Ordering::Relaxed);
    });
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let most = watcher.join().unwrap();
    // Two validators, two slow miners, the chain and two fast miners: two rules each.
    assert_eq!(most, 14, "loss and latency rules in place during epoch 2");
    assert_eq!(host_rules_of(pid), Vec::<String>::new(), "rules left");
}

#[test]
fn demo_runs_with_its_bring_your_own_command() {
    let runs = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .current_dir(workspace())
        .args([
            "run",
            "topologies/demo.yaml",
            "--epochs",
            "1",
            "--keep-logs",
            "--out",
        ])
        .arg(out_dir.path())
        .env("LOCALTENSOR_RUN_ROOT", runs.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let snapshot = std::fs::read_to_string(out_dir.path().join("snapshot.yaml")).unwrap();
    let snapshot = localtensor::snapshot::parse(&snapshot, "snapshot.yaml").unwrap();
    let subnet = &snapshot.epochs[0].subnets[0];
    let byo = subnet
        .neurons
        .iter()
        .find(|n| n.name == "byo-echo")
        .unwrap();
    // The kept run directory holds the command's log: every placeholder was substituted.
    let run_dir = std::fs::read_dir(runs.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let log = std::fs::read_to_string(run_dir.join("logs/byo-echo.log")).unwrap();
    assert!(log.starts_with("byo-echo: chain ws://127.0.0.1:"), "{log}");
    assert!(
        log.contains(&format!("netuid 1, hotkey {}", byo.hotkey)),
        "{log}"
    );
    assert!(!log.contains('{'), "unsubstituted placeholder: {log}");
}
