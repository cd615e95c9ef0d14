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
        .args(["--rpc-port", "0"])
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

/// POSTs a raw body to the node's HTTP endpoint; returns the status code and body. A node that
/// does not answer within a minute fails the test instead of hanging it.
pub async fn post(http: &str, body: &str) -> (u16, String) {
    tokio::time::timeout(std::time::Duration::from_secs(60), post_inner(http, body))
        .await
        .expect("the node answers")
}

async fn post_inner(http: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = http.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).to_string();
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let (head, rest) = text.split_once("\r\n\r\n").expect("headers");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // Reassemble chunks.
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    (status, body)
}

/// One JSON-RPC call over HTTP; returns the whole response object.
pub async fn call(http: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
    let body =
        serde_json::json!({ "jsonrpc": "2.0", "id": "t1", "method": method, "params": params });
    let (_, text) = post(http, &body.to_string()).await;
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("response to {method} is not JSON ({e}): {text}"))
}

/// A virtualenv with `package` (a pip requirement such as `bittensor==10.5.0`) installed, created
/// once per target dir. A lock directory (created atomically) makes tests running in parallel,
/// as threads or as nextest processes, wait for one installation instead of racing.
pub fn venv(package: &str) -> std::path::PathBuf {
    use std::path::PathBuf;
    use std::time::{Duration, SystemTime};
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let name: String = package
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let dir = root.join(format!("venv-{name}"));
    let marker = dir.join(".installed");
    let lock = root.join(format!("venv-{name}.lock"));
    for _ in 0..1200 {
        if marker.exists() {
            return dir;
        }
        match std::fs::create_dir(&lock) {
            Ok(()) => {
                let _ = std::fs::remove_dir_all(&dir);
                let status = std::process::Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&dir)
                    .status()
                    .expect("python3 -m venv");
                assert!(status.success(), "creating the virtualenv failed");
                let status = std::process::Command::new(dir.join("bin/pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check", package])
                    .status()
                    .expect("pip install");
                let _ = std::fs::remove_dir(&lock);
                assert!(status.success(), "pip install {package} failed");
                std::fs::write(&marker, package).unwrap();
                return dir;
            }
            Err(_) => {
                // A lock left by a killed run (older than 15 minutes) is taken over.
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .map(|t| SystemTime::now().duration_since(t).unwrap_or_default())
                    .is_ok_and(|age| age > Duration::from_secs(900));
                if stale {
                    let _ = std::fs::remove_dir(&lock);
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    panic!("timed out waiting for another test to install {package}");
}
