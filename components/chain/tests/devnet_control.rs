//! Devnet control through the binary: snapshot/revert, setBalance, dump/load, and `--base-path`
//! persistence across a SIGTERM restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::call;
use localtensor_chain::keys::{dev_account, to_ss58};
use localtensor_chain::runtime::pallets::system;
use serde_json::{Value, json};

fn hex(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

async fn free(http: &str, name: &str) -> u64 {
    let key = system::account_key(&dev_account(name).unwrap());
    let v = call(http, "state_getStorage", json!([hex(&key)])).await["result"].clone();
    let bytes = hex::decode(&v.as_str().unwrap()[2..]).unwrap();
    let info: system::AccountInfo = parity_scale_codec::Decode::decode(&mut &bytes[..]).unwrap();
    info.data.free
}

async fn head(http: &str) -> Value {
    call(http, "chain_getHeader", json!([])).await["result"].clone()
}

#[tokio::test]
async fn snapshot_revert_and_set_balance() {
    let node = common::start(&["--sealing", "manual"]).await;
    let http = &node.http;
    call(http, "devnet_mine", json!([2])).await;
    let before = head(http).await;
    let snap = call(http, "devnet_snapshot", json!([])).await["result"].clone();
    call(http, "devnet_mine", json!([3])).await;
    let bob = to_ss58(&dev_account("Bob").unwrap());
    assert_eq!(
        call(http, "devnet_setBalance", json!([bob, 42_000])).await["result"],
        true
    );
    assert_eq!(free(http, "Bob").await, 42_000);
    assert_eq!(head(http).await["number"], "0x5");
    assert_eq!(
        call(http, "devnet_revert", json!([snap])).await["result"],
        true
    );
    assert_eq!(head(http).await, before);
    assert_eq!(free(http, "Bob").await, 1_000_000_000_000_000);
    // A snapshot is consumed by reverting to it.
    assert_eq!(
        call(http, "devnet_revert", json!([snap])).await["result"],
        false
    );
    assert_eq!(
        call(http, "devnet_setBalance", json!(["not-an-account", 1])).await["error"]["code"],
        -32602
    );
    let info = call(http, "devnet_info", json!([])).await["result"].clone();
    assert_eq!(info["best"], 2);
    assert_eq!(info["sealing"], "manual");
}

#[tokio::test]
async fn dump_then_load_into_a_fresh_node() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.json");
    let a = common::start(&["--sealing", "manual"]).await;
    call(&a.http, "devnet_mine", json!([4])).await;
    call(
        &a.http,
        "devnet_setBalance",
        json!([to_ss58(&dev_account("Eve").unwrap()), 777_000]),
    )
    .await;
    let dumped = call(&a.http, "devnet_dumpState", json!([file.to_str().unwrap()])).await;
    assert_eq!(dumped["result"]["blocks"], 5);
    let a_head = head(&a.http).await;

    let b = common::start(&["--sealing", "manual"]).await;
    let loaded =
        call(&b.http, "devnet_loadState", json!([file.to_str().unwrap()])).await["result"].clone();
    assert_eq!(loaded["best"], 4);
    assert_eq!(head(&b.http).await, a_head);
    assert_eq!(free(&b.http, "Eve").await, 777_000);
    // Blocks continue from there.
    call(&b.http, "devnet_mine", json!([1])).await;
    assert_eq!(
        head(&b.http).await["parentHash"],
        call(&a.http, "chain_getBlockHash", json!([4])).await["result"]
    );
    // A missing or corrupt file is a precise error and changes nothing.
    let err = call(
        &b.http,
        "devnet_loadState",
        json!([dir.path().join("missing.json").to_str().unwrap()]),
    )
    .await;
    assert_eq!(err["error"]["code"], -32000);
    std::fs::write(dir.path().join("bad.json"), "{}").unwrap();
    let err = call(
        &b.http,
        "devnet_loadState",
        json!([dir.path().join("bad.json").to_str().unwrap()]),
    )
    .await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("corrupt dump"),
        "{err}"
    );
    assert_eq!(head(&b.http).await["number"], "0x5");
}

#[tokio::test]
async fn base_path_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_str().unwrap().to_string();
    let mut first = common::start(&["--sealing", "manual", "--base-path", &base]).await;
    call(&first.http, "devnet_mine", json!([3])).await;
    call(
        &first.http,
        "devnet_setBalance",
        json!([to_ss58(&dev_account("Ferdie").unwrap()), 9_999]),
    )
    .await;
    let before = head(&first.http).await;
    let pid = first.child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = first.child.wait().await.unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    assert!(dir.path().join("chain.json").exists());

    let second = common::start(&["--sealing", "manual", "--base-path", &base]).await;
    assert_eq!(second.ready["best"], 3);
    assert_eq!(head(&second.http).await, before);
    assert_eq!(free(&second.http, "Ferdie").await, 9_999);
}
