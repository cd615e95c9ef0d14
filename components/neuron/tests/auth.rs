//! The miner's authentication against a real chain: unsigned, forged, wrongly targeted,
//! replayed, unregistered and permit-less requests get their exact refusals; refusals change
//! nothing; a flood of bad requests does not stop an honest validator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Wallet, http, in_one_block, start_chain, start_gpu, start_miner};
use localtensor_client::{AccountId, Client, Keypair, account_id, keypair_from_uri};
use localtensor_neuron::auth::{
    AuthHeaders, HOTKEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER, nonce_for, sign_request,
};
use localtensor_neuron::challenge::{ChallengeAnswer, ChallengeInputs, derive_challenge};

struct Target {
    http: reqwest::Client,
    url: String,
}

impl Target {
    /// Posts `body` with `auth` (or none); returns (status, error code or "", answer if 200).
    async fn post(
        &self,
        body: &[u8],
        auth: Option<&AuthHeaders>,
    ) -> (u16, String, Option<ChallengeAnswer>) {
        let mut req = self
            .http
            .post(format!("{}/v1/challenge", self.url))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(a) = auth {
            req = req
                .header(HOTKEY_HEADER, &a.hotkey)
                .header(NONCE_HEADER, &a.nonce)
                .header(SIGNATURE_HEADER, &a.signature);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let json: serde_json::Value = resp.json().await.unwrap();
        if status == 200 {
            (
                status,
                String::new(),
                Some(serde_json::from_value(json).unwrap()),
            )
        } else {
            let code = json["error"]["code"].as_str().unwrap_or("").to_string();
            (status, code, None)
        }
    }
}

fn challenge_body(netuid: u16, caller: &AccountId, miner: &AccountId, block: u64) -> Vec<u8> {
    let c = derive_challenge(&ChallengeInputs {
        seed: 42,
        netuid,
        validator: caller,
        miner,
        block,
        budget_ms: 250,
    });
    serde_json::to_vec(&c).unwrap()
}

fn signed(
    signer: &Keypair,
    body: &[u8],
    nonce: u64,
    target: &AccountId,
    block: u64,
) -> AuthHeaders {
    sign_request(signer, body, nonce, target, block)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miner_refuses_bad_requests_and_serves_honest_validators() {
    let dir = tempfile::tempdir().unwrap();
    let chain = start_chain(dir.path());
    let ws = chain.ready["ws"].as_str().unwrap().to_string();
    let client = Client::connect(&ws).await.unwrap();
    let validator = Wallet::new("AuthVal");
    let miner = Wallet::new("AuthMiner");
    let open_miner = Wallet::new("AuthOpenMiner");
    let netuid = common::subnet(
        &client,
        std::slice::from_ref(&validator),
        &[Wallet::new("AuthMiner"), Wallet::new("AuthOpenMiner")],
    )
    .await;
    // Registered after the epoch: no validator permit until the next one.
    let no_permit = Wallet::new("AuthNoPermit");
    let alice = keypair_from_uri("//Alice").unwrap();
    in_one_block(
        &client,
        vec![(
            &alice,
            localtensor_client::Call::new(
                "Balances",
                "transfer_keep_alive",
                [
                    localtensor_client::Value::unnamed_variant(
                        "Id",
                        [common::acct(&no_permit.cold_id())],
                    ),
                    common::u(1_000 * localtensor_client::TAO),
                ],
            ),
        )],
    )
    .await;
    common::register(&client, netuid, std::iter::once(&no_permit)).await;
    let mg = client.metagraph(netuid).await.unwrap().unwrap();
    assert!(mg.by_hotkey(&validator.hot_id()).unwrap().validator_permit);
    assert!(!mg.by_hotkey(&no_permit.hot_id()).unwrap().validator_permit);

    let gpu = start_gpu("gpu", "H100-80GB", 1, dir.path());
    let gpu_url = format!("http://{}", gpu.http());
    let m = start_miner(dir.path(), &ws, netuid, &miner, &["--gpu", &gpu_url]);
    let open = start_miner(
        dir.path(),
        &ws,
        netuid,
        &open_miner,
        &["--min-stake", "0", "--no-serve-axon"],
    );
    assert_eq!(open.ready["axon_submitted"], false);
    let block = client.finalized_number().await.unwrap();
    let target = Target {
        http: http(),
        url: format!("http://{}", m.http()),
    };
    let me = miner.hot_id();
    let val = validator.hot_id();
    let mallory = keypair_from_uri("//Mallory//hot").unwrap();
    let body = challenge_body(netuid, &val, &me, block);

    // Unsigned.
    assert_eq!(target.post(&body, None).await.1, "unsigned");
    let (status, _, _) = target.post(&body, None).await;
    assert_eq!(status, 401);

    // Forged: Mallory's signature under the validator's name.
    let mut forged = signed(&mallory, &body, nonce_for(block, 0), &me, block);
    forged.hotkey = val.to_string();
    assert_eq!(target.post(&body, Some(&forged)).await.0, 401);
    assert_eq!(target.post(&body, Some(&forged)).await.1, "bad_signature");
    // Garbage signature encoding.
    let mut garbled = signed(&validator.hot, &body, nonce_for(block, 0), &me, block);
    garbled.signature = "zz".into();
    assert_eq!(target.post(&body, Some(&garbled)).await.1, "bad_signature");
    // The body changed after signing.
    let other_body = challenge_body(netuid, &val, &me, block.saturating_sub(1));
    let auth = signed(&validator.hot, &body, nonce_for(block, 0), &me, block);
    assert_eq!(
        target.post(&other_body, Some(&auth)).await.1,
        "bad_signature"
    );

    // Well signed by the validator, but for another miner.
    let elsewhere = open_miner.hot_id();
    let body_other = challenge_body(netuid, &val, &elsewhere, block);
    let auth = signed(
        &validator.hot,
        &body_other,
        nonce_for(block, 0),
        &elsewhere,
        block,
    );
    let (status, code, _) = target.post(&body_other, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (401, "bad_signature"));

    // Well signed, but not registered / registered without a permit.
    let mallory_id = account_id(&mallory);
    let body_m = challenge_body(netuid, &mallory_id, &me, block);
    let auth = signed(&mallory, &body_m, nonce_for(block, 0), &me, block);
    let (status, code, _) = target.post(&body_m, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (403, "not_permitted"));
    let body_np = challenge_body(netuid, &no_permit.hot_id(), &me, block);
    let auth = signed(&no_permit.hot, &body_np, nonce_for(block, 0), &me, block);
    let (status, code, _) = target.post(&body_np, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (403, "not_permitted"));
    // ... which --min-stake 0 lets in (that miner has no GPU: an empty answer).
    let open_target = Target {
        http: http(),
        url: format!("http://{}", open.http()),
    };
    let body_open = challenge_body(netuid, &no_permit.hot_id(), &elsewhere, block);
    let auth = signed(
        &no_permit.hot,
        &body_open,
        nonce_for(block, 0),
        &elsewhere,
        block,
    );
    let (status, _, answer) = open_target.post(&body_open, Some(&auth)).await;
    assert_eq!(status, 200);
    assert!(answer.unwrap().units.is_empty());

    // The honest validator: accepted once, then the same nonce is a replay.
    let auth = signed(&validator.hot, &body, nonce_for(block, 0), &me, block);
    let (status, _, answer) = target.post(&body, Some(&auth)).await;
    assert_eq!(status, 200);
    assert!(answer.unwrap().units.len() >= 10, "an H100 does 10+ units");
    let (status, code, _) = target.post(&body, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (409, "replayed"));

    // A refused request records nothing: its nonce still works afterwards.
    let mut bad = signed(&validator.hot, &body, nonce_for(block, 1), &me, block);
    bad.signature = signed(&mallory, &body, nonce_for(block, 1), &me, block).signature;
    assert_eq!(target.post(&body, Some(&bad)).await.1, "bad_signature");
    let good = signed(&validator.hot, &body, nonce_for(block, 1), &me, block);
    assert_eq!(target.post(&body, Some(&good)).await.0, 200);

    // A flood of 500 bad requests (forged, unsigned, unregistered), all at once.
    let mut flood = tokio::task::JoinSet::new();
    for i in 0..500u64 {
        let (http, url) = (target.http.clone(), target.url.clone());
        let body = body.clone();
        let auth = match i % 3 {
            0 => {
                let mut a = signed(&mallory, &body, nonce_for(block, 2) + i, &me, block);
                a.hotkey = val.to_string();
                Some(a)
            }
            1 => None,
            _ => {
                let b = challenge_body(netuid, &mallory_id, &me, block);
                Some(signed(&mallory, &b, nonce_for(block, 2) + i, &me, block))
            }
        };
        flood.spawn(async move {
            let mut req = http
                .post(format!("{url}/v1/challenge"))
                .header("content-type", "application/json")
                .body(body);
            if let Some(a) = auth {
                req = req
                    .header(HOTKEY_HEADER, a.hotkey)
                    .header(NONCE_HEADER, a.nonce)
                    .header(SIGNATURE_HEADER, a.signature);
            }
            req.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
        });
    }
    let mut refused = 0;
    while let Some(status) = flood.join_next().await {
        let status = status.unwrap();
        assert!([401, 403].contains(&status), "flood answer {status}");
        refused += 1;
    }
    assert_eq!(refused, 500);
    let auth = signed(&validator.hot, &body, nonce_for(block, 3), &me, block);
    let (status, _, answer) = target.post(&body, Some(&auth)).await;
    assert_eq!(status, 200);
    assert!(answer.unwrap().units.len() >= 10);
    let log = m.log();
    assert!(log.contains("challenge refused"), "refusals are logged");
    assert!(log.contains("not_permitted") && log.contains("replayed"));

    // Blocks the chain has not finalized, and blocks too old to look up.
    let future = block + 1_000;
    let body_f = challenge_body(netuid, &val, &me, future);
    let auth = signed(&validator.hot, &body_f, nonce_for(future, 0), &me, future);
    let (status, code, _) = target.post(&body_f, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (400, "unknown_block"));
    let newest = client.devnet().mine(20).await.unwrap().last;
    common::wait_done(&http(), &m, newest).await;
    let auth = signed(&validator.hot, &body, nonce_for(block, 4), &me, block);
    let (status, code, _) = target.post(&body, Some(&auth)).await;
    assert_eq!((status, code.as_str()), (400, "stale_block"));
    let body_new = challenge_body(netuid, &val, &me, newest);
    let auth = signed(&validator.hot, &body_new, nonce_for(newest, 0), &me, newest);
    assert_eq!(target.post(&body_new, Some(&auth)).await.0, 200);

    // The status surface.
    let http = http();
    let s: serde_json::Value = http
        .get(format!("{}/v1/status", target.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(s["block_done"].as_u64().unwrap() >= block);
    let resp = http
        .get(format!(
            "{}/v1/status?after={}&timeout_ms=50",
            target.url,
            block + 1000
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 504);
    let e: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["code"], "timeout");
    let resp = http
        .get(format!("{}/nope", target.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let h: serde_json::Value = http
        .get(format!("{}/health", target.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["role"], "miner");
    assert_eq!(h["name"], "AuthMiner");
}
