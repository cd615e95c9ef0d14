//! The process runtime against real processes: the devnet chain binary, shell commands, and the
//! `localtensor` binary as an orchestrator that is SIGTERMed or `kill -9`ed. Every test checks
//! in `/proc` that nothing of the devnet survives and that its ports can be bound again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::runtime::{
    ComponentKind, ComponentSpec, ComponentState, Manifest, ProcessRuntime, Readiness, Runtime,
    RuntimeError, sweep_leftovers,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The `localtensor-chain` binary next to this test's binaries, built once if missing.
fn chain_binary() -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let exe = std::env::current_exe().expect("test exe");
    // <target>/<profile>/deps/process_runtime-<hash>
    let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
    let binary = profile_dir.join("localtensor-chain");
    let _guard = BUILD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !binary.exists() {
        let target_dir = profile_dir.parent().expect("target dir");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args([
                "build",
                "-p",
                "localtensor-chain",
                "--bin",
                "localtensor-chain",
            ])
            .env("CARGO_TARGET_DIR", target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo build");
        assert!(status.success(), "building localtensor-chain failed");
    }
    binary
}

fn chain_spec(name: &str) -> ComponentSpec {
    ComponentSpec::new(name, ComponentKind::Chain, chain_binary().to_string_lossy())
        .with_args(["--dev", "--rpc-port", "0", "--sealing", "manual"])
        .with_readiness(Readiness::ReadyLine {
            timeout: Duration::from_secs(20),
        })
}

fn devnet(root: &Path) -> ProcessRuntime {
    ProcessRuntime::builder()
        .with_root(root)
        .with_grace_period(Duration::from_secs(3))
        .build()
        .expect("devnet")
}

/// `/proc/<pid>/stat`: (state, start time), independent of the code under test.
fn proc_stat(pid: i32) -> Option<(char, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    Some((fields[0].chars().next()?, fields[19].parse().ok()?))
}

/// Running (or stopped), not gone and not a zombie.
fn alive(pid: i32) -> bool {
    proc_stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The port can be bound again. A killed multi-threaded process can show as a zombie leader
/// while its other threads still close their sockets, so this waits (briefly) for the release.
fn assert_port_free(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpListener::bind(addr) {
            Ok(_) => return,
            Err(e) if Instant::now() >= deadline => panic!("port {addr} is still taken: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn rpc_addr(endpoints: &std::collections::BTreeMap<String, String>) -> SocketAddr {
    endpoints["rpc"].parse().expect("rpc is host:port")
}

#[tokio::test]
async fn chain_lifecycle_with_manifest_pause_resume_restart_stop() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = ProcessRuntime::builder()
        .with_root(root.path())
        .with_topology_hash("sha256:abc")
        .with_grace_period(Duration::from_secs(3))
        .build()
        .expect("devnet");
    let run_dir = rt.run_dir();
    assert_eq!(run_dir, root.path().join(rt.devnet_id()));

    let status = rt.start(chain_spec("chain")).await.expect("chain starts");
    assert_eq!(status.state, ComponentState::Running);
    let process = status.process.expect("pid");
    assert!(alive(process.pid));
    assert_eq!(
        proc_stat(process.pid).map(|s| s.1),
        Some(process.start_time)
    );
    let rpc = rpc_addr(&status.endpoints);
    assert_eq!(status.endpoints["ws"], format!("ws://{rpc}"));
    assert_eq!(status.endpoints["http"], format!("http://{rpc}"));
    assert_eq!(
        status.ready_line.as_ref().expect("line")["sealing"],
        "manual"
    );
    std::net::TcpStream::connect(rpc).expect("the chain listens");

    // The manifest on disk.
    let manifest = Manifest::read(&run_dir.join("manifest.json")).expect("manifest");
    assert_eq!(manifest.devnet_id, rt.devnet_id());
    assert_eq!(manifest.orchestrator.pid as u32, std::process::id());
    let own_start = proc_stat(manifest.orchestrator.pid).expect("own stat").1;
    assert_eq!(manifest.orchestrator.start_time, own_start);
    assert_eq!(manifest.topology_hash.as_deref(), Some("sha256:abc"));
    let record = &manifest.components[0];
    assert_eq!(record.name, "chain");
    assert_eq!(record.kind, ComponentKind::Chain);
    assert_eq!(record.process, Some(process));
    assert_eq!(record.endpoints, status.endpoints);
    assert_eq!(record.state, ComponentState::Running);
    assert_eq!(record.log, run_dir.join("logs/chain.log"));
    let log = std::fs::read_to_string(&record.log).expect("log");
    assert!(
        log.contains(r#""event":"ready""#),
        "stdout is in the log: {log}"
    );
    assert!(!run_dir.join("manifest.json.tmp").exists());

    // Starting the same name twice is refused.
    assert!(matches!(
        rt.start(chain_spec("chain")).await,
        Err(RuntimeError::AlreadyRunning(_))
    ));

    // Pause and resume: the process is stopped ('T') and continues.
    let paused = rt.pause("chain").await.expect("pause");
    assert_eq!(paused.state, ComponentState::Paused);
    wait_until("the chain is stopped", Duration::from_secs(5), || {
        proc_stat(process.pid).is_some_and(|s| s.0 == 'T')
    });
    assert_eq!(
        Manifest::read(&run_dir.join("manifest.json"))
            .expect("manifest")
            .components[0]
            .state,
        ComponentState::Paused
    );
    let resumed = rt.resume("chain").await.expect("resume");
    assert_eq!(resumed.state, ComponentState::Running);
    wait_until("the chain runs again", Duration::from_secs(5), || {
        proc_stat(process.pid).is_some_and(|s| s.0 != 'T')
    });
    assert!(matches!(
        rt.resume("chain").await.map(|s| s.state),
        Ok(ComponentState::Running)
    ));

    // Restart: a new process, the old one gone, ready again.
    let restarted = rt.restart("chain").await.expect("restart");
    let new_process = restarted.process.expect("pid");
    assert_ne!(new_process, process);
    assert!(!alive(process.pid));
    assert!(alive(new_process.pid));
    let new_rpc = rpc_addr(&restarted.endpoints);
    std::net::TcpStream::connect(new_rpc).expect("the restarted chain listens");
    let manifest = Manifest::read(&run_dir.join("manifest.json")).expect("manifest");
    assert_eq!(manifest.components[0].process, Some(new_process));

    // Stop: SIGTERM is enough for the chain; the port is released.
    let stopped = rt.stop("chain").await.expect("stop");
    assert_eq!(stopped.state, ComponentState::Stopped);
    assert_eq!(
        stopped.exit.and_then(|e| e.signal),
        None,
        "clean exit on SIGTERM"
    );
    assert!(!alive(new_process.pid));
    assert_port_free(new_rpc);
    assert!(matches!(
        rt.pause("chain").await,
        Err(RuntimeError::NotRunning { .. })
    ));
    assert!(matches!(
        rt.status("nope").await,
        Err(RuntimeError::UnknownComponent(_))
    ));

    rt.teardown().await.expect("teardown");
    assert!(!run_dir.exists(), "run dir removed");
}

#[tokio::test]
async fn drop_stops_everything_and_removes_the_run_dir() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path());
    let chain = rt.start(chain_spec("chain")).await.expect("chain");
    // A wrapper shell with a grandchild in its group, and one that left the group (setsid):
    // only the devnet marker in its environment finds that one.
    let shell = rt
        .start(
            ComponentSpec::new("shell", ComponentKind::Command, "sh")
                .with_args([
                    "-c",
                    "sleep 100 & setsid sleep 100 & echo '{\"event\":\"ready\"}'; wait",
                ])
                .with_readiness(Readiness::ReadyLine {
                    timeout: Duration::from_secs(10),
                }),
        )
        .await
        .expect("shell");
    let pids = [
        chain.process.expect("pid").pid,
        shell.process.expect("pid").pid,
    ];
    let run_dir = rt.run_dir();
    let rpc = rpc_addr(&chain.endpoints);
    let started = Instant::now();
    drop(rt);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "drop took {:?}",
        started.elapsed()
    );
    for pid in pids {
        assert!(!alive(pid), "pid {pid} survived the drop");
    }
    assert!(no_process_with_env(&run_dir), "a grandchild survived");
    assert_port_free(rpc);
    assert!(!run_dir.exists());
}

/// No live process carries the devnet marker of the run dir's devnet.
fn no_process_with_env(run_dir: &Path) -> bool {
    let id = run_dir
        .file_name()
        .expect("id")
        .to_string_lossy()
        .into_owned();
    let marker = format!("LOCALTENSOR_DEVNET_ID={id}");
    std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .all(|e| {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                return true;
            };
            let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
            !(alive(pid) && env.split(|&b| b == 0).any(|v| v == marker.as_bytes()))
        })
}

#[tokio::test]
async fn keep_logs_keeps_the_run_dir() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path());
    rt.set_keep_logs(true);
    rt.start(
        ComponentSpec::new("echo", ComponentKind::Command, "sh")
            .with_args(["-c", "echo hello; exec sleep 100"]),
    )
    .await
    .expect("start");
    let run_dir = rt.run_dir();
    let log = run_dir.join("logs/echo.log");
    // A command has no readiness: on a busy machine `sh` may not have printed yet.
    wait_until("the log has the output", Duration::from_secs(30), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l == "hello\n")
    });
    drop(rt);
    let manifest = Manifest::read(&run_dir.join("manifest.json")).expect("manifest kept");
    assert_eq!(manifest.components[0].state, ComponentState::Stopped);
    let pid = manifest.components[0].process.expect("pid").pid;
    assert!(!alive(pid));
    assert_eq!(std::fs::read_to_string(&log).expect("log kept"), "hello\n");
}

#[tokio::test]
async fn a_component_that_exits_gives_its_log_tail() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path());
    let ready_line = Readiness::ReadyLine {
        timeout: Duration::from_secs(10),
    };

    let err = rt
        .start(
            ComponentSpec::new("false", ComponentKind::Command, "false")
                .with_readiness(ready_line.clone()),
        )
        .await
        .expect_err("false exits");
    let RuntimeError::ExitedBeforeReady { status, .. } = &err else {
        panic!("unexpected error {err}");
    };
    assert_eq!(status, "exit code 1");

    let script = "for i in $(seq 1 30); do echo out $i; done; echo boom >&2; exit 3";
    let err = rt
        .start(
            ComponentSpec::new("noisy", ComponentKind::Miner, "sh")
                .with_args(["-c", script])
                .with_readiness(ready_line),
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
    assert_eq!((name.as_str(), status.as_str()), ("noisy", "exit code 3"));
    assert_eq!(log_tail.len(), 20);
    assert!(log_tail.contains(&"boom".to_owned()), "{log_tail:?}");
    assert!(log_tail.contains(&"out 30".to_owned()), "{log_tail:?}");
    assert!(
        !log_tail.contains(&"out 5".to_owned()),
        "only the tail: {log_tail:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("exited (exit code 3) before it was ready"),
        "{message}"
    );
    assert!(message.contains("| boom"), "{message}");
    assert_eq!(
        rt.status("noisy").await.expect("status").state,
        ComponentState::Failed
    );

    let err = rt
        .start(ComponentSpec::new(
            "missing",
            ComponentKind::Command,
            "/nonexistent/program",
        ))
        .await
        .expect_err("no such program");
    assert!(matches!(err, RuntimeError::Spawn { .. }), "{err}");
    let err = rt
        .start(ComponentSpec::new("../x", ComponentKind::Command, "true"))
        .await
        .expect_err("bad name");
    assert!(matches!(err, RuntimeError::InvalidName { .. }), "{err}");
}

#[tokio::test]
async fn readiness_timeout_fails_cleanly_and_kills_the_component() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path());
    let started = Instant::now();
    let err = rt
        .start(
            ComponentSpec::new("sleeper", ComponentKind::Validator, "sleep")
                .with_args(["100"])
                .with_readiness(Readiness::ReadyLine {
                    timeout: Duration::from_millis(300),
                }),
        )
        .await
        .expect_err("never ready");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(
        matches!(err, RuntimeError::ReadinessTimeout { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("it was killed"), "{err}");
    let status = rt.status("sleeper").await.expect("status");
    assert_eq!(status.state, ComponentState::Failed);
    assert!(!alive(status.process.expect("pid").pid));
    let manifest = Manifest::read(&rt.manifest_path()).expect("manifest");
    assert_eq!(manifest.components[0].state, ComponentState::Failed);
}

#[tokio::test]
async fn http_readiness_waits_for_a_2xx_answer() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut rt = devnet(root.path());
    // A health endpoint that answers 503 twice, then 200.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        for (i, stream) in listener.incoming().take(3).enumerate() {
            let mut stream = stream.expect("accept");
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let status = if i < 2 {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let status = rt
        .start(
            ComponentSpec::new("svc", ComponentKind::GpuMock, "sleep")
                .with_args(["100"])
                .with_readiness(Readiness::Http {
                    url: format!("http://{addr}/health"),
                    timeout: Duration::from_secs(10),
                }),
        )
        .await
        .expect("ready after the third probe");
    assert_eq!(status.state, ComponentState::Running);
    server.join().expect("server");

    let err = rt
        .start(
            ComponentSpec::new("closed", ComponentKind::GpuMock, "sleep")
                .with_args(["100"])
                .with_readiness(Readiness::Http {
                    url: format!("http://{addr}/health"),
                    timeout: Duration::from_millis(200),
                }),
        )
        .await
        .expect_err("nobody answers");
    assert!(
        matches!(err, RuntimeError::ReadinessTimeout { .. }),
        "{err}"
    );
    let err = rt
        .start(
            ComponentSpec::new("bad-url", ComponentKind::GpuMock, "sleep")
                .with_args(["100"])
                .with_readiness(Readiness::Http {
                    url: "https://example".into(),
                    timeout: Duration::from_millis(200),
                }),
        )
        .await
        .expect_err("bad url");
    assert!(
        matches!(err, RuntimeError::InvalidReadiness { .. }),
        "{err}"
    );
    let pid = rt
        .status("bad-url")
        .await
        .expect("status")
        .process
        .expect("pid")
        .pid;
    assert!(!alive(pid));
}

/// A `localtensor __spawn-devnet-for-tests` orchestrator and what it printed.
struct ChildOrchestrator {
    child: std::process::Child,
    chain_pid: i32,
    chain_start_time: u64,
    rpc: SocketAddr,
    run_dir: PathBuf,
}

/// Whatever a failing test left behind is killed, so that one failure does not leak processes.
impl Drop for ChildOrchestrator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if proc_stat(self.chain_pid).is_some_and(|s| s.1 == self.chain_start_time) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(self.chain_pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

fn spawn_orchestrator(root: &Path) -> ChildOrchestrator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .arg("__spawn-devnet-for-tests")
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
    let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the orchestrator did not report its devnet");
    };
    let ready: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
    let chain_pid = i32::try_from(ready["chain_pid"].as_i64().expect("pid")).expect("pid");
    ChildOrchestrator {
        child,
        chain_pid,
        chain_start_time: proc_stat(chain_pid).expect("chain stat").1,
        rpc: ready["rpc"].as_str().expect("rpc").parse().expect("addr"),
        run_dir: PathBuf::from(ready["run_dir"].as_str().expect("run dir")),
    }
}

#[test]
fn sigterm_to_the_orchestrator_tears_the_devnet_down() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut orch = spawn_orchestrator(root.path());
    assert!(alive(orch.chain_pid));
    assert!(orch.run_dir.join("manifest.json").is_file());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(orch.child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let status = orch.child.wait().expect("wait");
    assert_eq!(status.code(), Some(128 + 15));
    assert!(!alive(orch.chain_pid), "the chain survived");
    assert_port_free(orch.rpc);
    assert!(!orch.run_dir.exists(), "run dir removed");
}

#[test]
fn kill_9_of_the_orchestrator_leaves_nothing_running_and_sweep_removes_its_run_dir() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut orch = spawn_orchestrator(root.path());
    orch.child.kill().expect("SIGKILL");
    orch.child.wait().expect("wait");
    wait_until(
        "the chain dies with its parent",
        Duration::from_secs(5),
        || !alive(orch.chain_pid),
    );
    assert_port_free(orch.rpc);
    assert!(orch.run_dir.exists(), "nobody cleaned up yet");

    // A live devnet of this process in the same root is left alone.
    let live = devnet(root.path());
    let report = sweep_leftovers(root.path()).expect("sweep");
    assert_eq!(report.removed, vec![orch.run_dir.clone()]);
    assert_eq!(report.live, vec![live.run_dir()]);
    assert!(!orch.run_dir.exists());
    assert!(live.run_dir().exists());
}

#[test]
fn sweep_kills_components_of_dead_orchestrators_but_not_recycled_pids() {
    let root = tempfile::tempdir().expect("tempdir");
    let id = "devnet-swept";
    let run_dir = root.path().join(id);
    std::fs::create_dir_all(&run_dir).expect("dir");
    let spawn_sleep = || {
        Command::new("sleep")
            .arg("100")
            .process_group(0)
            .spawn()
            .expect("sleep")
    };
    let mut leftover = spawn_sleep();
    let mut innocent = spawn_sleep();
    let mut dead = Command::new("true").spawn().expect("true");
    dead.wait().expect("wait");
    let record = |name: &str, pid: u32, start_time: u64| {
        serde_json::json!({
            "name": name, "kind": "command",
            "process": {"pid": pid, "start_time": start_time},
            "endpoints": {}, "log": run_dir.join("logs/x.log"), "state": "running",
        })
    };
    let stat = |pid: u32| proc_stat(pid as i32).expect("stat").1;
    let manifest = serde_json::json!({
        "version": 1, "devnet_id": id,
        "orchestrator": {"pid": dead.id(), "start_time": 1},
        "topology_hash": null, "run_dir": run_dir,
        "components": [
            record("leftover", leftover.id(), stat(leftover.id())),
            // Same pid as a live process but another start time: a recycled pid.
            record("recycled", innocent.id(), stat(innocent.id()) + 1),
        ],
    });
    std::fs::write(run_dir.join("manifest.json"), manifest.to_string()).expect("write");
    std::fs::create_dir(root.path().join("no-manifest")).expect("dir");

    let report = sweep_leftovers(root.path()).expect("sweep");
    assert_eq!(report.removed, vec![run_dir.clone()]);
    assert_eq!(report.killed, vec![leftover.id() as i32]);
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(!run_dir.exists());
    assert!(leftover.try_wait().expect("try_wait").is_some() || !alive(leftover.id() as i32));
    assert!(alive(innocent.id() as i32), "a recycled pid was killed");
    innocent.kill().expect("kill");
    innocent.wait().expect("wait");
    let _ = leftover.wait();
    assert!(
        sweep_leftovers(&root.path().join("missing"))
            .expect("sweep")
            .removed
            .is_empty()
    );
}
