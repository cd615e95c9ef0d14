//! The Docker runtime gives the same snapshots as the process runtime: each lock-step example
//! topology, run in containers (`localtensor check --runtime docker`), matches the golden file
//! the process runtime produced, byte for byte, and leaves no container or network behind.
//!
//! `large` (318 containers) is left to the process runtime here: it needs minutes and gigabytes
//! on the 2-core CI machine and exercises nothing the smaller topologies do not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Containers and networks an orchestrator process created (by its pid label).
fn docker_objects_of(pid: u32) -> Vec<String> {
    let filter = format!("label=io.localtensor.orchestrator.pid={pid}");
    let mut found = Vec::new();
    for (kind, extra) in [("container", Some("-a")), ("network", None)] {
        let out = Command::new("docker")
            .args([kind, "ls", "-q", "--filter", &filter])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "docker {kind} ls failed");
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|id| format!("{kind} {id}")),
        );
    }
    found
}

fn check_on_docker(name: &str) {
    let runs = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .current_dir(workspace())
        .args([
            "check",
            &format!("topologies/{name}.yaml"),
            "--runtime",
            "docker",
            "--quiet",
        ])
        .env("LOCALTENSOR_RUN_ROOT", runs.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name} on Docker differs from golden/{name}.yaml (made on the process runtime):\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("ok   {name}: matches")),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(runs.path()).unwrap().collect();
    assert!(left.is_empty(), "run directories left: {left:?}");
    let left = docker_objects_of(pid);
    assert!(left.is_empty(), "left behind by the run: {left:?}");
}

#[test]
fn docker_minimal_matches_the_process_golden() {
    check_on_docker("minimal");
}

#[test]
fn docker_basic_matches_the_process_golden() {
    check_on_docker("basic");
}

#[test]
fn docker_multi_subnet_matches_the_process_golden() {
    check_on_docker("multi-subnet");
}

#[test]
fn docker_adversarial_matches_the_process_golden() {
    check_on_docker("adversarial");
}

#[test]
fn docker_gpu_heterogeneous_matches_the_process_golden() {
    check_on_docker("gpu-heterogeneous");
}
