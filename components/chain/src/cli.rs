//! The node's command line: parses flags, starts the node and its JSON-RPC server, prints one
//! JSON "ready" line on stdout once the port is bound, and stops on Ctrl-C or SIGTERM. The
//! `localtensor-chain` binary is this; `localtensor` embeds it too, so one binary can launch a
//! whole devnet.

use crate::genesis::GenesisConfig;
use crate::node::{Node, Sealing};
use anyhow::Context;
use clap::Parser;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};

/// A Bittensor devnet node speaking subtensor's Substrate JSON-RPC interface.
#[derive(Parser, Debug)]
#[command(name = "localtensor-chain", version)]
struct Args {
    /// Run the built-in development chain (dev accounts prefunded, //Alice is sudo); the default.
    #[arg(long, conflicts_with = "chain")]
    dev: bool,
    /// `dev`, or a chain spec JSON file (see the README).
    #[arg(long, value_name = "dev|FILE")]
    chain: Option<std::path::PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    rpc_host: IpAddr,
    /// Port for JSON-RPC over WebSocket and HTTP; 0 lets the OS pick (see the ready line).
    #[arg(long, default_value_t = 9944)]
    rpc_port: u16,
    /// Block production: manual, instant or interval=<ms>.
    #[arg(long, default_value = "instant")]
    sealing: Sealing,
    /// Keep blocks and state in DIR/chain.json: loaded at start if present, written (atomically)
    /// on SIGTERM or Ctrl-C.
    #[arg(long, value_name = "DIR", conflicts_with = "tmp")]
    base_path: Option<std::path::PathBuf>,
    /// Keep nothing on disk (the default; accepted for node-subtensor compatibility).
    #[arg(long)]
    tmp: bool,
    /// Browser origins allowed to call the node: `all`, or a comma-separated list of origins.
    /// Without it no CORS headers are sent.
    #[arg(long, value_name = "all|ORIGINS")]
    rpc_cors: Option<crate::rpc::Cors>,
}

async fn shutdown_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
        _ = term.recv() => {}
    }
    Ok(())
}

/// Runs the node with command-line arguments `args` (the first is the program name), until
/// Ctrl-C or SIGTERM. Bad arguments print clap's message and exit the process with code 2.
pub fn main_with_args<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = Args::parse_from(args);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let _ = (args.dev, args.tmp);
    let genesis = match &args.chain {
        Some(path) if path.as_os_str() != "dev" => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            GenesisConfig::from_spec_json(&text)
                .with_context(|| format!("in {}", path.display()))?
        }
        _ => GenesisConfig::dev().context("building the dev genesis")?,
    };
    let node = Node::new(genesis, args.sealing);
    let chain_file = match &args.base_path {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let file = dir.join("chain.json");
            if file.exists() {
                node.load_from(&file).context("resuming from --base-path")?;
            }
            Some(file)
        }
        None => None,
    };
    let (handle, bound) = crate::rpc::serve_with_cors(
        node.clone(),
        SocketAddr::new(args.rpc_host, args.rpc_port),
        args.rpc_cors.as_ref().unwrap_or(&crate::rpc::Cors::Off),
    )
    .await
    .context("starting the JSON-RPC server")?;
    node.spawn_sealer();
    let genesis_hash = node.chain().genesis_hash().to_hex();
    let ready = serde_json::json!({
        "event": "ready",
        "rpc": bound.to_string(),
        "ws": format!("ws://{bound}"),
        "http": format!("http://{bound}"),
        "genesis": genesis_hash,
        "sealing": args.sealing.to_string(),
        "best": node.chain().best_number(),
        "pid": std::process::id(),
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{ready}").context("writing the ready line")?;
    out.flush().context("flushing stdout")?;
    drop(out);
    shutdown_signal().await?;
    let _ = handle.stop();
    handle.stopped().await;
    if let Some(file) = chain_file {
        node.dump_to(&file)
            .context("saving the chain to --base-path")?;
    }
    Ok(())
}
