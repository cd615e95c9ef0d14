//! The `localtensor-gpu-mock` binary: ready line, health, clean exit on SIGTERM, bad config.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_localtensor-gpu-mock");
/// Safety bound for waits on the child; never a measured quantity.
const WAIT: Duration = Duration::from_secs(30);

/// Kills and reaps the child if the test ends early, so no process outlives the test.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (ChildGuard, serde_json::Value) {
    spawn_with_stderr(args, Stdio::null())
}

fn spawn_with_stderr(args: &[&str], stderr: Stdio) -> (ChildGuard, serde_json::Value) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = ChildGuard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(WAIT).expect("no ready line");
    let ready: serde_json::Value = serde_json::from_str(line.trim()).expect("ready line is JSON");
    (guard, ready)
}

/// A minimal HTTP/1.1 GET over a fresh connection.
fn http_get(addr: &str, path: &str) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap())
}

fn terminate_and_wait(guard: &mut ChildGuard) -> std::process::ExitStatus {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(guard.0.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the mock did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn starts_reports_ready_serves_health_and_exits_on_sigterm() {
    let (mut guard, ready) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--profile",
        "L4",
        "--count",
        "3",
        "--seed",
        "5",
    ]);
    assert_eq!(ready["event"], "ready");
    assert_eq!(ready["devices"], 3);
    let addr = ready["http"].as_str().unwrap().to_owned();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );

    let (status, health) = http_get(&addr, "/health");
    assert_eq!(status, 200);
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "devices": 3, "block": 0})
    );
    let (_, devices) = http_get(&addr, "/v1/devices");
    assert_eq!(devices["devices"][2]["profile"]["name"], "L4");

    let exit = terminate_and_wait(&mut guard);
    assert!(exit.success(), "clean exit expected, got {exit:?}");
}

#[test]
fn sigterm_right_after_the_ready_line_exits_cleanly() {
    // No request first: the handlers must be in place before the ready line is printed.
    let (mut guard, ready) = spawn(&["--listen", "127.0.0.1:0"]);
    assert_eq!(ready["event"], "ready");
    let exit = terminate_and_wait(&mut guard);
    assert!(exit.success(), "clean exit expected, got {exit:?}");
}

#[test]
fn config_file_sets_devices_and_faults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock.yaml");
    std::fs::write(
        &path,
        "seed: 1\nprofiles:\n  - {name: T4, memory_mib: 16384, throughput_gflops: 65000, bandwidth_gb_s: 320, tdp_watts: 70}\ndevices:\n  - {profile: T4, faults: {throttle: 2}}\n  - {profile: H200}\n",
    )
    .unwrap();
    let (mut guard, ready) = spawn(&["--config", path.to_str().unwrap()]);
    let addr = ready["http"].as_str().unwrap().to_owned();
    let (_, telemetry) = http_get(&addr, "/v1/telemetry");
    assert_eq!(telemetry["devices"][0]["profile"], "T4");
    assert_eq!(telemetry["devices"][0]["faults"]["throttle"], 2.0);
    assert_eq!(telemetry["devices"][1]["memory_total_mib"], 144_384);
    assert!(terminate_and_wait(&mut guard).success());
}

#[test]
fn bad_configuration_fails_before_listening() {
    let output = Command::new(BIN)
        .args(["--profile", "GTX-480"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no ready line on failure");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("GTX-480") && stderr.contains("H100-80GB"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock.json");
    std::fs::write(&path, r#"{"devices": [{"profile": "L4", "count": -1}]}"#).unwrap();
    let output = Command::new(BIN)
        .args(["--config", path.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("devices[0].count"), "{stderr}");
}

#[test]
fn json_logs_go_to_stderr() {
    let (mut guard, ready) = spawn_with_stderr(&["--log-format", "json"], Stdio::piped());
    let addr = ready["http"].as_str().unwrap().to_owned();
    assert_eq!(http_get(&addr, "/health").0, 200);
    assert!(terminate_and_wait(&mut guard).success());
    let mut stderr = String::new();
    guard
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "gpu mock listening"),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "gpu mock stopped"),
        "{stderr}"
    );
}

#[test]
fn help_describes_the_flags() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--config",
        "--profile",
        "--count",
        "--seed",
        "--log-format",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn list_profiles_prints_the_builtins() {
    let output = Command::new(BIN).arg("--list-profiles").output().unwrap();
    assert!(output.status.success());
    let profiles: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A100-80GB", "H100-80GB", "H200", "RTX-4090", "L4"]);
}
