//! A running devnet: launches a topology on a runtime (chain, setup, GPU mocks, neurons),
//! produces blocks (lock-step, interval or on demand), applies the fault schedule and takes
//! snapshots. Dropping it tears everything down (the runtime's drop).

use super::components::{
    CommandContext, Launcher, NeuronContext, chain_spec, command_spec, free_port, gpu_spec,
    neuron_spec, placeholder_values,
};
use super::control::{self, ControlReply, PendingRequest};
use super::driver::{self, EpochPlan};
use super::setup::{DevnetSetup, setup};
use super::{DevnetError, chain};
use crate::runtime::{ComponentKind, ComponentState, ComponentStatus, Runtime, RuntimeError};
use crate::snapshot::Snapshot;
use crate::topology::{FaultAction, FaultArgs, FaultTime, GpuFaults, Role, Sealing, Topology};
use localtensor_client::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// How long the orchestrator waits for one neuron to finish one block.
const BLOCK_DONE_TIMEOUT: Duration = Duration::from_secs(120);

/// Extra time for a neuron's first block after a heal: where the kernel cannot shorten TCP's
/// retransmission backoff (see the Docker runtime), the chain may resend the notifications
/// the partition swallowed only after Linux's 120 s cap.
const AFTER_HEAL_GRACE: Duration = Duration::from_secs(120);

/// A lock-step participant: a built-in neuron and its status URL.
#[derive(Debug, Clone)]
struct Peer {
    status: String,
    /// Paused or killed peers are not waited for.
    active: bool,
    /// Healed, and not yet caught up: its next wait gets [`AFTER_HEAL_GRACE`] more.
    healed: bool,
}

/// A devnet running on runtime `R`.
pub struct Devnet<R: Runtime> {
    runtime: R,
    client: Client,
    topology: Topology,
    setup: DevnetSetup,
    chain_ws: String,
    gpus: BTreeMap<String, String>,
    peers: BTreeMap<String, Peer>,
    http: reqwest::Client,
    head: u64,
    /// Faults asked for through the control socket, applied between blocks.
    control: Option<tokio::sync::mpsc::Receiver<PendingRequest>>,
}

/// Whether any built-in neuron runs (miners publish their axons in the first sealed block).
fn setup_has_builtin_neurons(setup: &DevnetSetup) -> bool {
    setup
        .subnets
        .iter()
        .flat_map(|s| &s.neurons)
        .any(|n| matches!(n.instance.kind, crate::topology::NeuronKind::Builtin(_)))
}

/// The base URL (`http://host:port`) from a component's ready line.
fn http_base(status: &ComponentStatus) -> Result<String, DevnetError> {
    let addr = status.endpoints.get("http").ok_or_else(|| {
        DevnetError::Launcher(format!("`{}` reported no http address", status.name))
    })?;
    Ok(if addr.starts_with("http://") {
        addr.clone()
    } else {
        format!("http://{addr}")
    })
}

/// Whether a runtime (`kind`, able to cut the network or not) can apply every fault the
/// topology schedules; the error names the first it cannot.
pub fn check_faults_supported(
    topology: &Topology,
    can_partition: bool,
    kind: &'static str,
) -> Result<(), DevnetError> {
    match topology
        .faults
        .iter()
        .find(|f| f.action.needs_network() && !can_partition)
    {
        Some(fault) => Err(DevnetError::UnsupportedFault {
            index: fault.index + 1,
            action: fault.action.as_str(),
            target: fault.target.value.clone(),
            runtime: kind,
        }),
        None => Ok(()),
    }
}

impl Devnet<crate::runtime::ProcessRuntime> {
    /// Starts `topology` as local processes, quietly: a new run directory under the default
    /// root, components run from the `localtensor` binary that [`Launcher::locate`] finds.
    /// Dropping the devnet stops everything and removes the run directory.
    pub async fn start(topology: Topology) -> Result<Self, DevnetError> {
        let runtime = crate::runtime::ProcessRuntime::builder()
            .with_topology_hash(topology.hash())
            .build()?;
        Self::launch(runtime, topology, &Launcher::locate()?, |_| {}).await
    }
}

impl<R: Runtime> Devnet<R> {
    /// Starts the chain on `runtime`, sets the topology up through extrinsics, starts its GPU
    /// mocks and neurons, and seals the block that publishes the miners' axons. `progress`
    /// gets one line per step.
    pub async fn launch(
        mut runtime: R,
        topology: Topology,
        launcher: &Launcher,
        mut progress: impl FnMut(&str),
    ) -> Result<Self, DevnetError> {
        // Refuse what the runtime cannot do before anything starts.
        check_faults_supported(&topology, runtime.can_partition(), runtime.kind())?;
        if let Some(fault) = topology
            .faults
            .iter()
            .find(|f| matches!(f.action, FaultAction::Loss | FaultAction::Latency))
            && let Some(reason) = runtime.link_faults_unavailable().await
        {
            return Err(DevnetError::FaultUnavailable {
                index: fault.index + 1,
                action: fault.action.as_str(),
                target: fault.target.value.clone(),
                reason,
            });
        }
        runtime.check_network_capacity(topology.network_peers())?;
        let host = runtime.listen_host();
        progress("starting the chain");
        let chain_status = runtime.start(chain_spec(launcher, &topology, host)).await?;
        let chain_ws = chain_status
            .endpoints
            .get("ws")
            .cloned()
            .ok_or_else(|| DevnetError::Launcher("the chain reported no ws address".into()))?;
        let client = Client::connect(&chain_ws)
            .await
            .map_err(chain(format!("connecting to the chain at {chain_ws}")))?;
        let setup = setup(&client, &topology, &mut progress).await?;

        let mut gpus = BTreeMap::new();
        for mock in &topology.gpu_mocks {
            progress(&format!("starting GPU mock {}", mock.name.value));
            let status = runtime
                .start(gpu_spec(launcher, topology.seed, mock, host))
                .await?;
            gpus.insert(mock.name.value.clone(), http_base(&status)?);
        }

        let lockstep = topology.chain.lockstep;
        let mut hotkeys = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for subnet in &setup.subnets {
            for n in &subnet.neurons {
                hotkeys.insert(n.name.clone(), n.keys.hotkey_account().to_string());
                groups
                    .entry(n.instance.group.clone())
                    .or_default()
                    .push(n.name.clone());
            }
        }
        let http = reqwest::Client::new();
        let mut peers = BTreeMap::new();
        // Miners first: validators find their axons at the first block they work on.
        for role in [Role::Miner, Role::Validator] {
            for subnet in &setup.subnets {
                let cx = NeuronContext {
                    chain_ws: &chain_ws,
                    host,
                    seed: topology.seed,
                    netuid: subnet.netuid,
                    tempo: subnet.tempo,
                    validators: subnet
                        .neurons
                        .iter()
                        .filter(|n| {
                            n.role == Role::Validator
                                && matches!(
                                    n.instance.kind,
                                    crate::topology::NeuronKind::Builtin(_)
                                )
                        })
                        .count(),
                    lockstep,
                    gpus: &gpus,
                    hotkeys: &hotkeys,
                    groups: &groups,
                };
                for neuron in subnet.neurons.iter().filter(|n| n.role == role) {
                    let Some(spec) = neuron_spec(launcher, neuron, &cx) else {
                        continue;
                    };
                    progress(&format!("starting {role} {}", neuron.name));
                    let status = runtime.start(spec).await?;
                    // Only validators act on blocks; a miner's work happens inside the
                    // validators' requests, which a validator's "done" already covers.
                    if role == Role::Validator {
                        peers.insert(
                            neuron.name.clone(),
                            Peer {
                                status: format!("{}/v1/status", http_base(&status)?),
                                active: true,
                                healed: false,
                            },
                        );
                    }
                }
            }
        }
        // Bring-your-own commands last: every endpoint they may call is up.
        // Wallets (unencrypted keyfiles of devnet keys) live in the run directory, so teardown
        // (or the sweep after a `kill -9`) removes them with everything else.
        let run_dir = runtime.run_dir_path();
        let wallets = run_dir.join("wallets");
        for subnet in &setup.subnets {
            for neuron in &subnet.neurons {
                if !matches!(
                    neuron.instance.kind,
                    crate::topology::NeuronKind::Command(_)
                ) {
                    continue;
                }
                std::fs::create_dir_all(&wallets).map_err(|e| {
                    DevnetError::Launcher(format!("creating {}: {e}", wallets.display()))
                })?;
                let cx = CommandContext {
                    netuid: subnet.netuid,
                    chain_ws: &chain_ws,
                    seed: topology.seed,
                    wallet_path: &wallets,
                    run_dir: &run_dir,
                    gpu_endpoints: neuron
                        .instance
                        .gpus
                        .iter()
                        .filter_map(|g| gpus.get(g).cloned())
                        .collect(),
                    axon_port: free_port(host)?,
                };
                let values = placeholder_values(neuron, &cx);
                // Its bittensor wallet, where the placeholders point.
                let (Some(wallet_name), Some(hotkey_name)) =
                    (values.get("wallet_name"), values.get("hotkey_name"))
                else {
                    return Err(DevnetError::Launcher(format!(
                        "{}: no wallet placeholders",
                        neuron.name
                    )));
                };
                super::wallet::write_wallet(&wallets, wallet_name, hotkey_name, &neuron.keys)
                    .map_err(|e| {
                        DevnetError::Launcher(format!("the wallet of {}: {e}", neuron.name))
                    })?;
                if let Some(spec) = command_spec(neuron, &values)? {
                    progress(&format!("starting command {}", neuron.name));
                    runtime.start(spec).await?;
                }
            }
        }
        let head = client
            .block_number()
            .await
            .map_err(chain("reading the best block"))?;
        let mut devnet = Devnet {
            runtime,
            client,
            topology,
            setup,
            chain_ws,
            gpus,
            peers,
            http,
            head,
            control: None,
        };
        let has_neurons = setup_has_builtin_neurons(&devnet.setup);
        if has_neurons {
            // The block with the miners' axons, then wait for every validator to have seen it.
            devnet.seal_one().await?;
        }
        Ok(devnet)
    }

    /// The client connected to the chain.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The chain's WebSocket URL.
    pub fn chain_endpoint(&self) -> &str {
        &self.chain_ws
    }

    /// What setup built: subnets, neurons, keys and uids.
    pub fn setup(&self) -> &DevnetSetup {
        &self.setup
    }

    /// The topology.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The runtime, for faults and status beyond what this handle offers.
    pub fn runtime_mut(&mut self) -> &mut R {
        &mut self.runtime
    }

    /// Base URLs of the GPU mocks, by name.
    pub fn gpu_endpoints(&self) -> &BTreeMap<String, String> {
        &self.gpus
    }

    /// The latest block.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Opens the control socket (`control.sock` in the run directory): from then on, faults
    /// asked for with `localtensor fault` are applied before the next block is sealed.
    pub fn listen_for_control(&mut self) -> Result<std::path::PathBuf, DevnetError> {
        let path = self.runtime.run_dir_path().join(control::CONTROL_SOCKET);
        self.control =
            Some(control::listen(&path).map_err(|e| DevnetError::Launcher(e.to_string()))?);
        Ok(path)
    }

    /// Applies the faults queued on the control socket, answering each.
    async fn apply_control_requests(&mut self) {
        let mut pending = Vec::new();
        if let Some(queue) = self.control.as_mut() {
            while let Ok(request) = queue.try_recv() {
                pending.push(request);
            }
        }
        for request in pending {
            let action = request.action;
            let target = request.target.clone();
            let reply = match self.apply(action, &target, &request.args).await {
                Ok(()) => ControlReply {
                    ok: true,
                    message: format!(
                        "{} {target}: applied before block {}",
                        action.as_str(),
                        self.head + 1
                    ),
                    block: Some(self.head),
                },
                Err(e) => ControlReply::refused(e.to_string()),
            };
            request.answer(reply);
        }
    }

    /// Seals one block and, in lock-step, waits until every active built-in neuron reports it
    /// done. In interval mode it first waits out the block time. Faults queued on the control
    /// socket are applied first.
    pub async fn seal_one(&mut self) -> Result<u64, DevnetError> {
        if self.topology.chain.sealing == Sealing::Interval {
            tokio::time::sleep(Duration::from_millis(self.topology.chain.block_time_ms)).await;
        }
        self.apply_control_requests().await;
        self.client
            .devnet()
            .mine(1)
            .await
            .map_err(chain("sealing a block"))?;
        self.head += 1;
        if self.topology.chain.lockstep {
            self.wait_block_done(self.head).await?;
        }
        Ok(self.head)
    }

    /// Waits until every active lock-step peer has finished `block`.
    async fn wait_block_done(&mut self, block: u64) -> Result<(), DevnetError> {
        let mut tasks = tokio::task::JoinSet::new();
        for (name, peer) in self.peers.iter().filter(|(_, p)| p.active) {
            let timeout = if peer.healed {
                BLOCK_DONE_TIMEOUT + AFTER_HEAL_GRACE
            } else {
                BLOCK_DONE_TIMEOUT
            };
            let url = format!(
                "{}?after={block}&timeout_ms={}",
                peer.status,
                timeout.as_millis()
            );
            let request = self.http.get(url).timeout(timeout + Duration::from_secs(5));
            let name = name.clone();
            tasks.spawn(async move {
                let answer = request.send().await.and_then(|r| r.error_for_status());
                (name, answer.map(|_| ()))
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (name, answer) =
                joined.map_err(|e| DevnetError::Internal(format!("a status task failed: {e}")))?;
            answer.map_err(|e| DevnetError::BlockNotDone {
                name,
                block,
                message: e.to_string(),
            })?;
        }
        for peer in self.peers.values_mut() {
            peer.healed = false;
        }
        Ok(())
    }

    /// Seals blocks until the chain is at `block`, applying scheduled faults before the blocks
    /// they name.
    async fn seal_to(
        &mut self,
        block: u64,
        faults: &mut BTreeMap<u64, Vec<usize>>,
        progress: &mut impl FnMut(&str),
    ) -> Result<(), DevnetError> {
        while self.head < block {
            let next = self.head + 1;
            if let Some(due) = faults.remove(&next) {
                for index in due {
                    self.apply_fault(index, progress).await?;
                }
            }
            let lazy = !self.topology.chain.lockstep
                && self.topology.chain.sealing == Sealing::Manual
                && faults.range(next..=block).next().is_none();
            if lazy {
                self.apply_control_requests().await;
                // Nobody to wait for: seal the rest in one call.
                self.client
                    .devnet()
                    .mine(block - self.head)
                    .await
                    .map_err(chain(format!("sealing up to block {block}")))?;
                self.head = block;
            } else {
                self.seal_one().await?;
            }
        }
        Ok(())
    }

    /// Runs `epochs` epochs of every subnet, applying the fault schedule, and returns the
    /// snapshot taken right after each subnet's epochs.
    pub async fn run_epochs(
        &mut self,
        epochs: u32,
        mut progress: impl FnMut(&str),
    ) -> Result<Snapshot, DevnetError> {
        let plan = EpochPlan::new(&self.setup, self.head, epochs);
        let mut faults = self.fault_blocks(&plan);
        let mut snapshot = plan.empty_snapshot(&self.topology.name.value, self.topology.seed);
        for (block, subnet, epoch) in plan.schedule().to_vec() {
            self.seal_to(block, &mut faults, &mut progress).await?;
            let read = driver::read_subnet(&self.client, &self.setup.subnets[subnet]).await?;
            progress(&format!(
                "block {block}: epoch {epoch}/{epochs} of subnet {}: {} alpha rao emitted over {} neurons",
                read.name,
                read.totals.emission,
                read.neurons.len()
            ));
            driver::record(&mut snapshot, epoch, block, read);
            self.check_components()?;
        }
        Ok(snapshot)
    }

    /// Fails if a component exited on its own with an error (a crashed bring-your-own command,
    /// a neuron that died): the run would otherwise go on without it and report numbers that
    /// hide the crash. Components the fault schedule stopped are not "exited"; a command that
    /// finished with exit code 0 did its job.
    pub fn check_components(&self) -> Result<(), DevnetError> {
        for status in self.runtime.statuses() {
            let failed = match (status.state, &status.exit) {
                (ComponentState::Exited, Some(exit)) => exit.code != Some(0),
                (ComponentState::Failed, _) => true,
                _ => false,
            };
            if failed {
                return Err(RuntimeError::ExitedDuringRun {
                    status: status
                        .exit
                        .map_or_else(|| "failed".to_owned(), |e| e.to_string()),
                    log_tail: crate::runtime::run_dir::log_tail(&status.log, 20),
                    log: status.log,
                    name: status.name,
                }
                .into());
            }
        }
        Ok(())
    }

    /// The block before which each scheduled fault fires (epoch faults fire at the first block
    /// of their epoch, counted on their subnet), as indices into the topology's faults.
    fn fault_blocks(&self, plan: &EpochPlan) -> BTreeMap<u64, Vec<usize>> {
        let mut out: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (i, fault) in self.topology.faults.iter().enumerate() {
            let block = match fault.at.value {
                FaultTime::Block(b) => b,
                FaultTime::Epoch(k) => {
                    let subnet = self.fault_subnet(i);
                    plan.epoch_start(subnet, k)
                }
            };
            if block > self.head {
                out.entry(block).or_default().push(i);
            }
        }
        out
    }

    /// The subnet index whose epochs an epoch fault counts: its `subnet`, else its target's,
    /// else the first.
    fn fault_subnet(&self, index: usize) -> usize {
        let fault = &self.topology.faults[index];
        let by_name = |name: &str| self.setup.subnets.iter().position(|s| s.name == name);
        if let Some(subnet) = &fault.subnet {
            return by_name(&subnet.value).unwrap_or(0);
        }
        let target = &fault.target.value;
        self.setup
            .subnets
            .iter()
            .position(|s| {
                s.neurons
                    .iter()
                    .any(|n| &n.name == target || &n.instance.group == target)
            })
            .unwrap_or(0)
    }

    /// Component names a fault target stands for: a neuron group's instances, or the name.
    fn targets(&self, target: &str) -> Vec<String> {
        let group: Vec<String> = self
            .setup
            .subnets
            .iter()
            .flat_map(|s| &s.neurons)
            .filter(|n| n.instance.group == target)
            .map(|n| n.name.clone())
            .collect();
        if group.is_empty() {
            vec![target.to_owned()]
        } else {
            group
        }
    }

    /// Applies fault `index` of the topology.
    async fn apply_fault(
        &mut self,
        index: usize,
        progress: &mut impl FnMut(&str),
    ) -> Result<(), DevnetError> {
        let fault = self.topology.faults[index].clone();
        let target = fault.target.value.clone();
        progress(&format!(
            "before block {}: {} {target}",
            self.head + 1,
            fault.action.as_str()
        ));
        self.apply(fault.action, &target, &fault.args()).await
    }

    /// Applies a fault now, as the schedule does: to component `target`, or to every instance
    /// of a neuron group, with what `args` holds for its action (the fault set of a
    /// `gpu_fault`, the rate of a `loss`, the delay of a `latency`). A target that does not
    /// exist, missing arguments, or a fault that would end the devnet (killing, partitioning
    /// or dropping every packet of the chain) are refused before anything changes.
    pub async fn apply(
        &mut self,
        action: FaultAction,
        target: &str,
        args: &FaultArgs,
    ) -> Result<(), DevnetError> {
        let names = self.targets(target);
        let known: BTreeSet<String> = self
            .runtime
            .statuses()
            .into_iter()
            .map(|s| s.name)
            .collect();
        if names.iter().any(|n| !known.contains(n)) {
            return Err(DevnetError::UnknownTarget {
                target: target.to_owned(),
                known: known.into_iter().collect::<Vec<_>>().join(", "),
            });
        }
        if target == "chain" && matches!(action, FaultAction::Kill | FaultAction::Partition) {
            return Err(DevnetError::FaultRefused {
                action: action.as_str(),
                target: target.to_owned(),
                reason: "the orchestrator seals blocks through the chain; use `pause` or \
                         `restart`"
                    .to_owned(),
            });
        }
        args.check(action)
            .map_err(|reason| DevnetError::FaultRefused {
                action: action.as_str(),
                target: target.to_owned(),
                reason,
            })?;
        let percent = args.percent.unwrap_or_default();
        let delay_ms = args.delay_ms.unwrap_or_default();
        if target == "chain" && action == FaultAction::Loss && percent >= 100.0 {
            return Err(DevnetError::FaultRefused {
                action: action.as_str(),
                target: target.to_owned(),
                reason: "dropping every packet of the chain cuts every neuron off; use less \
                         than 100 %"
                    .to_owned(),
            });
        }
        if action.needs_network() && !self.runtime.can_partition() {
            return Err(DevnetError::FaultRefused {
                action: action.as_str(),
                target: target.to_owned(),
                reason: "only the Docker runtime can cut or degrade a component's network"
                    .to_owned(),
            });
        }
        match action {
            FaultAction::GpuFault => {
                let faults = args.faults.clone().unwrap_or_default();
                self.set_gpu_faults(target, Some(&faults)).await
            }
            FaultAction::GpuClear => self.set_gpu_faults(target, None).await,
            FaultAction::Partition
            | FaultAction::Loss
            | FaultAction::Latency
            | FaultAction::Heal => {
                for name in names {
                    match action {
                        FaultAction::Partition => self.runtime.partition(&name).await?,
                        FaultAction::Loss => self.runtime.add_loss(&name, percent).await?,
                        FaultAction::Latency => self.runtime.add_latency(&name, delay_ms).await?,
                        _ => self.runtime.heal(&name).await?,
                    }
                    // Nobody reaches a partitioned validator (nor one that loses every
                    // packet); a lossy or delayed one only slows down. Once healed, the next
                    // block waits until it has caught up with every block it missed.
                    let cut = action == FaultAction::Partition
                        || (action == FaultAction::Loss && percent >= 100.0);
                    if let Some(peer) = self.peers.get_mut(&name) {
                        if cut {
                            peer.active = false;
                        } else if action == FaultAction::Heal {
                            peer.active = true;
                            peer.healed = true;
                        }
                    }
                }
                Ok(())
            }
            FaultAction::Kill | FaultAction::Pause | FaultAction::Resume | FaultAction::Restart => {
                for name in names {
                    let status = match action {
                        FaultAction::Kill => self.runtime.kill(&name).await?,
                        FaultAction::Pause => self.runtime.pause(&name).await?,
                        FaultAction::Resume => self.runtime.resume(&name).await?,
                        _ => self.runtime.restart(&name).await?,
                    };
                    if let Some(peer) = self.peers.get_mut(&name) {
                        peer.active = matches!(action, FaultAction::Resume | FaultAction::Restart);
                        if action == FaultAction::Restart {
                            peer.status = format!("{}/v1/status", http_base(&status)?);
                        }
                    }
                    if action == FaultAction::Restart && status.kind == ComponentKind::GpuMock {
                        self.gpus.insert(name.clone(), http_base(&status)?);
                    }
                }
                Ok(())
            }
        }
    }

    /// Sets (`Some`) or clears (`None`) the faults of every device of GPU mock `name` through
    /// its API, as a scheduled `gpu_fault` / `gpu_clear` does.
    pub async fn set_gpu_faults(
        &self,
        name: &str,
        faults: Option<&GpuFaults>,
    ) -> Result<(), DevnetError> {
        let base = self
            .gpus
            .get(name)
            .ok_or_else(|| DevnetError::Launcher(format!("no GPU mock named {name:?}")))?;
        let devices = self
            .topology
            .gpu_mocks
            .iter()
            .find(|m| m.name.value == name)
            .map_or(1, |m| m.devices);
        for id in 0..devices {
            let url = format!("{base}/v1/devices/{id}/faults");
            let request = match faults {
                Some(f) => self.http.put(&url).json(f),
                None => self.http.delete(&url),
            };
            request
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| DevnetError::Gpu {
                    name: name.to_owned(),
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// Every subnet as it is now, as a one-entry snapshot (epoch 0 at the current block).
    pub async fn snapshot_now(&self) -> Result<Snapshot, DevnetError> {
        let mut snapshot = Snapshot {
            topology: self.topology.name.value.clone(),
            seed: self.topology.seed,
            epochs: Vec::new(),
        };
        let mut entry = crate::snapshot::EpochSnapshot {
            epoch: 0,
            block: self.head,
            subnets: Vec::new(),
        };
        for subnet in &self.setup.subnets {
            entry
                .subnets
                .push(driver::read_subnet(&self.client, subnet).await?);
        }
        snapshot.epochs.push(entry);
        Ok(snapshot)
    }

    /// Tears the devnet down: every component stopped, the run directory removed.
    pub async fn teardown(mut self) -> Result<(), DevnetError> {
        self.runtime.teardown().await?;
        Ok(())
    }
}

impl<R: Runtime> Devnet<R> {
    /// The validators the orchestrator waits for at each block (running, not paused or killed).
    pub fn lockstep_peers(&self) -> BTreeSet<String> {
        self.peers
            .iter()
            .filter(|(_, p)| p.active)
            .map(|(n, _)| n.clone())
            .collect()
    }
}
