//! The GPU mock's command line: serves a deterministic mock GPU over HTTP. The
//! `localtensor-gpu-mock` binary is this; `localtensor` embeds it too.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::{GpuMock, MockConfig, builtin_profiles, http};
use anyhow::Context as _;
use clap::{Parser, ValueEnum};

/// Deterministic mock GPU service for localtensor devnets.
///
/// Prints one JSON line `{"event":"ready","http":"ADDR",...}` on stdout once listening; logs go
/// to stderr. Stops cleanly on SIGTERM or Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "localtensor-gpu-mock", version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port; the ready line reports it).
    #[arg(
        long,
        env = "LOCALTENSOR_GPU_MOCK_LISTEN",
        default_value = "127.0.0.1:0"
    )]
    listen: SocketAddr,
    /// Configuration file (.yaml, .yml or .json) with devices, custom profiles and faults.
    #[arg(long, env = "LOCALTENSOR_GPU_MOCK_CONFIG", conflicts_with_all = ["profile", "count"])]
    config: Option<PathBuf>,
    /// The configuration itself, as JSON (what a config file would hold); for launchers that
    /// cannot share files with the mock, such as containers.
    #[arg(long, env = "LOCALTENSOR_GPU_MOCK_CONFIG_JSON", value_name = "JSON", conflicts_with_all = ["config", "profile", "count"])]
    config_json: Option<String>,
    /// Built-in profile of every device when no config file is given.
    #[arg(
        long,
        env = "LOCALTENSOR_GPU_MOCK_PROFILE",
        default_value = "H100-80GB"
    )]
    profile: String,
    /// Number of devices when no config file is given.
    #[arg(long, env = "LOCALTENSOR_GPU_MOCK_COUNT", default_value_t = 1)]
    count: u32,
    /// Seed from which device seeds derive (overrides the config file's seed).
    #[arg(long, env = "LOCALTENSOR_GPU_MOCK_SEED")]
    seed: Option<u64>,
    /// Log format on stderr.
    #[arg(long, env = "LOCALTENSOR_GPU_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Print the built-in profiles as JSON and exit.
    #[arg(long)]
    list_profiles: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Runs the GPU mock with command-line arguments `args` (the first is the program name) until
/// SIGTERM or Ctrl-C. Bad arguments print clap's message and exit the process with code 2.
pub fn main_with_args<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = Args::parse_from(args);
    if args.list_profiles {
        let profiles = serde_json::to_string_pretty(&builtin_profiles())?;
        println!("{profiles}");
        return Ok(());
    }
    init_logging(args.log_format);
    let mut config = match (&args.config, &args.config_json) {
        (Some(path), _) => MockConfig::load(path)?,
        (None, Some(json)) => MockConfig::from_json_str(json).context("invalid --config-json")?,
        (None, None) => MockConfig::uniform(&args.profile, args.count, 0),
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let mock = Arc::new(GpuMock::new(&config).context("invalid GPU mock configuration")?);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run(args.listen, mock))
}

async fn run(listen: SocketAddr, mock: Arc<GpuMock>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let shutdown = shutdown_signal()?;
    let ready = serde_json::json!({
        "event": "ready",
        "http": addr.to_string(),
        "devices": mock.device_count(),
    });
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{ready}").context("cannot write the ready line")?;
        stdout.flush().context("cannot flush stdout")?;
    }
    tracing::info!(%addr, devices = mock.device_count(), "gpu mock listening");
    http::serve(listener, mock, shutdown)
        .await
        .context("HTTP server failed")?;
    tracing::info!("gpu mock stopped");
    Ok(())
}

/// Registers the SIGTERM and SIGINT handlers now (so a signal that arrives right after the
/// ready line is already handled) and returns a future that completes on either.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received, stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT received, stopping"),
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation can only fail if a subscriber is already set: keep that one.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
