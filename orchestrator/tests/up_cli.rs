//! `localtensor up`, `status`, `logs` and `down`: a devnet in the foreground stops and cleans up
//! on Ctrl-C; a detached one is listed, its logs read, and `down` removes it; after `kill -9`
//! of its orchestrator the next start sweeps what was left.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TOPOLOGY: &str =
    "name: updev\nepochs: 1\nsubnets:\n  - name: sn1\n    hyperparameters: {tempo: 4}\n";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_localtensor"))
}

fn run(args: &[&str], root: &Path) -> Output {
    bin()
        .args(args)
        .env("LOCALTENSOR_RUN_ROOT", root)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The JSON `up` line, from a child's stdout.
fn read_up_line(child: &mut Child) -> serde_json::Value {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().unwrap().unwrap();
    serde_json::from_str(&line).unwrap()
}

fn alive(pid: i32) -> bool {
    // A zombie has exited; only count processes that still run.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

fn wait_gone(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline, "pid {pid} still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn chain_pid(run_dir: &Path) -> i32 {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("manifest.json")).unwrap()).unwrap();
    manifest["components"][0]["process"]["pid"]
        .as_i64()
        .unwrap() as i32
}

#[test]
fn ctrl_c_on_up_tears_the_devnet_down() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = dir.path().join("t.yaml");
    std::fs::write(&topology, TOPOLOGY).unwrap();
    let mut child = bin()
        .args(["up", topology.to_str().unwrap(), "--block-time-ms", "50"])
        .env("LOCALTENSOR_RUN_ROOT", &root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = read_up_line(&mut child);
    assert_eq!(up["event"], "up");
    assert_eq!(up["devnet"], "updev");
    let run_dir = Path::new(up["run_dir"].as_str().unwrap()).to_owned();
    let pid = chain_pid(&run_dir);
    assert!(alive(pid));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "128 + SIGINT");
    wait_gone(pid);
    assert!(!run_dir.exists());
}

#[test]
fn detached_devnets_are_listed_logged_and_brought_down() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = dir.path().join("t.yaml");
    std::fs::write(&topology, TOPOLOGY).unwrap();
    let up = run(
        &["up", topology.to_str().unwrap(), "--detach", "--id", "bg1"],
        &root,
    );
    assert!(up.status.success(), "{}", text(&up));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&up.stdout).trim()).unwrap();
    let run_dir = Path::new(line["run_dir"].as_str().unwrap()).to_owned();
    let _devnet = common::Detached {
        root: root.clone(),
        id: "bg1".to_owned(),
        run_dir: run_dir.clone(),
    };
    let pid = chain_pid(&run_dir);

    let status = run(&["status"], &root);
    assert!(status.status.success());
    let listed = text(&status);
    assert!(listed.contains("devnet bg1"), "{listed}");
    assert!(
        listed.contains("chain") && listed.contains("running"),
        "{listed}"
    );

    let logs = run(&["logs", "chain"], &root);
    assert!(logs.status.success(), "{}", text(&logs));
    assert!(text(&logs).contains("\"event\":\"ready\""));
    let missing = run(&["logs", "nope"], &root);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("has no component \"nope\"; it has: chain"));

    let down = run(&["down", "--devnet", "bg1"], &root);
    assert!(down.status.success(), "{}", text(&down));
    wait_gone(pid);
    assert!(!run_dir.exists());
    let entries: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
    assert!(entries.is_empty(), "leftovers under the root: {entries:?}");
    assert_eq!(
        run(&["down"], &root).status.code(),
        Some(2),
        "nothing left to stop"
    );
}

#[test]
fn the_next_start_sweeps_what_a_killed_orchestrator_left() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let topology = dir.path().join("t.yaml");
    std::fs::write(&topology, TOPOLOGY).unwrap();
    let up = run(
        &[
            "up",
            topology.to_str().unwrap(),
            "--detach",
            "--id",
            "victim",
        ],
        &root,
    );
    assert!(up.status.success(), "{}", text(&up));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&up.stdout).trim()).unwrap();
    let run_dir = Path::new(line["run_dir"].as_str().unwrap()).to_owned();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("manifest.json")).unwrap()).unwrap();
    let orchestrator = manifest["orchestrator"]["pid"].as_i64().unwrap() as i32;
    let pid = chain_pid(&run_dir);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(orchestrator),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_gone(orchestrator);
    // The chain dies with its parent (parent-death signal); the run directory stays behind.
    wait_gone(pid);
    assert!(run_dir.exists());

    let other = dir.path().join("t2.yaml");
    std::fs::write(&other, TOPOLOGY.replace("updev", "next")).unwrap();
    let out = dir.path().join("out");
    let next = run(
        &[
            "run",
            other.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        &root,
    );
    assert!(next.status.success(), "{}", text(&next));
    assert!(!run_dir.exists(), "the next start removes the leftovers");
    let entries: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
    assert!(entries.is_empty(), "leftovers under the root: {entries:?}");
}
