//! Command-line errors are reported, not panicked on; a chain spec file is honoured.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

/// Runs the binary, which must exit by itself (killed if it does not within the safety limit).
async fn run(args: &[&str]) -> (bool, String) {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_localtensor-chain"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the node exits on bad arguments")
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn bad_arguments_fail_with_a_message() {
    let (ok, err) = run(&["--sealing", "sometimes"]).await;
    assert!(!ok);
    assert!(err.contains("invalid sealing"), "{err}");
    let (ok, err) = run(&["--rpc-port", "70000"]).await;
    assert!(!ok);
    assert!(err.contains("--rpc-port"), "{err}");
    let (ok, err) = run(&["--chain", "/nonexistent/spec.json"]).await;
    assert!(!ok);
    assert!(
        err.contains("/nonexistent/spec.json") && !err.contains("panicked"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"name":"x","balances":[["//Alice","lots"]]}"#).unwrap();
    let (ok, err) = run(&["--chain", bad.to_str().unwrap()]).await;
    assert!(!ok);
    assert!(err.contains("invalid chain spec"), "{err}");
}

#[tokio::test]
async fn chain_spec_file_sets_name_balances_and_sudo() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"name":"team-devnet","balances":[["//Eve",123456789]],"sudo":"//Eve"}"#,
    )
    .unwrap();
    let mut node = common::start(&["--chain", spec.to_str().unwrap()]).await;
    assert_eq!(
        common::call(&node.http, "system_chain", serde_json::json!([])).await["result"],
        "team-devnet"
    );
    let info =
        common::call(&node.http, "devnet_info", serde_json::json!([])).await["result"].clone();
    assert_eq!(info["totalIssuance"], 123456789);
    node.child.kill().await.unwrap();
}

async fn preflight(http: &str, origin: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = http.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "OPTIONS / HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(60), s.read_to_end(&mut out))
        .await
        .expect("answer")
        .unwrap();
    String::from_utf8_lossy(&out).to_ascii_lowercase()
}

#[tokio::test]
async fn rpc_cors_controls_browser_access() {
    let open = common::start(&["--rpc-cors", "all"]).await;
    assert!(
        preflight(&open.http, "https://polkadot.js.org")
            .await
            .contains("access-control-allow-origin: *")
    );
    let listed = common::start(&["--rpc-cors", "http://localhost:3000"]).await;
    let ok = preflight(&listed.http, "http://localhost:3000").await;
    assert!(
        ok.contains("access-control-allow-origin: http://localhost:3000"),
        "{ok}"
    );
    assert!(
        !preflight(&listed.http, "https://evil.example")
            .await
            .contains("access-control-allow-origin")
    );
    let closed = common::start(&[]).await;
    assert!(
        !preflight(&closed.http, "https://polkadot.js.org")
            .await
            .contains("access-control-allow-origin")
    );
    let (ok, err) = run(&["--rpc-cors", "bad\norigin"]).await;
    assert!(!ok && err.contains("--rpc-cors"), "{err}");
}
