//! WebSocket transport: Substrate-shaped subscriptions (new/finalized heads with interval
//! sealing, `author_submitAndWatchExtrinsic` statuses with manual sealing), refused watches,
//! and multi-megabyte messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{H256, MultiAddress};
use localtensor_chain::runtime::RuntimeCall;
use localtensor_chain::runtime::pallets::balances;
use serde_json::{Value, json};
use std::time::Duration;
use subxt::ext::jsonrpsee::core::client::{ClientT, Subscription, SubscriptionClientT};
use subxt::ext::jsonrpsee::rpc_params;
use subxt::ext::jsonrpsee::ws_client::{WsClient, WsClientBuilder};

/// Safety net so a broken node fails the test instead of hanging it.
const LIMIT: Duration = Duration::from_secs(60);

async fn client(ws: &str) -> WsClient {
    WsClientBuilder::default()
        .max_request_size(64 * 1024 * 1024)
        .max_response_size(64 * 1024 * 1024)
        .build(ws)
        .await
        .unwrap()
}

async fn next(sub: &mut Subscription<Value>) -> Value {
    tokio::time::timeout(LIMIT, sub.next())
        .await
        .expect("notification in time")
        .expect("open")
        .expect("valid")
}

fn number(header: &Value) -> u64 {
    u64::from_str_radix(
        header["number"].as_str().unwrap().trim_start_matches("0x"),
        16,
    )
    .unwrap()
}

#[tokio::test]
async fn heads_subscriptions_follow_interval_sealing() {
    let node = common::start(&["--sealing", "interval=50"]).await;
    let c = client(&node.ws).await;
    let mut new_heads: Subscription<Value> = c
        .subscribe(
            "chain_subscribeNewHeads",
            rpc_params![],
            "chain_unsubscribeNewHeads",
        )
        .await
        .unwrap();
    let mut finalized: Subscription<Value> = c
        .subscribe(
            "chain_subscribeFinalizedHeads",
            rpc_params![],
            "chain_unsubscribeFinalizedHeads",
        )
        .await
        .unwrap();
    let mut last = number(&next(&mut new_heads).await);
    for _ in 0..3 {
        let n = number(&next(&mut new_heads).await);
        assert!(n > last, "heads increase: {n} after {last}");
        last = n;
    }
    let f = next(&mut finalized).await;
    assert!(
        f["parentHash"].is_string() && f["stateRoot"].is_string() && f["digest"]["logs"].is_array()
    );
    new_heads.unsubscribe().await.unwrap();
}

#[tokio::test]
async fn submit_and_watch_reports_ready_in_block_finalized() {
    let node = common::start(&["--sealing", "manual"]).await;
    let c = client(&node.ws).await;
    let genesis: String = c
        .request("chain_getBlockHash", rpc_params![0])
        .await
        .unwrap();
    let genesis = H256(hex::decode(&genesis[2..]).unwrap().try_into().unwrap());
    let call = RuntimeCall::Balances(balances::Call::transfer_allow_death {
        dest: MultiAddress::Id(dev_account("Charlie").unwrap()),
        value: 5_000_000,
    });
    let alice = dev_keypair("Alice").unwrap();
    let tx = format!(
        "0x{}",
        hex::encode(sign(&call, &alice, &SigningParams::immortal(genesis, 0)))
    );

    let mut watch: Subscription<Value> = c
        .subscribe(
            "author_submitAndWatchExtrinsic",
            rpc_params![tx.clone()],
            "author_unwatchExtrinsic",
        )
        .await
        .unwrap();
    assert_eq!(next(&mut watch).await, json!("ready"));
    let pending: Vec<String> = c
        .request("author_pendingExtrinsics", rpc_params![])
        .await
        .unwrap();
    assert_eq!(pending, vec![tx.clone()]);
    let nonce: u32 = c
        .request(
            "account_nextIndex",
            rpc_params![localtensor_chain::keys::to_ss58(
                &dev_account("Alice").unwrap()
            )],
        )
        .await
        .unwrap();
    assert_eq!(nonce, 1, "the pooled transaction counts");
    let created: Value = c
        .request("engine_createBlock", rpc_params![true, true])
        .await
        .unwrap();
    let hash = created["hash"].clone();
    assert_eq!(next(&mut watch).await, json!({ "inBlock": hash }));
    assert_eq!(next(&mut watch).await, json!({ "finalized": hash }));
    let block: Value = c
        .request("chain_getBlock", rpc_params![hash])
        .await
        .unwrap();
    assert_eq!(block["block"]["extrinsics"][1], json!(tx));

    // The same transaction again is stale now: the watch is refused with Substrate's error.
    let refused = c
        .subscribe::<Value, _>(
            "author_submitAndWatchExtrinsic",
            rpc_params![tx],
            "author_unwatchExtrinsic",
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("1010") && refused.contains("Transaction is outdated"),
        "{refused}"
    );
}

#[tokio::test]
async fn multi_megabyte_messages_over_websocket() {
    let node = common::start(&["--sealing", "manual"]).await;
    let c = client(&node.ws).await;
    // A 4 MiB remark is a well-formed (unsigned) extrinsic of ~8 MiB hex; it is refused for having
    // no signature, after being read and decoded in full.
    let remark = vec![7u8; 4 * 1024 * 1024];
    let call =
        RuntimeCall::System(localtensor_chain::runtime::pallets::system::Call::remark { remark });
    let tx = localtensor_chain::extrinsic::Extrinsic::unsigned(call).encoded;
    let err = c
        .request::<String, _>(
            "author_submitExtrinsic",
            rpc_params![format!("0x{}", hex::encode(tx))],
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("1011") && err.contains("unsigned"), "{err}");
    // Large responses: metadata, and a batch-sized read; the connection stays usable.
    let meta: String = c.request("state_getMetadata", rpc_params![]).await.unwrap();
    assert!(
        meta.starts_with("0x6d657461"),
        "V14 metadata starts with the 'meta' magic"
    );
    let name: String = c.request("system_name", rpc_params![]).await.unwrap();
    assert_eq!(name, "localtensor-chain");
}

#[tokio::test]
async fn runtime_version_subscription_sends_the_version() {
    let node = common::start(&["--sealing", "manual"]).await;
    let c = client(&node.ws).await;
    let mut sub: Subscription<Value> = c
        .subscribe(
            "state_subscribeRuntimeVersion",
            rpc_params![],
            "state_unsubscribeRuntimeVersion",
        )
        .await
        .unwrap();
    let v = next(&mut sub).await;
    assert_eq!(v["specName"], "node-subtensor");
    assert_eq!(v["specVersion"], localtensor_chain::runtime::SPEC_VERSION);
    sub.unsubscribe().await.unwrap();
}
