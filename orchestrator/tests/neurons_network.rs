//! Issue 5's acceptance test: a whole network of built-in neurons on mixed GPU mocks, driven in
//! lock-step through the Rust API, earns what the hardware and the behaviours deserve, and the
//! run is reproducible.
//!
//! One subnet (tempo 8): two honest validators and one weight-copier, all with the same stake;
//! miners on H100, A100 and L4 mocks, plus a lazy, a slow (H100, 3x slower) and an offline miner.
//! On the last epoch: faster hardware earns strictly more incentive (H100 > A100 > L4, H100 >
//! slow), lazy and offline miners earn nothing, and the weight-copier earns less dividend per
//! unit of stake than an honest validator. A second run with the same seed renders a
//! byte-identical snapshot; a run with another seed gives other weights and incentives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::devnet::{Devnet, Launcher};
use localtensor::runtime::ProcessRuntime;
use localtensor::snapshot::{NeuronSnapshot, Snapshot, SubnetSnapshot, render};
use localtensor::topology;

/// Validators set weights only once they hold a permit (from the first epoch on), and bonds
/// move by 10 % per epoch: six epochs let the ordering settle.
const EPOCHS: u32 = 6;

fn topology_yaml(seed: u64) -> String {
    format!(
        "\
name: neurons-network
seed: {seed}
gpu_mocks:
  - {{name: h100, profile: H100-80GB}}
  - {{name: a100, profile: A100-80GB}}
  - {{name: l4, profile: L4}}
subnets:
  - name: sn1
    hyperparameters: {{tempo: 8}}
    validators:
      - {{name: v-honest, replicas: 2, stake: 1000}}
      - {{name: v-copier, behaviour: weight-copier, stake: 1000}}
    miners:
      - {{name: m-h100, replicas: 2, gpu: h100}}
      - {{name: m-a100, gpu: a100}}
      - {{name: m-l4, gpu: l4}}
      - {{name: m-lazy, behaviour: lazy, gpu: h100}}
      - {{name: m-slow, behaviour: slow, slowdown: 3, gpu: h100}}
      - {{name: m-offline, behaviour: offline, gpu: h100}}
"
    )
}

async fn run(seed: u64) -> Snapshot {
    let root = tempfile::tempdir().unwrap();
    let runtime = ProcessRuntime::builder()
        .with_root(root.path())
        .build()
        .unwrap();
    let topology = topology::parse(&topology_yaml(seed), "neurons-network.yaml").unwrap();
    let launcher = Launcher::new(env!("CARGO_BIN_EXE_localtensor"));
    let mut devnet = Devnet::launch(runtime, topology, &launcher, |_| {})
        .await
        .unwrap();
    let snapshot = devnet.run_epochs(EPOCHS, |_| {}).await.unwrap();
    drop(devnet);
    snapshot
}

fn last(snapshot: &Snapshot) -> &SubnetSnapshot {
    &snapshot.epochs.last().unwrap().subnets[0]
}

fn neuron<'a>(subnet: &'a SubnetSnapshot, name: &str) -> &'a NeuronSnapshot {
    subnet
        .neurons
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no neuron {name}"))
}

/// A neuron's name, incentive and weights row.
type Outcome = (String, u16, Vec<(u16, u16)>);

/// What the run depends on beyond the keys: every weights row and every incentive, by name.
fn seed_dependent(snapshot: &Snapshot) -> Vec<Outcome> {
    snapshot
        .epochs
        .iter()
        .flat_map(|e| &e.subnets)
        .flat_map(|s| &s.neurons)
        .map(|n| (n.name.clone(), n.incentive, n.weights.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardware_and_behaviours_decide_rewards_and_runs_reproduce() {
    let first = run(5).await;
    assert_eq!(first.epochs.len(), EPOCHS as usize);
    let sn = last(&first);
    let incentive = |name: &str| neuron(sn, name).incentive;
    let table: Vec<String> = sn
        .neurons
        .iter()
        .map(|n| {
            format!(
                "{}: incentive {} dividends {} stake {} emission {}",
                n.name, n.incentive, n.dividends, n.stake, n.emission
            )
        })
        .collect();
    let table = table.join("\n");
    eprintln!("last epoch of seed 5:\n{table}");

    // Hardware: strictly faster GPUs earn strictly more.
    let (h0, h1) = (incentive("m-h100-0"), incentive("m-h100-1"));
    let (a100, l4, slow) = (incentive("m-a100"), incentive("m-l4"), incentive("m-slow"));
    assert!(h0.min(h1) > a100, "H100 > A100:\n{table}");
    assert!(a100 > l4, "A100 > L4:\n{table}");
    assert!(l4 > 0, "an honest L4 still earns:\n{table}");
    assert!(
        h0.min(h1) > slow,
        "H100 > the same H100 slowed down:\n{table}"
    );
    assert!(slow > 0, "the slow miner earns something:\n{table}");

    // Behaviours: garbage and silence earn nothing.
    for name in ["m-lazy", "m-offline"] {
        let n = neuron(sn, name);
        assert_eq!(n.incentive, 0, "{name} earns no incentive:\n{table}");
        assert_eq!(n.emission, 0, "{name} earns no emission:\n{table}");
    }

    // Validators: same stake at setup; the copier earns less per unit of stake than each
    // honest validator (compared by cross-multiplying, exactly).
    let copier = neuron(sn, "v-copier");
    assert!(
        !copier.weights.is_empty(),
        "the copier set weights:\n{table}"
    );
    for name in ["v-honest-0", "v-honest-1"] {
        let honest = neuron(sn, name);
        assert!(honest.emission > 0, "{name} earns dividends:\n{table}");
        let copier_per_stake = u128::from(copier.emission) * u128::from(honest.stake);
        let honest_per_stake = u128::from(honest.emission) * u128::from(copier.stake);
        assert!(
            copier_per_stake < honest_per_stake,
            "the weight-copier earns less per stake than {name}:\n{table}"
        );
    }

    // Reproducible: same seed, byte-identical snapshot; another seed, other weights.
    let again = run(5).await;
    assert_eq!(render(&first), render(&again), "same seed, same snapshot");
    let other = run(6).await;
    assert_ne!(render(&first), render(&other));
    assert_ne!(
        seed_dependent(&first),
        seed_dependent(&other),
        "another seed changes the weights and incentives, not only the keys"
    );
}
