//! The real Python SDK (`bittensor==10.5.0`, async-substrate-interface + cyscale) against the
//! node binary: connect, read the current block and balances, estimate the fee through
//! `TransactionPaymentApi_query_info`, and land a signed transfer built through its substrate layer. The virtualenv is created by this test (once per target dir).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

const BITTENSOR: &str = "bittensor==10.5.0";

fn venv() -> PathBuf {
    common::venv(BITTENSOR)
}

/// Runs `tests/python/<script>` with the SDK against a fresh `--dev` node (instant sealing) and
/// returns the JSON report on its last stdout line.
async fn run_script(script: &str) -> serde_json::Value {
    let venv = tokio::task::spawn_blocking(venv).await.unwrap();
    let node = common::start(&["--dev", "--sealing", "instant"]).await;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let out = tokio::process::Command::new(venv.join("bin/python"))
        .arg(&path)
        .arg(&node.ws)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bittensor_sdk_connects_reads_and_transfers() {
    let report = run_script("sdk_smoke.py").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bittensor_sdk_runs_a_subnet_through_epochs() {
    let report = run_script("sdk_subnet.py").await;
    assert_eq!(report["netuid"], 1);
    assert_eq!(report["hyperparameters"]["tempo"], 10);
    assert_eq!(report["hyperparameters"]["commit_reveal"], false);
    let uid = |name: &str| report["uids"][name].as_u64().unwrap() as usize;
    let incentive = |name: &str| report["chain"]["incentive"][uid(name)].as_u64().unwrap();
    let dividends = |name: &str| report["chain"]["dividends"][uid(name)].as_u64().unwrap();
    let permit = |name: &str| {
        report["chain"]["validator_permit"][uid(name)]
            .as_bool()
            .unwrap()
    };
    // Both validators weight miner j by 1 + j (+ k): incentive rises with the miner index.
    let miners: Vec<u64> = ["m1", "m2", "m3", "m4"].map(incentive).to_vec();
    assert!(
        miners.windows(2).all(|w| w[0] < w[1]),
        "miner incentives {miners:?}"
    );
    for v in ["v1", "v2"] {
        assert!(permit(v), "{v} has a validator permit");
        assert!(dividends(v) > 0, "{v} earns dividends");
        assert_eq!(incentive(v), 0, "nobody weights {v}");
    }
    for m in ["m1", "m2", "m3", "m4"] {
        assert_eq!(dividends(m), 0, "{m} sets no weights");
    }
}
