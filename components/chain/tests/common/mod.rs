//! Starting the node binary for a test and reading its ready line.

#![allow(dead_code)]

use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running node; killed when dropped.
pub struct TestNode {
    /// The child process (`kill_on_drop`).
    pub child: Child,
    /// `ws://host:port`.
    pub ws: String,
    /// `http://host:port`.
    pub http: String,
    /// The parsed ready line.
    pub ready: serde_json::Value,
}

/// Starts `localtensor-chain --dev --rpc-port 0` with extra arguments and waits for its ready line.
pub async fn start(extra: &[&str]) -> TestNode {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor-chain"))
        .args(["--dev", "--rpc-port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn localtensor-chain");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("ready line within 60 s")
        .expect("read stdout")
        .expect("a ready line before EOF");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready line is JSON");
    assert_eq!(ready["event"], "ready");
    TestNode {
        ws: ready["ws"].as_str().expect("ws").to_string(),
        http: ready["http"].as_str().expect("http").to_string(),
        ready,
        child,
    }
}
