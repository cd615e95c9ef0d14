//! A short human-readable summary of a resolved topology.

use std::fmt::Write as _;

use super::model::{Behaviour, GpuFaults, NeuronKind, Role, Runtime, Sealing, Topology};

impl Topology {
    /// A few lines describing the devnet: chain, subnets, neuron groups, GPU mocks, faults.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let runtime = match self.runtime {
            Runtime::Process => "process",
            Runtime::Docker => "docker",
        };
        let sealing = match self.chain.sealing {
            Sealing::Manual => "manual".to_owned(),
            Sealing::Instant => "instant".to_owned(),
            Sealing::Interval => format!("interval {} ms", self.chain.block_time_ms),
        };
        let _ = writeln!(
            s,
            "topology `{}`: seed {}, runtime {runtime}, sealing {sealing}{}, {} epoch{}",
            self.name.value,
            self.seed,
            if self.chain.lockstep {
                " (lock-step)"
            } else {
                ""
            },
            self.epochs.value,
            plural(self.epochs.value as usize),
        );
        let _ = writeln!(
            s,
            "{} subnet{}, {} neuron{} ({} bring-your-own), {} GPU mock{}, {} fault{}, {} expectation{}",
            self.subnets.len(),
            plural(self.subnets.len()),
            self.neuron_count(),
            plural(self.neuron_count()),
            self.command_count(),
            self.gpu_mocks.len(),
            plural(self.gpu_mocks.len()),
            self.faults.len(),
            plural(self.faults.len()),
            self.expectations.len(),
            plural(self.expectations.len()),
        );
        for sn in &self.subnets {
            let h = &sn.hyperparameters;
            let validators: u32 = sn.validators.iter().map(|g| g.replicas.value).sum();
            let miners: u32 = sn.miners.iter().map(|g| g.replicas.value).sum();
            let _ = writeln!(
                s,
                "  subnet `{}` (netuid {}): tempo {}, {validators} validator{}, {miners} miner{}, yuma3 {}, liquid_alpha {}, commit_reveal {}",
                sn.name.value,
                sn.netuid.value,
                h.tempo,
                plural(validators as usize),
                plural(miners as usize),
                on_off(h.yuma3),
                on_off(h.liquid_alpha),
                on_off(h.commit_reveal),
            );
            for g in sn.groups() {
                let what = match &g.kind {
                    NeuronKind::Builtin(b) => b.name().to_owned(),
                    NeuronKind::Command(c) => format!("command `{}`", c.command.join(" ")),
                };
                let extra = match &g.kind {
                    NeuronKind::Builtin(Behaviour::Colluder { targets }) => {
                        format!(
                            " -> {}",
                            targets
                                .iter()
                                .map(|t| t.value.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                    _ => String::new(),
                };
                let gpus = if g.gpus.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", gpu {}",
                        g.gpus
                            .iter()
                            .map(|t| t.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let role = match g.role {
                    Role::Validator => "validator",
                    Role::Miner => "miner",
                };
                let _ = writeln!(
                    s,
                    "    {role} {} x{}: {what}{extra}, stake {} TAO{gpus}",
                    g.name.value, g.replicas.value, g.stake
                );
            }
        }
        for g in &self.gpu_mocks {
            let _ = writeln!(
                s,
                "  gpu mock `{}`: {} x{} ({} GB, {} TFLOPS, {} GB/s, {} W){}",
                g.name.value,
                g.profile,
                g.devices,
                g.spec.memory_gb,
                g.spec.tflops,
                g.spec.bandwidth_gbps,
                g.spec.power_watts,
                if g.faults == GpuFaults::default() {
                    String::new()
                } else {
                    ", with standing faults".to_owned()
                },
            );
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
