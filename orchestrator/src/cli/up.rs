//! `localtensor up TOPOLOGY`: start a devnet and keep it producing blocks until Ctrl-C (or, with
//! `--detach`, in the background until `localtensor down`), plus `status`, `logs` and `down`
//! for devnets started that way.
//!
//! A devnet started by `up` is named after its topology (or `--id`); its run directory holds
//! the manifest that `status`, `logs` and `down` read.

use super::run::{RuntimeChoice, load_topology};
use super::{Outcome, UserError};
use anyhow::Context as _;
use localtensor::devnet::driver::next_epoch_block;
use localtensor::devnet::{Devnet, Launcher, check_faults_supported};
use localtensor::runtime::manifest::Manifest;
use localtensor::runtime::run_dir::MANIFEST_FILE;
use localtensor::runtime::{
    ProcessRuntime, Runtime, ShutdownSignal, default_root, docker, install_shutdown_handler,
    shutdown_requested, sweep_leftovers,
};
use localtensor::topology::Sealing;
use std::io::{BufRead as _, Read as _, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Arguments of `localtensor up`.
#[derive(Debug, clap::Args)]
pub(crate) struct UpArgs {
    /// The topology file (YAML).
    topology: PathBuf,
    /// Run in the background; `localtensor down` stops it.
    #[arg(long, short)]
    detach: bool,
    /// Devnet id (default: the topology's name).
    #[arg(long)]
    id: Option<String>,
    /// Time between blocks in ms when the topology does not set one (manual sealing).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    block_time_ms: u64,
    /// Where run directories live (default: $XDG_RUNTIME_DIR/localtensor or the temp dir).
    #[arg(long, env = "LOCALTENSOR_RUN_ROOT")]
    root: Option<PathBuf>,
    /// Where components run (default: the topology's `runtime`, else local processes).
    #[arg(long, value_enum)]
    runtime: Option<RuntimeChoice>,
}

/// Which devnet `status`, `logs` and `down` act on.
#[derive(Debug, clap::Args)]
pub(crate) struct Target {
    /// Devnet id (default: the only one running).
    #[arg(long)]
    devnet: Option<String>,
    /// Where run directories live.
    #[arg(long, env = "LOCALTENSOR_RUN_ROOT")]
    root: Option<PathBuf>,
}

/// Arguments of `localtensor logs`.
#[derive(Debug, clap::Args)]
pub(crate) struct LogsArgs {
    /// Component name (`chain`, a GPU mock, a neuron instance).
    name: String,
    /// Keep printing new lines until Ctrl-C.
    #[arg(long, short)]
    follow: bool,
    #[command(flatten)]
    target: Target,
}

/// A detached orchestrator's own log, inside its run directory once that exists.
const DETACHED_LOG: &str = "orchestrator.log";

/// The line `up` prints (and `up --detach` waits for) once the devnet runs.
const UP_EVENT: &str = "up";

fn root_of(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(default_root)
}

/// The background log of a detached `up`.
fn detached_log(root: &Path, id: &str) -> PathBuf {
    root.join(format!(".{id}.up.log"))
}

pub(crate) fn up(args: UpArgs) -> Result<Outcome, UserError> {
    let topology = load_topology(&args.topology)?;
    let id = args
        .id
        .clone()
        .unwrap_or_else(|| topology.name.value.clone());
    let root = root_of(args.root.clone());
    if args.detach {
        return detach(&args, &root, &id);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(serve(args, topology, root, id))
}

/// Starts `localtensor up` again in the background (its own process group, so the terminal's
/// Ctrl-C does not reach it), waits for its "up" line, prints it and returns.
fn detach(args: &UpArgs, root: &Path, id: &str) -> Result<Outcome, UserError> {
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let log_path = detached_log(root, id);
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating {}", log_path.display()))?;
    let exe = std::env::current_exe().context("finding the running executable")?;
    let mut child = std::process::Command::new(exe)
        .arg("up")
        .arg(&args.topology)
        .args([
            "--id",
            id,
            "--block-time-ms",
            &args.block_time_ms.to_string(),
        ])
        .arg("--root")
        .arg(root)
        .args(args.runtime.iter().flat_map(|r| ["--runtime", r.as_str()]))
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("duplicating the log handle")?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("starting the background orchestrator")?;
    let deadline = Instant::now() + Duration::from_secs(300);
    let moved = root.join(id).join(DETACHED_LOG);
    loop {
        let text = std::fs::read_to_string(&log_path)
            .or_else(|_| std::fs::read_to_string(&moved))
            .unwrap_or_default();
        if let Some(line) = text
            .lines()
            .find(|l| l.contains(&format!("\"event\":\"{UP_EVENT}\"")))
        {
            println!("{line}");
            eprintln!(
                "devnet {id} runs in the background (orchestrator pid {}); `localtensor status`, \
                 `localtensor logs NAME`, `localtensor down --devnet {id}`",
                child.id()
            );
            return Ok(Outcome::Ok);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let _ = std::fs::remove_file(&log_path);
            return Err(UserError::from(anyhow::anyhow!(
                "the background orchestrator exited ({status}) before the devnet was up:\n{text}"
            )));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(UserError::from(anyhow::anyhow!(
                "the devnet was not up after 300 s; its log is {}",
                log_path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn serve(
    args: UpArgs,
    topology: localtensor::topology::Topology,
    root: PathBuf,
    id: String,
) -> Result<Outcome, UserError> {
    let choice = RuntimeChoice::resolve(args.runtime, &topology);
    if choice == RuntimeChoice::Process {
        check_faults_supported(&topology, false, "process").map_err(UserError::bad_input)?;
    }
    let mut signal = install_shutdown_handler().map_err(anyhow::Error::new)?;
    sweep_leftovers(&root).map_err(anyhow::Error::new)?;
    match choice {
        RuntimeChoice::Process => {
            let runtime = ProcessRuntime::builder()
                .with_root(&root)
                .with_devnet_id(&id)
                .with_topology_hash(topology.hash())
                .build()
                .map_err(UserError::bad_input)?;
            serve_on(runtime, &args, topology, &root, &id, &mut signal).await
        }
        RuntimeChoice::Docker => {
            let docker = docker::connect(None).await.map_err(UserError::bad_input)?;
            docker::sweep_docker_leftovers(&docker)
                .await
                .map_err(anyhow::Error::new)?;
            let runtime = docker::DockerRuntime::builder()
                .with_root(&root)
                .with_devnet_id(&id)
                .with_topology_hash(topology.hash())
                .build()
                .await
                .map_err(UserError::bad_input)?;
            serve_on(runtime, &args, topology, &root, &id, &mut signal).await
        }
    }
}

/// Runs the devnet on `runtime` until it fails or a signal stops it.
async fn serve_on<R: Runtime>(
    runtime: R,
    args: &UpArgs,
    topology: localtensor::topology::Topology,
    root: &Path,
    id: &str,
    signal: &mut ShutdownSignal,
) -> Result<Outcome, UserError> {
    let run_dir = runtime.run_dir_path();
    let id = id.to_owned();
    // A detached run's log moves into its run directory (the open handle keeps writing), so
    // teardown, or the sweep after a `kill -9`, removes it with everything else.
    let _ = std::fs::rename(detached_log(root, &id), run_dir.join(DETACHED_LOG));
    let launcher = Launcher::current_exe().map_err(anyhow::Error::new)?;
    let started = Instant::now();
    let say = move |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    let pace = Duration::from_millis(match topology.chain.sealing {
        Sealing::Interval => 0, // the devnet waits out the block time itself
        _ => args.block_time_ms,
    });
    let work = async {
        let result: Result<std::convert::Infallible, localtensor::devnet::DevnetError> = async {
            let mut devnet = Devnet::launch(runtime, topology.clone(), &launcher, say).await?;
            let control = devnet.listen_for_control()?;
            let mut components = serde_json::Map::new();
            for status in devnet.runtime_mut().statuses() {
                components.insert(
                    status.name.clone(),
                    serde_json::json!({"kind": status.kind, "endpoints": status.endpoints}),
                );
            }
            let line = serde_json::json!({
                "event": UP_EVENT,
                "devnet": id,
                "chain": devnet.chain_endpoint(),
                "run_dir": run_dir,
                "control": control,
                "components": components,
            });
            println!("{line}");
            let _ = std::io::stdout().flush();
            // The topology's epochs first, with its fault schedule and per-epoch progress;
            // then blocks keep coming until the devnet is stopped.
            devnet.run_epochs(topology.epochs.value, say).await?;
            say("all scheduled epochs done; producing blocks until stopped");
            loop {
                tokio::time::sleep(pace).await;
                let block = devnet.seal_one().await?;
                for subnet in &devnet.setup().subnets {
                    let epoch =
                        next_epoch_block(subnet.netuid, subnet.tempo, block.saturating_sub(1));
                    if epoch == Some(block) {
                        say(&format!("block {block}: epoch of subnet {}", subnet.name));
                    }
                }
            }
        }
        .await;
        result
    };
    tokio::select! {
        result = work => match result {
            // Failing because the teardown stopped the components: report the interruption.
            Err(_) if shutdown_requested() => interrupted(signal, &id).await,
            Err(error) => Err(UserError::from(anyhow::Error::new(error))),
        },
        got = signal.recv() => {
            let code = got.map_or(1, ShutdownSignal::exit_code);
            eprintln!("stopped; devnet {id} torn down");
            Err(UserError { message: "interrupted".into(), code })
        }
    }
}

/// Waits for the teardown a shutdown signal started and reports the interruption.
async fn interrupted(signal: &mut ShutdownSignal, id: &str) -> Result<Outcome, UserError> {
    let code = signal.recv().await.map_or(1, ShutdownSignal::exit_code);
    eprintln!("stopped; devnet {id} torn down");
    Err(UserError {
        message: "interrupted".into(),
        code,
    })
}

/// Manifests of the devnets under `root`, sorted by id.
fn manifests(root: &Path) -> Vec<Manifest> {
    let mut out: Vec<Manifest> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| Manifest::read(&e.path().join(MANIFEST_FILE)).ok())
        .collect();
    out.sort_by(|a, b| a.devnet_id.cmp(&b.devnet_id));
    out
}

/// The devnet a command acts on: the named one, or the only one.
pub(crate) fn select(target: &Target) -> Result<Manifest, UserError> {
    let root = root_of(target.root.clone());
    let all = manifests(&root);
    match &target.devnet {
        Some(id) => all.into_iter().find(|m| &m.devnet_id == id).ok_or_else(|| {
            UserError::bad_input(format!("no devnet {id:?} under {}", root.display()))
        }),
        None => match all.len() {
            0 => Err(UserError::bad_input(format!(
                "no devnet is running (under {})",
                root.display()
            ))),
            1 => Ok(all
                .into_iter()
                .next()
                .ok_or_else(|| UserError::bad_input("no devnet"))?),
            _ => Err(UserError::bad_input(format!(
                "{} devnets are running ({}); choose one with --devnet",
                all.len(),
                all.iter()
                    .map(|m| m.devnet_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
    }
}

pub(crate) fn status(target: Target) -> Result<Outcome, UserError> {
    let root = root_of(target.root.clone());
    let all = match &target.devnet {
        Some(_) => vec![select(&target)?],
        None => manifests(&root),
    };
    if all.is_empty() {
        println!("no devnets under {}", root.display());
    }
    for m in all {
        println!(
            "devnet {} (orchestrator pid {}, run dir {})",
            m.devnet_id,
            m.orchestrator.pid,
            m.run_dir.display()
        );
        for c in &m.components {
            let endpoints: Vec<String> = c
                .endpoints
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let mut faults = Vec::new();
            if let Some(k) = &c.container {
                if k.partitioned {
                    faults.push("partitioned".to_owned());
                }
                if let Some(p) = k.loss_percent {
                    faults.push(format!("{p} % loss"));
                }
                if let Some(ms) = k.latency_ms {
                    faults.push(format!("{ms} ms latency"));
                }
            }
            let state = if faults.is_empty() {
                c.state.to_string()
            } else {
                format!("{} ({})", c.state, faults.join(", "))
            };
            println!(
                "  {:<20} {:<10} {:<8} {}",
                c.name,
                format!("{:?}", c.kind).to_lowercase(),
                state,
                endpoints.join(" ")
            );
        }
    }
    Ok(Outcome::Ok)
}

pub(crate) fn logs(args: LogsArgs) -> Result<Outcome, UserError> {
    let m = select(&args.target)?;
    let component = m
        .components
        .iter()
        .find(|c| c.name == args.name)
        .ok_or_else(|| {
            let names: Vec<&str> = m.components.iter().map(|c| c.name.as_str()).collect();
            UserError::bad_input(format!(
                "devnet {} has no component {:?}; it has: {}",
                m.devnet_id,
                args.name,
                names.join(", ")
            ))
        })?;
    let mut file = std::fs::File::open(&component.log)
        .with_context(|| format!("opening {}", component.log.display()))?;
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    file.read_to_string(&mut text)
        .with_context(|| format!("reading {}", component.log.display()))?;
    out.write_all(text.as_bytes())
        .context("writing to stdout")?;
    if !args.follow {
        return Ok(Outcome::Ok);
    }
    // Follow: poll for growth until the file goes away (devnet down) or Ctrl-C.
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).context("reading the log")?;
        if n == 0 {
            let _ = out.flush();
            if !component.log.exists() {
                return Ok(Outcome::Ok);
            }
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        out.write_all(line.as_bytes())
            .context("writing to stdout")?;
    }
}

pub(crate) fn down(target: Target) -> Result<Outcome, UserError> {
    let m = select(&target)?;
    let pid = nix::unistd::Pid::from_raw(m.orchestrator.pid);
    match nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM) {
        Ok(()) => {}
        Err(nix::errno::Errno::ESRCH) => {
            // Its orchestrator is gone: clean up what it left.
            let root = root_of(target.root.clone());
            sweep_leftovers(&root).map_err(anyhow::Error::new)?;
            println!(
                "devnet {}: orchestrator was gone; leftovers removed",
                m.devnet_id
            );
            return Ok(Outcome::Ok);
        }
        Err(e) => {
            return Err(UserError::from(anyhow::anyhow!(
                "cannot signal the orchestrator (pid {}): {e}",
                m.orchestrator.pid
            )));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while m.run_dir.exists() {
        if Instant::now() > deadline {
            return Err(UserError::from(anyhow::anyhow!(
                "devnet {} still has its run directory {} after 60 s",
                m.devnet_id,
                m.run_dir.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("devnet {} is down", m.devnet_id);
    Ok(Outcome::Ok)
}
