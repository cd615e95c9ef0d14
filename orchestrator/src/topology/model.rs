//! The typed topology, as written in the file with every default filled in.
//!
//! Values that later checks may need to point at are wrapped in [`At`], which keeps their source
//! location. `Serialize` output is the normalised topology (`localtensor validate --format`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use super::diagnostics::Loc;

/// A value and where it was written (defaults carry the location of the enclosing item).
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
    /// How many characters it spans on its line (for carets).
    pub width: usize,
}

impl<T> At<T> {
    /// A value with a location.
    pub fn new(value: T, loc: Loc) -> Self {
        Self {
            value,
            loc,
            width: 1,
        }
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// An amount of TAO, held exactly in rao (1 TAO = 10^9 rao).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Tao {
    /// The amount in rao.
    pub rao: u64,
}

/// Rao per TAO.
pub const RAO_PER_TAO: u64 = 1_000_000_000;

impl Tao {
    /// An amount of whole TAO.
    pub const fn from_tao(whole: u64) -> Self {
        Self {
            rao: whole * RAO_PER_TAO,
        }
    }
}

impl fmt::Display for Tao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.rao / RAO_PER_TAO;
        let frac = self.rao % RAO_PER_TAO;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:09}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for Tao {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A decimal string keeps the exact amount (floats would not).
        s.serialize_str(&self.to_string())
    }
}

/// A whole devnet: chain, subnets, neurons, GPU mocks, faults and expectations.
#[derive(Debug, Clone, Serialize)]
pub struct Topology {
    /// Name of the devnet (used for run directories and container labels).
    pub name: At<String>,
    /// Seed of every random choice in the run.
    pub seed: u64,
    /// Where components run.
    pub runtime: Runtime,
    /// Chain settings.
    pub chain: Chain,
    /// How many epochs `run` drives (per subnet).
    pub epochs: At<u32>,
    /// GPU mocks shared by neurons.
    pub gpu_mocks: Vec<GpuMock>,
    /// Subnets, in netuid order of appearance.
    pub subnets: Vec<Subnet>,
    /// Faults injected during the run.
    pub faults: Vec<Fault>,
    /// Checks evaluated on the snapshots.
    pub expectations: Vec<Expectation>,
}

/// Where components run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    /// Local child processes (the default).
    Process,
    /// Docker containers built from the workspace binaries.
    Docker,
}

/// How the chain produces blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sealing {
    /// Blocks are sealed on request (the orchestrator drives them).
    Manual,
    /// A block is sealed as soon as a transaction arrives.
    Instant,
    /// A block every `block_time_ms`.
    Interval,
}

/// Chain settings.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// Block production mode.
    pub sealing: Sealing,
    /// Time between blocks for interval sealing, in milliseconds.
    pub block_time_ms: u64,
    /// Whether the orchestrator waits for every neuron to finish a block before sealing the next
    /// (the property byte-identical snapshots rest on).
    pub lockstep: bool,
}

/// A subnet and its neurons.
#[derive(Debug, Clone, Serialize)]
pub struct Subnet {
    /// Position in its list in the file (for field paths in diagnostics).
    #[serde(skip)]
    pub index: usize,
    /// Name, unique among all names in the topology.
    pub name: At<String>,
    /// The subnet's netuid (1 or more; 0 is the root network).
    pub netuid: At<u16>,
    /// Hyperparameters, with subtensor's names and raw units.
    pub hyperparameters: Hyperparameters,
    /// Validator groups.
    pub validators: Vec<NeuronGroup>,
    /// Miner groups.
    pub miners: Vec<NeuronGroup>,
}

impl Subnet {
    /// Every neuron group of the subnet, validators first.
    pub fn groups(&self) -> impl Iterator<Item = &NeuronGroup> {
        self.validators.iter().chain(self.miners.iter())
    }
}

/// Subnet hyperparameters, named and scaled as in subtensor (see `docs/topology.md`).
#[derive(Debug, Clone, Serialize)]
pub struct Hyperparameters {
    /// Blocks between epochs.
    pub tempo: u16,
    /// Consensus majority threshold, u16 fixed point (32767 ≈ 0.5).
    pub kappa: u16,
    /// Blocks a new registration is protected from pruning.
    pub immunity_period: u16,
    /// Fewest weights a validator must set.
    pub min_allowed_weights: u16,
    /// Most validator permits.
    pub max_allowed_validators: u16,
    /// Most neurons (UIDs) in the subnet.
    pub max_allowed_uids: u16,
    /// Blocks between two weight settings of one validator.
    pub weights_rate_limit: u64,
    /// Blocks without an update after which a validator counts as inactive.
    pub activity_cutoff: u16,
    /// Bonds EMA factor, parts per million (900000 ⇒ α = 0.1).
    pub bonds_moving_average: u64,
    /// Bonds penalty, u16 fixed point (65535 = 1.0).
    pub bonds_penalty: u16,
    /// Yuma3 bonds.
    pub yuma3: bool,
    /// Liquid alpha (per-bond EMA factor).
    pub liquid_alpha: bool,
    /// Liquid alpha lower bound, u16 fixed point.
    pub alpha_low: u16,
    /// Liquid alpha upper bound, u16 fixed point.
    pub alpha_high: u16,
    /// Commit-reveal of weights (off by default on the devnet: the real one needs drand).
    pub commit_reveal: bool,
    /// Whether neurons may register.
    pub registration_allowed: bool,
    /// Registration burn.
    pub burn: Tao,
    /// Lowest registration burn.
    pub min_burn: Tao,
    /// Highest registration burn.
    pub max_burn: Tao,
}

/// Whether a neuron is a validator or a miner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sets weights.
    Validator,
    /// Serves work.
    Miner,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Validator => "validator",
            Role::Miner => "miner",
        })
    }
}

/// A group of identical neurons (`replicas` of them).
#[derive(Debug, Clone, Serialize)]
pub struct NeuronGroup {
    /// Position in its list in the file (for field paths in diagnostics).
    #[serde(skip)]
    pub index: usize,
    /// Group name; instances are `name` (one replica) or `name-0`, `name-1`, ...
    pub name: At<String>,
    /// Validator or miner.
    pub role: Role,
    /// How many instances.
    pub replicas: At<u32>,
    /// Stake of each instance.
    pub stake: Tao,
    /// GPU mocks each instance uses.
    pub gpus: Vec<At<String>>,
    /// Built-in behaviour, or a bring-your-own command.
    pub kind: NeuronKind,
}

/// A built-in neuron or a bring-your-own command.
#[derive(Debug, Clone, Serialize)]
pub enum NeuronKind {
    /// The built-in neuron with a behaviour.
    #[serde(rename = "behaviour")]
    Builtin(Behaviour),
    /// Any command, with the chain endpoint and keys injected.
    #[serde(rename = "command")]
    Command(CommandSpec),
}

/// How a built-in neuron behaves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// Does the work (miner) or scores honestly (validator).
    Honest,
    /// Miner: answers garbage. Validator: sets weights without querying.
    Lazy,
    /// Miner: answers correctly but `slowdown` times slower.
    Slow {
        /// Factor on the honest duration (> 1).
        slowdown: f64,
    },
    /// Registers, then never answers or sets weights.
    Offline,
    /// Miner: fails a fraction of requests.
    Flaky {
        /// Fraction of failed requests (0 to 1).
        failure_rate: f64,
    },
    /// Miner: copies another miner's answers.
    Copier {
        /// The miner copied (any when absent).
        copy_from: Option<At<String>>,
    },
    /// Validator: copies weights from the chain instead of scoring.
    WeightCopier {
        /// The validator copied (the consensus when absent).
        copy_from: Option<At<String>>,
    },
    /// Validator: gives all weight to `targets`.
    Colluder {
        /// Miners the colluders favour (groups or instances).
        targets: Vec<At<String>>,
    },
}

impl Behaviour {
    /// The behaviour's name as written in topologies.
    pub fn name(&self) -> &'static str {
        match self {
            Behaviour::Honest => "honest",
            Behaviour::Lazy => "lazy",
            Behaviour::Slow { .. } => "slow",
            Behaviour::Offline => "offline",
            Behaviour::Flaky { .. } => "flaky",
            Behaviour::Copier { .. } => "copier",
            Behaviour::WeightCopier { .. } => "weight-copier",
            Behaviour::Colluder { .. } => "colluder",
        }
    }
}

/// A bring-your-own neuron's command.
#[derive(Debug, Clone, Serialize)]
pub struct CommandSpec {
    /// Program and arguments (placeholders such as `{chain_endpoint}` are substituted).
    pub command: Vec<String>,
    /// Extra environment variables (placeholders substituted).
    pub env: BTreeMap<String, String>,
    /// Working directory, relative to the topology file.
    pub workdir: Option<String>,
}

/// A named GPU profile or a custom device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuSpec {
    /// Device memory in GiB.
    pub memory_gb: u32,
    /// Dense BF16 throughput in TFLOPS.
    pub tflops: f64,
    /// Memory bandwidth in GB/s.
    pub bandwidth_gbps: u32,
    /// Board power in watts.
    pub power_watts: u32,
}

/// A GPU mock service.
#[derive(Debug, Clone, Serialize)]
pub struct GpuMock {
    /// Position in its list in the file (for field paths in diagnostics).
    #[serde(skip)]
    pub index: usize,
    /// Name, unique among all names in the topology.
    pub name: At<String>,
    /// Profile name (`A100-80GB`, ... or `custom`).
    pub profile: String,
    /// Effective device specification (profile values, overridden by explicit fields).
    pub spec: GpuSpec,
    /// Devices in the mock.
    pub devices: u32,
    /// Standing faults (from the start of the run).
    pub faults: GpuFaults,
}

/// GPU faults, as the GPU mock takes them: every field optional, absent means off.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GpuFaults {
    /// Jobs larger than this fail with out-of-memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_above_size: Option<u64>,
    /// Simulated durations are multiplied by this factor (1 to 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle: Option<f64>,
    /// Fraction of jobs (0 to 1) that return a wrong result, chosen by seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrong_result_rate: Option<f64>,
    /// From this block on the device is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_from_block: Option<u64>,
}

/// When a scheduled fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTime {
    /// Before sealing this block.
    Block(u64),
    /// At the start of this epoch (1-based) of the reference subnet.
    Epoch(u32),
}

/// What a scheduled fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Kill the component (SIGKILL); it stays down.
    Kill,
    /// Restart the component.
    Restart,
    /// Freeze the component (SIGSTOP / docker pause).
    Pause,
    /// Unfreeze a paused component.
    Resume,
    /// Set a GPU mock's faults (replacing the ones in effect).
    GpuFault,
    /// Clear a GPU mock's faults.
    GpuClear,
    /// Cut the component off the network while it keeps running (Docker runtime).
    Partition,
    /// Drop a share of the component's packets at random (Docker runtime).
    Loss,
    /// Delay the component's packets (Docker runtime).
    Latency,
    /// Reconnect a partitioned component and end its loss and latency.
    Heal,
}

impl FaultAction {
    /// The action as written in a topology.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kill => "kill",
            Self::Restart => "restart",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::GpuFault => "gpu_fault",
            Self::GpuClear => "gpu_clear",
            Self::Partition => "partition",
            Self::Loss => "loss",
            Self::Latency => "latency",
            Self::Heal => "heal",
        }
    }

    /// Whether the action needs a runtime that can cut the network.
    pub fn needs_network(self) -> bool {
        matches!(
            self,
            Self::Partition | Self::Loss | Self::Latency | Self::Heal
        )
    }
}

/// A fault in the schedule.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// Position in its list in the file (for field paths in diagnostics).
    #[serde(skip)]
    pub index: usize,
    /// When.
    pub at: At<FaultTime>,
    /// Subnet whose epochs `at: epoch` counts (the target's subnet, else the first).
    pub subnet: Option<At<String>>,
    /// What.
    pub action: FaultAction,
    /// Component: `chain`, a GPU mock, a neuron group or a neuron instance.
    pub target: At<String>,
    /// For `gpu_fault`: the faults to set.
    pub faults: Option<GpuFaults>,
    /// For `loss`: the share of packets dropped each way, in percent.
    pub percent: Option<At<f64>>,
    /// For `latency`: the delay added to every packet each way, in milliseconds.
    pub delay_ms: Option<At<u32>>,
}

impl Fault {
    /// What the action needs besides its target.
    pub fn args(&self) -> FaultArgs {
        FaultArgs {
            faults: self.faults.clone(),
            percent: self.percent.as_ref().map(|p| p.value),
            delay_ms: self.delay_ms.as_ref().map(|d| d.value),
        }
    }
}

/// What some fault actions need besides a target: the fault set of a `gpu_fault`, the rate
/// of a `loss`, the delay of a `latency`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultArgs {
    /// For `gpu_fault`.
    pub faults: Option<GpuFaults>,
    /// For `loss`, in percent.
    pub percent: Option<f64>,
    /// For `latency`, in milliseconds.
    pub delay_ms: Option<u32>,
}

impl FaultArgs {
    /// Whether these arguments fit `action`: `loss` needs a `percent` greater than 0 and at
    /// most 100, `latency` a `delay_ms` of 1 to [`super::defaults::MAX_DELAY_MS`], and no
    /// other action takes either. The error says what does not fit.
    pub fn check(&self, action: FaultAction) -> Result<(), String> {
        let max = super::defaults::MAX_DELAY_MS;
        match (action, self.percent) {
            (FaultAction::Loss, Some(p)) if p > 0.0 && p <= 100.0 => {}
            (FaultAction::Loss, Some(p)) => {
                return Err(format!(
                    "loss of {p} % is out of range: give more than 0, at most 100"
                ));
            }
            (FaultAction::Loss, None) => {
                return Err("`loss` needs a percent (greater than 0, at most 100)".to_owned());
            }
            (_, Some(_)) => {
                return Err(format!(
                    "a percent applies only to `loss`, not to `{}`",
                    action.as_str()
                ));
            }
            (_, None) => {}
        }
        match (action, self.delay_ms) {
            (FaultAction::Latency, Some(ms)) if (1..=max).contains(&ms) => Ok(()),
            (FaultAction::Latency, Some(ms)) => Err(format!(
                "a delay of {ms} ms is out of range: give 1 to {max}"
            )),
            (FaultAction::Latency, None) => {
                Err(format!("`latency` needs a delay in ms (1 to {max})"))
            }
            (_, Some(_)) => Err(format!(
                "a delay applies only to `latency`, not to `{}`",
                action.as_str()
            )),
            (_, None) => Ok(()),
        }
    }
}

/// A check on the snapshots, such as `incentive(m-fast) > incentive(m-slow)`.
#[derive(Debug, Clone, Serialize)]
pub struct Expectation {
    /// Position in its list in the file (for field paths in diagnostics).
    #[serde(skip)]
    pub index: usize,
    /// The text as written.
    pub expect: At<String>,
    /// Left operand.
    #[serde(skip)]
    pub lhs: Operand,
    /// Comparison.
    #[serde(skip)]
    pub op: Comparison,
    /// Right operand.
    #[serde(skip)]
    pub rhs: Operand,
    /// Epoch after which it is checked (the last epoch when absent).
    pub epoch: Option<At<u32>>,
}

/// A per-neuron or per-subnet quantity read from a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Incentive.
    Incentive,
    /// Dividends.
    Dividends,
    /// Emission.
    Emission,
    /// Consensus.
    Consensus,
    /// Trust.
    Trust,
    /// Validator trust.
    ValidatorTrust,
    /// Rank.
    Rank,
    /// Stake.
    Stake,
}

/// One side of an expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal number.
    Number(f64),
    /// A metric of a neuron instance, a group (mean over its replicas) or a subnet (total).
    Metric {
        /// Which quantity.
        metric: Metric,
        /// Neuron instance, group or subnet name.
        subject: At<String>,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}
