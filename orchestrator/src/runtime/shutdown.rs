//! Teardown on SIGINT/SIGTERM of the orchestrator.
//!
//! Every runtime ([`super::ProcessRuntime`], [`super::docker::DockerRuntime`]) registers its
//! devnet here; the handler installed by [`install_shutdown_handler`] tears all of them down
//! when the first signal arrives.

use super::RuntimeError;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// A devnet's shared state, as the signal handler sees it.
pub(crate) trait TearDown: Send + Sync {
    /// Stops every component and releases the devnet's resources. Blocking; idempotent.
    fn teardown_blocking(&self) -> Result<(), RuntimeError>;
}

static LIVE: Mutex<Vec<Weak<dyn TearDown>>> = Mutex::new(Vec::new());

/// Set as soon as a shutdown signal arrives, before the teardown it starts.
static REQUESTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a shutdown signal has arrived. Work that fails while the teardown stops its
/// components can tell an interruption from a real failure with this.
pub fn shutdown_requested() -> bool {
    REQUESTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Registers a devnet for teardown on a shutdown signal.
pub(crate) fn register<T: TearDown + 'static>(shared: &Arc<T>) {
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    live.retain(|w| w.strong_count() > 0);
    let shared: Arc<dyn TearDown> = shared.clone();
    live.push(Arc::downgrade(&shared));
}

/// Tears down every devnet of this process that is still alive. Blocking.
pub(crate) fn teardown_all() {
    let devnets: Vec<Arc<dyn TearDown>> = LIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for devnet in devnets {
        let _ = devnet.teardown_blocking();
    }
}

/// Resolves once a shutdown signal arrived **and** every devnet has been torn down; see
/// [`install_shutdown_handler`].
#[derive(Debug, Clone)]
pub struct ShutdownSignal {
    rx: watch::Receiver<Option<i32>>,
}

impl ShutdownSignal {
    /// Waits for SIGINT or SIGTERM and the teardown that follows; returns the signal number,
    /// or `None` if the handler went away (its tokio runtime shut down).
    pub async fn recv(&mut self) -> Option<i32> {
        self.rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|s| *s)
    }

    /// The conventional exit code for a process ended by `signal`: 128 + its number.
    pub fn exit_code(signal: i32) -> u8 {
        u8::try_from(128 + signal).unwrap_or(u8::MAX)
    }
}

/// Replaces the default action of SIGINT (Ctrl-C) and SIGTERM: on the first of them every
/// devnet of this process is torn down (components stopped, run directories removed unless
/// logs are kept), then the returned [`ShutdownSignal`] resolves so that the caller can exit
/// (with [`ShutdownSignal::exit_code`]). Must be called inside a tokio runtime.
pub fn install_shutdown_handler() -> Result<ShutdownSignal, RuntimeError> {
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|e| RuntimeError::SignalHandler(e.to_string()))?;
    let _guard = handle.enter();
    let listen = |kind| signal(kind).map_err(|e| RuntimeError::SignalHandler(e.to_string()));
    let mut term = listen(SignalKind::terminate())?;
    let mut interrupt = listen(SignalKind::interrupt())?;
    let (tx, rx) = watch::channel(None);
    handle.spawn(async move {
        let signal = tokio::select! {
            _ = term.recv() => libc_signal(nix::sys::signal::Signal::SIGTERM),
            _ = interrupt.recv() => libc_signal(nix::sys::signal::Signal::SIGINT),
        };
        REQUESTED.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = tokio::task::spawn_blocking(teardown_all).await;
        let _ = tx.send(Some(signal));
    });
    Ok(ShutdownSignal { rx })
}

fn libc_signal(signal: nix::sys::signal::Signal) -> i32 {
    signal as i32
}
