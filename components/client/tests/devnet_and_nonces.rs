//! Devnet control (mine, snapshot/revert, set balance, info), the finalized-heads stream, and
//! concurrent submissions from one signer under manual sealing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{id, key};
use localtensor_chain::node::Sealing;
use localtensor_client::{ChainError, TAO};
use std::time::Duration;
use subxt::ext::futures::future::join_all;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_control_and_block_stream() {
    let node = common::start(Sealing::Manual).await;
    let client = &node.client;
    let dev = client.devnet();

    let info = dev.info().await.unwrap();
    assert_eq!(info.sealing, "manual");
    assert_eq!(info.best, 0);

    let mut blocks = client.subscribe_blocks().await.unwrap();
    let mined = dev.mine(3).await.unwrap();
    assert_eq!((mined.first, mined.last), (1, 3));
    assert_eq!(client.block_number().await.unwrap(), 3);
    assert_eq!(client.finalized_number().await.unwrap(), 3);
    // The stream starts at the current finalized block and then follows every new one.
    let mut seen = Vec::new();
    while seen.last() != Some(&3) {
        let b = tokio::time::timeout(Duration::from_secs(10), blocks.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push(b.number);
    }
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "{seen:?}");
    assert!(seen.ends_with(&[1, 2, 3]), "{seen:?}");

    // Waiting for a block that is already there returns it; a later one arrives once mined.
    assert_eq!(client.wait_for_block(2).await.unwrap().number, 3);
    let c = client.clone();
    let waiter = tokio::spawn(async move { c.wait_for_block(5).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished());
    dev.mine(1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished());
    dev.mine(1).await.unwrap();
    let b5 = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(b5.number, 5);
    assert_eq!(client.at_block(5).await.unwrap().hash(), b5.hash);

    // Snapshot, change state, revert.
    let charlie = id("//Charlie");
    let before = client.balance(&charlie).await.unwrap();
    let snap = dev.snapshot().await.unwrap();
    dev.set_balance(&charlie, 42 * TAO).await.unwrap();
    dev.mine(2).await.unwrap();
    assert_eq!(client.balance(&charlie).await.unwrap(), 42 * TAO);
    assert_eq!(client.block_number().await.unwrap(), 7);
    assert!(dev.revert(snap).await.unwrap());
    assert_eq!(client.block_number().await.unwrap(), 5);
    assert_eq!(client.balance(&charlie).await.unwrap(), before);
    // A snapshot is consumed by its revert.
    assert!(!dev.revert(snap).await.unwrap());
    // Reads at an older block see the older state.
    assert_eq!(client.at_block(1).await.unwrap().number(), 1);

    // Bad arguments come back as the node's RPC error.
    let err = dev.mine(0).await.unwrap_err();
    assert!(matches!(err, ChainError::Rpc { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_from_one_signer_share_a_block() {
    let node = common::start(Sealing::Manual).await;
    let client = &node.client;
    let alice = key("//Alice");
    let dests: Vec<_> = (0..6).map(|i| id(&format!("//Dest{i}"))).collect();

    // Six transfers from Alice at once: each gets its own nonce and waits in the pool.
    let submitted = join_all(dests.iter().enumerate().map(|(i, d)| {
        let client = client.clone();
        let alice = alice.clone();
        let d = *d;
        async move {
            client
                .submit(
                    &alice,
                    &localtensor_client::Call::new(
                        "Balances",
                        "transfer_keep_alive",
                        [
                            localtensor_client::Value::unnamed_variant(
                                "Id",
                                [localtensor_client::Value::from_bytes(d.0)],
                            ),
                            localtensor_client::Value::from((i as u64 + 1) * TAO),
                        ],
                    ),
                )
                .await
        }
    }))
    .await;
    let pending: Vec<_> = submitted.into_iter().map(|r| r.unwrap()).collect();
    let hashes: std::collections::HashSet<_> = pending.iter().map(|p| p.hash()).collect();
    assert_eq!(hashes.len(), 6);
    assert_eq!(client.devnet().info().await.unwrap().pool, 6);
    assert_eq!(client.next_nonce(&id("//Alice")).await.unwrap(), 6);

    // Waiting does not make blocks; mining one includes all six.
    let waits = tokio::spawn(join_all(pending.into_iter().map(|p| p.wait_finalized())));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(client.block_number().await.unwrap(), 0);
    client.devnet().mine(1).await.unwrap();
    let outcomes = tokio::time::timeout(Duration::from_secs(20), waits)
        .await
        .unwrap()
        .unwrap();
    for o in &outcomes {
        let o = o.as_ref().unwrap();
        assert_eq!(o.block_number, 1);
        assert!(o.find("Balances", "Transfer").is_some());
    }
    for (i, d) in dests.iter().enumerate() {
        assert_eq!(client.balance(d).await.unwrap(), (i as u64 + 1) * TAO);
    }

    // The convenience methods wait too, and run concurrently with a miner.
    let c2 = client.clone();
    let a2 = alice.clone();
    let d0 = dests[0];
    let transfer = tokio::spawn(async move { c2.transfer(&a2, &d0, TAO).await });
    while client.devnet().info().await.unwrap().pool == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.devnet().mine(1).await.unwrap();
    let out = transfer.await.unwrap().unwrap();
    assert_eq!(out.block_number, 2);
    assert_eq!(client.balance(&dests[0]).await.unwrap(), 2 * TAO);
}
