//! Docker runtime benchmarks (divan), to compare with the process runtime's (`benches/devnet.rs`).
//!
//! - `image_build_cold`: `ensure_image` of the `localtensor` binary when the engine has no image
//!   for it: `ldd`, the content hash, the build context assembled in memory, the classic
//!   builder. Before each sample (not measured) the image is removed (its untagged parent
//!   layers too, so nothing is reused) and the binary is copied to a fresh file, as after a
//!   `cargo build`: the per-process hash cache misses and the hash is computed again.
//! - `image_build_cached`: `ensure_image` when the image exists, as the first call of a new
//!   process pays it (`ldd`, the content hash of a fresh file, an inspect).
//! - `image_build_cached_in_process`: the same when this process has hashed the file already
//!   (`ldd`, file metadata, an inspect): every component start after the first.
//! - `first_block_minimal_docker`: `topologies/minimal.yaml` on a `DockerRuntime` from nothing
//!   to the first sealed block every neuron has finished (network, containers, setup
//!   extrinsics, the block with the miners' axons): `DockerRuntime::build` and
//!   `Devnet::launch`, as `first_block_minimal` does for processes. The image exists already
//!   (built before the samples). Teardown is not measured.
//! - `epoch_basic_docker`: wall time of one `run_epochs(1)` of `topologies/basic.yaml` on a
//!   devnet launched and run one epoch outside the measurement, as `epoch_basic`.
//! - `fault_loss_then_heal_docker`, `fault_latency_then_heal_docker`: `Devnet::apply` of a
//!   `loss` (10 %) or a `latency` (20 ms) to the validator of a running `minimal`, then of a
//!   `heal`: the firewall rules in and out (and the delay line started and stopped), as a
//!   fault schedule or `localtensor fault` does. Needs root, as those faults do.
//!
//! Without a Docker engine the benchmarks print why and are skipped. After the benchmarks the
//! engine is asked for containers and networks labelled with this process as their
//! orchestrator; any found are reported and removed.
//!
//! `cargo bench -p localtensor --bench docker` (release build of everything).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bollard::query_parameters::{RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder};
use common::{load, tokio};
use divan::Bencher;
use localtensor::devnet::{Devnet, Launcher};
use localtensor::runtime::DockerRuntime;
use localtensor::runtime::docker::{
    Docker, LABEL_ORCHESTRATOR_PID, connect, ensure_image, objects_labelled,
};
use localtensor::topology::{FaultAction, FaultArgs};
use std::path::{Path, PathBuf};

/// The binary every image and component comes from.
const BINARY: &str = env!("CARGO_BIN_EXE_localtensor");

fn main() {
    let rt = tokio();
    let docker = match rt.block_on(connect(None)) {
        Ok(docker) => docker,
        Err(e) => {
            eprintln!("docker benchmarks skipped: no Docker engine answers ({e})");
            return;
        }
    };
    divan::main();
    rt.block_on(report_leftovers(&docker));
}

async fn engine() -> Docker {
    connect(None).await.unwrap()
}

/// A copy of the binary under the same file name in a fresh directory: same image, new inode.
fn fresh_copy() -> (PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(Path::new(BINARY).file_name().unwrap());
    std::fs::copy(BINARY, &copy).unwrap();
    (copy, dir)
}

/// Removes the image `tag` and its untagged parent layers.
async fn remove_image(docker: &Docker, tag: &str) {
    let options = RemoveImageOptionsBuilder::default().noprune(false).build();
    match docker.remove_image(tag, Some(options), None).await {
        Ok(_) => {}
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(e) => panic!("cannot remove {tag} (a container may still use it): {e}"),
    }
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn image_build_cold(bencher: Bencher) {
    let rt = tokio();
    let docker = rt.block_on(engine());
    let tag = rt
        .block_on(ensure_image(&docker, Path::new(BINARY)))
        .unwrap()
        .tag;
    let mut built = Vec::new();
    bencher
        .with_inputs(|| {
            rt.block_on(remove_image(&docker, &tag));
            fresh_copy()
        })
        .bench_local_values(|(copy, dir)| {
            let image = rt.block_on(ensure_image(&docker, &copy)).unwrap();
            built.push(image.built);
            dir
        });
    assert!(built.iter().all(|b| *b), "an image was found, not built");
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn image_build_cached(bencher: Bencher) {
    let rt = tokio();
    let docker = rt.block_on(engine());
    rt.block_on(ensure_image(&docker, Path::new(BINARY)))
        .unwrap();
    bencher
        .with_inputs(fresh_copy)
        .bench_local_values(|(copy, dir)| {
            let image = rt.block_on(ensure_image(&docker, &copy)).unwrap();
            assert!(!image.built);
            dir
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn image_build_cached_in_process(bencher: Bencher) {
    let rt = tokio();
    let docker = rt.block_on(engine());
    rt.block_on(ensure_image(&docker, Path::new(BINARY)))
        .unwrap();
    bencher.bench_local(|| {
        let image = rt
            .block_on(ensure_image(&docker, Path::new(BINARY)))
            .unwrap();
        assert!(!image.built);
    });
}

/// A launched Docker devnet; dropping it tears it down (not measured by divan), then removes
/// its root.
struct Running {
    devnet: Option<Devnet<DockerRuntime>>,
    handle: tokio::runtime::Handle,
    _root: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(devnet) = self.devnet.take()
            && let Err(e) = self.handle.block_on(devnet.teardown())
        {
            eprintln!("teardown failed: {e}");
        }
    }
}

async fn launch(name: &str, handle: tokio::runtime::Handle) -> Running {
    let root = tempfile::tempdir().unwrap();
    let topology = load(name);
    let runtime = DockerRuntime::builder()
        .with_root(root.path())
        .with_topology_hash(topology.hash())
        .build()
        .await
        .unwrap();
    let launcher = Launcher::new(BINARY);
    let devnet = Devnet::launch(runtime, topology, &launcher, |_| {})
        .await
        .unwrap();
    Running {
        devnet: Some(devnet),
        handle,
        _root: root,
    }
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn first_block_minimal_docker(bencher: Bencher) {
    let rt = tokio();
    let docker = rt.block_on(engine());
    rt.block_on(ensure_image(&docker, Path::new(BINARY)))
        .unwrap();
    bencher.bench_local(|| rt.block_on(launch("minimal", rt.handle().clone())));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn epoch_basic_docker(bencher: Bencher) {
    let rt = tokio();
    bencher
        .with_inputs(|| {
            rt.block_on(async {
                let mut running = launch("basic", rt.handle().clone()).await;
                let devnet = running.devnet.as_mut().unwrap();
                devnet.run_epochs(1, |_| {}).await.unwrap();
                running
            })
        })
        .bench_local_refs(|running| {
            let devnet = running.devnet.as_mut().unwrap();
            let before = devnet.head();
            rt.block_on(devnet.run_epochs(1, |_| {})).unwrap();
            eprintln!(
                "basic (docker): one epoch = {} blocks",
                devnet.head() - before
            );
        });
}

/// Applies `action` with `args` to `minimal`'s validator, then heals it, once per sample.
fn fault_then_heal(bencher: Bencher, action: FaultAction, args: FaultArgs) {
    let rt = tokio();
    let mut running = rt.block_on(launch("minimal", rt.handle().clone()));
    let devnet = running.devnet.as_mut().unwrap();
    bencher.bench_local(|| {
        rt.block_on(async {
            devnet.apply(action, "v", &args).await.unwrap();
            devnet
                .apply(FaultAction::Heal, "v", &FaultArgs::default())
                .await
                .unwrap();
        });
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn fault_loss_then_heal_docker(bencher: Bencher) {
    let args = FaultArgs {
        percent: Some(10.0),
        ..FaultArgs::default()
    };
    fault_then_heal(bencher, FaultAction::Loss, args);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn fault_latency_then_heal_docker(bencher: Bencher) {
    let args = FaultArgs {
        delay_ms: Some(20),
        ..FaultArgs::default()
    };
    fault_then_heal(bencher, FaultAction::Latency, args);
}

/// Reports (and removes) containers and networks this process left behind.
async fn report_leftovers(docker: &Docker) {
    let pid = std::process::id().to_string();
    let objects = objects_labelled(docker, LABEL_ORCHESTRATOR_PID, &pid)
        .await
        .unwrap();
    if objects.is_empty() {
        eprintln!("no containers or networks left behind");
        return;
    }
    let (containers, networks) = (objects.containers, objects.networks);
    eprintln!(
        "left behind: {} containers, {} networks; removing them",
        containers.len(),
        networks.len()
    );
    for id in containers.into_iter().map(|c| c.id) {
        let force = RemoveContainerOptionsBuilder::default().force(true).build();
        let _ = docker.remove_container(&id, Some(force)).await;
    }
    for id in networks.into_iter().map(|n| n.id) {
        let _ = docker.remove_network(&id).await;
    }
}
