//! Process plumbing both neurons share: logging, signals, the ready line, connecting to the
//! chain, serving HTTP.

use std::future::Future;
use std::io::Write as _;
use std::time::Duration;

use localtensor_client::Client;

use crate::NeuronError;
use crate::cli::LogFormat;

/// How long connecting to the chain may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Installs the tracing subscriber: logs on stderr, text or JSON, filtered by `RUST_LOG`
/// (default `info`). A second call keeps the first subscriber.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Registers SIGTERM and SIGINT handlers now and returns a future that completes on either.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received, stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT received, stopping"),
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Writes the one ready line on stdout and flushes it.
pub fn print_ready(line: &serde_json::Value) -> Result<(), NeuronError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").map_err(NeuronError::Stdout)?;
    stdout.flush().map_err(NeuronError::Stdout)
}

/// Connects to the chain, giving up after [`CONNECT_TIMEOUT`].
pub async fn connect(endpoint: &str) -> Result<Client, NeuronError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, Client::connect(endpoint)).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(error)) => Err(NeuronError::Chain {
            endpoint: endpoint.to_string(),
            error,
        }),
        Err(_) => Err(NeuronError::ChainTimeout {
            endpoint: endpoint.to_string(),
            seconds: CONNECT_TIMEOUT.as_secs(),
        }),
    }
}

/// Binds `addr` for HTTP.
pub async fn bind(addr: std::net::SocketAddr) -> Result<tokio::net::TcpListener, NeuronError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| NeuronError::Listen {
            addr: addr.to_string(),
            error,
        })
}

/// A one-shot stop signal shared by a neuron's tasks.
#[derive(Clone, Debug)]
pub struct Stop {
    rx: tokio::sync::watch::Receiver<bool>,
}

/// The sending side of [`Stop`].
#[derive(Debug)]
pub struct StopHandle {
    tx: tokio::sync::watch::Sender<bool>,
}

/// A stop signal and its handle.
pub fn stop_pair() -> (StopHandle, Stop) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    (StopHandle { tx }, Stop { rx })
}

impl StopHandle {
    /// Asks every holder of the [`Stop`] to stop.
    pub fn stop(&self) {
        let _ = self.tx.send(true);
    }
}

impl Stop {
    /// Completes once stop was requested (or the handle was dropped).
    pub async fn stopped(mut self) {
        let _ = self.rx.wait_for(|v| *v).await;
    }
}

/// How long a stopping neuron lets in-flight HTTP requests finish.
pub const SERVER_GRACE: Duration = Duration::from_secs(5);

/// Waits for the HTTP server task: after a requested stop (`graceful`) it finishes in-flight
/// requests for up to [`SERVER_GRACE`]; otherwise (the chain went away) it is aborted.
pub async fn finish_server<T>(server: tokio::task::JoinHandle<T>, graceful: bool) {
    if graceful {
        let abort = server.abort_handle();
        if tokio::time::timeout(SERVER_GRACE, server).await.is_err() {
            abort.abort();
        }
    } else {
        server.abort();
        let _ = server.await;
    }
}
