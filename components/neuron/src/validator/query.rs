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

#[cfg(test)]
mod tests {
    use super::*;
    use localtensor_client::AxonInfo;

    fn neuron(uid: u16, port: u16) -> NeuronMetagraph {
        NeuronMetagraph {
            uid,
            hotkey: AccountId([uid as u8 + 1; 32]),
            coldkey: AccountId([0; 32]),
            alpha_stake: 0,
            tao_stake: 0,
            stake: 0,
            incentive: 0,
            dividends: 0,
            emission: 0,
            consensus: 0,
            trust: 0,
            rank: 0,
            validator_trust: 0,
            validator_permit: false,
            active: true,
            last_update: 0,
            block_at_registration: 0,
            axon: AxonInfo {
                block: 1,
                version: 1,
                ip: u128::from(u32::from(std::net::Ipv4Addr::LOCALHOST)),
                port,
                ip_type: 4,
                protocol: 4,
            },
        }
    }

    #[test]
    fn miners_are_other_uids_with_an_axon() {
        let neurons = vec![neuron(0, 80), neuron(1, 0), neuron(2, 81)];
        let me = neurons[2].hotkey;
        let uids: Vec<u16> = miners(&neurons, &me).iter().map(|n| n.uid).collect();
        assert_eq!(uids, vec![0]);
        assert_eq!(
            axon_addr(&neurons[0]),
            Some("127.0.0.1:80".parse().unwrap_or_else(|_| unreachable!()))
        );
    }

    #[test]
    fn samples_are_seeded_bounded_and_vary_by_block() {
        let neurons: Vec<NeuronMetagraph> = (0..20).map(|u| neuron(u, 1000 + u)).collect();
        let refs: Vec<&NeuronMetagraph> = neurons.iter().collect();
        let me = AccountId([99; 32]);
        let uids = |block: u64, seed: u64| -> Vec<u16> {
            sample(&refs, 8, seed, 1, &me, block)
                .iter()
                .map(|n| n.uid)
                .collect()
        };
        assert_eq!(uids(5, 0).len(), 8);
        assert_eq!(uids(5, 0), uids(5, 0));
        assert_ne!(uids(5, 0), uids(6, 0));
        assert_ne!(uids(5, 0), uids(5, 1));
        // Input order does not matter.
        let reversed: Vec<&NeuronMetagraph> = neurons.iter().rev().collect();
        let again: Vec<u16> = sample(&reversed, 8, 0, 1, &me, 5)
            .iter()
            .map(|n| n.uid)
            .collect();
        assert_eq!(again, uids(5, 0));
        assert_eq!(sample(&refs, 50, 0, 1, &me, 5).len(), 20);
    }
}
