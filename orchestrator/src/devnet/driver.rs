//! The driver: mines blocks through each subnet's epochs and snapshots every subnet right after
//! each of its epochs.
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
async fn read_subnet(client: &Client, subnet: &SubnetSetup) -> Result<SubnetSnapshot, DevnetError> {
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

/// Mines through `epochs` epochs of every subnet, snapshotting each subnet right after each of
/// its epochs. `progress` gets a line per epoch.
pub async fn run_epochs(
    client: &Client,
    setup: &DevnetSetup,
    topology: &str,
    seed: u64,
    epochs: u32,
    mut progress: impl FnMut(&str),
) -> Result<Snapshot, DevnetError> {
    let start = client
        .block_number()
        .await
        .map_err(chain("reading the current block"))?;
    // Every (block, subnet index, epoch number), in the order the chain reaches them.
    let mut schedule = Vec::new();
    for (i, subnet) in setup.subnets.iter().enumerate() {
        let mut after = start;
        for k in 1..=epochs {
            let Some(block) = next_epoch_block(subnet.netuid, subnet.tempo, after) else {
                break;
            };
            schedule.push((block, i, k));
            after = block;
        }
    }
    schedule.sort();
    let mut snapshot = Snapshot {
        topology: topology.to_owned(),
        seed,
        epochs: (1..=epochs)
            .map(|epoch| EpochSnapshot {
                epoch,
                block: 0,
                subnets: Vec::new(),
            })
            .collect(),
    };
    let mut head = start;
    for (block, i, k) in schedule {
        if block > head {
            client
                .devnet()
                .mine(block - head)
                .await
                .map_err(chain(format!("mining to block {block}")))?;
            head = block;
        }
        let subnet = &setup.subnets[i];
        let read = read_subnet(client, subnet).await?;
        progress(&format!(
            "epoch {k} of subnet {} at block {block}: emission {} alpha rao over {} neurons",
            subnet.name,
            read.totals.emission,
            read.neurons.len()
        ));
        if let Some(entry) = snapshot.epochs.get_mut(k as usize - 1) {
            entry.block = entry.block.max(block);
            entry.subnets.push(read);
            entry.subnets.sort_by_key(|s| s.netuid);
        }
    }
    Ok(snapshot)
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
