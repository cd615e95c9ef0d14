//! Miners and validators in lock-step against a real `localtensor-chain --dev --sealing manual`
//! and real GPU mocks (all child processes): faster GPUs earn more, a lazy miner earns nothing,
//! and a second run gives the same weights rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Child, Wallet, http, start_chain, start_gpu, start_miner, start_validator, step};
use localtensor_client::Client;

/// Blocks driven after the validators are ready.
const STEPS: usize = 7;

struct Outcome {
    /// Each validator's weights row at the end.
    rows: Vec<Vec<(u16, u16)>>,
    h100_uid: u16,
    l4_uid: u16,
    lazy_uid: u16,
}

async fn run_devnet(stop_with_sigterm: bool) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let chain = start_chain(dir.path());
    let ws = chain.ready["ws"].as_str().unwrap().to_string();
    let client = Client::connect(&ws).await.unwrap();
    let validators = [Wallet::new("Val1"), Wallet::new("Val2")];
    let miners = [
        Wallet::new("MinerH100"),
        Wallet::new("MinerL4"),
        Wallet::new("MinerLazy"),
    ];
    let netuid = common::subnet(&client, &validators, &miners).await;
    let uid = |w: &Wallet| {
        let client = client.clone();
        let hot = w.hot_id();
        async move { client.uid(netuid, &hot).await.unwrap().unwrap() }
    };
    let (h100_uid, l4_uid, lazy_uid) = (
        uid(&miners[0]).await,
        uid(&miners[1]).await,
        uid(&miners[2]).await,
    );

    let h100 = start_gpu("gpu-h100", "H100-80GB", 1, dir.path());
    let l4 = start_gpu("gpu-l4", "L4", 1, dir.path());
    let gpu = |g: &Child| format!("http://{}", g.http());
    let mut miner_children = [
        start_miner(dir.path(), &ws, netuid, &miners[0], &["--gpu", &gpu(&h100)]),
        start_miner(dir.path(), &ws, netuid, &miners[1], &["--gpu", &gpu(&l4)]),
        start_miner(
            dir.path(),
            &ws,
            netuid,
            &miners[2],
            &["--gpu", &gpu(&h100), "--behaviour", "lazy"],
        ),
    ];
    for (m, w) in miner_children.iter().zip(&miners) {
        assert_eq!(m.ready["event"], "ready");
        assert_eq!(m.ready["name"], w.name.as_str());
        assert_eq!(m.ready["hotkey"], w.hot_id().to_string());
        assert_eq!(m.ready["axon_submitted"], true, "{}", m.log_tail());
    }
    // The axons land in this block.
    client.devnet().mine(1).await.unwrap();
    let mg = client.metagraph(netuid).await.unwrap().unwrap();
    for w in &miners {
        assert!(
            mg.by_hotkey(&w.hot_id()).unwrap().axon.port != 0,
            "{} axon",
            w.name
        );
    }

    let mut validator_children: Vec<Child> = validators
        .iter()
        .map(|w| start_validator(dir.path(), &ws, netuid, w, &["--weights-interval", "2"]))
        .collect();
    for (v, w) in validator_children.iter().zip(&validators) {
        assert_eq!(v.ready["event"], "ready");
        assert_eq!(v.ready["hotkey"], w.hot_id().to_string());
        assert!(v.ready.get("axon_submitted").is_none());
    }
    let http = http();
    let followers: Vec<&Child> = validator_children.iter().collect();
    for _ in 0..STEPS {
        step(&client, &http, &followers).await;
    }
    // Let the last submissions land.
    client.devnet().mine(1).await.unwrap();

    let health: serde_json::Value = http
        .get(format!("http://{}/health", validator_children[0].http()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["role"], "validator");
    assert_eq!(health["name"], "Val1");

    let view = client.latest().await.unwrap();
    let mut rows = Vec::new();
    for w in &validators {
        let vuid = view.uid(netuid, &w.hot_id()).await.unwrap().unwrap();
        rows.push(view.weights(netuid, vuid).await.unwrap());
    }
    if stop_with_sigterm {
        for child in validator_children
            .iter_mut()
            .chain(miner_children.iter_mut())
        {
            let (status, extra) = child.terminate();
            assert_eq!(
                status.code(),
                Some(0),
                "{} exit; log:\n{}",
                child.name,
                child.log_tail()
            );
            assert!(
                extra.is_empty(),
                "{}: stdout after the ready line: {extra:?}",
                child.name
            );
        }
    }
    Outcome {
        rows,
        h100_uid,
        l4_uid,
        lazy_uid,
    }
}

fn weight(row: &[(u16, u16)], uid: u16) -> u16 {
    row.iter().find(|(u, _)| *u == uid).map_or(0, |(_, w)| *w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faster_gpus_earn_more_lazy_earns_nothing_and_runs_repeat() {
    let first = run_devnet(true).await;
    for row in &first.rows {
        assert!(!row.is_empty(), "weights were set: {:?}", first.rows);
        let (h100, l4, lazy) = (
            weight(row, first.h100_uid),
            weight(row, first.l4_uid),
            weight(row, first.lazy_uid),
        );
        assert_eq!(h100, u16::MAX, "{row:?}");
        assert!(l4 > 0 && l4 < h100, "{row:?}");
        assert_eq!(lazy, 0, "{row:?}");
    }
    eprintln!("weights rows: {:?}", first.rows);
    let second = run_devnet(false).await;
    assert_eq!(first.rows, second.rows, "same seed, same weights");
}
