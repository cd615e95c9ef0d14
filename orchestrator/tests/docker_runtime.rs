//! The Docker runtime against the real engine: images built from the workspace binaries
//! without a registry, the devnet chain and a GPU mock in containers reached from the host,
//! teardown (explicit, on drop, on SIGTERM), the sweep after a `kill -9`ed orchestrator, and
//! network faults. Every check of what is left behind asks the engine directly, by label.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use localtensor::runtime::docker::{
    self, DockerError, LABEL_BINARY, LABEL_COMPONENT, LABEL_DEVNET, LABEL_KIND, LABEL_MANAGED,
    LABEL_ORCHESTRATOR_PID,
};
use localtensor::runtime::{
    ComponentKind, ComponentSpec, ComponentState, DockerRuntime, Manifest, Readiness, Runtime,
    RuntimeError, sweep_docker_leftovers, sweep_leftovers,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A workspace binary next to this test's binaries, built once if missing.
fn workspace_binary(package: &str, binary: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let exe = std::env::current_exe().expect("test exe");
    // <target>/<profile>/deps/docker_runtime-<hash>
    let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
    let path = profile_dir.join(binary);
    let _guard = BUILD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !path.exists() {
        let target_dir = profile_dir.parent().expect("target dir");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "-p", package, "--bin", binary])
            .env("CARGO_TARGET_DIR", target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo build");
        assert!(status.success(), "building {binary} failed");
    }
    path
}

fn chain_binary() -> PathBuf {
    workspace_binary("localtensor-chain", "localtensor-chain")
}

fn gpu_mock_binary() -> PathBuf {
    workspace_binary("localtensor-gpu-mock", "localtensor-gpu-mock")
}

fn ready_line(secs: u64) -> Readiness {
    Readiness::ReadyLine {
        timeout: Duration::from_secs(secs),
    }
}

fn chain_spec(name: &str) -> ComponentSpec {
    ComponentSpec::new(name, ComponentKind::Chain, chain_binary().to_string_lossy())
        .with_args(["--dev", "--sealing", "manual", "--rpc-host", "0.0.0.0"])
        .with_args(["--rpc-port", "9944"])
        .with_readiness(ready_line(60))
}

fn gpu_mock_spec(name: &str) -> ComponentSpec {
    ComponentSpec::new(
        name,
        ComponentKind::GpuMock,
        gpu_mock_binary().to_string_lossy(),
    )
    .with_args(["--listen", "0.0.0.0:0"])
    .with_readiness(ready_line(60))
}

async fn devnet(root: &Path) -> DockerRuntime {
    DockerRuntime::builder()
        .with_root(root)
        .with_grace_period(Duration::from_secs(3))
        .build()
        .await
        .expect("docker devnet")
}

async fn engine() -> docker::Docker {
    docker::connect(None).await.expect("a Docker engine")
}

/// Names of the containers and networks the engine has with this devnet's label.
async fn objects_of(docker: &docker::Docker, devnet_id: &str) -> (Vec<String>, Vec<String>) {
    let objects = docker::objects_labelled(docker, LABEL_DEVNET, devnet_id)
        .await
        .expect("list the devnet's objects");
    let names = |list: Vec<docker::DockerObject>| list.into_iter().map(|o| o.name).collect();
    (names(objects.containers), names(objects.networks))
}

/// Removes whatever a failed test left of a devnet (containers, then networks), from a thread
/// of its own so that it works in `Drop` inside or outside a tokio runtime.
fn remove_devnet_objects(devnet_id: &str) {
    let id = devnet_id.to_owned();
    on_own_runtime(move || async move {
        let docker = engine().await;
        let (containers, networks) = objects_of(&docker, &id).await;
        for c in containers {
            let options = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
                .force(true)
                .build();
            let _ = docker
                .remove_container(c.trim_start_matches('/'), Some(options))
                .await;
        }
        for n in networks {
            let _ = docker.remove_network(&n).await;
        }
    });
}

/// Runs `work` to completion on a thread with its own tokio runtime (usable in `Drop`).
fn on_own_runtime<F, Fut>(work: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(work());
    })
    .join();
}

/// One HTTP/1.1 request from the host; `None` if the connection fails within `timeout`.
fn http(addr: SocketAddr, request: &str, timeout: Duration) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    http(addr, &request, Duration::from_secs(2))
}

/// A JSON-RPC call over HTTP POST; returns `result`.
fn json_rpc(addr: SocketAddr, method: &str) -> serde_json::Value {
    let body =
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, body) =
        http(addr, &request, Duration::from_secs(5)).expect("the chain answers from the host");
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
    value["result"].clone()
}

fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The host's loss and latency rules of a devnet (by the devnet in their comments).
fn host_rules_of(devnet_id: &str) -> Vec<String> {
    common::host_rules(&format!("localtensor devnet={devnet_id} "))
}

fn addr(endpoints: &std::collections::BTreeMap<String, String>, key: &str) -> SocketAddr {
    endpoints[key].parse().expect("host:port endpoint")
}

#[tokio::test]
async fn images_are_built_once_then_found_by_content_hash() {
    // A copy with a unique trailer (ignored by the loader) gets an image of its own, so the
    // first call really builds whatever the engine already holds.
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = dir.path().join("localtensor-gpu-mock");
    let mut bytes = std::fs::read(gpu_mock_binary()).expect("read gpu mock");
    let nonce = format!(
        "localtensor-test-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    );
    bytes.extend_from_slice(nonce.as_bytes());
    std::fs::write(&binary, bytes).expect("write copy");
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");

    let docker = engine().await;
    /// Removes the test's image even when an assertion fails.
    struct RemoveImage(Option<String>);
    impl Drop for RemoveImage {
        fn drop(&mut self) {
            if let Some(tag) = self.0.take() {
                on_own_runtime(move || async move {
                    let options = bollard::query_parameters::RemoveImageOptionsBuilder::default()
                        .force(true)
                        .build();
                    let _ = engine().await.remove_image(&tag, Some(options), None).await;
                });
            }
        }
    }
    let mut cleanup = RemoveImage(None);

    let cold = docker::ensure_image(&docker, &binary)
        .await
        .expect("cold build");
    cleanup.0 = Some(cold.tag.clone());
    assert!(cold.built, "the first call builds");
    assert!(
        cold.tag.starts_with("localtensor/localtensor-gpu-mock:"),
        "{}",
        cold.tag
    );
    assert_eq!(
        cold.tag.len(),
        "localtensor/localtensor-gpu-mock:".len() + 16
    );
    assert!(
        cold.content_hash
            .starts_with(cold.tag.rsplit(':').next().unwrap())
    );

    let cached = docker::ensure_image(&docker, &binary)
        .await
        .expect("cached");
    assert!(!cached.built, "the second call finds the image");
    assert_eq!(cached.id, cold.id);
    assert_eq!(cached.created, cold.created);
    assert!(cached.created.is_some());

    // The engine's view: labels, entrypoint, the libraries beside the binary.
    let inspect = docker.inspect_image(&cold.tag).await.expect("inspect");
    let config = inspect.config.expect("config");
    let labels = config.labels.expect("labels");
    assert_eq!(labels[LABEL_MANAGED], "true");
    assert_eq!(labels[LABEL_BINARY], "localtensor-gpu-mock");
    assert_eq!(
        config.entrypoint,
        Some(vec!["/usr/local/bin/localtensor-gpu-mock".to_owned()])
    );
    let listed = docker::list_images(&docker).await.expect("list");
    let mine = listed
        .iter()
        .find(|i| i.tag == cold.tag)
        .expect("listed by label");
    assert_eq!(mine.id, cold.id);
    assert_eq!(mine.binary, "localtensor-gpu-mock");
    // The same list from the CLI.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .arg("images")
        .output()
        .expect("localtensor images");
    assert!(cli.status.success());
    let table = String::from_utf8_lossy(&cli.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("{} ", cold.tag)))
        .unwrap_or_else(|| panic!("{} not listed:\n{table}", cold.tag));
    assert!(row.contains("localtensor-gpu-mock"), "{row}");
    assert!(table.starts_with("TAG "), "{table}");

    // A rebuilt binary gets a new image; pruning keeps the newest per binary.
    let renamed = dir.path().join("localtensor-prune-test");
    // Any small dynamic binary will do.
    let mut bytes = std::fs::read("/bin/true").expect("read /bin/true");
    bytes.extend_from_slice(nonce.as_bytes());
    std::fs::write(&renamed, &bytes).expect("write");
    std::fs::set_permissions(
        &renamed,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let old = docker::ensure_image(&docker, &renamed)
        .await
        .expect("build");
    let mut prune_cleanup = RemoveImage(Some(old.tag.clone()));
    bytes.extend_from_slice(b"rebuilt");
    // A new file (new inode), so the hash is computed again.
    std::fs::remove_file(&renamed).expect("rm");
    std::fs::write(&renamed, &bytes).expect("write");
    std::fs::set_permissions(
        &renamed,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let new = docker::ensure_image(&docker, &renamed)
        .await
        .expect("rebuild");
    let _new_cleanup = RemoveImage(Some(new.tag.clone()));
    assert!(new.built);
    assert_ne!(new.tag, old.tag);
    let removed = docker::prune_images(&docker, Some("localtensor-prune-test"), 1)
        .await
        .expect("prune");
    assert_eq!(removed, vec![old.tag.clone()]);
    prune_cleanup.0 = None;
    assert!(docker.inspect_image(&new.tag).await.is_ok());
    assert!(docker.inspect_image(&old.tag).await.is_err());

    let err = docker::ensure_image(&docker, &dir.path().join("missing"))
        .await
        .expect_err("no such binary");
    assert!(matches!(err, DockerError::Package { .. }), "{err}");
}

#[tokio::test]
async fn chain_and_gpu_mock_in_containers_answer_from_the_host() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = DockerRuntime::builder()
        .with_root(root.path())
        .with_topology_hash("sha256:abc")
        .with_grace_period(Duration::from_secs(3))
        .build()
        .await
        .expect("devnet");
    assert_eq!(rt.listen_host(), "0.0.0.0");
    let docker = engine().await;
    let id = rt.devnet_id();
    let run_dir = rt.run_dir();
    assert_eq!(run_dir, root.path().join(&id));
    assert_eq!(rt.network(), format!("localtensor-{id}"));

    let chain = rt.start(chain_spec("chain")).await.expect("chain starts");
    assert_eq!(chain.state, ComponentState::Running);
    let ip = rt.container_ip("chain").expect("ip");
    let rpc = addr(&chain.endpoints, "rpc");
    assert_eq!(rpc, SocketAddr::new(ip, 9944), "rewritten to the container");
    assert_eq!(chain.endpoints["ws"], format!("ws://{rpc}"));
    assert_eq!(chain.endpoints["http"], format!("http://{rpc}"));
    let line = chain.ready_line.as_ref().expect("ready line");
    assert_eq!(line["rpc"], "0.0.0.0:9944", "the line as printed");
    assert_eq!(line["sealing"], "manual");

    // JSON-RPC from the host, straight to the container's address (no published port).
    let health = json_rpc(rpc, "system_health");
    assert!(health.get("peers").is_some(), "{health}");
    let header = json_rpc(rpc, "chain_getHeader");
    assert_eq!(header["number"], "0x0", "{header}");

    // The container as the engine sees it.
    let container_id = rt.container_id("chain").expect("container");
    let inspect = docker
        .inspect_container(&container_id, None)
        .await
        .expect("inspect");
    assert_eq!(
        inspect.name.as_deref(),
        Some(format!("/localtensor-{id}-chain").as_str())
    );
    let labels = inspect
        .config
        .as_ref()
        .and_then(|c| c.labels.clone())
        .expect("labels");
    assert_eq!(labels[LABEL_DEVNET], id);
    assert_eq!(labels[LABEL_COMPONENT], "chain");
    assert_eq!(labels[LABEL_KIND], "chain");
    assert_eq!(
        labels[LABEL_ORCHESTRATOR_PID],
        std::process::id().to_string()
    );
    let networks = inspect
        .network_settings
        .and_then(|s| s.networks)
        .expect("networks");
    let endpoint = &networks[&rt.network()];
    assert!(
        endpoint
            .aliases
            .as_ref()
            .is_some_and(|a| a.contains(&"chain".to_owned())),
        "{endpoint:?}"
    );

    // The manifest and the log, as with processes.
    let manifest = Manifest::read(&run_dir.join("manifest.json")).expect("manifest");
    assert_eq!(manifest.devnet_id, id);
    assert_eq!(manifest.topology_hash.as_deref(), Some("sha256:abc"));
    let record = &manifest.components[0];
    assert_eq!(record.state, ComponentState::Running);
    assert_eq!(record.endpoints, chain.endpoints);
    assert_eq!(record.process, None);
    let container = record.container.as_ref().expect("container record");
    assert_eq!(container.id, container_id);
    assert_eq!(container.network, rt.network());
    assert_eq!(container.ip.as_deref(), Some(ip.to_string().as_str()));
    assert!(
        container
            .image
            .starts_with("localtensor/localtensor-chain:")
    );
    let log = std::fs::read_to_string(run_dir.join("logs/chain.log")).expect("log");
    assert!(
        log.contains(r#""event":"ready""#),
        "stdout is in the log: {log}"
    );

    assert!(matches!(
        rt.start(chain_spec("chain")).await,
        Err(RuntimeError::AlreadyRunning(_))
    ));

    // A GPU mock on a port it picks itself; its health from the host.
    let gpu = rt.start(gpu_mock_spec("gpu-0")).await.expect("gpu mock");
    let http_addr = addr(&gpu.endpoints, "http");
    assert_eq!(http_addr.ip(), rt.container_ip("gpu-0").expect("ip"));
    assert_ne!(http_addr.ip(), ip);
    let (status, _) = http_get(http_addr, "/health").expect("health answers");
    assert_eq!(status, 200);

    // Pause: the engine freezes it; a request sent meanwhile is answered only after resume.
    let paused = rt.pause("gpu-0").await.expect("pause");
    assert_eq!(paused.state, ComponentState::Paused);
    let gpu_id = rt.container_id("gpu-0").expect("id");
    let state = docker
        .inspect_container(&gpu_id, None)
        .await
        .expect("inspect")
        .state
        .expect("state");
    assert_eq!(state.paused, Some(true));
    let request = std::thread::spawn(move || {
        let answer = http_get(http_addr, "/health");
        (answer, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(300));
    let resumed_at = Instant::now();
    let resumed = rt.resume("gpu-0").await.expect("resume");
    assert_eq!(resumed.state, ComponentState::Running);
    let (answer, answered_at) = request.join().expect("request thread");
    assert_eq!(answer.map(|a| a.0), Some(200));
    assert!(answered_at >= resumed_at, "answered while paused");

    // Restart: a new container, ready again at the same address (each component keeps its
    // address for the devnet's life), so the endpoints handed out stay valid.
    let restarted = rt.restart("chain").await.expect("restart");
    assert_eq!(restarted.state, ComponentState::Running);
    let new_id = rt.container_id("chain").expect("id");
    assert_ne!(new_id, container_id);
    assert_eq!(restarted.endpoints, chain.endpoints);
    assert_eq!(json_rpc(rpc, "chain_getHeader")["number"], "0x0");

    // Stop: SIGTERM is enough for the chain (clean exit); kill: SIGKILL.
    let stopped = rt.stop("chain").await.expect("stop");
    assert_eq!(stopped.state, ComponentState::Stopped);
    assert_eq!(
        stopped.exit.map(|e| (e.code, e.signal)),
        Some((Some(0), None))
    );
    let killed = rt.kill("gpu-0").await.expect("kill");
    assert_eq!(killed.state, ComponentState::Stopped);
    assert_eq!(killed.exit.and_then(|e| e.signal), Some(9));
    assert!(matches!(
        rt.pause("chain").await,
        Err(RuntimeError::NotRunning { .. })
    ));
    assert!(matches!(
        rt.status("nope").await,
        Err(RuntimeError::UnknownComponent(_))
    ));

    rt.teardown().await.expect("teardown");
    assert_eq!(objects_of(&docker, &id).await, (vec![], vec![]));
    assert!(!run_dir.exists(), "run dir removed");
    assert!(matches!(
        rt.start(gpu_mock_spec("late")).await,
        Err(RuntimeError::TornDown(_))
    ));
}

#[tokio::test]
async fn drop_without_teardown_removes_containers_and_network() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path()).await;
    let id = rt.devnet_id();
    let run_dir = rt.run_dir();
    rt.start(gpu_mock_spec("gpu-0")).await.expect("gpu mock");
    rt.start(gpu_mock_spec("gpu-1")).await.expect("gpu mock");
    rt.pause("gpu-1").await.expect("pause");
    let docker = engine().await;
    let (containers, networks) = objects_of(&docker, &id).await;
    assert_eq!((containers.len(), networks.len()), (2, 1));
    drop(rt);
    assert_eq!(objects_of(&docker, &id).await, (vec![], vec![]));
    assert!(!run_dir.exists());
}

#[tokio::test]
async fn keep_logs_keeps_the_manifest_and_log() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path()).await;
    rt.set_keep_logs(true);
    let id = rt.devnet_id();
    rt.start(gpu_mock_spec("gpu-0")).await.expect("gpu mock");
    let run_dir = rt.run_dir();
    rt.teardown().await.expect("teardown");
    let manifest = Manifest::read(&run_dir.join("manifest.json")).expect("manifest kept");
    assert_eq!(manifest.components[0].state, ComponentState::Stopped);
    let log = std::fs::read_to_string(run_dir.join("logs/gpu-0.log")).expect("log");
    assert!(log.contains(r#""event":"ready""#), "{log}");
    // stderr too: the mock logs that it stopped on SIGTERM.
    assert!(log.contains("stopped"), "{log}");
    assert_eq!(objects_of(&engine().await, &id).await, (vec![], vec![]));
}

#[tokio::test]
async fn partition_cuts_a_component_off_until_healed() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path()).await;
    let gpu = rt.start(gpu_mock_spec("gpu-0")).await.expect("gpu mock");
    let http_addr = addr(&gpu.endpoints, "http");
    assert_eq!(http_get(http_addr, "/health").map(|a| a.0), Some(200));

    rt.partition("gpu-0").await.expect("partition");
    assert!(rt.is_partitioned("gpu-0").expect("known"));
    assert_eq!(
        http(
            http_addr,
            "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n",
            Duration::from_secs(1)
        ),
        None,
        "reachable while partitioned"
    );
    let err = rt.partition("gpu-0").await.expect_err("twice");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::FaultState { .. })),
        "{err}"
    );
    // The component keeps running meanwhile.
    assert_eq!(
        rt.status("gpu-0").await.expect("status").state,
        ComponentState::Running
    );
    // A component started meanwhile does not get the released address.
    let other = rt.start(gpu_mock_spec("gpu-1")).await.expect("gpu mock");
    assert_ne!(addr(&other.endpoints, "http").ip(), http_addr.ip());

    rt.heal("gpu-0").await.expect("heal");
    assert!(!rt.is_partitioned("gpu-0").expect("known"));
    assert_eq!(
        rt.container_ip("gpu-0").expect("ip"),
        http_addr.ip(),
        "same address after heal"
    );
    wait_until("the mock answers again", Duration::from_secs(20), || {
        http_get(http_addr, "/health").is_some_and(|a| a.0 == 200)
    });
    let err = rt.heal("gpu-0").await.expect_err("not partitioned");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::FaultState { .. })),
        "{err}"
    );

    // A restart while partitioned brings the component back connected: a new container on
    // the network, no longer partitioned (so a heal is refused).
    rt.partition("gpu-0").await.expect("partition again");
    let restarted = rt.restart("gpu-0").await.expect("restart");
    assert!(!rt.is_partitioned("gpu-0").expect("known"));
    let restarted_addr = addr(&restarted.endpoints, "http");
    assert_eq!(
        restarted_addr.ip(),
        http_addr.ip(),
        "same address after restart"
    );
    wait_until(
        "the restarted mock answers",
        Duration::from_secs(20),
        || http_get(restarted_addr, "/health").is_some_and(|a| a.0 == 200),
    );
    let err = rt
        .heal("gpu-0")
        .await
        .expect_err("restarted, not partitioned");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::FaultState { .. })),
        "{err}"
    );
    rt.teardown().await.expect("teardown");
}

/// Not a check of its own: inside a container (started by
/// `peers_see_partitions_loss_and_latency`), this test binary is the peer that probes
/// `LOCALTENSOR_PROBE` (`host:port`, resolved by the container's DNS) and exits 0 if `/health`
/// answers 200, 1 otherwise; with `LOCALTENSOR_PROBE_MIN_MS`, an answer that came sooner exits
/// 2. Run on the host it does nothing.
#[test]
fn probe_from_a_container() {
    let Ok(target) = std::env::var("LOCALTENSOR_PROBE") else {
        return;
    };
    let min = std::env::var("LOCALTENSOR_PROBE_MIN_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&target)
        .ok()
        .and_then(|mut addrs| addrs.next());
    let started = Instant::now();
    let answered = addr.and_then(|addr| http_get(addr, "/health"));
    let took = started.elapsed();
    std::process::exit(match answered {
        Some((200, _)) if min.is_some_and(|min| took < min) => 2,
        Some((200, _)) => 0,
        _ => 1,
    });
}

/// Runs this test binary as a peer container probing `target`; returns its exit code.
async fn probe(rt: &mut DockerRuntime, name: &str, target: &str) -> Option<i32> {
    probe_slower_than(rt, name, target, Duration::ZERO).await
}

/// As [`probe`], but an answer sooner than `min` exits 2.
async fn probe_slower_than(
    rt: &mut DockerRuntime,
    name: &str,
    target: &str,
    min: Duration,
) -> Option<i32> {
    let exe = std::env::current_exe().expect("test exe");
    rt.start(
        ComponentSpec::new(name, ComponentKind::Command, exe.to_string_lossy())
            .with_args(["--exact", "probe_from_a_container", "--test-threads=1"])
            .with_env("LOCALTENSOR_PROBE", target)
            .with_env("LOCALTENSOR_PROBE_MIN_MS", min.as_millis().to_string()),
    )
    .await
    .expect("the probe starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = rt.status(name).await.expect("status");
        if let Some(exit) = status.exit {
            return exit.code;
        }
        assert!(Instant::now() < deadline, "the probe {name} did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn peers_see_partitions_loss_and_latency() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path()).await;
    struct RemoveProbeImage;
    impl Drop for RemoveProbeImage {
        fn drop(&mut self) {
            on_own_runtime(|| async {
                let docker = engine().await;
                let exe = std::env::current_exe().expect("test exe");
                let name = exe
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                for image in docker::list_images(&docker).await.unwrap_or_default() {
                    if image.binary == name {
                        let _ = docker
                            .remove_image(
                                &image.tag,
                                None::<bollard::query_parameters::RemoveImageOptions>,
                                None,
                            )
                            .await;
                    }
                }
            });
        }
    }
    let _probe_image = RemoveProbeImage;
    let gpu = rt
        .start(
            ComponentSpec::new(
                "gpu-0",
                ComponentKind::GpuMock,
                gpu_mock_binary().to_string_lossy(),
            )
            .with_args(["--listen", "0.0.0.0:8080"])
            .with_readiness(ready_line(60)),
        )
        .await
        .expect("gpu mock");
    // Peers use the very endpoint the orchestrator got, or the component's name.
    let endpoint = gpu.endpoints["http"].clone();
    assert_eq!(probe(&mut rt, "probe-1", &endpoint).await, Some(0));
    assert_eq!(probe(&mut rt, "probe-2", "gpu-0:8080").await, Some(0));
    // A probe that fails says so (the probe itself can fail).
    assert_eq!(probe(&mut rt, "probe-3", "gpu-0:9").await, Some(1));

    rt.partition("gpu-0").await.expect("partition");
    assert_eq!(probe(&mut rt, "probe-4", &endpoint).await, Some(1));
    assert_eq!(probe(&mut rt, "probe-5", "gpu-0:8080").await, Some(1));

    rt.heal("gpu-0").await.expect("heal");
    let mut healed = false;
    for attempt in 0..10 {
        if probe(&mut rt, &format!("probe-6-{attempt}"), &endpoint).await == Some(0) {
            healed = true;
            break;
        }
    }
    assert!(healed, "a peer reaches the healed component again");
    assert_eq!(probe(&mut rt, "probe-7", "gpu-0:8080").await, Some(0));

    // Loss: at 100 % no peer gets through, while the host (outside the devnet's links) still
    // does; a heal removes the rules.
    let id = rt.devnet_id();
    let bad = rt.add_loss("gpu-0", 0.0).await.expect_err("0 % is no loss");
    assert!(
        matches!(
            bad,
            RuntimeError::Docker(DockerError::FaultUnavailable { .. })
        ),
        "{bad}"
    );
    assert!(host_rules_of(&id).is_empty(), "a refused loss adds no rule");
    rt.add_loss("gpu-0", 40.0).await.expect("loss");
    rt.add_loss("gpu-0", 100.0)
        .await
        .expect("a second loss replaces the rate");
    let rules = host_rules_of(&id);
    assert_eq!(rules.len(), 2, "one rule each way: {rules:?}");
    assert!(
        rules.iter().all(|r| r.contains("--probability 1")),
        "{rules:?}"
    );
    assert_eq!(rt.loss_percent("gpu-0").expect("known"), Some(100.0));
    let record = rt.manifest().components[0]
        .container
        .clone()
        .expect("container");
    assert_eq!(record.loss_percent, Some(100.0));
    assert_eq!(probe(&mut rt, "probe-8", &endpoint).await, Some(1));
    assert_eq!(
        http_get(addr(&gpu.endpoints, "http"), "/health").map(|a| a.0),
        Some(200),
        "the host's own calls are not dropped"
    );
    rt.heal("gpu-0").await.expect("heal the loss");
    assert!(host_rules_of(&id).is_empty());
    assert_eq!(rt.loss_percent("gpu-0").expect("known"), None);
    assert_eq!(probe(&mut rt, "probe-9", &endpoint).await, Some(0));
    let err = rt.heal("gpu-0").await.expect_err("nothing to heal");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::FaultState { .. })),
        "{err}"
    );

    // Latency: 300 ms each way makes a request (handshake, then request and answer) take
    // 1.2 s at least; healed, it is fast again.
    let slow = Duration::from_millis(1200);
    assert_eq!(
        probe_slower_than(&mut rt, "probe-10", &endpoint, slow).await,
        Some(2),
        "fast before the latency"
    );
    let bad = rt.add_latency("gpu-0", 0).await.expect_err("0 ms");
    assert!(
        matches!(
            bad,
            RuntimeError::Docker(DockerError::FaultUnavailable { .. })
        ),
        "{bad}"
    );
    rt.add_latency("gpu-0", 300).await.expect("latency");
    assert_eq!(rt.latency_ms("gpu-0").expect("known"), Some(300));
    let record = rt.manifest().components[0]
        .container
        .clone()
        .expect("container");
    assert_eq!(record.latency_ms, Some(300));
    let rules = host_rules_of(&id);
    assert_eq!(rules.len(), 2, "one rule each way: {rules:?}");
    assert!(rules.iter().all(|r| r.contains("-j NFQUEUE")), "{rules:?}");
    assert_eq!(
        probe_slower_than(&mut rt, "probe-11", &endpoint, slow).await,
        Some(0),
        "slow with the latency"
    );
    rt.heal("gpu-0").await.expect("heal the latency");
    assert!(host_rules_of(&id).is_empty());
    assert_eq!(
        probe_slower_than(&mut rt, "probe-12", &endpoint, slow).await,
        Some(2),
        "fast again once healed"
    );

    // The teardown removes the rules (and stops the delay line) of a devnet that ends lossy
    // and slow.
    rt.add_loss("gpu-0", 25.0).await.expect("loss again");
    rt.add_latency("gpu-0", 20).await.expect("latency again");
    assert_eq!(host_rules_of(&id).len(), 4);
    rt.teardown().await.expect("teardown");
    assert!(host_rules_of(&id).is_empty(), "rules left after teardown");
}

#[tokio::test]
async fn failures_carry_the_log_tail_and_leave_nothing_running() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path()).await;
    let docker = engine().await;

    // Bad arguments: the chain exits at once with clap's message on stderr.
    let err = rt
        .start(
            ComponentSpec::new(
                "bad",
                ComponentKind::Chain,
                chain_binary().to_string_lossy(),
            )
            .with_args(["--dev", "--sealing", "bogus"])
            .with_readiness(ready_line(60)),
        )
        .await
        .expect_err("exits");
    let RuntimeError::ExitedBeforeReady {
        name,
        status,
        log_tail,
        ..
    } = &err
    else {
        panic!("unexpected error {err}");
    };
    assert_eq!((name.as_str(), status.as_str()), ("bad", "exit code 2"));
    assert!(
        log_tail.iter().any(|l| l.contains("bogus")),
        "stderr in the tail: {log_tail:?}"
    );
    assert_eq!(
        rt.status("bad").await.expect("status").state,
        ComponentState::Failed
    );

    // HTTP readiness against a path that never answers 2xx: the URL's loopback host is the
    // container's address, the deadline kills it.
    let err = rt
        .start(
            ComponentSpec::new(
                "never",
                ComponentKind::GpuMock,
                gpu_mock_binary().to_string_lossy(),
            )
            .with_args(["--listen", "0.0.0.0:8080"])
            .with_readiness(Readiness::Http {
                url: "http://127.0.0.1:8080/no-such-path".into(),
                timeout: Duration::from_secs(2),
            }),
        )
        .await
        .expect_err("never ready");
    assert!(
        matches!(err, RuntimeError::ReadinessTimeout { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("it was killed"), "{err}");
    let id = rt.container_id("never").expect("container");
    let state = docker
        .inspect_container(&id, None)
        .await
        .expect("inspect")
        .state
        .expect("state");
    assert_eq!(state.running, Some(false));

    // HTTP readiness that succeeds, on a fixed port (each container has its own).
    let ok = rt
        .start(
            ComponentSpec::new(
                "fixed",
                ComponentKind::GpuMock,
                gpu_mock_binary().to_string_lossy(),
            )
            .with_args(["--listen", "0.0.0.0:8080"])
            .with_readiness(Readiness::Http {
                url: "http://127.0.0.1:8080/health".into(),
                timeout: Duration::from_secs(60),
            }),
        )
        .await
        .expect("ready by HTTP");
    assert_eq!(ok.state, ComponentState::Running);

    let err = rt
        .start(ComponentSpec::new(
            "missing",
            ComponentKind::Command,
            "/nonexistent/program",
        ))
        .await
        .expect_err("no such program");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::Package { .. })),
        "{err}"
    );
    let err = rt
        .start(ComponentSpec::new("../x", ComponentKind::Command, "true"))
        .await
        .expect_err("bad name");
    assert!(matches!(err, RuntimeError::InvalidName { .. }), "{err}");
    rt.teardown().await.expect("teardown");
}

#[tokio::test]
async fn no_engine_is_a_typed_error_naming_the_socket() {
    let root = tempfile::tempdir().expect("tempdir");
    let missing = root.path().join("no-docker.sock");
    let err = DockerRuntime::builder()
        .with_root(root.path())
        .with_socket(missing.to_string_lossy())
        .build()
        .await
        .expect_err("no engine");
    let RuntimeError::Docker(DockerError::Unavailable { socket, .. }) = &err else {
        panic!("unexpected error {err}");
    };
    assert_eq!(socket, &missing.to_string_lossy());
    assert!(err.to_string().contains("no-docker.sock"), "{err}");

    // A socket nobody listens on any more.
    let dead = root.path().join("dead.sock");
    drop(std::os::unix::net::UnixListener::bind(&dead).expect("bind"));
    let err = DockerRuntime::builder()
        .with_root(root.path())
        .with_socket(dead.to_string_lossy())
        .build()
        .await
        .expect_err("nobody answers");
    assert!(
        matches!(err, RuntimeError::Docker(DockerError::Unavailable { .. })),
        "{err}"
    );
    // Nothing was created.
    assert_eq!(
        std::fs::read_dir(root.path())
            .expect("root")
            .flatten()
            .filter(|e| e.path().is_dir())
            .count(),
        0
    );
}

/// A `localtensor __spawn-devnet-for-tests --runtime docker` orchestrator.
struct ChildOrchestrator {
    child: std::process::Child,
    devnet_id: String,
    rpc: SocketAddr,
    run_dir: PathBuf,
}

/// Whatever a failing test left behind is removed, so one failure does not leak containers.
impl Drop for ChildOrchestrator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        remove_devnet_objects(&self.devnet_id);
        // `iptables -S` quotes the comment as a shell would: let one delete each rule.
        for rule in host_rules_of(&self.devnet_id) {
            let delete = format!("iptables -w {}", rule.replacen(" -A ", " -D ", 1));
            let _ = Command::new("sh").args(["-c", &delete]).status();
        }
    }
}

/// Spawns an orchestrator with a chain in a container, with loss (30 %) and latency (20 ms) on
/// the chain's links: four rules on the host.
fn spawn_orchestrator(root: &Path) -> ChildOrchestrator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .arg("__spawn-devnet-for-tests")
        .args(["--loss", "30", "--latency-ms", "20"])
        .arg("--runtime")
        .arg("docker")
        .arg("--root")
        .arg(root)
        .arg("--chain")
        .arg(chain_binary())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .expect("spawn localtensor");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let Ok(line) = rx.recv_timeout(Duration::from_secs(120)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the orchestrator did not report its devnet");
    };
    let ready: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
    ChildOrchestrator {
        child,
        devnet_id: ready["devnet_id"].as_str().expect("id").to_owned(),
        rpc: ready["rpc"].as_str().expect("rpc").parse().expect("addr"),
        run_dir: PathBuf::from(ready["run_dir"].as_str().expect("run dir")),
    }
}

#[tokio::test]
async fn sigterm_to_the_orchestrator_removes_its_containers() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut orch = spawn_orchestrator(root.path());
    let docker = engine().await;
    assert_eq!(json_rpc(orch.rpc, "chain_getHeader")["number"], "0x0");
    let (containers, networks) = objects_of(&docker, &orch.devnet_id).await;
    assert_eq!((containers.len(), networks.len()), (1, 1));
    assert_eq!(host_rules_of(&orch.devnet_id).len(), 4);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(orch.child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let status = orch.child.wait().expect("wait");
    assert_eq!(status.code(), Some(128 + 15));
    assert_eq!(objects_of(&docker, &orch.devnet_id).await, (vec![], vec![]));
    assert!(
        host_rules_of(&orch.devnet_id).is_empty(),
        "firewall rules left"
    );
    assert!(!orch.run_dir.exists(), "run dir removed");
}

#[tokio::test]
async fn kill_9_leaves_containers_that_the_sweep_removes() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut orch = spawn_orchestrator(root.path());
    orch.child.kill().expect("SIGKILL");
    orch.child.wait().expect("wait");
    let docker = engine().await;
    // Containers outlive their orchestrator (no parent-death signal across the engine).
    let (containers, networks) = objects_of(&docker, &orch.devnet_id).await;
    assert_eq!(
        (containers, networks),
        (
            vec![format!("localtensor-{}-chain", orch.devnet_id)],
            vec![format!("localtensor-{}", orch.devnet_id)]
        )
    );
    assert_eq!(json_rpc(orch.rpc, "chain_getHeader")["number"], "0x0");
    // So do its loss and latency rules on the host (the chain's packets pass undelayed now
    // that nobody holds their queue).
    assert_eq!(host_rules_of(&orch.devnet_id).len(), 4);

    // A live devnet of this process is left alone, with its loss rules.
    let mut live = devnet(root.path()).await;
    live.start(gpu_mock_spec("gpu-0")).await.expect("gpu mock");
    live.add_loss("gpu-0", 10.0).await.expect("loss");
    let report = sweep_docker_leftovers(&docker).await.expect("sweep");
    assert_eq!(
        report.removed_firewall_rules,
        vec![orch.devnet_id.clone(); 4],
        "{report:?}"
    );
    assert!(host_rules_of(&orch.devnet_id).is_empty());
    assert_eq!(host_rules_of(&live.devnet_id()).len(), 2);
    assert!(report.swept_devnets.contains(&orch.devnet_id), "{report:?}");
    assert!(
        report
            .removed_containers
            .contains(&format!("localtensor-{}-chain", orch.devnet_id)),
        "{report:?}"
    );
    assert!(
        report.live_devnets.contains(&live.devnet_id()),
        "{report:?}"
    );
    assert!(!report.swept_devnets.contains(&live.devnet_id()));
    assert_eq!(objects_of(&docker, &orch.devnet_id).await, (vec![], vec![]));
    let (containers, _) = objects_of(&docker, &live.devnet_id()).await;
    assert_eq!(containers.len(), 1, "the live devnet keeps its container");

    // The run directory goes with the process sweep, as for process devnets.
    let dirs = sweep_leftovers(root.path()).expect("sweep run dirs");
    assert_eq!(dirs.removed, vec![orch.run_dir.clone()]);
    live.teardown().await.expect("teardown");
}
