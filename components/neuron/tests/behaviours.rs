//! Every other behaviour in one lock-step devnet (real chain and GPU mock as child processes):
//! slow and flaky miners earn less than honest ones, offline and copying miners nothing; lazy,
//! colluding, weight-copying and offline validators set the rows their behaviour says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Child, Wallet, http, start_chain, start_gpu, start_miner, start_validator, step};
use localtensor_client::Client;

const STEPS: u64 = 8;
const INTERVAL: u64 = 2;

fn weight(row: &[(u16, u16)], uid: u16) -> u16 {
    row.iter().find(|(u, _)| *u == uid).map_or(0, |(_, w)| *w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviours_show_in_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let chain = start_chain(dir.path());
    let ws = chain.ready["ws"].as_str().unwrap().to_string();
    let client = Client::connect(&ws).await.unwrap();
    let v_names = ["VHonest", "VLazy", "VColluder", "VCopier", "VOffline"];
    let m_names = ["MHonest", "MSlow", "MFlaky", "MOffline", "MCopier"];
    let validators: Vec<Wallet> = v_names.iter().map(|n| Wallet::new(n)).collect();
    let miners: Vec<Wallet> = m_names.iter().map(|n| Wallet::new(n)).collect();
    let netuid = common::subnet(&client, &validators, &miners).await;
    let mut uids = Vec::new();
    for w in &miners {
        uids.push(client.uid(netuid, &w.hot_id()).await.unwrap().unwrap());
    }
    let [honest, slow, flaky, offline, copier] = uids[..] else {
        unreachable!()
    };

    let gpu = start_gpu("gpu", "H100-80GB", 1, dir.path());
    let gpu_url = format!("http://{}", gpu.http());
    let honest_hot = miners[0].hot_id().to_string();
    let miner_flags: [Vec<&str>; 5] = [
        vec!["--gpu", &gpu_url],
        vec!["--gpu", &gpu_url, "--behaviour", "slow", "--slowdown", "2"],
        vec![
            "--gpu",
            &gpu_url,
            "--behaviour",
            "flaky",
            "--failure-rate",
            "0.5",
        ],
        vec!["--gpu", &gpu_url, "--behaviour", "offline"],
        vec!["--behaviour", "copier", "--copy-from", &honest_hot],
    ];
    let miner_children: Vec<Child> = miners
        .iter()
        .zip(&miner_flags)
        .map(|(w, flags)| start_miner(dir.path(), &ws, netuid, w, flags))
        .collect();
    for (child, name) in miner_children.iter().zip(m_names) {
        let expected = name != "MOffline";
        assert_eq!(child.ready["axon_submitted"], expected, "{name}");
    }
    client.devnet().mine(1).await.unwrap();

    let interval = INTERVAL.to_string();
    let slow_hot = miners[1].hot_id().to_string();
    let v_honest_hot = validators[0].hot_id().to_string();
    let validator_flags: [Vec<&str>; 5] = [
        vec![],
        vec!["--behaviour", "lazy"],
        vec!["--behaviour", "colluder", "--target", &slow_hot],
        vec!["--behaviour", "weight-copier", "--copy-from", &v_honest_hot],
        vec!["--behaviour", "offline"],
    ];
    let validator_children: Vec<Child> = validators
        .iter()
        .zip(&validator_flags)
        .map(|(w, flags)| {
            let mut all = vec!["--weights-interval", interval.as_str()];
            all.extend(flags.iter().copied());
            start_validator(dir.path(), &ws, netuid, w, &all)
        })
        .collect();
    let http = http();
    let followers: Vec<&Child> = validator_children.iter().collect();
    let mut last = 0;
    for _ in 0..STEPS {
        last = step(&client, &http, &followers).await;
    }
    client.devnet().mine(1).await.unwrap();

    let view = client.latest().await.unwrap();
    let mut rows = Vec::new();
    for w in &validators {
        let uid = view.uid(netuid, &w.hot_id()).await.unwrap().unwrap();
        rows.push(view.weights(netuid, uid).await.unwrap());
    }
    let [r_honest, r_lazy, r_colluder, r_copier, r_offline] = &rows[..] else {
        unreachable!()
    };
    let summary = format!("rows {rows:?}, miner uids {uids:?}");

    // Honest validator: honest > slow > 0, honest > flaky > 0, offline and copier 0.
    assert_eq!(weight(r_honest, honest), u16::MAX, "{summary}");
    assert!(
        weight(r_honest, slow) > 0 && weight(r_honest, slow) < u16::MAX,
        "{summary}"
    );
    assert!(
        weight(r_honest, flaky) > 0 && weight(r_honest, flaky) < u16::MAX,
        "{summary}"
    );
    assert_eq!(weight(r_honest, offline), 0, "{summary}");
    assert_eq!(weight(r_honest, copier), 0, "{summary}");
    // Lazy: the same weight on every miner with an axon (the offline one has none).
    assert_eq!(
        r_lazy,
        &vec![
            (honest, u16::MAX),
            (slow, u16::MAX),
            (flaky, u16::MAX),
            (copier, u16::MAX)
        ],
        "{summary}"
    );
    // Colluder: everything on its target.
    assert_eq!(r_colluder, &vec![(slow, u16::MAX)], "{summary}");
    // Weight-copier: at the last due block it copied the honest row stored then.
    let due = last - last % INTERVAL;
    let at_due = client.at_block(due).await.unwrap();
    let honest_uid = at_due
        .uid(netuid, &validators[0].hot_id())
        .await
        .unwrap()
        .unwrap();
    let copied = at_due.weights(netuid, honest_uid).await.unwrap();
    assert!(!copied.is_empty(), "{summary}");
    assert_eq!(r_copier, &copied, "{summary}");
    // Offline: never set weights.
    assert!(r_offline.is_empty(), "{summary}");

    // The copier forwarded challenges, and the copied miner refused them (wrong target).
    assert!(
        miner_children[4].log().contains("copied miner refused"),
        "{}",
        miner_children[4].log_tail()
    );
    assert!(miner_children[0].log().contains("bad_signature"));
    // The flaky miner refused some challenges, the offline one never got any (no axon).
    assert!(miner_children[2].log().contains("flaky"));
    assert!(!miner_children[3].log().contains("challenge refused"));
}
