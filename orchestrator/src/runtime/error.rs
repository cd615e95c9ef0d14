//! The runtime's typed error.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while starting, supervising or tearing down components.
///
/// Errors about a component that failed to start or exited carry the last lines of its log, so
/// the message alone tells the user why it died.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A devnet id or component name that cannot be used as a file name.
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidName {
        /// What was named ("devnet id", "component name").
        what: &'static str,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A filesystem operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was attempted ("create the run directory", ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The run directory of this devnet id already exists.
    #[error("run directory {} already exists (is devnet `{id}` already running?)", path.display())]
    RunDirExists {
        /// The devnet id.
        id: String,
        /// The existing directory.
        path: PathBuf,
    },
    /// A manifest could not be encoded or decoded.
    #[error("manifest {}: {source}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A component with this name is already running.
    #[error("component `{0}` is already running")]
    AlreadyRunning(String),
    /// No component with this name was started on this devnet.
    #[error("no component named `{0}` in this devnet")]
    UnknownComponent(String),
    /// The operation needs a live process but the component is not running.
    #[error("component `{name}` is not running (it is {state})")]
    NotRunning {
        /// The component.
        name: String,
        /// Its current state.
        state: String,
    },
    /// The program could not be executed at all.
    #[error("cannot start component `{name}` ({program}): {source}")]
    Spawn {
        /// The component.
        name: String,
        /// The program that was executed.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The component exited before it became ready.
    #[error(
        "component `{name}` exited ({status}) before it was ready; {}",
        tail_text(log, log_tail)
    )]
    ExitedBeforeReady {
        /// The component.
        name: String,
        /// How it exited ("exit code 1", "signal 9").
        status: String,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        log_tail: Vec<String>,
    },
    /// The component exited on its own while the devnet ran.
    #[error(
        "component `{name}` exited ({status}) during the run; {}",
        tail_text(log, log_tail)
    )]
    ExitedDuringRun {
        /// The component.
        name: String,
        /// How it exited ("exit code 1", "killed by signal 9").
        status: String,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        log_tail: Vec<String>,
    },
    /// The component did not become ready in time; it has been killed.
    #[error(
        "component `{name}` was not ready after {timeout:?} ({waiting_for}); it was killed; {}",
        tail_text(log, log_tail)
    )]
    ReadinessTimeout {
        /// The component.
        name: String,
        /// The readiness timeout.
        timeout: Duration,
        /// What readiness was waiting for.
        waiting_for: String,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        log_tail: Vec<String>,
    },
    /// The readiness settings themselves are unusable (for example a malformed health URL).
    #[error("component `{name}`: invalid readiness check: {reason}")]
    InvalidReadiness {
        /// The component.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Sending a signal to a component's process group failed.
    #[error("cannot send {signal} to component `{name}` (pid {pid}): {source}")]
    Signal {
        /// The component.
        name: String,
        /// The process (group leader) id.
        pid: i32,
        /// The signal name.
        signal: &'static str,
        /// The OS error.
        source: nix::Error,
    },
    /// The component did not exit even after SIGKILL.
    #[error("component `{name}` (pid {pid}) did not exit after SIGKILL")]
    Unkillable {
        /// The component.
        name: String,
        /// The process id.
        pid: i32,
    },
    /// Installing the SIGINT/SIGTERM handler failed (for example outside a tokio runtime).
    #[error("cannot install the shutdown signal handler: {0}")]
    SignalHandler(String),
    /// The Docker engine, an image build or a network fault failed.
    #[error(transparent)]
    Docker(#[from] super::docker::DockerError),
    /// The runtime cannot do this to a component.
    #[error("the {runtime} runtime cannot apply {what} (to `{name}`); use the Docker runtime")]
    Unsupported {
        /// The runtime (`process`).
        runtime: &'static str,
        /// What was asked (`network faults`).
        what: &'static str,
        /// The component.
        name: String,
    },
    /// The devnet has been torn down; no more components can be started.
    #[error("devnet `{0}` has been torn down")]
    TornDown(String),
}

/// Renders "last N lines of PATH:" followed by the indented lines (or "its log is empty").
fn tail_text(log: &std::path::Path, tail: &[String]) -> String {
    if tail.is_empty() {
        return format!("its log {} is empty", log.display());
    }
    let mut text = format!("last {} lines of {}:", tail.len(), log.display());
    for line in tail {
        text.push_str("\n  | ");
        text.push_str(line);
    }
    text
}
