//! The node embedded in a test process: started on a free port, driven over HTTP and directly,
//! and stopped (with its interval sealer) by dropping the handle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use localtensor_chain::devnet::Devnet;
use localtensor_chain::genesis::GenesisConfig;
use localtensor_chain::node::Sealing;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn embedded_node_serves_and_stops_on_drop() {
    let devnet = Devnet::start(GenesisConfig::dev().unwrap(), Sealing::Manual)
        .await
        .unwrap();
    let http = devnet.http_url();
    devnet.node().seal(3);
    let head = common::call(&http, "chain_getHeader", json!([])).await;
    assert_eq!(head["result"]["number"], "0x3");
    let weak = std::sync::Arc::downgrade(devnet.node());
    drop(devnet);
    // The port stops answering once the server has shut down.
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(http.trim_start_matches("http://"))
            .await
            .is_err()
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "server still listening after drop");
    // Nothing keeps the node alive (the interval sealer holds only a weak reference).
    for _ in 0..100 {
        if weak.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("node still referenced after drop");
}

#[tokio::test]
async fn interval_sealer_stops_with_the_node() {
    let devnet = Devnet::start(
        GenesisConfig::dev().unwrap(),
        Sealing::Interval(Duration::from_millis(10)),
    )
    .await
    .unwrap();
    let node = std::sync::Arc::downgrade(devnet.node());
    // Blocks appear by themselves.
    let mut best = 0;
    for _ in 0..500 {
        best = devnet.node().chain().best_number();
        if best >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(best >= 2);
    drop(devnet);
    for _ in 0..100 {
        if node.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("interval sealer kept the node alive");
}
