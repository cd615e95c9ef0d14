//! The Rust API, as a test author uses it: start a devnet from a topology, advance epochs, read
//! the metagraph, inject a GPU fault, snapshot; dropping the handle tears everything down.
//!
//! The fault scenario is issue 5's "what happens to my subnet when a miner's GPU degrades?":
//! two identical miners on identical GPUs earn alike until one GPU is throttled; in the epochs
//! after that, the throttled miner earns less.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::devnet::{Devnet, Launcher};
use localtensor::runtime::{ProcessRuntime, Runtime};
use localtensor::topology;

const TOPOLOGY: &str = "\
name: degrade
seed: 11
gpu_mocks:
  - {name: gpu-a, profile: H100-80GB}
  - {name: gpu-b, profile: H100-80GB}
subnets:
  - name: sn1
    hyperparameters: {tempo: 8}
    validators:
      - {name: v, replicas: 2}
    miners:
      - {name: m-a, gpu: gpu-a}
      - {name: m-b, gpu: gpu-b}
";

fn incentive(snapshot: &localtensor::snapshot::Snapshot, name: &str) -> u16 {
    let subnet = &snapshot.epochs.last().unwrap().subnets[0];
    subnet
        .neurons
        .iter()
        .find(|n| n.name == name)
        .unwrap()
        .incentive
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_gpu_lowers_its_miners_incentive_and_drop_cleans_up() {
    let root = tempfile::tempdir().unwrap();
    let runtime = ProcessRuntime::builder()
        .with_root(root.path())
        .build()
        .unwrap();
    let topology = topology::parse(TOPOLOGY, "degrade.yaml").unwrap();
    let launcher = Launcher::new(env!("CARGO_BIN_EXE_localtensor"));
    let mut devnet = Devnet::launch(runtime, topology, &launcher, |_| {})
        .await
        .unwrap();
    let chain_pid = devnet
        .runtime_mut()
        .status("chain")
        .await
        .unwrap()
        .process
        .unwrap()
        .pid;

    let before = devnet.run_epochs(3, |_| {}).await.unwrap();
    let (a0, b0) = (incentive(&before, "m-a"), incentive(&before, "m-b"));
    assert!(a0 > 0 && b0 > 0, "both miners earn: {a0} {b0}");
    let spread = a0.abs_diff(b0);
    assert!(
        u32::from(spread) * 10 < u32::from(a0.max(b0)),
        "identical GPUs earn within 10%: {a0} vs {b0}"
    );

    // The metagraph through the client agrees with the snapshot.
    let view = devnet.client().latest().await.unwrap();
    let incentives = view.incentive(1).await.unwrap();
    let a_uid = devnet.setup().subnets[0]
        .neurons
        .iter()
        .find(|n| n.name == "m-a")
        .unwrap()
        .uid;
    assert_eq!(incentives[usize::from(a_uid)], a0);

    let throttle = localtensor::topology::GpuFaults {
        throttle: Some(8.0),
        ..Default::default()
    };
    devnet
        .set_gpu_faults("gpu-a", Some(&throttle))
        .await
        .unwrap();
    let after = devnet.run_epochs(4, |_| {}).await.unwrap();
    let (a1, b1) = (incentive(&after, "m-a"), incentive(&after, "m-b"));
    assert!(
        a1 < a0,
        "the throttled miner earns less than before: {a1} < {a0}"
    );
    assert!(a1 < b1, "and less than its twin: {a1} < {b1}");
    let now = devnet.snapshot_now().await.unwrap();
    assert_eq!(now.epochs.len(), 1);
    assert_eq!(incentive(&now, "m-a"), a1);

    drop(devnet);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{chain_pid}")).exists() {
        let stat = std::fs::read_to_string(format!("/proc/{chain_pid}/stat")).unwrap_or_default();
        if stat.contains(") Z") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the chain survived the drop"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
    assert!(left.is_empty(), "run directory left behind: {left:?}");
}
