//! [`ProcessRuntime`]: components as local child processes.

use super::child::{self, ChildProcess, KILL_WAIT, Launch};
use super::manifest::{ComponentRecord, MANIFEST_VERSION, Manifest, ProcessId};
use super::readiness::{self, NotReady};
use super::run_dir::{self, RunDir, log_tail};
use super::{
    ComponentSpec, ComponentState, ComponentStatus, DEFAULT_GRACE, ExitInfo, LOG_TAIL_LINES,
    Runtime, RuntimeError, procfs, shutdown,
};
use nix::sys::signal::Signal;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Options for a [`ProcessRuntime`]; see [`ProcessRuntime::builder`].
#[derive(Debug, Clone)]
pub struct ProcessRuntimeBuilder {
    root: Option<PathBuf>,
    devnet_id: Option<String>,
    topology_hash: Option<String>,
    keep_logs: bool,
    grace: Duration,
}

impl ProcessRuntimeBuilder {
    /// The directory holding run directories (default: [`super::default_root`]).
    pub fn with_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// The devnet id, also the run directory's name (default: a fresh unique id).
    pub fn with_devnet_id(mut self, id: impl Into<String>) -> Self {
        self.devnet_id = Some(id.into());
        self
    }

    /// The topology hash recorded in the manifest.
    pub fn with_topology_hash(mut self, hash: impl Into<String>) -> Self {
        self.topology_hash = Some(hash.into());
        self
    }

    /// Keep the run directory (logs and manifest) after teardown (default: remove it).
    pub fn with_keep_logs(mut self, keep: bool) -> Self {
        self.keep_logs = keep;
        self
    }

    /// Time between SIGTERM and SIGKILL when stopping (default 5 s).
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Creates the run directory, writes the first manifest and registers the devnet for
    /// teardown by [`super::install_shutdown_handler`].
    pub fn build(self) -> Result<ProcessRuntime, RuntimeError> {
        let root = self.root.unwrap_or_else(run_dir::default_root);
        let (id, dir) = match self.devnet_id {
            Some(id) => {
                let dir = RunDir::create(&root, &id)?;
                (id, dir)
            }
            None => loop {
                let id = run_dir::generate_id();
                match RunDir::create(&root, &id) {
                    Ok(dir) => break (id, dir),
                    Err(RuntimeError::RunDirExists { .. }) => continue,
                    Err(e) => return Err(e),
                }
            },
        };
        let state = DevnetState {
            id,
            run_dir: dir,
            orchestrator: ProcessId {
                pid: i32::try_from(std::process::id()).unwrap_or(i32::MAX),
                start_time: procfs::own_start_time(),
            },
            topology_hash: self.topology_hash,
            keep_logs: self.keep_logs,
            grace: self.grace,
            torn_down: false,
            components: Vec::new(),
        };
        if let Err(e) = state.write_manifest() {
            let _ = std::fs::remove_dir_all(state.run_dir.path());
            return Err(e);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
        });
        shutdown::register(&shared);
        Ok(ProcessRuntime { shared })
    }
}

/// Runs a devnet's components as local processes.
///
/// Each component leads its own process group, dies with the orchestrator (`PR_SET_PDEATHSIG`)
/// and writes stdout and stderr to `<run dir>/logs/<name>.log`. Dropping the runtime stops every
/// component (SIGTERM, SIGKILL after the grace period) and removes the run directory unless
/// logs are kept. Dropping blocks the thread for up to the grace period; in async code prefer
/// [`Runtime::teardown`], after which the drop has nothing left to do.
#[derive(Debug)]
pub struct ProcessRuntime {
    shared: Arc<Shared>,
}

/// The devnet state, shared with the shutdown signal handler.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<DevnetState>,
}

impl crate::runtime::shutdown::TearDown for Shared {
    fn teardown_blocking(&self) -> Result<(), RuntimeError> {
        Shared::teardown_blocking(self)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, DevnetState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops everything and removes the run directory (unless kept). Blocking; idempotent.
    pub(crate) fn teardown_blocking(&self) -> Result<(), RuntimeError> {
        self.lock().teardown_blocking()
    }
}

#[derive(Debug)]
struct DevnetState {
    id: String,
    run_dir: RunDir,
    orchestrator: ProcessId,
    topology_hash: Option<String>,
    keep_logs: bool,
    grace: Duration,
    torn_down: bool,
    components: Vec<Component>,
}

struct Component {
    spec: ComponentSpec,
    process: Option<Arc<ChildProcess>>,
    state: ComponentState,
    endpoints: BTreeMap<String, String>,
    ready_line: Option<serde_json::Value>,
    log: PathBuf,
    exit: Option<ExitInfo>,
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Component")
            .field("name", &self.spec.name)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Component {
    /// Notices an exit that happened since the last look.
    fn refresh(&mut self) {
        if let Some(process) = &self.process
            && let Some(exit) = process.exit_info()
        {
            self.exit = Some(exit);
            if matches!(
                self.state,
                ComponentState::Running | ComponentState::Paused | ComponentState::Starting
            ) {
                self.state = ComponentState::Exited;
            }
        }
    }

    fn live_process(&self) -> Option<&Arc<ChildProcess>> {
        self.process.as_ref().filter(|p| p.exit_info().is_none())
    }

    fn process_id(&self) -> Option<ProcessId> {
        self.process.as_ref().map(|p| ProcessId {
            pid: p.pid,
            start_time: p.start_time,
        })
    }

    fn status(&self) -> ComponentStatus {
        ComponentStatus {
            name: self.spec.name.clone(),
            kind: self.spec.kind,
            state: self.state,
            process: self.process_id(),
            endpoints: self.endpoints.clone(),
            ready_line: self.ready_line.clone(),
            log: self.log.clone(),
            exit: self.exit,
        }
    }
}

impl DevnetState {
    fn manifest(&self) -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            devnet_id: self.id.clone(),
            orchestrator: self.orchestrator,
            topology_hash: self.topology_hash.clone(),
            run_dir: self.run_dir.path().to_owned(),
            components: self
                .components
                .iter()
                .map(|c| ComponentRecord {
                    name: c.spec.name.clone(),
                    kind: c.spec.kind,
                    process: c.process_id(),
                    endpoints: c.endpoints.clone(),
                    log: c.log.clone(),
                    state: c.state,
                    container: None,
                })
                .collect(),
        }
    }

    fn write_manifest(&self) -> Result<(), RuntimeError> {
        self.manifest().write_atomic(&self.run_dir.manifest_path())
    }

    fn component(&mut self, name: &str) -> Result<&mut Component, RuntimeError> {
        let component = self
            .components
            .iter_mut()
            .find(|c| c.spec.name == name)
            .ok_or_else(|| RuntimeError::UnknownComponent(name.to_owned()))?;
        component.refresh();
        Ok(component)
    }

    fn teardown_blocking(&mut self) -> Result<(), RuntimeError> {
        if self.torn_down {
            return Ok(());
        }
        self.torn_down = true;
        let live: Vec<Arc<ChildProcess>> = self
            .components
            .iter()
            .rev()
            .filter_map(|c| c.live_process().cloned())
            .collect();
        if self.grace > Duration::ZERO {
            for p in &live {
                let _ = p.signal(Signal::SIGTERM);
                let _ = p.signal(Signal::SIGCONT);
            }
            child::wait_all_blocking(&live, Instant::now() + self.grace);
        }
        for p in &live {
            let _ = p.signal(Signal::SIGKILL);
        }
        child::wait_all_blocking(&live, Instant::now() + KILL_WAIT);
        // Grandchildren that left their group (or outlived its leader) still carry the marker.
        for pid in procfs::processes_of_devnet(&self.id) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
        }
        for c in &mut self.components {
            let was_live = c
                .process
                .as_ref()
                .is_some_and(|q| live.iter().any(|p| Arc::ptr_eq(p, q)));
            c.refresh();
            if was_live {
                c.state = ComponentState::Stopped;
            }
        }
        if self.keep_logs {
            self.write_manifest()
        } else {
            std::fs::remove_dir_all(self.run_dir.path()).map_err(|source| RuntimeError::Io {
                action: "remove the run directory",
                path: self.run_dir.path().to_owned(),
                source,
            })
        }
    }
}

impl ProcessRuntime {
    /// Options with their defaults.
    pub fn builder() -> ProcessRuntimeBuilder {
        ProcessRuntimeBuilder {
            root: None,
            devnet_id: None,
            topology_hash: None,
            keep_logs: false,
            grace: DEFAULT_GRACE,
        }
    }

    fn lock(&self) -> MutexGuard<'_, DevnetState> {
        self.shared.lock()
    }

    /// The devnet id.
    pub fn devnet_id(&self) -> String {
        self.lock().id.clone()
    }

    /// The run directory.
    pub fn run_dir(&self) -> PathBuf {
        self.lock().run_dir.path().to_owned()
    }

    /// The manifest file.
    pub fn manifest_path(&self) -> PathBuf {
        self.lock().run_dir.manifest_path()
    }

    /// The manifest as it is now (also on disk).
    pub fn manifest(&self) -> Manifest {
        self.lock().manifest()
    }

    /// Whether teardown keeps the run directory; set it when a test fails, for example.
    pub fn set_keep_logs(&self, keep: bool) {
        self.lock().keep_logs = keep;
    }

    /// Launches `spec` (known not to be running) and waits for readiness.
    async fn launch(&mut self, spec: ComponentSpec) -> Result<ComponentStatus, RuntimeError> {
        let launch = {
            let state = self.lock();
            if state.torn_down {
                return Err(RuntimeError::TornDown(state.id.clone()));
            }
            Launch {
                name: spec.name.clone(),
                program: spec.program.clone(),
                args: spec.args.clone(),
                env: spec.env.clone(),
                devnet_id: state.id.clone(),
                log: state.run_dir.log_path(&spec.name),
            }
        };
        let log = launch.log.clone();
        let spawned = child::spawn(launch).await;
        let child::Spawned {
            process,
            output_lines: mut stdout_lines,
        } = {
            let mut state = self.lock();
            if state.torn_down {
                // Torn down (by a signal) while the process was being started.
                if let Ok(spawned) = &spawned {
                    let _ = spawned.process.signal(Signal::SIGKILL);
                }
                return Err(RuntimeError::TornDown(state.id.clone()));
            }
            let record = Component {
                spec: spec.clone(),
                process: None,
                state: ComponentState::Failed,
                endpoints: BTreeMap::new(),
                ready_line: None,
                log: log.clone(),
                exit: None,
            };
            let index = match state
                .components
                .iter()
                .position(|c| c.spec.name == spec.name)
            {
                Some(i) => {
                    state.components[i] = record;
                    i
                }
                None => {
                    state.components.push(record);
                    state.components.len() - 1
                }
            };
            match spawned {
                Ok(spawned) => {
                    let c = &mut state.components[index];
                    c.process = Some(Arc::clone(&spawned.process));
                    c.state = ComponentState::Starting;
                    state.write_manifest()?;
                    spawned
                }
                Err(e) => {
                    state.write_manifest()?;
                    return Err(e);
                }
            }
        };

        let outcome = readiness::wait_ready(&spec.readiness, &process, &mut stdout_lines).await;
        drop(stdout_lines); // from now on the output only goes to the log
        match outcome {
            Ok(ready) => {
                let mut state = self.lock();
                let c = state.component(&spec.name)?;
                if c.state == ComponentState::Starting {
                    c.state = ComponentState::Running;
                }
                c.endpoints = ready.endpoints;
                c.ready_line = ready.line;
                let status = c.status();
                state.write_manifest()?;
                Ok(status)
            }
            Err(not_ready) => {
                let exit = process.terminate(Duration::ZERO).await;
                let flushed = Arc::clone(&process);
                let _ = tokio::task::spawn_blocking(move || {
                    flushed.wait_log_flushed_blocking(Duration::from_millis(500));
                })
                .await;
                let log_tail = log_tail(&log, LOG_TAIL_LINES);
                {
                    let mut state = self.lock();
                    let c = state.component(&spec.name)?;
                    c.state = ComponentState::Failed;
                    c.exit = exit;
                    state.write_manifest()?;
                }
                Err(match not_ready {
                    NotReady::Exited(info) => RuntimeError::ExitedBeforeReady {
                        name: spec.name,
                        status: info.to_string(),
                        log,
                        log_tail,
                    },
                    NotReady::Timeout(timeout, waiting_for) => RuntimeError::ReadinessTimeout {
                        name: spec.name,
                        timeout,
                        waiting_for,
                        log,
                        log_tail,
                    },
                    NotReady::Invalid(reason) => RuntimeError::InvalidReadiness {
                        name: spec.name,
                        reason,
                    },
                })
            }
        }
    }

    /// Ends a component's process with the given grace period and records `Stopped`.
    async fn end(&mut self, name: &str, grace: Duration) -> Result<ComponentStatus, RuntimeError> {
        let process = {
            let mut state = self.lock();
            let c = state.component(name)?;
            match c.live_process() {
                Some(p) => Arc::clone(p),
                None => return Ok(c.status()),
            }
        };
        let exit = process.terminate(grace).await;
        let Some(exit) = exit else {
            return Err(RuntimeError::Unkillable {
                name: name.to_owned(),
                pid: process.pid,
            });
        };
        let mut state = self.lock();
        let c = state.component(name)?;
        c.state = ComponentState::Stopped;
        c.exit = Some(exit);
        let status = c.status();
        state.write_manifest()?;
        Ok(status)
    }

    /// Sends SIGSTOP or SIGCONT, requiring the state `from` and recording `to`.
    fn freeze(
        &mut self,
        name: &str,
        signal: Signal,
        from: ComponentState,
        to: ComponentState,
    ) -> Result<ComponentStatus, RuntimeError> {
        let mut state = self.lock();
        let c = state.component(name)?;
        if c.state == to {
            return Ok(c.status());
        }
        let process = match c.live_process() {
            Some(p) if c.state == from => Arc::clone(p),
            _ => {
                return Err(RuntimeError::NotRunning {
                    name: name.to_owned(),
                    state: c.state.to_string(),
                });
            }
        };
        process
            .signal(signal)
            .map_err(|source| RuntimeError::Signal {
                name: name.to_owned(),
                pid: process.pid,
                signal: signal.as_str(),
                source,
            })?;
        c.state = to;
        let status = c.status();
        state.write_manifest()?;
        Ok(status)
    }

    fn grace(&self) -> Duration {
        self.lock().grace
    }
}

impl Runtime for ProcessRuntime {
    fn kind(&self) -> &'static str {
        "process"
    }

    fn statuses(&self) -> Vec<ComponentStatus> {
        let mut state = self.lock();
        state
            .components
            .iter_mut()
            .map(|c| {
                c.refresh();
                c.status()
            })
            .collect()
    }

    fn run_dir_path(&self) -> PathBuf {
        self.run_dir()
    }

    async fn start(&mut self, spec: ComponentSpec) -> Result<ComponentStatus, RuntimeError> {
        run_dir::validate_name("component name", &spec.name)?;
        {
            let mut state = self.lock();
            if let Ok(c) = state.component(&spec.name)
                && c.live_process().is_some()
            {
                return Err(RuntimeError::AlreadyRunning(spec.name));
            }
        }
        self.launch(spec).await
    }

    async fn stop(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        let grace = self.grace();
        self.end(name, grace).await
    }

    async fn kill(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        self.end(name, Duration::ZERO).await
    }

    async fn pause(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        self.freeze(
            name,
            Signal::SIGSTOP,
            ComponentState::Running,
            ComponentState::Paused,
        )
    }

    async fn resume(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        self.freeze(
            name,
            Signal::SIGCONT,
            ComponentState::Paused,
            ComponentState::Running,
        )
    }

    async fn restart(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        self.stop(name).await?;
        let spec = self.lock().component(name)?.spec.clone();
        self.launch(spec).await
    }

    async fn status(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        Ok(self.lock().component(name)?.status())
    }

    async fn teardown(&mut self) -> Result<(), RuntimeError> {
        let shared = Arc::clone(&self.shared);
        let run_dir = self.run_dir();
        tokio::task::spawn_blocking(move || shared.teardown_blocking())
            .await
            .map_err(|e| RuntimeError::Io {
                action: "tear down the devnet in",
                path: run_dir,
                source: std::io::Error::other(e.to_string()),
            })?
    }
}

impl Drop for ProcessRuntime {
    fn drop(&mut self) {
        let _ = self.shared.teardown_blocking();
    }
}
