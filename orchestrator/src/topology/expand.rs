//! Replica expansion: neuron groups become named instances, deterministically.
//!
//! Order is the file's order: subnets as listed, then in each subnet validator groups before miner
//! groups, then replicas by index. Later stages register neurons in this order, so it decides UIDs.

use serde::Serialize;

use super::model::{Fault, NeuronGroup, NeuronKind, Role, Subnet, Tao, Topology};

/// One neuron to launch.
#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    /// Unique instance name (`group` for one replica, `group-<i>` otherwise).
    pub name: String,
    /// The group it was expanded from.
    pub group: String,
    /// Replica index within the group (0-based).
    pub replica: u32,
    /// Subnet name.
    pub subnet: String,
    /// Subnet netuid.
    pub netuid: u16,
    /// Validator or miner.
    pub role: Role,
    /// Stake.
    pub stake: Tao,
    /// GPU mocks used.
    pub gpus: Vec<String>,
    /// Behaviour or command.
    #[serde(flatten)]
    pub kind: NeuronKind,
}

/// Instance names of a group: its own name for one replica, `name-0`, `name-1`, ... otherwise.
pub fn instance_names(group: &NeuronGroup) -> Vec<String> {
    let name = &group.name.value;
    match group.replicas.value {
        0 | 1 => vec![name.clone()],
        n => (0..n).map(|i| format!("{name}-{i}")).collect(),
    }
}

impl Topology {
    /// Every neuron instance, in registration order.
    pub fn instances(&self) -> Vec<Instance> {
        let mut out = Vec::new();
        for subnet in &self.subnets {
            for group in subnet.groups() {
                for (replica, name) in (0u32..).zip(instance_names(group)) {
                    out.push(Instance {
                        name,
                        group: group.name.value.clone(),
                        replica,
                        subnet: subnet.name.value.clone(),
                        netuid: subnet.netuid.value,
                        role: group.role,
                        stake: group.stake,
                        gpus: group.gpus.iter().map(|g| g.value.clone()).collect(),
                        kind: group.kind.clone(),
                    });
                }
            }
        }
        out
    }

    /// The instance names a reference stands for: every instance of a group, or the one instance
    /// named; empty when `name` is no neuron.
    pub fn neurons_named(&self, name: &str) -> Vec<String> {
        let groups = self.subnets.iter().flat_map(|s| s.groups());
        for g in groups {
            let instances = instance_names(g);
            if g.name.value == name {
                return instances;
            }
            if let Some(one) = instances.into_iter().find(|i| i == name) {
                return vec![one];
            }
        }
        Vec::new()
    }

    /// The subnet a neuron reference belongs to.
    pub fn subnet_of(&self, neuron: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| {
            s.groups()
                .any(|g| g.name.value == neuron || instance_names(g).iter().any(|i| i == neuron))
        })
    }

    /// The subnet whose epochs a fault's `epoch` counts: its `subnet`, else the target's subnet,
    /// else the first subnet.
    pub fn epoch_subnet(&self, fault: &Fault) -> Option<&Subnet> {
        if let Some(name) = &fault.subnet {
            return self.subnets.iter().find(|s| s.name.value == name.value);
        }
        self.subnet_of(&fault.target.value).or(self.subnets.first())
    }

    /// How many (component, peer) pairs talk over the network while the devnet runs: each pair
    /// needs a neighbour (ARP) entry when every component has its own address, as on the Docker
    /// runtime. An upper bound: validators that query nobody are counted too.
    pub fn network_peers(&self) -> u64 {
        let mut pairs = 0u64;
        let mut components = 1 + self.gpu_mocks.len() as u64; // the chain
        for subnet in &self.subnets {
            let count = |groups: &[super::NeuronGroup]| -> u64 {
                groups.iter().map(|g| u64::from(g.replicas.value)).sum()
            };
            let (validators, miners) = (count(&subnet.validators), count(&subnet.miners));
            // Every validator queries every miner of its subnet; every neuron talks to the chain.
            pairs += validators * miners + validators + miners;
            for group in &subnet.miners {
                pairs += u64::from(group.replicas.value) * group.gpus.len() as u64;
            }
            components += validators + miners;
        }
        // The orchestrator (on the host) reaches every component too.
        pairs + components
    }

    /// Number of neuron instances.
    pub fn neuron_count(&self) -> usize {
        self.subnets
            .iter()
            .flat_map(|s| s.groups())
            .map(|g| g.replicas.value as usize)
            .sum()
    }

    /// Number of bring-your-own instances.
    pub fn command_count(&self) -> usize {
        self.subnets
            .iter()
            .flat_map(|s| s.groups())
            .filter(|g| matches!(g.kind, NeuronKind::Command(_)))
            .map(|g| g.replicas.value as usize)
            .sum()
    }
}
