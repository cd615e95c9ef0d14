//! Runtimes: how a devnet's components (chain, GPU mocks, miners, validators, arbitrary
//! commands) are started, watched and stopped.
//!
//! [`Runtime`] is the interface; [`ProcessRuntime`] runs components as local processes (the
//! default), [`DockerRuntime`] runs them as Docker containers. Every runtime gives each devnet a
//! run directory with one log file per component and a `manifest.json`, waits for readiness with
//! timeouts (never by sleeping), reports the last lines of a component's log when it fails, and
//! cleans up after itself: on drop, on SIGINT/SIGTERM ([`install_shutdown_handler`]) and, after
//! a crash, at the next start ([`sweep_leftovers`]).

mod child;
pub mod docker;
mod error;
pub mod manifest;
mod process;
pub mod procfs;
mod readiness;
pub mod run_dir;
mod shutdown;
mod sweep;

pub use docker::{DockerError, DockerRuntime, DockerRuntimeBuilder, sweep_docker_leftovers};
pub use error::RuntimeError;
pub use manifest::{ComponentRecord, ContainerRecord, Manifest, ProcessId};
pub use process::{ProcessRuntime, ProcessRuntimeBuilder};
pub use run_dir::default_root;
pub use shutdown::{ShutdownSignal, install_shutdown_handler, shutdown_requested};
pub use sweep::{SweepReport, sweep_leftovers};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

/// How many log lines errors carry.
pub const LOG_TAIL_LINES: usize = 20;

/// What a component is (for logs, manifests and later for the Docker image to use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// The devnet chain node.
    Chain,
    /// A GPU mock service.
    GpuMock,
    /// A miner neuron.
    Miner,
    /// A validator neuron.
    Validator,
    /// Any other command from the topology.
    Command,
}

/// When a started component counts as ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// As soon as the process is started.
    None,
    /// When it prints a JSON object with `"event":"ready"` on one line (the chain's and the GPU
    /// mock's ready line on stdout; the process runtime reads stdout and stderr through one pipe
    /// to keep the log in order, so the line is recognised on either). String fields that look
    /// like addresses or URLs become the component's endpoints.
    ReadyLine {
        /// How long to wait for the line.
        timeout: Duration,
    },
    /// When `GET url` answers with a 2xx status (plain `http://host:port/path` only).
    Http {
        /// The health URL.
        url: String,
        /// How long to keep trying.
        timeout: Duration,
    },
}

/// Everything needed to start one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSpec {
    /// Unique within the devnet; also its log file's name.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
    /// The program to execute (a path, or a name looked up in `PATH`).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables (the orchestrator's environment is inherited).
    pub env: Vec<(String, String)>,
    /// When it counts as ready.
    pub readiness: Readiness,
}

impl ComponentSpec {
    /// A component without arguments, extra environment or readiness check.
    pub fn new(name: impl Into<String>, kind: ComponentKind, program: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            readiness: Readiness::None,
        }
    }

    /// Appends arguments.
    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the readiness check.
    pub fn with_readiness(mut self, readiness: Readiness) -> Self {
        self.readiness = readiness;
        self
    }
}

/// The lifecycle state of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentState {
    /// Started, not yet ready.
    Starting,
    /// Ready and running.
    Running,
    /// Stopped with SIGSTOP (see [`Runtime::pause`]).
    Paused,
    /// Stopped or killed by the orchestrator.
    Stopped,
    /// Exited on its own after it was ready.
    Exited,
    /// Exited before it was ready, or did not become ready in time.
    Failed,
}

impl std::fmt::Display for ComponentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Starting => "starting",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
            Self::Exited => "exited",
            Self::Failed => "failed",
        })
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitInfo {
    /// Its exit code, if it exited normally.
    pub code: Option<i32>,
    /// The signal that killed it, if any.
    pub signal: Option<i32>,
}

impl std::fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit code {code}"),
            (None, Some(signal)) => write!(f, "killed by signal {signal}"),
            (None, None) => f.write_str("unknown exit status"),
        }
    }
}

/// What the runtime knows about one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentStatus {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
    /// Its state now.
    pub state: ComponentState,
    /// Its current or last process.
    pub process: Option<ProcessId>,
    /// Endpoints from its ready line (`rpc`, `ws`, `http`, ...).
    pub endpoints: BTreeMap<String, String>,
    /// The whole ready line, if it printed one.
    pub ready_line: Option<serde_json::Value>,
    /// Its log file.
    pub log: PathBuf,
    /// How its last process ended, once it has.
    pub exit: Option<ExitInfo>,
}

/// A way of running a devnet's components: local processes, Docker containers, ...
///
/// Operations act on one component by name, except [`Runtime::teardown`]. Stopping sends
/// SIGTERM (or the runtime's equivalent) and kills after a grace period.
pub trait Runtime {
    /// The host components should bind (`--rpc-host`, `--listen`): `127.0.0.1` for local
    /// processes, `0.0.0.0` in a container (which is reached at its own address).
    fn listen_host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The devnet's run directory (logs, manifest).
    fn run_dir_path(&self) -> PathBuf;

    /// Starts a component and waits until it is ready. On failure nothing of it keeps running
    /// and the error carries the last lines of its log.
    fn start(
        &mut self,
        spec: ComponentSpec,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Stops a component: SIGTERM, then SIGKILL after the grace period.
    fn stop(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Kills a component at once (SIGKILL).
    fn kill(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Freezes a component (SIGSTOP to its whole process group).
    fn pause(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Resumes a paused component (SIGCONT).
    fn resume(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Stops a component if it runs, then starts it again from the same spec and waits for
    /// readiness. Endpoints may change (ports are picked by the component).
    fn restart(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Cuts a component off the devnet's network while it keeps running: nobody (the
    /// orchestrator included) reaches it and it reaches nobody. Runtimes that cannot (local
    /// processes share the host's loopback) return [`RuntimeError::Unsupported`].
    fn partition(&mut self, name: &str) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let error = no_partitions(self.kind(), name);
        async move { Err(error) }
    }

    /// Undoes [`Runtime::partition`], [`Runtime::add_loss`] and [`Runtime::add_latency`],
    /// whichever are in effect: the component is reachable again at its old address, without
    /// loss or delay.
    fn heal(&mut self, name: &str) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let error = no_partitions(self.kind(), name);
        async move { Err(error) }
    }

    /// Drops `percent` % (greater than 0, at most 100) of the packets a component exchanges
    /// with the other components, at random, until [`Runtime::heal`]. TCP resends what is lost,
    /// so connections slow down rather than break (at 100 %, they stall). Runtimes that cannot
    /// return [`RuntimeError::Unsupported`].
    fn add_loss(
        &mut self,
        name: &str,
        percent: f64,
    ) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let _ = percent;
        let error = no_partitions(self.kind(), name);
        async move { Err(error) }
    }

    /// Adds `delay_ms` of latency to every packet a component exchanges with the other
    /// components, each way, until [`Runtime::heal`]. Runtimes that cannot return
    /// [`RuntimeError::Unsupported`].
    fn add_latency(
        &mut self,
        name: &str,
        delay_ms: u32,
    ) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let _ = delay_ms;
        let error = no_partitions(self.kind(), name);
        async move { Err(error) }
    }

    /// Why [`Runtime::add_loss`] and [`Runtime::add_latency`] cannot work here, if they cannot
    /// (a devnet whose topology schedules them asks before anything starts).
    fn link_faults_unavailable(&self) -> impl Future<Output = Option<String>> + Send {
        let reason = format!(
            "the {} runtime cannot drop or delay a component's packets; use the Docker runtime",
            self.kind()
        );
        async move { Some(reason) }
    }

    /// Whether the host can carry `peers` (component, peer) pairs over the network: with one
    /// address per component, each pair holds a neighbour (ARP) entry, and the kernel's table
    /// is shared by every network namespace. Checked before anything starts.
    fn check_network_capacity(&self, peers: u64) -> Result<(), RuntimeError> {
        let _ = peers;
        Ok(())
    }

    /// Whether [`Runtime::partition`], [`Runtime::add_loss`], [`Runtime::add_latency`] and
    /// [`Runtime::heal`] work on this runtime.
    fn can_partition(&self) -> bool {
        false
    }

    /// The runtime's name in messages: `process`, `docker`.
    fn kind(&self) -> &'static str;

    /// Every component's status, in start order.
    fn statuses(&self) -> Vec<ComponentStatus>;

    /// The current status of one component.
    fn status(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<ComponentStatus, RuntimeError>> + Send;

    /// Stops every component (in reverse start order) and releases the devnet's resources.
    fn teardown(&mut self) -> impl Future<Output = Result<(), RuntimeError>> + Send;
}

/// What the network faults ([`Runtime::partition`], [`Runtime::add_loss`],
/// [`Runtime::add_latency`], [`Runtime::heal`]) answer on a runtime that cannot cut or degrade
/// the network.
fn no_partitions(runtime: &'static str, name: &str) -> RuntimeError {
    RuntimeError::Unsupported {
        runtime,
        what: "network faults",
        name: name.to_owned(),
    }
}

/// The default time between SIGTERM and SIGKILL.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);
