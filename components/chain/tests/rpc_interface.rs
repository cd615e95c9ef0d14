//! The JSON-RPC surface of the node binary: Substrate result shapes, batches, string ids, and
//! precise errors for bad input, after which the node keeps serving with its state unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{call, post};
use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::hashing::storage_prefix;
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::{H256, MultiAddress};
use localtensor_chain::runtime::RuntimeCall;
use localtensor_chain::runtime::pallets::balances;
use serde_json::{Value, json};

fn hex(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn transfer() -> RuntimeCall {
    RuntimeCall::Balances(balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(dev_account("Bob").unwrap()),
        value: 1_000_000,
    })
}

async fn genesis(http: &str) -> H256 {
    let h = call(http, "chain_getBlockHash", json!([0])).await["result"]
        .as_str()
        .unwrap()
        .to_string();
    H256(hex::decode(&h[2..]).unwrap().try_into().unwrap())
}

#[tokio::test]
async fn substrate_shapes_and_block_production() {
    let node = common::start(&["--sealing", "manual"]).await;
    let http = &node.http;
    assert_eq!(
        call(http, "system_chain", json!([])).await["result"],
        "Bittensor"
    );
    assert_eq!(
        call(http, "system_properties", json!([])).await["result"]["ss58Format"],
        42
    );
    let header = call(http, "chain_getHeader", json!([])).await["result"].clone();
    assert_eq!(header["number"], "0x0");
    assert_eq!(header["parentHash"].as_str().unwrap().len(), 66);

    // Manual sealing: blocks only on request.
    let created = call(http, "engine_createBlock", json!([true, true])).await["result"].clone();
    let mined = call(http, "devnet_mine", json!([5])).await["result"].clone();
    assert_eq!(mined["first"], 2);
    assert_eq!(mined["last"], 6);
    let head = call(http, "chain_getHeader", json!([])).await["result"].clone();
    assert_eq!(head["number"], "0x6");
    assert_eq!(
        call(http, "chain_getBlockHash", json!([1])).await["result"],
        created["hash"]
    );
    assert_eq!(
        call(http, "chain_getFinalizedHead", json!([])).await["result"],
        mined["head"]
    );
    let block = call(http, "chain_getBlock", json!([created["hash"]])).await["result"].clone();
    assert_eq!(block["block"]["extrinsics"].as_array().unwrap().len(), 1);
    assert_eq!(block["block"]["header"]["number"], "0x1");

    // Storage: Alice's account, prefix iteration, multi-key reads.
    let alice = dev_account("Alice").unwrap();
    let key = localtensor_chain::runtime::pallets::system::account_key(&alice);
    let value = call(http, "state_getStorage", json!([hex(&key)])).await["result"].clone();
    assert!(value.as_str().unwrap().len() > 2);
    let prefix = storage_prefix("System", "Account");
    let keys =
        call(http, "state_getKeysPaged", json!([hex(&prefix), 3, null])).await["result"].clone();
    assert_eq!(keys.as_array().unwrap().len(), 3);
    let next = call(
        http,
        "state_getKeysPaged",
        json!([hex(&prefix), 10, keys[2]]),
    )
    .await["result"]
        .clone();
    assert_eq!(
        next.as_array().unwrap().len(),
        3,
        "six dev accounts in total"
    );
    let all = call(http, "state_getKeys", json!([hex(&prefix)])).await["result"].clone();
    assert_eq!(all.as_array().unwrap().len(), 6);
    let q =
        call(http, "state_queryStorageAt", json!([[hex(&key), "0x1234"]])).await["result"].clone();
    assert_eq!(q[0]["changes"][0][1], value);
    assert_eq!(q[0]["changes"][1][1], Value::Null);

    // Versions and runtime calls.
    let v = call(http, "state_getRuntimeVersion", json!([])).await["result"].clone();
    assert_eq!(v["specName"], "node-subtensor");
    assert_eq!(v["specVersion"], localtensor_chain::runtime::SPEC_VERSION);
    let versions = call(
        http,
        "state_call",
        json!(["Metadata_metadata_versions", "0x"]),
    )
    .await["result"]
        .clone();
    assert_eq!(versions, "0x080e0000000f000000");
    let missing = call(http, "state_call", json!(["Nope_nope", "0x"])).await["error"].clone();
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("Exported method Nope_nope is not found")
    );
    let methods = call(http, "rpc_methods", json!([])).await["result"]["methods"].clone();
    for m in [
        "account_nextIndex",
        "state_getStorageAt",
        "author_submitAndWatchExtrinsic",
        "chain_subscribeNewHeads",
    ] {
        assert!(
            methods.as_array().unwrap().iter().any(|x| x == m),
            "{m} listed"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_precise_errors_and_changes_nothing() {
    let node = common::start(&["--sealing", "instant"]).await;
    let http = &node.http;
    let g = genesis(http).await;
    let alice = dev_keypair("Alice").unwrap();
    let state_root = |v: Value| v["result"]["stateRoot"].clone();
    let root_before = state_root(call(http, "chain_getHeader", json!([])).await);

    // Garbage JSON, unknown methods, bad params.
    let (_, body) = post(http, "{garbage").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        -32700
    );
    assert_eq!(
        call(http, "no_such_method", json!([])).await["error"]["code"],
        -32601
    );
    assert_eq!(
        call(http, "chain_getBlockHash", json!(["zz"])).await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(http, "state_getStorage", json!(["nothex"])).await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(http, "state_getKeysPaged", json!(["0x", 5000])).await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(http, "author_submitExtrinsic", json!([])).await["error"]["code"],
        -32602
    );

    // Batches work with string ids; a huge batch is refused as a whole.
    let batch = json!([
        {"jsonrpc": "2.0", "id": "a", "method": "system_name"},
        {"jsonrpc": "2.0", "id": "b", "method": "nope"}
    ]);
    let (_, body) = post(http, &batch.to_string()).await;
    let replies: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(replies[0]["id"], "a");
    assert_eq!(replies[0]["result"], "localtensor-chain");
    assert_eq!(replies[1]["error"]["code"], -32601);
    let huge: Vec<Value> = (0..5_000)
        .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "system_name"}))
        .collect();
    let (_, body) = post(http, &Value::Array(huge).to_string()).await;
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert!(
        reply["error"]["code"].is_i64(),
        "huge batch refused: {reply}"
    );

    // Transactions: bad signature, future nonce, unknown call, truncated, oversized.
    let submit = |bytes: Vec<u8>| async move {
        call(http, "author_submitExtrinsic", json!([hex(&bytes)])).await["error"].clone()
    };
    let mut p = SigningParams::immortal(g, 0);
    p.implicit.spec_version += 1;
    let e = submit(sign(&transfer(), &alice, &p)).await;
    assert_eq!(
        (e["code"].clone(), e["data"].clone()),
        (json!(1010), json!("Transaction has a bad signature"))
    );
    // A future nonce waits in the pool and makes no block, even with instant sealing.
    let future = hex(&sign(&transfer(), &alice, &SigningParams::immortal(g, 9)));
    assert!(call(http, "author_submitExtrinsic", json!([future])).await["result"].is_string());
    assert_eq!(
        call(http, "author_pendingExtrinsics", json!([])).await["result"],
        json!([future])
    );
    let e = submit(localtensor_chain::builder::sign_raw(
        &[5, 77],
        &alice,
        &SigningParams::immortal(g, 0),
    ))
    .await;
    assert_eq!(e["code"], 1001);
    let good = sign(&transfer(), &alice, &SigningParams::immortal(g, 0));
    let e = submit(good[..good.len() - 3].to_vec()).await;
    assert_eq!(e["code"], 1001);
    let mut oversized = vec![0xfe, 0xff, 0xff, 0x03]; // compact length 16 MiB - 1, far beyond the limit
    oversized.extend(std::iter::repeat_n(0u8, 6 * 1024 * 1024));
    let e = submit(oversized).await;
    assert_eq!(e["code"], 1001, "{e}");

    // State unchanged, no block made, and the node still accepts a valid transaction.
    assert_eq!(
        state_root(call(http, "chain_getHeader", json!([])).await),
        root_before
    );
    assert_eq!(
        call(
            http,
            "account_nextIndex",
            json!([localtensor_chain::keys::to_ss58(
                &dev_account("Alice").unwrap()
            )])
        )
        .await["result"],
        0
    );
    let ok = call(http, "author_submitExtrinsic", json!([hex(&good)])).await;
    assert!(ok["result"].is_string(), "{ok}");
    assert_eq!(
        call(http, "chain_getHeader", json!([])).await["result"]["number"],
        "0x1"
    );
}
