//! The driver's plan: which blocks each subnet's epochs fall on, and reading a subnet into a
//! snapshot right after one of its epochs (the devnet handle seals the blocks in between).
//!
//! Epochs are counted per subnet; epoch `k` of the run is each subnet's `k`-th epoch after
//! setup. The chain runs subtensor's modulo schedule (an epoch at block `b` when
//! `tempo - (b + netuid + 1) % (tempo + 1) == 0`), so the driver knows every epoch block in
//! advance and mines straight to it.

use super::setup::{DevnetSetup, SubnetSetup};
use super::{DevnetError, chain};
use crate::snapshot::{EpochSnapshot, NeuronSnapshot, Snapshot, SubnetSnapshot, SubnetTotals};
use localtensor_client::Client;

/// The first block after `after` at which `netuid` runs an epoch; `None` for tempo 0.
pub fn next_epoch_block(netuid: u16, tempo: u16, after: u64) -> Option<u64> {
    if tempo == 0 {
        return None;
    }
    let period = u64::from(tempo) + 1;
    let b = after + 1;
    // Epoch blocks satisfy (b + netuid + 1) % period == tempo.
    let phase = (b + u64::from(netuid) + 1) % period;
    let wait = (u64::from(tempo) + period - phase) % period;
    Some(b + wait)
}

/// Reads `subnet` at the latest block into a snapshot entry.
pub(crate) async fn read_subnet(
    client: &Client,
    subnet: &SubnetSetup,
) -> Result<SubnetSnapshot, DevnetError> {
    let name = &subnet.name;
    let view = client
        .latest()
        .await
        .map_err(chain(format!("reading subnet {name:?}")))?;
    let metagraph = view
        .metagraph(subnet.netuid)
        .await
        .map_err(chain(format!("reading the metagraph of subnet {name:?}")))?;
    let Some(metagraph) = metagraph else {
        return Ok(SubnetSnapshot {
            netuid: subnet.netuid,
            name: name.clone(),
            totals: SubnetTotals::default(),
            neurons: Vec::new(),
        });
    };
    let mut neurons = Vec::new();
    for n in &metagraph.neurons {
        let (who, role) = if n.uid == 0 && n.hotkey == subnet.owner.hotkey_account() {
            ("owner".to_owned(), "owner".to_owned())
        } else {
            match subnet
                .neurons
                .iter()
                .find(|s| s.keys.hotkey_account() == n.hotkey)
            {
                Some(s) => (s.name.clone(), s.role.to_string()),
                None => (format!("uid-{}", n.uid), "external".to_owned()),
            }
        };
        let weights = view
            .weights(subnet.netuid, n.uid)
            .await
            .map_err(chain(format!(
                "reading the weights of {who} on subnet {name:?}"
            )))?;
        neurons.push(NeuronSnapshot {
            uid: n.uid,
            name: who,
            role,
            hotkey: n.hotkey.to_string(),
            stake: n.alpha_stake,
            validator_permit: n.validator_permit,
            consensus: n.consensus,
            incentive: n.incentive,
            dividends: n.dividends,
            validator_trust: n.validator_trust,
            emission: n.emission,
            weights,
        });
    }
    Ok(SubnetSnapshot {
        netuid: subnet.netuid,
        name: name.clone(),
        totals: SubnetTotals::default(),
        neurons,
    }
    .with_totals())
}

/// Which blocks the run's epochs fall on: for each subnet, its next `epochs` epoch blocks after
/// the start.
#[derive(Debug, Clone)]
pub struct EpochPlan {
    start: u64,
    epochs: u32,
    /// Epoch blocks per subnet (index as in the setup).
    blocks: Vec<Vec<u64>>,
    /// Every (block, subnet index, epoch number) in the order the chain reaches them.
    schedule: Vec<(u64, usize, u32)>,
}

impl EpochPlan {
    /// The plan for `epochs` epochs of every subnet of `setup`, starting after block `start`.
    pub fn new(setup: &DevnetSetup, start: u64, epochs: u32) -> Self {
        let mut blocks = Vec::new();
        let mut schedule = Vec::new();
        for (i, subnet) in setup.subnets.iter().enumerate() {
            let mut after = start;
            let mut mine = Vec::new();
            for k in 1..=epochs {
                let Some(block) = next_epoch_block(subnet.netuid, subnet.tempo, after) else {
                    break;
                };
                schedule.push((block, i, k));
                mine.push(block);
                after = block;
            }
            blocks.push(mine);
        }
        schedule.sort();
        Self {
            start,
            epochs,
            blocks,
            schedule,
        }
    }

    /// Every (block, subnet index, epoch number), in block order.
    pub fn schedule(&self) -> &[(u64, usize, u32)] {
        &self.schedule
    }

    /// The first block of epoch `k` (1-based) of subnet `subnet`: the block after the previous
    /// epoch's, or after the start for the first.
    pub fn epoch_start(&self, subnet: usize, k: u32) -> u64 {
        let previous = k
            .checked_sub(2)
            .and_then(|i| self.blocks.get(subnet)?.get(i as usize).copied());
        previous.unwrap_or(self.start) + 1
    }

    /// A snapshot with one empty entry per epoch.
    pub fn empty_snapshot(&self, topology: &str, seed: u64) -> Snapshot {
        Snapshot {
            topology: topology.to_owned(),
            seed,
            epochs: (1..=self.epochs)
                .map(|epoch| EpochSnapshot {
                    epoch,
                    block: 0,
                    subnets: Vec::new(),
                })
                .collect(),
        }
    }
}

/// Adds subnet reading `read`, taken after its epoch `epoch` at `block`, to `snapshot`. An
/// epoch's block is the last block any subnet ran that epoch at.
pub fn record(snapshot: &mut Snapshot, epoch: u32, block: u64, read: SubnetSnapshot) {
    if let Some(entry) = epoch
        .checked_sub(1)
        .and_then(|i| snapshot.epochs.get_mut(i as usize))
    {
        entry.block = entry.block.max(block);
        entry.subnets.push(read);
        entry.subnets.sort_by_key(|s| s.netuid);
    }
}

#[cfg(test)]
mod tests {
    use super::next_epoch_block;

    /// The chain's rule, written the way subtensor states it.
    fn is_epoch(netuid: u16, tempo: u16, b: u64) -> bool {
        u64::from(tempo) == (b + u64::from(netuid) + 1) % (u64::from(tempo) + 1)
    }

    #[test]
    fn next_epoch_block_is_the_first_block_satisfying_the_rule() {
        for tempo in [1u16, 2, 7, 10, 100] {
            for netuid in [0u16, 1, 2, 5, 17] {
                for after in [0u64, 1, 5, 98, 1000] {
                    let got = next_epoch_block(netuid, tempo, after).unwrap();
                    let want = (after + 1..).find(|b| is_epoch(netuid, tempo, *b)).unwrap();
                    assert_eq!(got, want, "tempo {tempo} netuid {netuid} after {after}");
                }
            }
        }
        assert_eq!(next_epoch_block(1, 0, 5), None);
        // Subtensor's table: tempo 100, netuid 1 -> first epoch at block 98.
        assert_eq!(next_epoch_block(1, 100, 0), Some(98));
    }
}
