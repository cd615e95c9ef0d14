//! Querying miners: sampling, sending one signed challenge each, scoring the answers.

use std::net::SocketAddr;
use std::time::Duration;

use localtensor_client::{AccountId, Keypair, NeuronMetagraph};

use crate::auth::{HOTKEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER, nonce_for, sign_request};
use crate::challenge::{ChallengeAnswer, ChallengeInputs, derive_challenge};
use crate::draw::{Part, draw_u64};
use crate::scoring::score_answer;

/// Largest answer read from a miner, in bytes.
pub const MAX_ANSWER_BYTES: usize = 2 * 1024 * 1024;

/// A miner's axon address, if it served one.
pub fn axon_addr(n: &NeuronMetagraph) -> Option<SocketAddr> {
    if n.axon.port == 0 {
        return None;
    }
    let ip = n.axon.ip_addr()?;
    if ip.is_unspecified() {
        return None;
    }
    Some(SocketAddr::new(ip, n.axon.port))
}

/// The miners of a metagraph: every other uid with a served axon.
pub fn miners<'a>(neurons: &'a [NeuronMetagraph], me: &AccountId) -> Vec<&'a NeuronMetagraph> {
    neurons
        .iter()
        .filter(|n| n.hotkey != *me && axon_addr(n).is_some())
        .collect()
}

/// The (at most `count`) miners queried at `block`: ordered by a keyed draw over
/// `(seed, netuid, validator, miner hotkey, block)`, ties by uid.
pub fn sample<'a>(
    candidates: &[&'a NeuronMetagraph],
    count: usize,
    seed: u64,
    netuid: u16,
    me: &AccountId,
    block: u64,
) -> Vec<&'a NeuronMetagraph> {
    let mut keyed: Vec<(u64, u16, &NeuronMetagraph)> = candidates
        .iter()
        .map(|n| {
            let key = draw_u64(
                seed,
                "localtensor-neuron/sample/v1",
                netuid,
                &[
                    Part::Bytes(&me.0),
                    Part::Bytes(&n.hotkey.0),
                    Part::U64(block),
                ],
            );
            (key, n.uid, *n)
        })
        .collect();
    keyed.sort_by_key(|(k, uid, _)| (*k, *uid));
    keyed.into_iter().take(count).map(|(_, _, n)| n).collect()
}

/// One query's inputs.
#[derive(Clone, Debug)]
pub struct Query {
    /// Miner uid.
    pub uid: u16,
    /// Miner hotkey.
    pub miner: AccountId,
    /// Axon address.
    pub addr: SocketAddr,
    /// Position in the block's sample (the nonce counter).
    pub counter: u16,
}

/// Shared settings of a block's queries.
#[derive(Clone, Debug)]
pub struct QueryContext {
    /// The validator's hotkey.
    pub signer: Keypair,
    /// Topology seed.
    pub seed: u64,
    /// Subnet.
    pub netuid: u16,
    /// Block.
    pub block: u64,
    /// Budget per challenge (simulated ms).
    pub budget_ms: u64,
    /// Wall-clock bound per request.
    pub timeout: Duration,
    /// HTTP client.
    pub http: reqwest::Client,
}

/// Sends the challenge to one miner and scores its answer; any failure scores 0.
pub async fn query_and_score(ctx: &QueryContext, q: &Query) -> u64 {
    let me = localtensor_client::account_id(&ctx.signer);
    let challenge = derive_challenge(&ChallengeInputs {
        seed: ctx.seed,
        netuid: ctx.netuid,
        validator: &me,
        miner: &q.miner,
        block: ctx.block,
        budget_ms: ctx.budget_ms,
    });
    let Ok(body) = serde_json::to_vec(&challenge) else {
        return 0;
    };
    let nonce = nonce_for(ctx.block, q.counter);
    let auth = sign_request(&ctx.signer, &body, nonce, &q.miner, ctx.block);
    let sent = ctx
        .http
        .post(format!("http://{}/v1/challenge", q.addr))
        .timeout(ctx.timeout)
        .header("content-type", "application/json")
        .header(HOTKEY_HEADER, auth.hotkey)
        .header(NONCE_HEADER, auth.nonce)
        .header(SIGNATURE_HEADER, auth.signature)
        .body(body)
        .send()
        .await;
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => {
            tracing::info!(uid = q.uid, miner = %q.miner, error = %e, "miner unreachable: score 0");
            return 0;
        }
    };
    let status = resp.status();
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            tracing::info!(uid = q.uid, error = %e, "answer not read: score 0");
            return 0;
        }
    };
    if !status.is_success() {
        tracing::info!(uid = q.uid, %status, body = %String::from_utf8_lossy(&bytes[..bytes.len().min(200)]), "miner refused: score 0");
        return 0;
    }
    if bytes.len() > MAX_ANSWER_BYTES {
        tracing::info!(
            uid = q.uid,
            bytes = bytes.len(),
            "answer too large: score 0"
        );
        return 0;
    }
    let answer: ChallengeAnswer = match serde_json::from_slice(&bytes) {
        Ok(a) => a,
        Err(e) => {
            tracing::info!(uid = q.uid, error = %e, "answer unreadable: score 0");
            return 0;
        }
    };
    let report = match tokio::task::spawn_blocking(move || score_answer(&challenge, &answer)).await
    {
        Ok(r) => r,
        Err(_) => return 0,
    };
    tracing::debug!(
        uid = q.uid,
        block = ctx.block,
        claimed = report.claimed,
        in_budget = report.in_budget,
        verified = report.verified,
        "scored"
    );
    report.score()
}
