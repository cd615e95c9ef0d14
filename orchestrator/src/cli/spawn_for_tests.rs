//! `localtensor __spawn-devnet-for-tests`: a hidden subcommand for the runtime's tests. It
//! starts a process devnet with one chain, prints one JSON line describing it, and waits until
//! it is signalled, so that tests can SIGTERM or `kill -9` a real orchestrator. `--runtime docker`
//! runs the chain in a container instead of a process; `--loss N` then drops N % of its packets
//! and `--latency-ms MS` delays them (rules on the host that the teardown or the sweep must
//! remove).

use super::{Outcome, UserError};
use localtensor::runtime::{
    ComponentKind, ComponentSpec, DockerRuntime, ProcessRuntime, Readiness, Runtime,
    ShutdownSignal, install_shutdown_handler,
};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of the hidden test subcommand.
#[derive(Debug, clap::Args)]
pub(crate) struct SpawnArgs {
    /// Root of run directories.
    #[arg(long)]
    root: PathBuf,
    /// The `localtensor-chain` binary.
    #[arg(long)]
    chain: PathBuf,
    /// The runtime: `process` or `docker`.
    #[arg(long, value_enum, default_value_t = RuntimeKind::Process)]
    runtime: RuntimeKind,
    /// Make the chain lossy (percent), once it is ready.
    #[arg(long)]
    loss: Option<f64>,
    /// Delay the chain's packets (ms), once it is ready.
    #[arg(long)]
    latency_ms: Option<u32>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RuntimeKind {
    Process,
    Docker,
}

pub(crate) fn run(args: SpawnArgs) -> Result<Outcome, UserError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::from(anyhow::Error::new(e)))?;
    rt.block_on(spawn(args))
}

async fn spawn(args: SpawnArgs) -> Result<Outcome, UserError> {
    let signal = install_shutdown_handler().map_err(anyhow::Error::new)?;
    let grace = Duration::from_secs(5);
    match args.runtime {
        RuntimeKind::Process => {
            let devnet = ProcessRuntime::builder()
                .with_root(&args.root)
                .with_grace_period(grace)
                .build()
                .map_err(anyhow::Error::new)?;
            let (id, dir) = (devnet.devnet_id(), devnet.run_dir());
            serve(devnet, id, dir, &args, signal).await
        }
        RuntimeKind::Docker => {
            let devnet = DockerRuntime::builder()
                .with_root(&args.root)
                .with_grace_period(grace)
                .build()
                .await
                .map_err(anyhow::Error::new)?;
            let (id, dir) = (devnet.devnet_id(), devnet.run_dir());
            serve(devnet, id, dir, &args, signal).await
        }
    }
}

async fn serve<R: Runtime>(
    mut devnet: R,
    devnet_id: String,
    run_dir: PathBuf,
    args: &SpawnArgs,
    mut signal: ShutdownSignal,
) -> Result<Outcome, UserError> {
    let chain = ComponentSpec::new("chain", ComponentKind::Chain, args.chain.to_string_lossy())
        .with_args(["--dev", "--rpc-host", devnet.listen_host()])
        .with_args(["--rpc-port", "0", "--sealing", "manual"])
        .with_readiness(Readiness::ReadyLine {
            timeout: Duration::from_secs(30),
        });
    let status = devnet.start(chain).await.map_err(anyhow::Error::new)?;
    if let Some(percent) = args.loss {
        devnet
            .add_loss("chain", percent)
            .await
            .map_err(anyhow::Error::new)?;
    }
    if let Some(ms) = args.latency_ms {
        devnet
            .add_latency("chain", ms)
            .await
            .map_err(anyhow::Error::new)?;
    }
    let line = serde_json::json!({
        "event": "ready",
        "devnet_id": devnet_id,
        "run_dir": run_dir,
        "chain_pid": status.process.map(|p| p.pid),
        "rpc": status.endpoints.get("rpc"),
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(anyhow::Error::new)?;
    drop(stdout);
    let code = signal.recv().await.map_or(1, ShutdownSignal::exit_code);
    drop(devnet);
    Err(UserError {
        message: format!("stopped by signal; devnet torn down (exit code {code})"),
        code,
    })
}
