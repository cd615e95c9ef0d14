//! Failures come back typed: pallet errors named from metadata (also inside `Sudo.sudo`), other
//! dispatch errors, transactions the node refuses, calls missing from metadata, and lost or
//! refused connections.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{id, key};
use localtensor_chain::node::Sealing;
use localtensor_client::{Call, ChainError, Client, TAO, Value};

fn module(pallet: &str, error: &str) -> ChainError {
    ChainError::Module {
        pallet: pallet.into(),
        error: error.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_failures_are_named() {
    let node = common::start(Sealing::Instant).await;
    let client = &node.client;
    let alice = key("//Alice");
    let bob = key("//Bob");

    // Unknown subnet.
    let err = client
        .burned_register(&bob, 999, &id("//Bob//hot"))
        .await
        .unwrap_err();
    assert_eq!(err, module("SubtensorModule", "SubnetNotExists"));
    assert!(err.is_module("SubtensorModule", "SubnetNotExists"));

    let netuid = client
        .register_network(&alice, &id("//Alice//hot"))
        .await
        .unwrap()
        .netuid_added()
        .unwrap();

    // Sudo by a key that is not the sudo key: subtensor's SudoTransactionExtension refuses it
    // before it reaches a block.
    let err = client
        .sudo_set_hyperparameter(&bob, "tempo", netuid, 10u16)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ChainError::InvalidTransaction {
            code: 1010,
            reason: "Invalid signing address".into()
        }
    );
    // Nested in a batch, it passes validation and fails in dispatch with Sudo's own error.
    let tempo = Call::new(
        "AdminUtils",
        "sudo_set_tempo",
        [Value::from(netuid), Value::from(10u16)],
    );
    let sudo = Call::new("Sudo", "sudo", [tempo.to_value()]);
    let batch = Call::new(
        "Utility",
        "batch_all",
        [Value::unnamed_composite([sudo.to_value()])],
    );
    let err = client.execute(&bob, &batch).await.unwrap_err();
    assert_eq!(err, module("Sudo", "RequireSudo"));
    // The same setter called directly by someone who is neither root nor the subnet owner.
    let direct = Call::new(
        "AdminUtils",
        "sudo_set_tempo",
        [Value::from(netuid), Value::from(10u16)],
    );
    let err = client.execute(&bob, &direct).await.unwrap_err();
    assert_eq!(
        err,
        ChainError::Dispatch {
            kind: "BadOrigin".into(),
            detail: String::new()
        }
    );
    // start_call by someone other than the owner.
    let err = client.start_call(&bob, netuid).await.unwrap_err();
    assert!(
        matches!(&err, ChainError::Dispatch { kind, .. } if kind == "BadOrigin"),
        "{err:?}"
    );
    // The inner call of a sudo fails: the extrinsic succeeds, Sudo.Sudid carries the error.
    let err = client
        .sudo_set_hyperparameter(&alice, "tempo", 999, 10u16)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ChainError::Module { pallet, error } if pallet == "AdminUtils" && error == "SubnetDoesNotExist"),
        "{err:?}"
    );
    // The owner's hotkey got its uid at registration, and the default weights rate limit has
    // not passed since.
    assert!(client.weights_rate_limit(netuid).await.unwrap() > 1);
    let err = client
        .set_weights(&key("//Alice//hot"), netuid, &[0], &[1], 0)
        .await
        .unwrap_err();
    assert_eq!(err, module("SubtensorModule", "SettingWeightsTooFast"));
    // A successful owner call after the failures still goes through (nonces stayed in step).
    client.start_call(&alice, netuid).await.unwrap();
    let err = client.start_call(&alice, netuid).await.unwrap_err();
    assert_eq!(
        err,
        module("SubtensorModule", "FirstEmissionBlockNumberAlreadySet")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_unknown_calls() {
    let node = common::start(Sealing::Instant).await;
    let client = &node.client;

    // An account with no funds cannot pay the fee: the pool refuses the transaction.
    let pauper = key("//NobodyHasFundedMe");
    let err = client
        .transfer(&pauper, &id("//Bob"), TAO)
        .await
        .unwrap_err();
    match &err {
        ChainError::InvalidTransaction { code, reason } => {
            assert_eq!(*code, 1010);
            assert!(reason.contains("Inability to pay some fees"), "{reason}");
        }
        other => panic!("expected InvalidTransaction, got {other:?}"),
    }

    // Calls and storage items the metadata does not have.
    let alice = key("//Alice");
    let err = client
        .execute(&alice, &Call::new("NoSuchPallet", "x", []))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Metadata(_)), "{err:?}");
    let err = client
        .execute(&alice, &Call::new("SubtensorModule", "no_such_call", []))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Metadata(_)), "{err:?}");
    let err = client
        .sudo_set_hyperparameter(&alice, "no_such_parameter", 1, 1u64)
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Metadata(_)), "{err:?}");
    let err = client
        .execute(&alice, &Call::new("SubtensorModule", "start_call", []))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::InvalidArgument(_)), "{err:?}");
    let at = client.latest().await.unwrap();
    let err = at
        .get::<(u16,), u16>("SubtensorModule", "NoSuchItem", (1,))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Metadata(_)), "{err:?}");
    // A storage value decoded as the wrong type.
    let err = at
        .get::<(u16,), bool>("SubtensorModule", "Tempo", (1,))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Decode(_)), "{err:?}");
    // A JSON-RPC method the node does not have.
    let err = client
        .request::<serde_json::Value>("no_such_method", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Rpc { code: -32601, .. }),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_and_refused_connections_are_typed() {
    let node = common::start(Sealing::Instant).await;
    let client = node.client.clone();
    assert_eq!(client.block_number().await.unwrap(), 0);
    let mut blocks = client.subscribe_blocks().await.unwrap();
    let addr = node.devnet.ws_url();
    drop(node);

    // Requests on the open connection fail as disconnected (give the server a moment to close).
    let mut last = None;
    for _ in 0..100 {
        match client.block_number().await {
            Err(e) => {
                last = Some(e);
                break;
            }
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    let err = last.expect("the node is gone but requests still succeed");
    assert!(err.is_connection(), "{err:?}");
    assert!(matches!(err, ChainError::Disconnected(_)), "{err:?}");
    let err = client.tempo(1).await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    let err = client
        .transfer(&key("//Alice"), &id("//Bob"), TAO)
        .await
        .unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    // The block stream ends (possibly after an error item).
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), blocks.next())
            .await
            .expect("block stream neither ended nor failed")
        {
            None => break,
            Some(Err(e)) => {
                assert!(e.is_connection(), "{e:?}");
                break;
            }
            Some(Ok(_)) => {}
        }
    }

    // Nothing listens there any more.
    let err = Client::connect(&addr).await.unwrap_err();
    assert!(matches!(err, ChainError::Connect { .. }), "{err:?}");
    let err = Client::connect("not a url").await.unwrap_err();
    assert!(matches!(err, ChainError::Connect { .. }), "{err:?}");
}
