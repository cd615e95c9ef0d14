//! The snapshot data model.

use serde::{Deserialize, Serialize};

/// A whole run: every epoch's state of every subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Topology name.
    pub topology: String,
    /// Topology seed.
    pub seed: u64,
    /// One entry per completed epoch, in order.
    pub epochs: Vec<EpochSnapshot>,
}

/// The state after one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochSnapshot {
    /// Epoch number, from 1.
    pub epoch: u32,
    /// Block at which the snapshot was taken.
    pub block: u64,
    /// Subnets by netuid.
    pub subnets: Vec<SubnetSnapshot>,
}

/// One subnet after an epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetSnapshot {
    /// Subnet id.
    pub netuid: u16,
    /// Name in the topology.
    pub name: String,
    /// Sums over the neurons.
    pub totals: SubnetTotals,
    /// Neurons by uid.
    pub neurons: Vec<NeuronSnapshot>,
}

/// Per-subnet sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetTotals {
    /// Σ stake (rao of alpha).
    pub stake: u64,
    /// Σ emission of the epoch (rao of alpha).
    pub emission: u64,
}

/// One neuron after an epoch. Proportions are u16 (65535 = 1.0); amounts are rao.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronSnapshot {
    /// Uid on the subnet.
    pub uid: u16,
    /// Name in the topology.
    pub name: String,
    /// `validator`, `miner`, `owner` or `external`.
    pub role: String,
    /// Hotkey, SS58.
    pub hotkey: String,
    /// Stake (rao of alpha).
    pub stake: u64,
    /// Validator permit.
    pub validator_permit: bool,
    /// Consensus.
    pub consensus: u16,
    /// Incentive.
    pub incentive: u16,
    /// Dividends.
    pub dividends: u16,
    /// Validator trust.
    pub validator_trust: u16,
    /// Emission of the epoch (rao of alpha).
    pub emission: u64,
    /// Weights row: (uid, weight) as stored.
    pub weights: Vec<(u16, u16)>,
}

impl SubnetSnapshot {
    /// Recomputes the totals from the neurons.
    pub fn with_totals(mut self) -> Self {
        self.totals = SubnetTotals {
            stake: self.neurons.iter().map(|n| n.stake).sum(),
            emission: self.neurons.iter().map(|n| n.emission).sum(),
        };
        self
    }
}
