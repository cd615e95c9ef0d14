//! The miner neuron: serves its axon (`POST /v1/challenge`) and runs challenges on GPU mocks.
//!
//! Start-up: bind the HTTP listener, connect to the chain, list the GPU devices, submit
//! `serve_axon` (bound IP and port; an unspecified IP is announced as 127.0.0.1) into the pool
//! unless offline or `--no-serve-axon`, mark the current block done, print the ready line. Then
//! every finalized block is marked done as it arrives (callers are authenticated against the
//! chain state of the block their challenge names, read on demand).

mod gpu;
mod permits;
mod server;

pub use gpu::{Lane, discover_lanes, run_lane};
pub use permits::{CACHED_BLOCKS, Caller, LookupError, PermitCache, PermitTable, is_permitted};
pub use server::{MinerState, router};

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use localtensor_client::{AccountId, AxonEndpoint, Client, account_id, keypair_from_uri};

use crate::NeuronError;
use crate::cli::{CommonArgs, parse_rate_ppm, parse_slowdown_ppm, parse_ss58};
use crate::runtime::{self, Stop};
use crate::status::Progress;

/// How a miner behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinerBehaviour {
    /// Runs every unit it can on its GPUs.
    Honest,
    /// Answers garbage digests without running anything.
    Lazy,
    /// Runs `1/slowdown` of the units it could.
    Slow,
    /// Serves no axon and refuses every challenge (still answers /health and /v1/status).
    Offline,
    /// Fails a seeded fraction of challenges with 503.
    Flaky,
    /// Forwards challenges to the `--copy-from` miner and returns its answer, else garbage.
    Copier,
}

impl MinerBehaviour {
    /// The flag value.
    pub fn as_str(self) -> &'static str {
        match self {
            MinerBehaviour::Honest => "honest",
            MinerBehaviour::Lazy => "lazy",
            MinerBehaviour::Slow => "slow",
            MinerBehaviour::Offline => "offline",
            MinerBehaviour::Flaky => "flaky",
            MinerBehaviour::Copier => "copier",
        }
    }
}

/// localtensor miner neuron: answers signed challenges with work done on GPU mocks.
///
/// Prints one JSON line {"event":"ready",...} on stdout once serving; logs go to stderr. Stops
/// cleanly on SIGTERM or Ctrl-C. Every flag also reads LOCALTENSOR_<FLAG> (e.g.
/// LOCALTENSOR_CHAIN_ENDPOINT).
#[derive(Clone, Debug, Parser)]
#[command(name = "localtensor-miner", version)]
pub struct MinerArgs {
    /// Flags shared with the validator.
    #[command(flatten)]
    pub common: CommonArgs,
    /// How the miner behaves.
    #[arg(long, env = "LOCALTENSOR_BEHAVIOUR", value_enum, default_value_t = MinerBehaviour::Honest)]
    pub behaviour: MinerBehaviour,
    /// Slowdown factor of --behaviour slow (> 1, at most 6 decimals): keeps 1/F of the units.
    #[arg(long, env = "LOCALTENSOR_SLOWDOWN", value_name = "F", default_value = "2", value_parser = parse_slowdown_ppm)]
    pub slowdown: u64,
    /// Failure rate of --behaviour flaky (0 to 1, at most 6 decimals): the seeded fraction of
    /// challenges refused with 503.
    #[arg(long, env = "LOCALTENSOR_FAILURE_RATE", value_name = "R", default_value = "0.5", value_parser = parse_rate_ppm)]
    pub failure_rate: u32,
    /// Hotkey (SS58) of the miner a copier forwards challenges to.
    #[arg(long, env = "LOCALTENSOR_COPY_FROM", value_name = "SS58", value_parser = parse_ss58)]
    pub copy_from: Option<AccountId>,
    /// Base URL of a GPU mock (repeatable; every device of each is used). Without any, the
    /// miner answers no units.
    #[arg(
        long = "gpu",
        env = "LOCALTENSOR_GPU",
        value_name = "URL",
        value_delimiter = ','
    )]
    pub gpus: Vec<String>,
    /// Callers without a validator permit are accepted with at least this alpha stake (rao).
    /// Default: a validator permit is required.
    #[arg(long, env = "LOCALTENSOR_MIN_STAKE", value_name = "RAO")]
    pub min_stake: Option<u64>,
    /// Do not submit serve_axon at start (the axon must already be on chain to be queried).
    #[arg(long, env = "LOCALTENSOR_NO_SERVE_AXON", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub no_serve_axon: bool,
}

/// Runs the miner until `stop` completes (or the chain's block stream ends).
pub async fn run(args: MinerArgs, stop: Stop) -> Result<(), NeuronError> {
    let common = &args.common;
    let name = common.name.clone().unwrap_or_else(|| "miner".to_string());
    let hotkey =
        keypair_from_uri(&common.hotkey_uri).map_err(|e| NeuronError::Key(e.to_string()))?;
    let me = account_id(&hotkey);
    let listener = runtime::bind(common.listen).await?;
    let addr = listener.local_addr().map_err(|error| NeuronError::Listen {
        addr: common.listen.to_string(),
        error,
    })?;
    tracing::info!(%name, endpoint = %common.chain_endpoint, %addr, "connecting to the chain");
    let client = runtime::connect(&common.chain_endpoint).await?;
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| NeuronError::Gpu {
            url: String::new(),
            reason: e.to_string(),
        })?;
    let lanes = discover_lanes(&http, &args.gpus).await?;
    tracing::info!(%name, hotkey = %me, behaviour = args.behaviour.as_str(), lanes = lanes.len(), %addr, "miner starting");

    let progress = Progress::new();
    let state = Arc::new(MinerState::new(
        &args,
        name.clone(),
        me,
        client.clone(),
        lanes,
        http,
        progress.clone(),
    ));
    let server = tokio::spawn({
        let stop = stop.clone();
        let state = state.clone();
        async move {
            axum::serve(listener, router(state))
                .with_graceful_shutdown(stop.stopped())
                .await
        }
    });

    let axon_submitted = if args.behaviour == MinerBehaviour::Offline || args.no_serve_axon {
        false
    } else {
        submit_axon(
            &client,
            &hotkey,
            common.netuid,
            addr,
            &common.chain_endpoint,
        )
        .await
    };

    let mut blocks = client.subscribe_blocks().await?;
    let mut ready = false;
    let result = loop {
        let next = tokio::select! {
            next = blocks.next() => next,
            () = stop.clone().stopped() => break Ok(()),
        };
        match next {
            Some(Ok(block)) => {
                state.observe(block.number);
                progress.mark_done(block.number);
                tracing::debug!(block = block.number, "block done");
                if !ready {
                    ready = true;
                    runtime::print_ready(&serde_json::json!({
                        "event": "ready",
                        "name": name,
                        "http": addr.to_string(),
                        "hotkey": me.to_string(),
                        "axon_submitted": axon_submitted,
                    }))?;
                    tracing::info!(block = block.number, "miner ready");
                }
            }
            Some(Err(e)) => break Err(NeuronError::ChainCall(e)),
            None => break Err(NeuronError::StreamEnded),
        }
    };
    runtime::finish_server(server, result.is_ok()).await;
    result
}

/// The address others reach this host at: the local end of a route towards the chain's host
/// (a UDP "connection" sends nothing). In a container that is the container's address; on a
/// plain host talking to a loopback chain, 127.0.0.1.
fn routed_ip(chain_endpoint: &str) -> Option<IpAddr> {
    let rest = chain_endpoint
        .split_once("://")
        .map_or(chain_endpoint, |(_, r)| r);
    let authority = rest.split('/').next()?;
    let target = std::net::ToSocketAddrs::to_socket_addrs(authority)
        .ok()?
        .find(std::net::SocketAddr::is_ipv4)?;
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect(target).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

/// Submits `serve_axon` for the bound address into the pool; true once the pool accepted it.
/// An unspecified listen address (`0.0.0.0`) is published as the address that routes to the
/// chain.
async fn submit_axon(
    client: &Client,
    hotkey: &localtensor_client::Keypair,
    netuid: u16,
    addr: std::net::SocketAddr,
    chain_endpoint: &str,
) -> bool {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => {
            routed_ip(chain_endpoint).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
        }
        ip => ip,
    };
    let axon = AxonEndpoint {
        ip,
        port: addr.port(),
        version: 1,
        protocol: 4,
    };
    match client
        .submit(hotkey, &Client::serve_axon_call(netuid, axon))
        .await
    {
        Ok(pending) => {
            tracing::info!(%ip, port = addr.port(), "serve_axon submitted");
            let hash = pending.hash();
            tokio::spawn(async move {
                match tokio::time::timeout(
                    std::time::Duration::from_secs(600),
                    pending.wait_finalized(),
                )
                .await
                {
                    Ok(Ok(out)) => tracing::info!(block = out.block_number, "axon served"),
                    Ok(Err(e)) => tracing::error!(error = %e, "serve_axon failed"),
                    Err(_) => {
                        tracing::warn!(tx = %crate::auth::to_hex(&hash), "serve_axon not included after 600 s")
                    }
                }
            });
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "serve_axon refused by the pool");
            false
        }
    }
}
