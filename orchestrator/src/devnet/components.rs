//! What the devnet runs, as runtime component specs: the chain, one GPU mock service per
//! topology entry, and one process per neuron instance. Built-in components run from the
//! `localtensor` binary itself (`localtensor __component NAME ...`), so a devnet needs nothing
//! else installed.

use super::DevnetError;
use super::setup::NeuronSetup;
use crate::runtime::{ComponentKind, ComponentSpec, Readiness};
use crate::topology::{Behaviour, GpuMock, NeuronKind, Role, Topology};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the chain and GPU mocks may take to print their ready line.
const SERVICE_READY: Duration = Duration::from_secs(30);
/// How long a neuron may take to connect, publish its axon and print its ready line.
const NEURON_READY: Duration = Duration::from_secs(90);

/// The program that runs built-in components.
#[derive(Debug, Clone)]
pub struct Launcher {
    program: PathBuf,
}

impl Launcher {
    /// Components run from `program`, a `localtensor` binary.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }

    /// The running executable, when it is `localtensor` itself (the CLI).
    pub fn current_exe() -> Result<Self, DevnetError> {
        let exe = std::env::current_exe().map_err(|e| {
            DevnetError::Launcher(format!("cannot find the running executable: {e}"))
        })?;
        // Rebuilt while running (cargo replaced the file): Linux reports the old inode's path
        // with this suffix; the new binary at the same path is the one to launch.
        let text = exe.to_string_lossy();
        Ok(Self::new(match text.strip_suffix(" (deleted)") {
            Some(path) => PathBuf::from(path),
            None => exe,
        }))
    }

    /// For library users and tests: `$LOCALTENSOR_BIN`, else the `localtensor` binary next to
    /// the running executable (cargo puts a test's binary in `target/<profile>/deps`).
    pub fn locate() -> Result<Self, DevnetError> {
        if let Some(path) = std::env::var_os("LOCALTENSOR_BIN") {
            return Ok(Self::new(path));
        }
        let exe = std::env::current_exe().map_err(|e| {
            DevnetError::Launcher(format!("cannot find the running executable: {e}"))
        })?;
        let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        if dir.ends_with("deps") {
            dir.pop();
        }
        let candidate = dir.join("localtensor");
        if candidate.is_file() {
            Ok(Self::new(candidate))
        } else {
            Err(DevnetError::Launcher(format!(
                "no `localtensor` binary at {}; build it (`cargo build -p localtensor`) or set \
                 LOCALTENSOR_BIN",
                candidate.display()
            )))
        }
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    fn spec(&self, name: &str, kind: ComponentKind, component: &str) -> ComponentSpec {
        ComponentSpec::new(name, kind, self.program.to_string_lossy())
            .with_args(["__component", component])
    }
}

/// The chain: manual sealing (the orchestrator seals every block), or instant sealing when the
/// topology asks for it.
pub fn chain_spec(launcher: &Launcher, topology: &Topology, host: &str) -> ComponentSpec {
    let sealing = match topology.chain.sealing {
        crate::topology::Sealing::Instant => "instant",
        _ => "manual",
    };
    launcher
        .spec("chain", ComponentKind::Chain, "chain")
        .with_args(["--dev", "--rpc-host", host, "--rpc-port", "0"])
        .with_args(["--sealing", sealing])
        .with_readiness(Readiness::ReadyLine {
            timeout: SERVICE_READY,
        })
}

/// A seed for `what`, derived from the topology seed (SplitMix64 over the name's bytes), so
/// every GPU mock gets its own device seeds.
pub fn derived_seed(seed: u64, what: &str) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    what.bytes().fold(mix(seed), |h, b| mix(h ^ u64::from(b)))
}

/// The GPU mock's configuration (its `--config-json`).
pub fn gpu_config(seed: u64, mock: &GpuMock) -> serde_json::Value {
    let mut faults = serde_json::Map::new();
    let f = &mock.faults;
    if let Some(v) = f.oom_above_size {
        faults.insert("oom_above_size".into(), json!(v));
    }
    if let Some(v) = f.throttle {
        faults.insert("throttle".into(), json!(v));
    }
    if let Some(v) = f.wrong_result_rate {
        faults.insert("wrong_result_rate".into(), json!(v));
    }
    if let Some(v) = f.lost_from_block {
        faults.insert("lost_from_block".into(), json!(v));
    }
    let name = &mock.name.value;
    let mut config = json!({
        "seed": derived_seed(seed, name),
        "devices": [{"profile": mock.profile, "count": mock.devices, "faults": faults}],
    });
    if mock.profile == "custom" {
        let profile = format!("{name}-custom");
        config["devices"][0]["profile"] = json!(profile);
        config["profiles"] = json!([{
            "name": profile,
            "memory_mib": u64::from(mock.spec.memory_gb) * 1024,
            // Whole GFLOP/s: the topology's TFLOPS carry at most three decimals.
            "throughput_gflops": (mock.spec.tflops * 1000.0).round() as u64,
            "bandwidth_gb_s": mock.spec.bandwidth_gbps,
            "tdp_watts": mock.spec.power_watts,
        }]);
    }
    config
}

/// A GPU mock service.
pub fn gpu_spec(launcher: &Launcher, seed: u64, mock: &GpuMock, host: &str) -> ComponentSpec {
    launcher
        .spec(&mock.name.value, ComponentKind::GpuMock, "gpu-mock")
        .with_args(["--listen".to_owned(), format!("{host}:0")])
        .with_args([
            "--config-json".to_owned(),
            gpu_config(seed, mock).to_string(),
        ])
        .with_readiness(Readiness::ReadyLine {
            timeout: SERVICE_READY,
        })
}

/// Everything a neuron's command line needs from the rest of the devnet.
pub struct NeuronContext<'a> {
    /// The chain's WebSocket URL.
    pub chain_ws: &'a str,
    /// The listen host for this runtime.
    pub host: &'a str,
    /// Topology seed.
    pub seed: u64,
    /// Subnet netuid.
    pub netuid: u16,
    /// Subnet tempo.
    pub tempo: u16,
    /// Built-in validators on the subnet (they share the querying, see [`sample_size`]).
    pub validators: usize,
    /// Lock-step mode.
    pub lockstep: bool,
    /// GPU mock name to base URL.
    pub gpus: &'a BTreeMap<String, String>,
    /// Instance name to hotkey (SS58), for references between neurons.
    pub hotkeys: &'a BTreeMap<String, String>,
    /// Group name to its instance names, for references to groups.
    pub groups: &'a BTreeMap<String, Vec<String>>,
}

impl NeuronContext<'_> {
    /// Hotkeys of a reference: an instance, or every instance of a group.
    fn hotkeys_of(&self, name: &str) -> Vec<String> {
        let names = self
            .groups
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec![name.to_owned()]);
        names
            .iter()
            .filter_map(|n| self.hotkeys.get(n).cloned())
            .collect()
    }
}

/// A built-in neuron's component spec; `None` for a bring-your-own command.
pub fn neuron_spec(
    launcher: &Launcher,
    neuron: &NeuronSetup,
    cx: &NeuronContext<'_>,
) -> Option<ComponentSpec> {
    let NeuronKind::Builtin(behaviour) = &neuron.instance.kind else {
        return None;
    };
    let (kind, component) = match neuron.role {
        Role::Validator => (ComponentKind::Validator, "validator"),
        Role::Miner => (ComponentKind::Miner, "miner"),
    };
    let mut spec = launcher
        .spec(&neuron.name, kind, component)
        .with_args([
            "--chain-endpoint".to_owned(),
            cx.chain_ws.to_owned(),
            "--netuid".to_owned(),
            cx.netuid.to_string(),
            "--name".to_owned(),
            neuron.name.clone(),
            "--seed".to_owned(),
            cx.seed.to_string(),
            "--listen".to_owned(),
            format!("{}:0", cx.host),
            "--behaviour".to_owned(),
            behaviour.name().to_owned(),
        ])
        // The secret stays out of the process list.
        .with_env("LOCALTENSOR_HOTKEY_URI", neuron.keys.hotkey_uri.clone())
        .with_readiness(Readiness::ReadyLine {
            timeout: NEURON_READY,
        });
    if cx.lockstep {
        spec = spec.with_args(["--lockstep"]);
    }
    match behaviour {
        Behaviour::Slow { slowdown } => {
            spec = spec.with_args(["--slowdown".to_owned(), slowdown.to_string()]);
        }
        Behaviour::Flaky { failure_rate } => {
            spec = spec.with_args(["--failure-rate".to_owned(), failure_rate.to_string()]);
        }
        Behaviour::Copier { copy_from } | Behaviour::WeightCopier { copy_from } => {
            if let Some(from) = copy_from {
                for hotkey in cx.hotkeys_of(&from.value).into_iter().take(1) {
                    spec = spec.with_args(["--copy-from".to_owned(), hotkey]);
                }
            }
        }
        Behaviour::Colluder { targets } => {
            for target in targets {
                for hotkey in cx.hotkeys_of(&target.value) {
                    spec = spec.with_args(["--target".to_owned(), hotkey]);
                }
            }
        }
        Behaviour::Honest | Behaviour::Lazy | Behaviour::Offline => {}
    }
    match neuron.role {
        Role::Miner => {
            for gpu in &neuron.instance.gpus {
                if let Some(url) = cx.gpus.get(gpu) {
                    spec = spec.with_args(["--gpu".to_owned(), url.clone()]);
                }
            }
        }
        Role::Validator => {
            // Twice per epoch: weights are on chain well before each epoch runs.
            let interval = (cx.tempo / 2).max(1);
            spec = spec.with_args(["--weights-interval".to_owned(), interval.to_string()]);
            let sample = sample_size(cx.validators);
            spec = spec.with_args(["--sample".to_owned(), sample.to_string()]);
            if cx.lockstep {
                // A timeout would make scores depend on how busy the machine is; in lock-step
                // only a hung miner can hit this one.
                spec = spec.with_args(["--request-timeout-ms", "120000"]);
            }
        }
    }
    Some(spec)
}

/// Challenges all validators of a subnet send per block, at most: a subnet with many validators
/// spreads them (each still covers every miner over a few blocks), so a large devnet's blocks
/// stay cheap.
pub const CHALLENGES_PER_BLOCK: usize = 64;

/// Miners each validator queries per block: 8 (the neuron's default), fewer when the subnet has
/// more than 8 validators, at least 1.
pub fn sample_size(validators: usize) -> usize {
    CHALLENGES_PER_BLOCK.div_ceil(validators.max(1)).clamp(1, 8)
}

/// Where a bring-your-own neuron runs, for its placeholders.
pub struct CommandContext<'a> {
    /// Subnet netuid.
    pub netuid: u16,
    /// The chain's WebSocket URL.
    pub chain_ws: &'a str,
    /// Topology seed.
    pub seed: u64,
    /// The directory reserved for its wallet.
    pub wallet_path: &'a Path,
    /// The devnet's run directory.
    pub run_dir: &'a Path,
    /// Base URLs of its GPU mocks.
    pub gpu_endpoints: Vec<String>,
    /// A free port for its axon.
    pub axon_port: u16,
}

/// A TCP port free now on the listen host, for a bring-your-own neuron's axon (it binds it
/// itself, so another process could take it first; in practice none does).
pub fn free_port(host: &str) -> Result<u16, DevnetError> {
    std::net::TcpListener::bind((host, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| DevnetError::Launcher(format!("reserving a port on {host}: {e}")))
}

/// The placeholder values of a bring-your-own neuron (see `topology::placeholders`); the same
/// values go into its environment.
pub fn placeholder_values(
    neuron: &NeuronSetup,
    cx: &CommandContext<'_>,
) -> BTreeMap<&'static str, String> {
    let keys = &neuron.keys;
    BTreeMap::from([
        ("chain_endpoint", cx.chain_ws.to_owned()),
        ("netuid", cx.netuid.to_string()),
        ("name", neuron.name.clone()),
        ("role", neuron.role.to_string()),
        ("hotkey", keys.hotkey_account().to_string()),
        ("hotkey_uri", keys.hotkey_uri.clone()),
        ("coldkey", keys.coldkey_account().to_string()),
        ("coldkey_uri", keys.coldkey_uri.clone()),
        ("wallet_path", cx.wallet_path.display().to_string()),
        ("wallet_name", neuron.name.clone()),
        ("hotkey_name", "default".to_owned()),
        ("axon_port", cx.axon_port.to_string()),
        ("gpu_endpoints", cx.gpu_endpoints.join(",")),
        ("run_dir", cx.run_dir.display().to_string()),
        ("seed", derived_seed(cx.seed, &neuron.name).to_string()),
    ])
}

/// A bring-your-own neuron's component spec: its command with placeholders substituted, the
/// placeholder environment variables plus its own `env`, started in its `workdir` (relative
/// paths are taken from the current directory; the CLI makes them relative to the topology
/// file). `None` for a built-in neuron.
pub fn command_spec(
    neuron: &NeuronSetup,
    values: &BTreeMap<&'static str, String>,
) -> Result<Option<ComponentSpec>, DevnetError> {
    let NeuronKind::Command(command) = &neuron.instance.kind else {
        return Ok(None);
    };
    let render = |text: &str| {
        crate::topology::placeholders::render(text, values)
            .map_err(|e| DevnetError::Launcher(format!("command of {}: {e:?}", neuron.name)))
    };
    let mut argv = Vec::new();
    for part in &command.command {
        argv.push(render(part)?);
    }
    let Some((program, args)) = argv.split_first() else {
        return Err(DevnetError::Launcher(format!(
            "neuron {} has an empty command",
            neuron.name
        )));
    };
    let mut spec = ComponentSpec::new(&neuron.name, ComponentKind::Command, program.clone())
        .with_args(args.iter().cloned());
    if let Some(dir) = &command.workdir {
        // `cd` in a shell that then becomes the command: the runtime needs no notion of a
        // working directory.
        let mut wrapped = vec![
            "-c".to_owned(),
            "cd -- \"$LOCALTENSOR_WORKDIR\" && exec \"$@\"".to_owned(),
            "sh".to_owned(),
        ];
        wrapped.extend(argv.iter().cloned());
        spec = ComponentSpec::new(&neuron.name, ComponentKind::Command, "sh")
            .with_args(wrapped)
            .with_env("LOCALTENSOR_WORKDIR", dir.clone());
    }
    for (name, env, _) in crate::topology::placeholders::PLACEHOLDERS {
        if let Some(value) = values.get(name) {
            spec = spec.with_env(*env, value.clone());
        }
    }
    for (key, value) in &command.env {
        spec = spec.with_env(key.clone(), render(value)?);
    }
    Ok(Some(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_gets_a_value() {
        let keys = crate::devnet::keys::NeuronKeys::derive(1, "sn1", "byo").unwrap();
        let topology = crate::topology::parse(
            "name: t\nsubnets:\n  - name: sn1\n    miners:\n      - {name: byo, command: 'true'}\n",
            "t.yaml",
        )
        .unwrap();
        let neuron = NeuronSetup {
            name: "byo".into(),
            role: crate::topology::Role::Miner,
            keys,
            uid: 1,
            instance: topology.instances().remove(0),
        };
        let cx = CommandContext {
            netuid: 1,
            chain_ws: "ws://127.0.0.1:9944",
            seed: 1,
            wallet_path: Path::new("/w"),
            run_dir: Path::new("/r"),
            gpu_endpoints: vec!["http://a".into(), "http://b".into()],
            axon_port: 4000,
        };
        let values = placeholder_values(&neuron, &cx);
        for name in crate::topology::placeholders::names() {
            let value = values
                .get(name)
                .unwrap_or_else(|| panic!("no value for {{{name}}}"));
            assert!(!value.is_empty(), "{{{name}}} is empty");
        }
        assert_eq!(values["gpu_endpoints"], "http://a,http://b");
        assert_eq!(values["hotkey_name"], "default");
    }

    #[test]
    fn sample_sizes_spread_challenges_over_validators() {
        assert_eq!(sample_size(0), 8);
        assert_eq!(sample_size(2), 8);
        assert_eq!(sample_size(8), 8);
        assert_eq!(sample_size(9), 8);
        assert_eq!(sample_size(36), 2);
        assert_eq!(sample_size(64), 1);
        assert_eq!(sample_size(500), 1);
    }

    #[test]
    fn derived_seeds_differ_by_name_and_seed_and_are_stable() {
        assert_ne!(derived_seed(1, "h100"), derived_seed(1, "a100"));
        assert_ne!(derived_seed(1, "h100"), derived_seed(2, "h100"));
        assert_eq!(derived_seed(1, "h100"), derived_seed(1, "h100"));
    }
}
