//! [`DockerRuntime`]: components as Docker containers on one bridge network per devnet.
//!
//! Images come from the component's binary ([`ensure_image`]: `FROM scratch`, the binary and
//! its shared libraries, no registry). Containers are named `localtensor-<devnet>-<component>`,
//! labelled with the devnet, the component and the orchestrator (pid and start time, for
//! [`sweep_docker_leftovers`]), and reachable at their address on the devnet network from the
//! host and from each other (network alias = component name). Their output is streamed into
//! the same run directory as the process runtime's (`logs/<name>.log`, `manifest.json`).

mod delay;
mod engine;
mod error;
mod faults;
mod firewall;
mod image;
mod kernel;
mod naming;
mod objects;
mod sweep;
mod watch;

pub use bollard::Docker;
pub use engine::{DEFAULT_SOCKET, connect, socket_path};
pub use error::DockerError;
pub use faults::MAX_DELAY_MS;
pub use image::{ImageRef, ensure_image, list_images, prune_images};
pub use naming::{
    LABEL_BINARY, LABEL_COMPONENT, LABEL_CONTENT_HASH, LABEL_DEVNET, LABEL_KIND, LABEL_MANAGED,
    LABEL_ORCHESTRATOR_PID, LABEL_ORCHESTRATOR_START, container_name, network_name,
    rewrite_endpoint,
};
pub use objects::{DockerObject, LabelledObjects, objects_labelled};
pub use sweep::{DockerSweepReport, sweep_docker_leftovers};

use super::manifest::{ComponentRecord, ContainerRecord, MANIFEST_VERSION, Manifest, ProcessId};
use super::readiness::{HttpTarget, http_ok, parse_ready_line};
use super::run_dir::{self, RunDir, log_tail};
use super::{
    ComponentSpec, ComponentState, ComponentStatus, DEFAULT_GRACE, ExitInfo, LOG_TAIL_LINES,
    Readiness, Runtime, RuntimeError, procfs,
};
use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, Ipam, IpamConfig,
    NetworkCreateRequest, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, KillContainerOptionsBuilder, RemoveContainerOptionsBuilder,
    StopContainerOptionsBuilder,
};
use error::{is_not_found, is_not_modified};
use faults::LinkFaults;
use futures_util::StreamExt as _;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;
use watch::Followed;

/// How long to wait for a killed container's exit to be reported.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// Options for a [`DockerRuntime`]; see [`DockerRuntime::builder`].
#[derive(Debug, Clone)]
pub struct DockerRuntimeBuilder {
    root: Option<PathBuf>,
    devnet_id: Option<String>,
    topology_hash: Option<String>,
    keep_logs: bool,
    grace: Duration,
    socket: Option<String>,
}

impl DockerRuntimeBuilder {
    /// The directory holding run directories (default: [`super::default_root`]).
    pub fn with_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// The devnet id, also the run directory's and the network's name (default: a fresh id).
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

    /// Time between SIGTERM and SIGKILL when stopping (default 5 s; the engine counts whole
    /// seconds, so it is rounded up).
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The engine's socket (default: `DOCKER_HOST` if it is `unix://...`, else
    /// [`DEFAULT_SOCKET`]).
    pub fn with_socket(mut self, socket: impl Into<String>) -> Self {
        self.socket = Some(socket.into());
        self
    }

    /// Connects to the engine, creates the run directory and the devnet's network, writes the
    /// first manifest and registers the devnet for teardown by
    /// [`super::install_shutdown_handler`].
    pub async fn build(self) -> Result<DockerRuntime, RuntimeError> {
        let socket = engine::socket_path(self.socket.as_deref())?;
        let docker = engine::connect(Some(&socket)).await?;
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
        let orchestrator = ProcessId {
            pid: i32::try_from(std::process::id()).unwrap_or(i32::MAX),
            start_time: procfs::own_start_time(),
        };
        let network = naming::network_name(&id);
        let mut state = DevnetState {
            id: id.clone(),
            run_dir: dir,
            orchestrator,
            topology_hash: self.topology_hash,
            keep_logs: self.keep_logs,
            grace: self.grace,
            torn_down: false,
            network: network.clone(),
            subnet: Ipv4Addr::UNSPECIFIED,
            addresses: BTreeMap::new(),
            links: BTreeMap::new(),
            components: Vec::new(),
        };
        let created = async {
            state.write_manifest()?;
            create_network(&docker, &id, orchestrator).await
        }
        .await;
        match created {
            Ok(subnet) => state.subnet = subnet,
            Err(e) => {
                let _ = std::fs::remove_dir_all(state.run_dir.path());
                return Err(e);
            }
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            socket,
        });
        super::shutdown::register(&shared);
        Ok(DockerRuntime { shared, docker })
    }
}

/// Creates the devnet's bridge network on the first free candidate subnet; returns the
/// subnet's base address.
async fn create_network(
    docker: &Docker,
    devnet_id: &str,
    orchestrator: ProcessId,
) -> Result<Ipv4Addr, RuntimeError> {
    let name = naming::network_name(devnet_id);
    match docker.inspect_network(&name, None).await {
        Ok(_) => {
            return Err(DockerError::NetworkExists { network: name }.into());
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(DockerError::api(format!("inspect network {name}"))(e).into()),
    }
    let mut last = String::new();
    for base in naming::subnet_candidates(devnet_id) {
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".to_owned()),
            labels: Some(naming::devnet_labels(devnet_id, orchestrator)),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some(naming::subnet_cidr(base)),
                    gateway: Some(naming::host_address(base, 1).to_string()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        match docker.create_network(request).await {
            Ok(_) => return Ok(base),
            // "Pool overlaps with other one on this address space": try the next subnet.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code,
                message,
            }) if message.contains("overlap") => {
                last = format!("{status_code}: {message}");
            }
            Err(e) => return Err(DockerError::api(format!("create network {name}"))(e).into()),
        }
    }
    Err(DockerError::NoSubnet {
        network: name,
        reason: last,
    }
    .into())
}

/// Runs a devnet's components as Docker containers.
///
/// Dropping the runtime removes every container and the network (stopping them with the grace
/// period first) and removes the run directory unless logs are kept; it blocks the thread
/// meanwhile. In async code prefer [`Runtime::teardown`], after which the drop has nothing left
/// to do. Images stay cached ([`list_images`]).
#[derive(Debug)]
pub struct DockerRuntime {
    shared: Arc<Shared>,
    docker: Docker,
}

/// The devnet state, shared with the shutdown signal handler.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<DevnetState>,
    socket: String,
}

/// What a teardown has to remove, taken from the state when it begins.
#[derive(Debug, Clone)]
struct TeardownPlan {
    devnet_id: String,
    grace: Duration,
    /// Components live when the teardown began: they end up `Stopped`, not `Exited`.
    live: Vec<String>,
    /// The devnet's loss and latency rules on the host.
    host_rules: Vec<firewall::HostRules>,
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

    /// Marks the devnet torn down; `None` if it already was.
    fn begin_teardown(&self) -> Option<TeardownPlan> {
        let mut state = self.lock();
        if state.torn_down {
            return None;
        }
        state.torn_down = true;
        let live = state
            .components
            .iter_mut()
            .filter_map(|c| {
                c.refresh();
                c.live().map(|_| c.spec.name.clone())
            })
            .collect();
        Some(TeardownPlan {
            devnet_id: state.id.clone(),
            grace: state.grace,
            live,
            host_rules: state.links.values().flat_map(LinkFaults::rules).collect(),
        })
    }

    /// Records the outcome and removes (or keeps) the run directory.
    fn finish_teardown(
        &self,
        plan: &TeardownPlan,
        removed: Result<(), RuntimeError>,
    ) -> Result<(), RuntimeError> {
        // The rules are gone: the delay lines stop (letting what they hold go).
        let links = std::mem::take(&mut self.lock().links);
        drop(links);
        let mut state = self.lock();
        for c in &mut state.components {
            c.refresh();
            if plan.live.contains(&c.spec.name) {
                c.state = ComponentState::Stopped;
            }
        }
        let kept = if state.keep_logs {
            state.write_manifest()
        } else {
            std::fs::remove_dir_all(state.run_dir.path()).map_err(|source| RuntimeError::Io {
                action: "remove the run directory",
                path: state.run_dir.path().to_owned(),
                source,
            })
        };
        removed.and(kept)
    }

    /// Removes everything of the devnet from a thread of its own (with its own tokio runtime
    /// and engine connection, so it works inside or outside any runtime). Idempotent.
    pub(crate) fn teardown_blocking(&self) -> Result<(), RuntimeError> {
        let Some(plan) = self.begin_teardown() else {
            return Ok(());
        };
        let socket = self.socket.clone();
        let thread_plan = plan.clone();
        let run_dir = self.lock().run_dir.path().to_owned();
        let io = |source| RuntimeError::Io {
            action: "run the teardown of",
            path: run_dir.clone(),
            source,
        };
        let removed = std::thread::Builder::new()
            .name("lt-docker-teardown".to_owned())
            .spawn(move || -> Result<(), RuntimeError> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|source| RuntimeError::Io {
                        action: "start a tokio runtime for the teardown on",
                        path: PathBuf::from(&socket),
                        source,
                    })?;
                rt.block_on(async {
                    let docker = engine::connect(Some(&socket)).await?;
                    remove_devnet(&docker, &thread_plan).await
                })
            })
            .map_err(io)
            .and_then(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(io(std::io::Error::other("the teardown thread panicked")))
                })
            });
        self.finish_teardown(&plan, removed)
    }
}

/// Removes a network, waiting up to about 10 s while the engine still counts endpoints of
/// containers it has just removed (it answers 403 "has active endpoints" until then).
pub(crate) async fn remove_network_when_empty(
    docker: &Docker,
    network: &str,
) -> Result<(), bollard::errors::Error> {
    let mut attempts = 0;
    loop {
        match docker.remove_network(network).await {
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 403,
                ref message,
            }) if message.contains("active endpoints") && attempts < 40 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}

/// Disconnects each container from `network`, one at a time; errors are ignored (a
/// partitioned container is already disconnected).
async fn disconnect_all(docker: &Docker, network: &str, containers: &[String]) {
    for container in containers {
        let request = bollard::models::NetworkDisconnectRequest {
            container: container.clone(),
            force: Some(true),
        };
        let _ = docker.disconnect_network(network, request).await;
    }
}

/// How many containers the teardown stops or removes at once.
const TEARDOWN_CONCURRENCY: usize = 16;

/// Stops (with the grace period) and removes every container of the devnet, then its network.
/// Works from labels, so containers whose start raced the teardown are found too.
async fn remove_devnet(docker: &Docker, plan: &TeardownPlan) -> Result<(), RuntimeError> {
    let mut result: Result<(), RuntimeError> = Ok(());
    for rules in &plan.host_rules {
        if let Err(reason) = firewall::remove(rules).await {
            result = result.and(Err(DockerError::Firewall {
                action: format!("remove the loss or latency of {}", rules.component),
                reason,
            }
            .into()));
        }
    }
    let objects = objects_labelled(docker, naming::LABEL_DEVNET, &plan.devnet_id).await?;
    let ids: Vec<String> = objects.containers.into_iter().map(|c| c.id).collect();
    let networks: Vec<String> = objects.networks.into_iter().map(|n| n.id).collect();
    // Endpoints go one at a time, before any container stops. Docker 20.10 loses updates of a
    // network's endpoint count when many endpoints go at once (as containers exit, or are
    // removed, concurrently): with 200 containers the count stayed at 1 or 3 with no endpoint
    // left, and the network "has active endpoints" until dockerd restarts.
    for network in &networks {
        disconnect_all(docker, network, &ids).await;
    }
    // A few calls at a time: hundreds of concurrent stops wedged Docker 20.10's daemon (with
    // `large`, 322 containers) until it was restarted.
    let t = grace_seconds(plan.grace);
    futures_util::stream::iter(ids.clone())
        .for_each_concurrent(TEARDOWN_CONCURRENCY, |id: String| {
            let docker = docker.clone();
            async move {
                let _ = docker.unpause_container(&id).await;
                if t > 0 {
                    let stop = StopContainerOptionsBuilder::default().t(t).build();
                    let _ = docker.stop_container(&id, Some(stop)).await;
                }
            }
        })
        .await;
    let removals: Vec<Result<(), DockerError>> = futures_util::stream::iter(ids)
        .map(|id: String| {
            let docker = docker.clone();
            async move {
                match docker.remove_container(&id, Some(force_remove())).await {
                    Ok(()) => Ok(()),
                    Err(e) if is_not_found(&e) => Ok(()),
                    Err(e) => Err(DockerError::api(format!("remove container {id}"))(e)),
                }
            }
        })
        .buffer_unordered(TEARDOWN_CONCURRENCY)
        .collect()
        .await;
    for removal in removals {
        if let Err(e) = removal {
            result = result.and(Err(e.into()));
        }
    }
    for network in networks {
        match remove_network_when_empty(docker, &network).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                result = result.and(Err(DockerError::api(format!("remove network {network}"))(
                    e,
                )
                .into()));
            }
        }
    }
    result
}

fn force_remove() -> bollard::query_parameters::RemoveContainerOptions {
    RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build()
}

/// The engine's stop timeout is whole seconds: round up, so a grace period is never cut.
fn grace_seconds(grace: Duration) -> i32 {
    let secs = grace.as_secs() + u64::from(grace.subsec_nanos() > 0);
    i32::try_from(secs).unwrap_or(i32::MAX)
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
    network: String,
    /// Base address of the network's subnet.
    subnet: Ipv4Addr,
    /// Each component's fixed address, given at its first start and kept for the devnet's
    /// life: a restarted or healed container comes back at the same address, and no other
    /// container can take it meanwhile (the engine would hand a released address out again).
    addresses: BTreeMap<String, Ipv4Addr>,
    /// Loss and latency by component (see [`LinkFaults`]).
    links: BTreeMap<String, LinkFaults>,
    components: Vec<Component>,
}

/// One started container of a component.
#[derive(Debug, Clone)]
struct Container {
    id: String,
    name: String,
    image: String,
    ip: Option<IpAddr>,
    followed: Followed,
}

#[derive(Debug)]
struct Component {
    spec: ComponentSpec,
    container: Option<Container>,
    state: ComponentState,
    endpoints: BTreeMap<String, String>,
    ready_line: Option<serde_json::Value>,
    log: PathBuf,
    exit: Option<ExitInfo>,
    partitioned: bool,
}

impl Component {
    /// Notices an exit that happened since the last look.
    fn refresh(&mut self) {
        if let Some(exit) = self.container.as_ref().and_then(|c| c.followed.exit_info()) {
            self.exit = Some(exit);
            if matches!(
                self.state,
                ComponentState::Running | ComponentState::Paused | ComponentState::Starting
            ) {
                self.state = ComponentState::Exited;
            }
        }
    }

    /// Its container, if that has not exited.
    fn live(&self) -> Option<&Container> {
        self.container
            .as_ref()
            .filter(|c| c.followed.exit_info().is_none())
    }

    fn status(&self) -> ComponentStatus {
        ComponentStatus {
            name: self.spec.name.clone(),
            kind: self.spec.kind,
            state: self.state,
            process: None,
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
                    process: None,
                    endpoints: c.endpoints.clone(),
                    log: c.log.clone(),
                    state: c.state,
                    container: c.container.as_ref().map(|k| ContainerRecord {
                        id: k.id.clone(),
                        name: k.name.clone(),
                        image: k.image.clone(),
                        network: self.network.clone(),
                        ip: k.ip.map(|ip| ip.to_string()),
                        partitioned: c.partitioned,
                        loss_percent: self
                            .links
                            .get(&c.spec.name)
                            .and_then(LinkFaults::loss_percent),
                        latency_ms: self
                            .links
                            .get(&c.spec.name)
                            .and_then(LinkFaults::latency_ms),
                    }),
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

    /// Replaces (or adds) the record of `spec.name`.
    fn put(&mut self, component: Component) {
        match self
            .components
            .iter_mut()
            .find(|c| c.spec.name == component.spec.name)
        {
            Some(slot) => *slot = component,
            None => self.components.push(component),
        }
    }

    /// The fixed address of component `name`, given now if it has none.
    fn address_for(&mut self, name: &str) -> Result<Ipv4Addr, RuntimeError> {
        if let Some(ip) = self.addresses.get(name) {
            return Ok(*ip);
        }
        let n = u16::try_from(self.addresses.len() + 2)
            .ok()
            .filter(|n| usize::from(*n) <= naming::MAX_COMPONENTS + 1)
            .ok_or_else(|| DockerError::AddressesExhausted {
                network: self.network.clone(),
            })?;
        let ip = naming::host_address(self.subnet, n);
        self.addresses.insert(name.to_owned(), ip);
        Ok(ip)
    }

    fn not_running(&mut self, name: &str) -> RuntimeError {
        match self.component(name) {
            Ok(c) => RuntimeError::NotRunning {
                name: name.to_owned(),
                state: c.state.to_string(),
            },
            Err(e) => e,
        }
    }
}

/// What readiness decided.
enum NotReady {
    Exited(ExitInfo),
    Timeout(Duration, String),
    Invalid(String),
}

impl DockerRuntime {
    /// Options with their defaults.
    pub fn builder() -> DockerRuntimeBuilder {
        DockerRuntimeBuilder {
            root: None,
            devnet_id: None,
            topology_hash: None,
            keep_logs: false,
            grace: DEFAULT_GRACE,
            socket: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, DevnetState> {
        self.shared.lock()
    }

    /// The engine connection.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// The devnet id.
    pub fn devnet_id(&self) -> String {
        self.lock().id.clone()
    }

    /// The devnet's network (`localtensor-<devnet id>`).
    pub fn network(&self) -> String {
        self.lock().network.clone()
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

    /// The id of a component's current (or last) container.
    pub fn container_id(&self, name: &str) -> Result<String, RuntimeError> {
        let mut state = self.lock();
        let c = state.component(name)?;
        c.container
            .as_ref()
            .map(|k| k.id.clone())
            .ok_or_else(|| RuntimeError::NotRunning {
                name: name.to_owned(),
                state: c.state.to_string(),
            })
    }

    /// A component's address on the devnet network (what its endpoints point at).
    pub fn container_ip(&self, name: &str) -> Result<IpAddr, RuntimeError> {
        let mut state = self.lock();
        let c = state.component(name)?;
        c.container
            .as_ref()
            .and_then(|k| k.ip)
            .ok_or_else(|| RuntimeError::NotRunning {
                name: name.to_owned(),
                state: c.state.to_string(),
            })
    }

    /// The live container of `name`, or `NotRunning`.
    fn live_container(&self, name: &str) -> Result<Container, RuntimeError> {
        let mut state = self.lock();
        let c = state.component(name)?;
        match c.live() {
            Some(k) => Ok(k.clone()),
            None => Err(state.not_running(name)),
        }
    }

    /// Creates and starts `spec`'s container (known not to be running) and waits for readiness.
    async fn launch(&mut self, spec: ComponentSpec) -> Result<ComponentStatus, RuntimeError> {
        let (devnet_id, orchestrator, network, address, log) = {
            let mut state = self.lock();
            if state.torn_down {
                return Err(RuntimeError::TornDown(state.id.clone()));
            }
            (
                state.id.clone(),
                state.orchestrator,
                state.network.clone(),
                state.address_for(&spec.name)?,
                state.run_dir.log_path(&spec.name),
            )
        };
        let record = |container: Option<Container>, state: ComponentState| Component {
            spec: spec.clone(),
            container,
            state,
            endpoints: BTreeMap::new(),
            ready_line: None,
            log: log.clone(),
            exit: None,
            partitioned: false,
        };
        let name = naming::container_name(&devnet_id, &spec.name);
        let created = self
            .create_container(&spec, &devnet_id, orchestrator, (&network, address), &name)
            .await;
        let (id, image) = match created {
            Ok(created) => created,
            Err(e) => {
                let mut state = self.lock();
                state.put(record(None, ComponentState::Failed));
                state.write_manifest()?;
                return Err(e);
            }
        };
        let started = self.start_and_follow(&id, &network, &log).await;
        let (ip, followed, mut lines) = {
            let mut state = self.lock();
            let torn_down = state.torn_down;
            match started {
                Ok(started) if !torn_down => started,
                outcome => {
                    // Torn down while starting (the teardown may have missed the container),
                    // or the start failed: leave nothing running.
                    let docker = self.docker.clone();
                    let stale = id.clone();
                    tokio::spawn(async move {
                        let _ = docker.remove_container(&stale, Some(force_remove())).await;
                    });
                    if torn_down {
                        return Err(RuntimeError::TornDown(state.id.clone()));
                    }
                    state.put(record(None, ComponentState::Failed));
                    state.write_manifest()?;
                    return Err(match outcome {
                        Err(e) => e,
                        Ok(_) => RuntimeError::TornDown(state.id.clone()),
                    });
                }
            }
        };
        let container = Container {
            id: id.clone(),
            name,
            image,
            ip,
            followed: followed.clone(),
        };
        {
            let mut state = self.lock();
            state.put(record(Some(container), ComponentState::Starting));
            state.write_manifest()?;
        }

        let outcome = wait_ready(&spec, ip, &followed, &mut lines).await;
        drop(lines); // from now on the output only goes to the log
        match outcome {
            Ok((line, endpoints)) => {
                let mut state = self.lock();
                let c = state.component(&spec.name)?;
                if c.state == ComponentState::Starting {
                    c.state = ComponentState::Running;
                }
                c.endpoints = match ip {
                    Some(ip) => endpoints
                        .into_iter()
                        .map(|(k, v)| (k, naming::rewrite_endpoint(&v, ip)))
                        .collect(),
                    None => endpoints,
                };
                c.ready_line = line;
                let status = c.status();
                state.write_manifest()?;
                Ok(status)
            }
            Err(not_ready) => {
                let exit = self.kill_container(&id, &followed).await;
                followed.wait_log_closed(Duration::from_secs(2)).await;
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

    /// Ensures the image and creates the container (replacing a stopped one of the same
    /// name). Returns the container id and the image tag.
    async fn create_container(
        &self,
        spec: &ComponentSpec,
        devnet_id: &str,
        orchestrator: ProcessId,
        (network, address): (&str, Ipv4Addr),
        name: &str,
    ) -> Result<(String, String), RuntimeError> {
        let image = ensure_image(&self.docker, &resolve_program(&spec.program)).await?;
        match self
            .docker
            .remove_container(name, Some(force_remove()))
            .await
        {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(DockerError::api(format!("remove old container {name}"))(e).into());
            }
        }
        let mut env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        env.push(format!("{}={devnet_id}", procfs::DEVNET_ENV));
        env.push(format!("LOCALTENSOR_COMPONENT={}", spec.name));
        let body = ContainerCreateBody {
            image: Some(image.tag.clone()),
            cmd: Some(spec.args.clone()),
            env: Some(env),
            labels: Some(naming::container_labels(
                devnet_id,
                orchestrator,
                &spec.name,
                spec.kind,
            )),
            host_config: Some(HostConfig {
                network_mode: Some(network.to_owned()),
                // docker-init (tini) as pid 1: signals reach the component, zombies are reaped.
                init: Some(true),
                sysctls: kernel::tcp_sysctls(),
                ..Default::default()
            }),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(std::collections::HashMap::from([(
                    network.to_owned(),
                    EndpointSettings {
                        aliases: Some(vec![spec.name.clone()]),
                        ipam_config: Some(EndpointIpamConfig {
                            ipv4_address: Some(address.to_string()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                )])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default().name(name).build();
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(DockerError::api(format!("create container {name}")))?;
        Ok((created.id, image.tag))
    }

    /// Starts the container, reads its address and starts following it.
    async fn start_and_follow(
        &self,
        id: &str,
        network: &str,
        log: &Path,
    ) -> Result<(Option<IpAddr>, Followed, mpsc::UnboundedReceiver<String>), RuntimeError> {
        self.docker
            .start_container(id, None)
            .await
            .map_err(DockerError::api(format!("start container {id}")))?;
        let inspect = self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(DockerError::api(format!("inspect container {id}")))?;
        let ip = inspect
            .network_settings
            .and_then(|s| s.networks)
            .and_then(|mut n| n.remove(network))
            .and_then(|e| e.ip_address)
            .and_then(|ip| ip.parse().ok());
        let (followed, lines) = watch::follow(&self.docker, id, log)?;
        Ok((ip, followed, lines))
    }

    /// SIGKILL (unpausing first: the engine refuses to kill a paused container) and wait for
    /// the exit.
    async fn kill_container(&self, id: &str, followed: &Followed) -> Option<ExitInfo> {
        if followed.exit_info().is_none() {
            let _ = self.docker.unpause_container(id).await;
            let _ = self
                .docker
                .kill_container(
                    id,
                    Some(
                        KillContainerOptionsBuilder::default()
                            .signal("SIGKILL")
                            .build(),
                    ),
                )
                .await;
        }
        followed.wait_exit(KILL_WAIT).await
    }

    /// Ends a component's container (`grace` zero: SIGKILL at once) and records `Stopped`.
    async fn end(&mut self, name: &str, grace: Duration) -> Result<ComponentStatus, RuntimeError> {
        let container = {
            let mut state = self.lock();
            let c = state.component(name)?;
            match c.live() {
                Some(k) => k.clone(),
                None => return Ok(c.status()),
            }
        };
        let exit = if grace > Duration::ZERO {
            let _ = self.docker.unpause_container(&container.id).await;
            let options = StopContainerOptionsBuilder::default()
                .t(grace_seconds(grace))
                .build();
            match self
                .docker
                .stop_container(&container.id, Some(options))
                .await
            {
                Ok(()) => {}
                Err(e) if is_not_modified(&e) || is_not_found(&e) => {}
                Err(e) => {
                    return Err(
                        DockerError::api(format!("stop container {}", container.name))(e).into(),
                    );
                }
            }
            container.followed.wait_exit(KILL_WAIT).await
        } else {
            self.kill_container(&container.id, &container.followed)
                .await
        };
        let mut state = self.lock();
        let c = state.component(name)?;
        c.state = ComponentState::Stopped;
        c.exit = exit.or(c.exit);
        let status = c.status();
        state.write_manifest()?;
        Ok(status)
    }

    fn grace(&self) -> Duration {
        self.lock().grace
    }
}

/// The binary to package: `program` itself if it names a path, else the first match in `PATH`
/// (as a process would be found); unresolved names are returned as given.
fn resolve_program(program: &str) -> PathBuf {
    if program.contains('/') {
        return PathBuf::from(program);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from(program))
}

/// Waits for readiness; returns the ready line and its endpoints (not yet rewritten).
async fn wait_ready(
    spec: &ComponentSpec,
    ip: Option<IpAddr>,
    followed: &Followed,
    lines: &mut mpsc::UnboundedReceiver<String>,
) -> Result<(Option<serde_json::Value>, BTreeMap<String, String>), NotReady> {
    let exited = |f: &Followed| {
        NotReady::Exited(f.exit_info().unwrap_or(ExitInfo {
            code: None,
            signal: None,
        }))
    };
    let mut exit = followed.exit.clone();
    match &spec.readiness {
        Readiness::None => Ok((None, BTreeMap::new())),
        Readiness::ReadyLine { timeout } => {
            let deadline = tokio::time::Instant::now() + *timeout;
            let mut open = true;
            loop {
                tokio::select! {
                    line = lines.recv(), if open => match line {
                        Some(line) => {
                            if let Some(ready) = parse_ready_line(&line) {
                                return Ok((ready.line, ready.endpoints));
                            }
                        }
                        None => open = false,
                    },
                    _ = exit.wait_for(Option::is_some) => return Err(exited(followed)),
                    () = tokio::time::sleep_until(deadline) => {
                        return Err(NotReady::Timeout(
                            *timeout,
                            "a JSON line with \"event\":\"ready\" in its output".to_owned(),
                        ));
                    }
                }
            }
        }
        Readiness::Http { url, timeout } => {
            let url = match ip {
                Some(ip) => naming::rewrite_endpoint(url, ip),
                None => url.clone(),
            };
            let target = HttpTarget::parse(&url).map_err(NotReady::Invalid)?;
            let deadline = tokio::time::Instant::now() + *timeout;
            let mut pause = Duration::from_millis(10);
            loop {
                tokio::select! {
                    ok = tokio::time::timeout_at(deadline, http_ok(&target)) => match ok {
                        Ok(true) => return Ok((None, BTreeMap::new())),
                        Ok(false) => {}
                        Err(_) => break,
                    },
                    _ = exit.wait_for(Option::is_some) => return Err(exited(followed)),
                }
                tokio::select! {
                    () = tokio::time::sleep_until(
                        (tokio::time::Instant::now() + pause).min(deadline)
                    ) => {}
                    _ = exit.wait_for(Option::is_some) => return Err(exited(followed)),
                }
                if tokio::time::Instant::now() >= deadline {
                    break;
                }
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(NotReady::Timeout(
                *timeout,
                format!(
                    "a 2xx answer from http://{}{}",
                    target.authority, target.path
                ),
            ))
        }
    }
}

impl Runtime for DockerRuntime {
    fn kind(&self) -> &'static str {
        "docker"
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

    fn can_partition(&self) -> bool {
        true
    }

    fn check_network_capacity(&self, peers: u64) -> Result<(), RuntimeError> {
        match kernel::neighbour_table_limit() {
            // Half the table for the devnet: the host and other containers use it too.
            Some(limit) if peers > limit / 2 => Err(DockerError::NeighbourTable {
                peers,
                limit,
                suggested: (peers * 4).next_power_of_two(),
            }
            .into()),
            _ => Ok(()),
        }
    }

    async fn partition(&mut self, name: &str) -> Result<(), RuntimeError> {
        self.disconnect(name).await
    }

    async fn heal(&mut self, name: &str) -> Result<(), RuntimeError> {
        self.restore_network(name).await
    }

    async fn add_loss(&mut self, name: &str, percent: f64) -> Result<(), RuntimeError> {
        self.make_lossy(name, percent).await
    }

    async fn add_latency(&mut self, name: &str, delay_ms: u32) -> Result<(), RuntimeError> {
        self.make_slow(name, delay_ms).await
    }

    async fn link_faults_unavailable(&self) -> Option<String> {
        firewall::unavailable().await
    }

    fn listen_host(&self) -> &'static str {
        "0.0.0.0"
    }

    fn run_dir_path(&self) -> PathBuf {
        self.run_dir()
    }

    async fn start(&mut self, spec: ComponentSpec) -> Result<ComponentStatus, RuntimeError> {
        run_dir::validate_name("component name", &spec.name)?;
        {
            let mut state = self.lock();
            if let Ok(c) = state.component(&spec.name)
                && c.live().is_some()
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
        self.freeze(name, true).await
    }

    async fn resume(&mut self, name: &str) -> Result<ComponentStatus, RuntimeError> {
        self.freeze(name, false).await
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
        let Some(plan) = self.shared.begin_teardown() else {
            return Ok(());
        };
        let removed = remove_devnet(&self.docker, &plan).await;
        self.shared.finish_teardown(&plan, removed)
    }
}

impl DockerRuntime {
    /// Pauses (cgroup freeze) or unpauses a component's container.
    async fn freeze(&mut self, name: &str, pause: bool) -> Result<ComponentStatus, RuntimeError> {
        let (from, to) = if pause {
            (ComponentState::Running, ComponentState::Paused)
        } else {
            (ComponentState::Paused, ComponentState::Running)
        };
        let container = {
            let mut state = self.lock();
            let c = state.component(name)?;
            if c.state == to {
                return Ok(c.status());
            }
            match c.live() {
                Some(k) if c.state == from => k.clone(),
                _ => return Err(state.not_running(name)),
            }
        };
        let done = if pause {
            self.docker.pause_container(&container.id).await
        } else {
            self.docker.unpause_container(&container.id).await
        };
        done.map_err(DockerError::api(format!(
            "{} container {}",
            if pause { "pause" } else { "unpause" },
            container.name
        )))?;
        let mut state = self.lock();
        let c = state.component(name)?;
        c.state = to;
        let status = c.status();
        state.write_manifest()?;
        Ok(status)
    }
}

impl Drop for DockerRuntime {
    fn drop(&mut self) {
        let _ = self.shared.teardown_blocking();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_like_processes() {
        assert_eq!(resolve_program("./x"), PathBuf::from("./x"));
        assert_eq!(resolve_program("/bin/true"), PathBuf::from("/bin/true"));
        let sh = resolve_program("sh");
        assert!(sh.is_absolute() && sh.is_file(), "{}", sh.display());
        assert_eq!(
            resolve_program("no-such-program-here"),
            PathBuf::from("no-such-program-here")
        );
        assert_eq!(grace_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(grace_seconds(Duration::from_secs(3)), 3);
        assert_eq!(grace_seconds(Duration::ZERO), 0);
    }
}
