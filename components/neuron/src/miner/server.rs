//! The miner's HTTP server: `/health`, `/v1/status` and the signed `POST /v1/challenge`.
//!
//! Checks, cheapest first (a refusal changes nothing and is logged with its reason):
//!
//! | status | code | when |
//! |---|---|---|
//! | 503 | `offline` | `--behaviour offline` |
//! | 401 | `unsigned` | an auth header is missing |
//! | 400 | `invalid_challenge` | the body is not a challenge for this subnet |
//! | 401 | `bad_signature` | malformed header, signature does not verify, or target ≠ this miner |
//! | 400 | `stale_block` | the block is more than 16 below the newest the miner has seen |
//! | 400 | `unknown_block` | the chain has not finalized the challenge's block |
//! | 503 | `chain_unavailable` | the chain could not be read |
//! | 403 | `not_permitted` | caller not registered, or without permit (and stake < `--min-stake`) at the block |
//! | 409 | `replayed` | the caller already used this nonce |
//! | 503 | `flaky` | `--behaviour flaky`, for a seeded fraction of challenges |
//!
//! Signature checks run under a small concurrency bound before any chain lookup; chain lookups
//! are cached per block; GPU work runs under its own bound, so a flood of bad requests is
//! rejected cheaply and does not queue behind work.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use localtensor_client::{AccountId, Client};
use tokio::sync::Semaphore;

use super::gpu::{Lane, run_lane};
use super::permits::{LookupError, PermitCache, is_permitted};
use super::{MinerArgs, MinerBehaviour};
use crate::api_error::{ApiError, not_found};
use crate::auth::{
    AuthHeaders, HOTKEY_HEADER, NONCE_HEADER, NonceWindow, SIGNATURE_HEADER, verify_request,
};
use crate::challenge::{
    CHALLENGE_VERSION, Challenge, ChallengeAnswer, MAX_BODY_BYTES, MAX_BUDGET_MS, UnitResult,
    unit_size,
};
use crate::draw::{Part, below_ppm, draw, draw_u64};
use crate::status::{Progress, StatusState, health, status};

/// Concurrent signature checks.
const VERIFY_SLOTS: usize = 4;
/// Concurrent challenges doing GPU work.
const WORK_SLOTS: usize = 16;
/// Units a lazy or copying miner claims when it makes an answer up.
const GARBAGE_UNITS: u64 = 20;
/// Wall-clock bound on forwarding a challenge (copier).
const FORWARD_TIMEOUT: Duration = Duration::from_secs(2);

/// Everything the miner's handlers share.
#[derive(Debug)]
pub struct MinerState {
    status: StatusState,
    me: AccountId,
    netuid: u16,
    seed: u64,
    behaviour: MinerBehaviour,
    slowdown_ppm: u64,
    failure_rate_ppm: u32,
    copy_from: Option<AccountId>,
    min_stake: Option<u64>,
    lanes: Vec<Lane>,
    http: reqwest::Client,
    permits: PermitCache,
    nonces: Mutex<NonceWindow>,
    verify_slots: Semaphore,
    work_slots: Semaphore,
}

impl MinerState {
    /// The shared state of a miner with these flags.
    pub fn new(
        args: &MinerArgs,
        name: String,
        me: AccountId,
        client: Client,
        lanes: Vec<Lane>,
        http: reqwest::Client,
        progress: Progress,
    ) -> MinerState {
        let netuid = args.common.netuid;
        MinerState {
            status: StatusState {
                name,
                role: "miner",
                progress,
            },
            me,
            netuid,
            seed: args.common.seed,
            behaviour: args.behaviour,
            slowdown_ppm: args.slowdown,
            failure_rate_ppm: args.failure_rate,
            copy_from: args.copy_from,
            min_stake: args.min_stake,
            lanes,
            http,
            permits: PermitCache::new(client, netuid),
            nonces: Mutex::new(NonceWindow::new()),
            verify_slots: Semaphore::new(VERIFY_SLOTS),
            work_slots: Semaphore::new(WORK_SLOTS),
        }
    }
}

impl MinerState {
    /// Records a finalized block (bounds which blocks callers may name).
    pub fn observe(&self, block: u64) {
        self.permits.observe(block);
    }
}

/// The miner's routes.
pub fn router(state: Arc<MinerState>) -> Router {
    let status_routes = Router::new()
        .route("/health", get(health))
        .route("/v1/status", get(status))
        .with_state(state.status.clone());
    Router::new()
        .route("/v1/challenge", post(challenge))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .merge(status_routes)
        .fallback(not_found)
}

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn challenge(
    State(s): State<Arc<MinerState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match handle(&s, &headers, body).await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(e) => {
            let caller = header(&headers, HOTKEY_HEADER).unwrap_or_default();
            tracing::info!(code = e.code, reason = %e.message, claimed_caller = %caller, "challenge refused");
            e.into_response()
        }
    }
}

async fn handle(
    s: &MinerState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ChallengeAnswer, ApiError> {
    if s.behaviour == MinerBehaviour::Offline {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "offline",
            "this miner is offline",
        ));
    }
    let (Some(hotkey), Some(nonce), Some(signature)) = (
        header(headers, HOTKEY_HEADER),
        header(headers, NONCE_HEADER),
        header(headers, SIGNATURE_HEADER),
    ) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unsigned",
            "X-Localtensor-Hotkey, X-Localtensor-Nonce and X-Localtensor-Signature are required",
        ));
    };
    let body = body.map_err(|e| refuse(e.status(), "invalid_body", e.body_text()))?;
    let challenge: Challenge = serde_json::from_slice(&body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            "invalid_challenge",
            format!("not a challenge: {e}"),
        )
    })?;
    check_challenge(s, &challenge)?;
    let target = crate::cli::parse_ss58(&challenge.target)
        .map_err(|m| refuse(StatusCode::BAD_REQUEST, "invalid_challenge", m))?;

    // Signature first: no chain lookup for a request that is not well signed.
    let verified = {
        let _slot = s
            .verify_slots
            .acquire()
            .await
            .map_err(|_| shutting_down())?;
        let auth = AuthHeaders {
            hotkey,
            nonce,
            signature,
        };
        verify_request(&auth, &body, &target, challenge.block)
            .map_err(|e| refuse(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string()))?
    };
    if target != s.me {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            format!("challenge is for {target}, not this miner ({})", s.me),
        ));
    }

    let table = s.permits.at(challenge.block).await.map_err(|e| match e {
        LookupError::Stale { .. } => refuse(StatusCode::BAD_REQUEST, "stale_block", e.to_string()),
        LookupError::Unknown { .. } => {
            refuse(StatusCode::BAD_REQUEST, "unknown_block", e.to_string())
        }
        LookupError::Chain(e) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "chain_unavailable",
            format!("block {}: {e}", challenge.block),
        ),
    })?;
    is_permitted(table.get(&verified.caller), s.min_stake).map_err(|reason| {
        refuse(
            StatusCode::FORBIDDEN,
            "not_permitted",
            format!("{} at block {}: {reason}", verified.caller, challenge.block),
        )
    })?;
    {
        let mut nonces = s.nonces.lock().unwrap_or_else(|e| e.into_inner());
        if !nonces.accept(&verified.caller, verified.nonce) {
            return Err(refuse(
                StatusCode::CONFLICT,
                "replayed",
                format!("nonce {} already used (or too old)", verified.nonce),
            ));
        }
    }

    let draw_parts = [
        Part::Bytes(&verified.caller.0),
        Part::Bytes(&s.me.0),
        Part::U64(challenge.block),
    ];
    if s.behaviour == MinerBehaviour::Flaky {
        let value = draw_u64(s.seed, "localtensor-neuron/flaky/v1", s.netuid, &draw_parts);
        if below_ppm(value, s.failure_rate_ppm) {
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "flaky",
                "this challenge fails (seeded)",
            ));
        }
    }
    let _work = s.work_slots.acquire().await.map_err(|_| shutting_down())?;
    let answer = match s.behaviour {
        MinerBehaviour::Lazy => garbage(s, &challenge, &draw_parts),
        MinerBehaviour::Copier => match forward(s, &challenge, headers, &body, &table).await {
            Some(answer) => answer,
            None => garbage(s, &challenge, &draw_parts),
        },
        MinerBehaviour::Slow => {
            let mut units = Vec::new();
            for lane in work(s, &challenge).await {
                let keep = u128::try_from(lane.len()).unwrap_or(0) * 1_000_000
                    / u128::from(s.slowdown_ppm.max(1));
                units.extend(lane.into_iter().take(usize::try_from(keep).unwrap_or(0)));
            }
            ChallengeAnswer { units }
        }
        MinerBehaviour::Honest | MinerBehaviour::Flaky | MinerBehaviour::Offline => {
            ChallengeAnswer {
                units: work(s, &challenge).await.into_iter().flatten().collect(),
            }
        }
    };
    tracing::debug!(caller = %verified.caller, block = challenge.block, units = answer.units.len(), "challenge answered");
    Ok(answer)
}

fn shutting_down() -> ApiError {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "shutting_down",
        "the miner is stopping",
    )
}

fn check_challenge(s: &MinerState, c: &Challenge) -> Result<(), ApiError> {
    let bad = |m: String| refuse(StatusCode::BAD_REQUEST, "invalid_challenge", m);
    if c.version != CHALLENGE_VERSION {
        return Err(bad(format!("unsupported version {}", c.version)));
    }
    if c.netuid != s.netuid {
        return Err(bad(format!(
            "challenge is for netuid {}, this miner serves {}",
            c.netuid, s.netuid
        )));
    }
    if c.size != unit_size(c.kind) {
        return Err(bad(format!(
            "{} units have size {}, not {}",
            c.kind,
            unit_size(c.kind),
            c.size
        )));
    }
    if c.budget_ms == 0 || c.budget_ms > MAX_BUDGET_MS {
        return Err(bad(format!(
            "budget_ms must be 1 to {MAX_BUDGET_MS}, got {}",
            c.budget_ms
        )));
    }
    Ok(())
}

/// Runs the challenge on every lane at once; one list of units per lane.
async fn work(s: &MinerState, c: &Challenge) -> Vec<Vec<UnitResult>> {
    let count = u32::try_from(s.lanes.len()).unwrap_or(u32::MAX);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, lane) in s.lanes.iter().enumerate() {
        let (http, lane, c) = (s.http.clone(), lane.clone(), c.clone());
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        tasks.spawn(async move { (index, run_lane(&http, &lane, index, count, &c).await) });
    }
    let mut lanes: Vec<(u32, Vec<UnitResult>)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(lane) = done {
            lanes.push(lane);
        }
    }
    lanes.sort_by_key(|(i, _)| *i);
    lanes.into_iter().map(|(_, units)| units).collect()
}

/// A made-up answer: seeded random digests claiming an even share of the budget.
fn garbage(s: &MinerState, c: &Challenge, parts: &[Part<'_>]) -> ChallengeAnswer {
    let duration_ns = c.budget_ns() / GARBAGE_UNITS;
    let units = (0..GARBAGE_UNITS)
        .map(|index| {
            let mut p = parts.to_vec();
            p.push(Part::U64(index));
            UnitResult {
                index,
                lane: 0,
                result: localtensor_gpu_mock::Digest(draw(
                    s.seed,
                    "localtensor-neuron/garbage/v1",
                    s.netuid,
                    &p,
                )),
                duration_ns,
            }
        })
        .collect();
    ChallengeAnswer { units }
}

/// Forwards the challenge, as signed, to the copied miner's axon; its answer if it gave one.
async fn forward(
    s: &MinerState,
    c: &Challenge,
    headers: &HeaderMap,
    body: &Bytes,
    table: &super::permits::PermitTable,
) -> Option<ChallengeAnswer> {
    let source = s.copy_from?;
    let axon = &table.get(&source)?.axon;
    let ip = axon.ip_addr()?;
    if axon.port == 0 {
        return None;
    }
    let url = format!(
        "http://{}/v1/challenge",
        std::net::SocketAddr::new(ip, axon.port)
    );
    let mut request = s
        .http
        .post(url)
        .timeout(FORWARD_TIMEOUT)
        .header("content-type", "application/json")
        .body(body.clone());
    for name in [HOTKEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
        if let Some(v) = header(headers, name) {
            request = request.header(name, v);
        }
    }
    let resp = request.send().await.ok()?;
    if !resp.status().is_success() {
        tracing::info!(status = %resp.status(), block = c.block, "copied miner refused the forwarded challenge");
        return None;
    }
    resp.json().await.ok()
}
