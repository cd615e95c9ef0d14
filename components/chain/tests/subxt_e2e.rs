//! A real, independent Substrate client (subxt, PolkadotConfig, dynamic API) against the node
//! binary: connect (which fetches and decodes our V15 metadata), read storage, call a runtime
//! API, sign and submit a transfer, wait for finalized success and decode its events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use subxt::dynamic::{At, Value};
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::dev;

const TAO: u128 = 1_000_000_000;

async fn free_balance(api: &OnlineClient<PolkadotConfig>, who: [u8; 32]) -> u128 {
    let at = api.at_current_block().await.unwrap();
    let addr = subxt::dynamic::storage::<([u8; 32],), Value>("System", "Account");
    let value = at
        .storage()
        .fetch(addr, (who,))
        .await
        .unwrap()
        .decode()
        .unwrap();
    value
        .at("data")
        .at("free")
        .and_then(|v| v.as_u128())
        .expect("data.free")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subxt_reads_storage_and_lands_a_transfer() {
    let node = common::start(&["--dev", "--sealing", "instant"]).await;
    let api = OnlineClient::<PolkadotConfig>::from_insecure_url(&node.ws)
        .await
        .unwrap();

    let alice = dev::alice();
    let bob = dev::bob();
    let alice_id: [u8; 32] = alice.public_key().0;
    let bob_id: [u8; 32] = bob.public_key().0;

    // Genesis balances as in subtensor's localnet.
    assert_eq!(free_balance(&api, alice_id).await, 1_000_000 * TAO);
    assert_eq!(free_balance(&api, bob_id).await, 1_000_000 * TAO);

    // A runtime API call through state_call.
    let at = api.at_current_block().await.unwrap();
    let nonce = at
        .runtime_apis()
        .call(subxt::dynamic::runtime_api_call::<_, u32>(
            "AccountNonceApi",
            "account_nonce",
            (alice_id,),
        ))
        .await
        .unwrap();
    assert_eq!(nonce, 0);

    // Sign, submit, wait for finalized success.
    let amount: u128 = 12_345 * TAO;
    let tx = subxt::dynamic::transaction(
        "Balances",
        "transfer_keep_alive",
        (bob.public_key().to_address::<()>(), amount),
    );
    let events = at
        .transactions()
        .sign_and_submit_then_watch_default(&tx, &alice)
        .await
        .unwrap()
        .wait_for_finalized_success()
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut transfer = None;
    let mut fee = None;
    for ev in events.iter() {
        let ev = ev.unwrap();
        seen.push(format!("{}.{}", ev.pallet_name(), ev.event_name()));
        let fields = ev.decode_fields_unchecked_as::<Value>().unwrap();
        match (ev.pallet_name(), ev.event_name()) {
            ("Balances", "Transfer") => transfer = fields.at("amount").and_then(|v| v.as_u128()),
            ("TransactionPayment", "TransactionFeePaid") => {
                fee = fields.at("actual_fee").and_then(|v| v.as_u128())
            }
            _ => {}
        }
    }
    assert_eq!(
        seen,
        [
            "Balances.Withdraw",
            "Balances.Transfer",
            "TransactionPayment.TransactionFeePaid",
            "System.ExtrinsicSuccess"
        ]
    );
    assert_eq!(transfer, Some(amount));
    let fee = fee.expect("fee event");
    assert!(fee > 0);

    assert_eq!(free_balance(&api, bob_id).await, 1_000_000 * TAO + amount);
    assert_eq!(
        free_balance(&api, alice_id).await,
        1_000_000 * TAO - amount - fee
    );

    // The nonce moved on.
    let at = api.at_current_block().await.unwrap();
    let nonce = at
        .runtime_apis()
        .call(subxt::dynamic::runtime_api_call::<_, u32>(
            "AccountNonceApi",
            "account_nonce",
            (alice_id,),
        ))
        .await
        .unwrap();
    assert_eq!(nonce, 1);

    // A call longer than 256 bytes: the signing payload is blake2-256-hashed before signing.
    let remark = vec![0xabu8; 400];
    let tx = subxt::dynamic::transaction("System", "remark_with_event", (remark,));
    let events = at
        .transactions()
        .sign_and_submit_then_watch_default(&tx, &bob)
        .await
        .unwrap()
        .wait_for_finalized_success()
        .await
        .unwrap();
    let remarked = events
        .iter()
        .map(|e| e.unwrap())
        .find(|e| e.pallet_name() == "System" && e.event_name() == "Remarked")
        .expect("System.Remarked");
    let fields = remarked.decode_fields_unchecked_as::<Value>().unwrap();
    assert!(fields.at("sender").is_some() && fields.at("hash").is_some());

    // A failed dispatch with a pallet error: subxt names it from our metadata's error enums.
    let at = api.at_current_block().await.unwrap();
    // Nested calls as values of the RuntimeCall enum: Pallet(call { field: value }).
    let remark = Value::unnamed_variant(
        "System",
        [Value::named_variant(
            "remark",
            [("remark", Value::from_bytes([1u8]))],
        )],
    );
    let sudo = Value::unnamed_variant("Sudo", [Value::named_variant("sudo", [("call", remark)])]);
    let batch = subxt::dynamic::tx("Utility", "batch_all", (Value::unnamed_composite([sudo]),));
    let err = at
        .transactions()
        .sign_and_submit_then_watch_default(&batch, &bob)
        .await
        .unwrap()
        .wait_for_finalized_success()
        .await
        .expect_err("Bob is not the sudo key")
        .to_string();
    assert!(err.contains("Sudo") && err.contains("RequireSudo"), "{err}");
}
