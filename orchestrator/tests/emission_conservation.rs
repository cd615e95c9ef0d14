//! Emission is conserved at every epoch: what the miners, the validators and the subnet owner
//! receive at a subnet's epoch is what the chain drained from that subnet's pending pools, less
//! at most the documented truncation, and never more.
//!
//! Two subnets with different tempos (5 and 9), built-in neurons on GPU mocks, four epochs each.
//! For every epoch block `b` of every subnet, read from the chain alone (no chain code):
//!
//! - **drained**: the pending pools (`PendingServerEmission` + `PendingValidatorEmission` +
//!   `PendingOwnerCut`) at block `b − 1`, plus what block `b` adds before its epoch runs (the
//!   block step fills the pools, then runs the epochs due). Block `b − 1` is never an epoch
//!   block, so its addition is `pools(b − 1) − pools(b − 2)`; block `b` adds the same amount,
//!   which the test checks holds: same `SubnetAlphaOutEmission` at `b − 1` and `b` (the split
//!   is a function of it and of `SubnetOwnerCut`, also unchanged). The pools are empty at `b`.
//! - **received**: the change of `TotalHotkeyAlpha` of every hotkey of the subnet from `b − 1`
//!   to `b`, split by role (miners, validators, the owner's hotkey at uid 0). Nothing else moves
//!   stake during the run.
//!
//! **Tolerance.** `0 ≤ drained − received ≤ n · (2 · ⌈E / 2³²⌉ + 2)` rao, `n` the subnet's uids
//! and `E` the miners' and validators' part of the drained alpha. The consensus engine computes
//! each uid's incentive and dividend share as I32F32 proportions, normalised with truncating
//! divisions (each share is at most `2⁻³²` low, twice: once normalising, once splitting by the
//! emission sum), then floors `share · E` to rao (1 rao), and the chain re-proportions each
//! dividend of the validators' pool with a flooring division (1 rao). The chain burns what was
//! drained and not paid (README, "Truncation dust"), so the difference is never negative.
//! Measured: 0 to 5 rao short per epoch, against a tolerance of 36.
//!
//! The owner receives its cut exactly: it sets no weights and is given none, so it earns no
//! incentive (which would be burned) and, once validators set weights, no dividends. At a
//! subnet's first epoch nobody has set weights yet, and, as in subtensor, the miners' and
//! validators' part goes by the stake of the permit holders of the previous epoch, which may
//! be the owner alone (it then receives everything): there the test checks only that the owner
//! gets at least its cut.
//!
//! The `Emission` vector the epoch stores sums to the miners' and validators' part within the
//! same tolerance.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::devnet::{Devnet, Launcher};
use localtensor::runtime::ProcessRuntime;
use localtensor::topology::{self, Role};
use localtensor_client::{BlockView, Client};

const TOPOLOGY: &str = "\
name: conservation
seed: 3
gpu_mocks:
  - {name: h100, profile: H100-80GB}
  - {name: l4, profile: L4}
subnets:
  - name: fast
    hyperparameters: {tempo: 5}
    validators:
      - {name: fv, replicas: 2}
    miners:
      - {name: fm-h100, replicas: 2, gpu: h100}
      - {name: fm-l4, gpu: l4}
  - name: slow
    hyperparameters: {tempo: 9}
    validators:
      - {name: sv, stake: 300}
      - {name: sv-big, stake: 2000}
    miners:
      - {name: sm-h100, gpu: h100}
      - {name: sm-l4, replicas: 2, gpu: l4}
";

const EPOCHS: u32 = 4;
const SUBTENSOR: &str = "SubtensorModule";

/// The documented epoch rule (README, "Epoch schedule").
fn is_epoch_block(netuid: u16, tempo: u16, block: u64) -> bool {
    let tempo = u64::from(tempo);
    tempo - (block + u64::from(netuid) + 1) % (tempo + 1) == 0
}

/// The three pending pools of `netuid`: (server, validator, owner cut).
async fn pools(view: &BlockView, netuid: u16) -> (u64, u64, u64) {
    let get = |item: &'static str| view.get::<_, u64>(SUBTENSOR, item, (netuid,));
    let root: u64 = view
        .get(SUBTENSOR, "PendingRootAlphaDivs", (netuid,))
        .await
        .unwrap();
    assert_eq!(root, 0, "no root dividends on a devnet");
    (
        get("PendingServerEmission").await.unwrap(),
        get("PendingValidatorEmission").await.unwrap(),
        get("PendingOwnerCut").await.unwrap(),
    )
}

async fn at(client: &Client, block: u64) -> BlockView {
    client.at_block(block).await.unwrap()
}

/// Alpha staked to each uid's hotkey on `netuid`, in uid order.
async fn stakes(view: &BlockView, netuid: u16) -> Vec<u64> {
    let mut out = Vec::new();
    for hotkey in view.hotkeys(netuid).await.unwrap() {
        out.push(view.total_hotkey_alpha(&hotkey, netuid).await.unwrap());
    }
    out
}

#[derive(Debug, Default)]
struct Received {
    miners: u64,
    validators: u64,
    owner: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_epoch_pays_out_what_it_drained() {
    let root = tempfile::tempdir().unwrap();
    let runtime = ProcessRuntime::builder()
        .with_root(root.path())
        .build()
        .unwrap();
    let topology = topology::parse(TOPOLOGY, "conservation.yaml").unwrap();
    let launcher = Launcher::new(env!("CARGO_BIN_EXE_localtensor"));
    let mut devnet = Devnet::launch(runtime, topology, &launcher, |_| {})
        .await
        .unwrap();
    let start = devnet.head();
    devnet.run_epochs(EPOCHS, |_| {}).await.unwrap();
    let head = devnet.head();
    let client = devnet.client();

    let mut checked = 0usize;
    for subnet in &devnet.setup().subnets {
        let (netuid, tempo) = (subnet.netuid, subnet.tempo);
        let role = |uid: u16| subnet.neurons.iter().find(|n| n.uid == uid).map(|n| n.role);
        let mut epochs = 0usize;
        let mut paid_miners = false;
        for b in (start + 2)..=head {
            if !is_epoch_block(netuid, tempo, b) {
                continue;
            }
            epochs += 1;
            let (v2, v1, v0) = (
                at(client, b - 2).await,
                at(client, b - 1).await,
                at(client, b).await,
            );
            let alpha_out_prev: u64 = v1
                .get(SUBTENSOR, "SubnetAlphaOutEmission", (netuid,))
                .await
                .unwrap();
            let alpha_out: u64 = v0
                .get(SUBTENSOR, "SubnetAlphaOutEmission", (netuid,))
                .await
                .unwrap();
            assert!(alpha_out > 0, "subnet {netuid} emits at block {b}");
            assert_eq!(
                alpha_out,
                alpha_out_prev,
                "block {b} adds what block {} did",
                b - 1
            );
            let cut_prev: u16 = v1.get(SUBTENSOR, "SubnetOwnerCut", ()).await.unwrap();
            let cut: u16 = v0.get(SUBTENSOR, "SubnetOwnerCut", ()).await.unwrap();
            assert_eq!(cut, cut_prev);

            let before = pools(&v2, netuid).await;
            let last = pools(&v1, netuid).await;
            assert_eq!(
                pools(&v0, netuid).await,
                (0, 0, 0),
                "the epoch at {b} drains the pools"
            );
            let added = (last.0 - before.0, last.1 - before.1, last.2 - before.2);
            assert!(
                added.0 > 0 && added.1 > 0 && added.2 > 0,
                "block {} fills every pool",
                b - 1
            );
            let drained_server = last.0 + added.0;
            let drained_validator = last.1 + added.1;
            let drained_owner = last.2 + added.2;
            let e = drained_server + drained_validator;
            let drained = e + drained_owner;

            let (s1, s0) = (stakes(&v1, netuid).await, stakes(&v0, netuid).await);
            assert_eq!(s1.len(), s0.len(), "no registration during the run");
            let n = s0.len() as u64;
            let mut got = Received::default();
            for (uid, (old, new)) in s1.iter().zip(&s0).enumerate() {
                let uid = u16::try_from(uid).unwrap();
                assert!(
                    new >= old,
                    "uid {uid} of subnet {netuid} lost stake at block {b}"
                );
                let delta = new - old;
                match role(uid) {
                    None => got.owner += delta,
                    Some(Role::Miner) => got.miners += delta,
                    Some(Role::Validator) => got.validators += delta,
                }
            }
            paid_miners |= got.miners > 0;
            let received = got.miners + got.validators + got.owner;
            let tolerance = n * (2 * e.div_ceil(1 << 32) + 2);
            eprintln!(
                "subnet {netuid} epoch block {b}: drained {drained} (server {drained_server}, \
                 validator {drained_validator}, owner {drained_owner}); received {received} \
                 {got:?}; short by {} rao (tolerance {tolerance})",
                drained.wrapping_sub(received)
            );
            assert!(
                received <= drained,
                "paid more than drained at block {b}: {got:?}"
            );
            assert!(
                drained - received <= tolerance,
                "subnet {netuid} block {b}: drained {drained}, received {received} ({got:?}), \
                 more than {tolerance} rao apart"
            );
            if epochs > 1 {
                assert_eq!(
                    got.owner, drained_owner,
                    "the owner gets exactly its cut at {b}"
                );
            } else {
                assert!(
                    got.owner >= drained_owner,
                    "the owner gets at least its cut at {b}"
                );
            }

            let stored: u64 = v0.emission(netuid).await.unwrap().iter().sum();
            assert!(
                stored <= e,
                "stored Emission {stored} exceeds the drained {e} at {b}"
            );
            assert!(
                e - stored <= tolerance,
                "stored Emission {stored} vs drained {e} at {b}"
            );
            checked += 1;
        }
        assert!(
            epochs >= EPOCHS as usize,
            "subnet {netuid}: {epochs} epochs checked"
        );
        assert!(paid_miners, "subnet {netuid}: miners earned in some epoch");
    }
    assert!(checked >= 2 * EPOCHS as usize);
    drop(devnet);
}
