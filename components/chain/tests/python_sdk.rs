//! The real Python SDK (`bittensor==10.5.0`, async-substrate-interface + cyscale) against the
//! node binary: connect, read the current block and balances, estimate the fee through
//! `TransactionPaymentApi_query_info`, and land a signed transfer built through its substrate layer. The virtualenv is created by this test (once per target dir).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const BITTENSOR: &str = "bittensor==10.5.0";

fn venv() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bittensor-10.5.0-venv");
    let marker = dir.join(".installed");
    if marker.exists() {
        return dir;
    }
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .expect("python3 -m venv");
    assert!(status.success(), "creating the virtualenv failed");
    let status = Command::new(dir.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            BITTENSOR,
        ])
        .status()
        .expect("pip install");
    assert!(status.success(), "pip install {BITTENSOR} failed");
    std::fs::write(&marker, BITTENSOR).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bittensor_sdk_connects_reads_and_transfers() {
    let venv = tokio::task::spawn_blocking(venv).await.unwrap();
    let node = common::start(&["--dev", "--sealing", "instant"]).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_smoke.py");
    let out = tokio::process::Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg(&node.ws)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "sdk_smoke.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(report["block"], 0);
    assert_eq!(
        report["events"],
        serde_json::json!([
            "Balances.Withdraw",
            "Balances.Transfer",
            "TransactionPayment.TransactionFeePaid",
            "System.ExtrinsicSuccess"
        ])
    );
    assert!(report["fee"].as_u64().unwrap() > 0);
    // TransactionPaymentApi_query_info, called by the SDK before signing, predicts the fee paid.
    assert_eq!(report["estimated_fee"], report["fee"]);
    assert_eq!(report["bob_after"], 1_000_001_000_000_000u64);
    assert_eq!(report["existential_deposit"], 500);
    assert_eq!(
        report["accounts"], 6,
        "query_map pages through the six dev accounts"
    );
    assert_eq!(report["transfer_fee"], report["fee"]);
    assert_eq!(report["bob_final"], 1_000_003_000_000_000u64);
}
