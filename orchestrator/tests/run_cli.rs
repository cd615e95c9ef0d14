//! `localtensor run`: a topology runs headless on the process runtime, writes its snapshot and
//! report, checks expectations with the documented exit codes, gives byte-identical snapshots
//! for the same seed, and leaves nothing behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

/// Two subnets and no neurons: only the chain runs, so these tests stay fast.
const CHAIN_ONLY: &str = "\
name: chain-only
seed: 5
epochs: 2
subnets:
  - name: alpha
    hyperparameters: {tempo: 4}
  - name: beta
    hyperparameters: {tempo: 6}
";

fn localtensor(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(args)
        .env("LOCALTENSOR_RUN_ROOT", root)
        .env("CI", "1")
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Entries left under the run root (the run directories of devnets).
fn leftovers(root: &Path) -> Vec<String> {
    match std::fs::read_dir(root) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn run_writes_a_snapshot_that_is_identical_on_rerun_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = write(dir.path(), "t.yaml", CHAIN_ONLY);
    let mut snapshots = Vec::new();
    for out_dir in ["out-a", "out-b"] {
        let out_path = dir.path().join(out_dir);
        let out = localtensor(
            &["run", &topology, "--out", out_path.to_str().unwrap()],
            &root,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        snapshots.push(std::fs::read_to_string(out_path.join("snapshot.yaml")).unwrap());
        let report = std::fs::read_to_string(out_path.join("report.md")).unwrap();
        assert!(report.contains("## alpha (netuid 1), epoch 2"), "{report}");
        assert!(report.contains("## beta (netuid 2), epoch 2"), "{report}");
        assert_eq!(leftovers(&root), Vec::<String>::new());
    }
    assert_eq!(snapshots[0], snapshots[1]);
    let snapshot = localtensor::snapshot::parse(&snapshots[0], "snapshot.yaml").unwrap();
    assert_eq!(snapshot.topology, "chain-only");
    assert_eq!(snapshot.epochs.len(), 2);
    for epoch in &snapshot.epochs {
        let netuids: Vec<u16> = epoch.subnets.iter().map(|s| s.netuid).collect();
        assert_eq!(netuids, [1, 2]);
        for s in &epoch.subnets {
            assert_eq!(s.neurons.len(), 1, "only the owner's hotkey is registered");
            assert_eq!(s.neurons[0].role, "owner");
        }
    }
    // The second epoch of each subnet emits: the owner (uid 0, the only neuron) gets it all.
    let last = snapshot.epochs.last().unwrap();
    assert!(last.subnets.iter().all(|s| s.totals.emission > 0));

    // Another seed gives other keys, so another snapshot.
    let other = write(
        dir.path(),
        "t2.yaml",
        &CHAIN_ONLY.replace("seed: 5", "seed: 6"),
    );
    let out_path = dir.path().join("out-c");
    let out = localtensor(&["run", &other, "--out", out_path.to_str().unwrap()], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let third = std::fs::read_to_string(out_path.join("snapshot.yaml")).unwrap();
    assert_ne!(third, snapshots[0]);
}

#[test]
fn failed_expectations_exit_1_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let text = format!(
        "{CHAIN_ONLY}expectations:\n  - emission(alpha) > 0\n  - emission(beta) > 1000000000000000\n"
    );
    let topology = write(dir.path(), "t.yaml", &text);
    let out_path = dir.path().join("out");
    let out = localtensor(
        &["run", &topology, "--out", out_path.to_str().unwrap()],
        &root,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ok   emission(alpha) > 0"), "{err}");
    assert!(
        err.contains("FAIL emission(beta) > 1000000000000000"),
        "{err}"
    );
    assert!(err.contains("1 of 2 expectations FAILED"), "{err}");
    let report = std::fs::read_to_string(out_path.join("report.md")).unwrap();
    assert!(report.contains("FAIL emission(beta)"), "{report}");
    assert_eq!(leftovers(&root), Vec::<String>::new());
}

#[test]
fn a_bad_topology_exits_2_and_starts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = write(
        dir.path(),
        "bad.yaml",
        "name: bad\nsubnets:\n  - name: sn1\n    hyperparameters: {tempo: 10, kapa: 3}\n",
    );
    let out_path = dir.path().join("out");
    let out = localtensor(
        &["run", &topology, "--out", out_path.to_str().unwrap()],
        &root,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("kapa"), "{}", stderr(&out));
    assert!(!root.exists(), "no run directory may be created");
    assert!(!out_path.exists(), "no output may be written");

    let missing = localtensor(&["run", "/nonexistent/topology.yaml"], &root);
    assert_eq!(missing.status.code(), Some(2));
    assert!(!root.exists());
}

#[test]
fn a_partition_on_the_process_runtime_exits_2_and_starts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topologies/partition.yaml");
    let out_path = dir.path().join("out");
    let out = localtensor(
        &[
            "run",
            topology.to_str().unwrap(),
            "--runtime",
            "process",
            "--out",
            out_path.to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("fault 1 of the topology (partition of `v-cut`) needs the Docker runtime"),
        "{}",
        stderr(&out)
    );
    assert!(!root.exists(), "no run directory may be created");
    assert!(!out_path.exists(), "no output may be written");

    // `check` on processes passes over it, saying why, instead of failing the whole check.
    let topology = topology.to_str().unwrap();
    let check = localtensor(&["check", topology, "--runtime", "process"], &root);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("skip partition") && stderr(&check).contains("Docker runtime"),
        "{}",
        stderr(&check)
    );
    assert!(!root.exists());
}

#[test]
fn a_crashing_bring_your_own_command_fails_the_run_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    // The command fails at once: it was started (a command has no readiness to wait for), so
    // the run notices at the first epoch after; 100 epochs leave a busy machine time to run it.
    let topology = write(
        dir.path(),
        "crash.yaml",
        "\
name: crash
epochs: 100
subnets:
  - name: sn1
    hyperparameters: {tempo: 4}
    validators:
      - name: v
    miners:
      - name: byo
        command: 'echo \"giving up on {name}\" >&2; exit 3'
",
    );
    let out_path = dir.path().join("out");
    let out = localtensor(
        &["run", &topology, "--out", out_path.to_str().unwrap()],
        &root,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("component `byo` exited (exit code 3) during the run"),
        "{err}"
    );
    assert!(err.contains("giving up on byo"), "the log tail: {err}");
    assert!(!out_path.join("snapshot.yaml").exists());
    assert_eq!(leftovers(&root), Vec::<String>::new());
}
