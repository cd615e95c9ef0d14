//! The validator neuron: for each finalized block, queries a seeded sample of miners with
//! signed per-miner challenges, scores the answers, folds them into moving averages, and when
//! due submits its weights row into the pool (never waiting for inclusion, so in lock-step the
//! row lands in the next block).

pub mod policy;
pub mod query;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use clap::{Parser, ValueEnum};
use localtensor_client::{AccountId, Client, Keypair, account_id, keypair_from_uri};

use crate::NeuronError;
use crate::api_error::not_found;
use crate::cli::{CommonArgs, parse_ss58};
use crate::runtime::{self, Stop};
use crate::status::{Progress, StatusState, health, status};
use crate::weights::MovingAverages;
use policy::{collusion_row, copied_row, honest_row, uniform_row, weights_due};
use query::{Query, QueryContext, axon_addr, miners, query_and_score, sample};

/// How a validator behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValidatorBehaviour {
    /// Queries, scores and sets weights from its moving averages.
    Honest,
    /// Copies the chain's consensus vector, or `--copy-from`'s weights row.
    WeightCopier,
    /// Puts all weight, equally, on the `--target` hotkeys.
    Colluder,
    /// Never queries; sets the same weight on every miner.
    Lazy,
    /// Never sets weights (still reports blocks done).
    Offline,
}

impl ValidatorBehaviour {
    /// The flag value.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidatorBehaviour::Honest => "honest",
            ValidatorBehaviour::WeightCopier => "weight-copier",
            ValidatorBehaviour::Colluder => "colluder",
            ValidatorBehaviour::Lazy => "lazy",
            ValidatorBehaviour::Offline => "offline",
        }
    }
}

/// localtensor validator neuron: challenges miners, scores them and sets weights.
///
/// Prints one JSON line {"event":"ready",...} on stdout once it has finished its first block;
/// logs go to stderr. Stops cleanly on SIGTERM or Ctrl-C. Every flag also reads
/// LOCALTENSOR_<FLAG> (e.g. LOCALTENSOR_CHAIN_ENDPOINT).
#[derive(Clone, Debug, Parser)]
#[command(name = "localtensor-validator", version)]
pub struct ValidatorArgs {
    /// Flags shared with the miner.
    #[command(flatten)]
    pub common: CommonArgs,
    /// How the validator behaves.
    #[arg(long, env = "LOCALTENSOR_BEHAVIOUR", value_enum, default_value_t = ValidatorBehaviour::Honest)]
    pub behaviour: ValidatorBehaviour,
    /// Validator (SS58) whose weights row a weight-copier copies (default: the chain's
    /// consensus vector).
    #[arg(long, env = "LOCALTENSOR_COPY_FROM", value_name = "SS58", value_parser = parse_ss58)]
    pub copy_from: Option<AccountId>,
    /// Hotkey (SS58) a colluder puts weight on (repeatable).
    #[arg(long = "target", env = "LOCALTENSOR_TARGET", value_name = "SS58", value_parser = parse_ss58, value_delimiter = ',')]
    pub targets: Vec<AccountId>,
    /// Miners queried per block.
    #[arg(
        long,
        env = "LOCALTENSOR_SAMPLE",
        value_name = "N",
        default_value_t = 8
    )]
    pub sample: u16,
    /// Blocks between weight submissions (on multiples of it; never faster than the chain's
    /// weights_rate_limit).
    #[arg(long, env = "LOCALTENSOR_WEIGHTS_INTERVAL", value_name = "BLOCKS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub weights_interval: u64,
    /// Simulated GPU time budget per challenge and lane, in milliseconds.
    #[arg(long, env = "LOCALTENSOR_BUDGET_MS", value_name = "MS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(1..=crate::challenge::MAX_BUDGET_MS))]
    pub budget_ms: u64,
    /// Wall-clock safety net per request, in milliseconds (a miner slower than this scores 0).
    #[arg(long, env = "LOCALTENSOR_REQUEST_TIMEOUT_MS", value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,
}

/// The validator's state across blocks.
struct Validator {
    args: ValidatorArgs,
    client: Client,
    signer: Keypair,
    me: AccountId,
    http: reqwest::Client,
    averages: MovingAverages,
    last_submitted: Option<u64>,
    registered: Option<bool>,
}

/// Runs the validator until `stop` completes (or the chain's block stream ends).
pub async fn run(args: ValidatorArgs, stop: Stop) -> Result<(), NeuronError> {
    let common = args.common.clone();
    let name = common
        .name
        .clone()
        .unwrap_or_else(|| "validator".to_string());
    let signer =
        keypair_from_uri(&common.hotkey_uri).map_err(|e| NeuronError::Key(e.to_string()))?;
    let me = account_id(&signer);
    let listener = runtime::bind(common.listen).await?;
    let addr = listener.local_addr().map_err(|error| NeuronError::Listen {
        addr: common.listen.to_string(),
        error,
    })?;
    tracing::info!(%name, endpoint = %common.chain_endpoint, %addr, "connecting to the chain");
    let client = runtime::connect(&common.chain_endpoint).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| NeuronError::Gpu {
            url: String::new(),
            reason: e.to_string(),
        })?;
    tracing::info!(%name, hotkey = %me, behaviour = args.behaviour.as_str(), %addr, lockstep = common.lockstep, "validator starting");

    let progress = Progress::new();
    let status_state = StatusState {
        name: name.clone(),
        role: "validator",
        progress: progress.clone(),
    };
    let app = Router::new()
        .route("/health", get(health))
        .route("/v1/status", get(status))
        .with_state(status_state)
        .fallback(not_found);
    let server = tokio::spawn({
        let stop = stop.clone();
        async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.stopped())
                .await
        }
    });

    let mut v = Validator {
        args,
        client: client.clone(),
        signer,
        me,
        http,
        averages: MovingAverages::new(),
        last_submitted: None,
        registered: None,
    };
    let mut blocks = client.subscribe_blocks().await?;
    let mut ready = false;
    let result = loop {
        let next = tokio::select! {
            next = blocks.next() => next,
            () = stop.clone().stopped() => break Ok(()),
        };
        let mut block = match next {
            Some(Ok(block)) => block,
            Some(Err(e)) => break Err(NeuronError::ChainCall(e)),
            None => break Err(NeuronError::StreamEnded),
        };
        if !common.lockstep {
            // Free-running: skip to the newest block already available.
            while let Ok(Some(Ok(newer))) =
                tokio::time::timeout(Duration::ZERO, blocks.next()).await
            {
                progress.mark_done(block.number);
                block = newer;
            }
        }
        let work = v.on_block(block.number);
        tokio::select! {
            () = work => {}
            () = stop.clone().stopped() => break Ok(()),
        }
        progress.mark_done(block.number);
        if !ready {
            ready = true;
            runtime::print_ready(&serde_json::json!({
                "event": "ready",
                "name": name,
                "http": addr.to_string(),
                "hotkey": me.to_string(),
            }))?;
            tracing::info!(block = block.number, "validator ready");
        }
    };
    runtime::finish_server(server, result.is_ok()).await;
    result
}

impl Validator {
    /// The work of one block; errors are logged (the block still counts as done).
    async fn on_block(&mut self, block: u64) {
        if let Err(e) = self.try_block(block).await {
            tracing::error!(block, error = %e, "block work failed");
        }
    }

    async fn try_block(&mut self, block: u64) -> Result<(), NeuronError> {
        let netuid = self.args.common.netuid;
        if self.args.behaviour == ValidatorBehaviour::Offline {
            return Ok(());
        }
        let view = self.client.at_block(block).await?;
        let Some(mg) = view.metagraph(netuid).await? else {
            tracing::warn!(block, netuid, "subnet does not exist");
            return Ok(());
        };
        let Some(mine) = mg.by_hotkey(&self.me).cloned() else {
            if self.registered != Some(false) {
                tracing::warn!(block, netuid, "hotkey not registered on the subnet; idle");
            }
            self.registered = Some(false);
            return Ok(());
        };
        self.registered = Some(true);
        let hotkeys: Vec<AccountId> = mg.neurons.iter().map(|n| n.hotkey).collect();
        self.averages.retain_registered(&hotkeys);

        if self.args.behaviour == ValidatorBehaviour::Honest {
            self.query_block(block, &mg).await;
        }

        let rate_limit = view.weights_rate_limit(netuid).await?;
        if !weights_due(
            block,
            self.args.weights_interval,
            mine.validator_permit,
            mine.last_update,
            rate_limit,
            self.last_submitted,
        ) {
            return Ok(());
        }
        let row = match self.args.behaviour {
            ValidatorBehaviour::Honest => honest_row(&self.averages, mine.uid),
            ValidatorBehaviour::Lazy => uniform_row(&mg, &self.me),
            ValidatorBehaviour::Colluder => collusion_row(&mg, &self.me, &self.args.targets),
            ValidatorBehaviour::WeightCopier => {
                let values = match self.args.copy_from.as_ref().and_then(|h| mg.by_hotkey(h)) {
                    Some(source) => view.weights(netuid, source.uid).await?,
                    None if self.args.copy_from.is_some() => Vec::new(),
                    None => mg.neurons.iter().map(|n| (n.uid, n.consensus)).collect(),
                };
                copied_row(&values, mine.uid)
            }
            ValidatorBehaviour::Offline => Vec::new(),
        };
        if row.is_empty() {
            tracing::debug!(block, "nothing to weigh yet");
            return Ok(());
        }
        self.submit_weights(block, &row).await
    }

    async fn query_block(&mut self, block: u64, mg: &localtensor_client::Metagraph) {
        let common = &self.args.common;
        let candidates = miners(&mg.neurons, &self.me);
        let chosen = sample(
            &candidates,
            usize::from(self.args.sample),
            common.seed,
            common.netuid,
            &self.me,
            block,
        );
        let ctx = Arc::new(QueryContext {
            signer: self.signer.clone(),
            seed: common.seed,
            netuid: common.netuid,
            block,
            budget_ms: self.args.budget_ms,
            timeout: Duration::from_millis(self.args.request_timeout_ms),
            http: self.http.clone(),
        });
        let mut tasks = tokio::task::JoinSet::new();
        for (counter, n) in chosen.iter().enumerate() {
            let Some(addr) = axon_addr(n) else { continue };
            let q = Query {
                uid: n.uid,
                miner: n.hotkey,
                addr,
                counter: u16::try_from(counter).unwrap_or(u16::MAX),
            };
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let score = query_and_score(&ctx, &q).await;
                (q.uid, q.miner, score)
            });
        }
        // Applied in uid order, whatever order the answers came in.
        let mut scores = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            if let Ok((uid, hotkey, score)) = done {
                scores.insert(uid, (hotkey, score));
            }
        }
        for n in &chosen {
            let score = scores.get(&n.uid).map_or(0, |(_, s)| *s);
            self.averages.update(n.uid, &n.hotkey, score);
            tracing::debug!(
                block,
                uid = n.uid,
                score,
                average = self.averages.get(n.uid),
                "miner scored"
            );
        }
    }

    async fn submit_weights(&mut self, block: u64, row: &[(u16, u16)]) -> Result<(), NeuronError> {
        let netuid = self.args.common.netuid;
        let uids: Vec<u16> = row.iter().map(|(u, _)| *u).collect();
        let weights: Vec<u16> = row.iter().map(|(_, w)| *w).collect();
        let call = self
            .client
            .set_weights_call(netuid, &uids, &weights, 0)
            .await?;
        let pending = self.client.submit(&self.signer, &call).await?;
        self.last_submitted = Some(block);
        tracing::info!(block, ?row, "weights submitted");
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(600), pending.wait_finalized()).await {
                Ok(Ok(out)) => tracing::info!(block = out.block_number, "weights set"),
                Ok(Err(e)) => tracing::warn!(error = %e, "set_weights failed"),
                Err(_) => tracing::warn!("set_weights not included after 600 s"),
            }
        });
        Ok(())
    }
}
