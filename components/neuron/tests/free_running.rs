//! Without `--lockstep` (interval sealing, demo mode) the same loop runs free: the validator
//! keeps up with blocks it did not wait for and sets weights on the honest miner.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Child, Wallet, http, start_chain_sealing, start_gpu};
use localtensor_client::Client;

fn neuron(
    bin: std::path::PathBuf,
    ws: &str,
    netuid: u16,
    w: &Wallet,
    extra: &[&str],
    dir: &std::path::Path,
) -> Child {
    let mut cmd = std::process::Command::new(bin);
    cmd.args([
        "--chain-endpoint",
        ws,
        "--netuid",
        &netuid.to_string(),
        "--hotkey-uri",
        &w.hot_uri,
        "--name",
        &w.name,
    ])
    .args(extra);
    Child::start(&w.name, cmd, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_running_neurons_follow_interval_sealing() {
    let dir = tempfile::tempdir().unwrap();
    let chain = start_chain_sealing(dir.path(), "interval=200");
    let ws = chain.ready["ws"].as_str().unwrap().to_string();
    let client = Client::connect(&ws).await.unwrap();
    let validator = Wallet::new("FreeVal");
    let miner = Wallet::new("FreeMiner");
    let netuid = common::subnet(
        &client,
        std::slice::from_ref(&validator),
        &[Wallet::new("FreeMiner")],
    )
    .await;
    let miner_uid = client.uid(netuid, &miner.hot_id()).await.unwrap().unwrap();
    let validator_uid = client
        .uid(netuid, &validator.hot_id())
        .await
        .unwrap()
        .unwrap();

    let gpu = start_gpu("gpu", "H100-80GB", 1, dir.path());
    let gpu_url = format!("http://{}", gpu.http());
    let _m = neuron(
        common::miner_binary(),
        &ws,
        netuid,
        &miner,
        &["--gpu", &gpu_url],
        dir.path(),
    );
    let v = neuron(
        common::validator_binary(),
        &ws,
        netuid,
        &validator,
        &["--weights-interval", "2", "--log-format", "json"],
        dir.path(),
    );

    // Blocks keep coming; the validator reports them without anyone waiting for it.
    let now = client.finalized_number().await.unwrap();
    common::wait_done(&http(), &v, now + 3).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let row = client.weights(netuid, validator_uid).await.unwrap();
        if row.contains(&(miner_uid, u16::MAX)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no weights on the miner after 60 s; log:\n{}",
            v.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
