//! `localtensor run TOPOLOGY`: start the devnet headless, run its epochs, write the snapshot and
//! a short report, check the expectations, tear everything down.

use super::{Outcome, UserError};
use anyhow::Context as _;
use localtensor::devnet::{Devnet, Launcher, check_faults_supported};
use localtensor::runtime::{
    ProcessRuntime, Runtime, ShutdownSignal, default_root, docker, install_shutdown_handler,
    shutdown_requested, sweep_leftovers,
};
use localtensor::snapshot::{self, Snapshot};
use localtensor::topology::{self, Topology};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `localtensor run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The topology file (YAML).
    topology: PathBuf,
    /// Epochs to run (default: the topology's `epochs`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    epochs: Option<u32>,
    /// Directory for `snapshot.yaml` and `report.md` (created if missing).
    #[arg(long, default_value = "localtensor-out")]
    out: PathBuf,
    /// No progress lines on stderr (the default when stderr is not a terminal or CI is set).
    #[arg(long, short)]
    quiet: bool,
    /// Keep the run directory (component logs, manifest) after the run.
    #[arg(long)]
    keep_logs: bool,
    /// Where run directories live (default: $XDG_RUNTIME_DIR/localtensor or the temp dir).
    #[arg(long, env = "LOCALTENSOR_RUN_ROOT")]
    root: Option<PathBuf>,
    /// Run components as local processes or Docker containers (default: the topology's
    /// `runtime`, else process).
    #[arg(long, value_enum)]
    runtime: Option<RuntimeChoice>,
}

/// `--runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RuntimeChoice {
    /// Local child processes.
    Process,
    /// Docker containers (images built locally from this binary).
    Docker,
}

impl RuntimeChoice {
    /// The value as written on the command line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Docker => "docker",
        }
    }

    /// The choice on the command line, else the topology's.
    pub(crate) fn resolve(flag: Option<Self>, topology: &Topology) -> Self {
        flag.unwrap_or(match topology.runtime {
            topology::Runtime::Process => RuntimeChoice::Process,
            topology::Runtime::Docker => RuntimeChoice::Docker,
        })
    }
}

/// Reads and validates a topology, printing every diagnostic; bad input maps to exit code 2.
pub(crate) fn load_topology(path: &Path) -> Result<Topology, UserError> {
    let bytes = topology::read_file(path).map_err(UserError::bad_input)?;
    let file = path.display().to_string();
    match topology::parse_bytes(&bytes, &file) {
        Ok(mut t) => {
            // Bring-your-own commands run from the topology file's directory unless told.
            let base = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            for subnet in &mut t.subnets {
                for group in subnet.validators.iter_mut().chain(&mut subnet.miners) {
                    if let topology::NeuronKind::Command(command) = &mut group.kind {
                        let dir = base.join(command.workdir.as_deref().unwrap_or("."));
                        command.workdir = Some(dir.to_string_lossy().into_owned());
                    }
                }
            }
            Ok(t)
        }
        Err(e) => {
            eprint!("{}", e.render_diagnostics());
            Err(UserError::bad_input(e))
        }
    }
}

/// Whether progress lines go to stderr.
pub(crate) fn show_progress(quiet: bool) -> bool {
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

pub(crate) fn run(args: RunArgs) -> Result<Outcome, UserError> {
    let mut topology = load_topology(&args.topology)?;
    if let Some(epochs) = args.epochs {
        topology.epochs.value = epochs;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(run_async(args, topology))
}

/// A whole run on the chosen runtime; returns the snapshot. Ctrl-C or SIGTERM tears the devnet
/// down and ends the run with 128 + the signal's number. Leftovers of killed runs are swept
/// first.
pub(crate) async fn run_topology(
    topology: &Topology,
    root: Option<PathBuf>,
    keep_logs: bool,
    verbose: bool,
    runtime: RuntimeChoice,
) -> Result<Snapshot, UserError> {
    // The process runtime cannot cut the network: refuse such a schedule before anything runs.
    if runtime == RuntimeChoice::Process {
        check_faults_supported(topology, false, "process").map_err(UserError::bad_input)?;
    }
    let mut signal = install_shutdown_handler().map_err(anyhow::Error::new)?;
    let root = root.unwrap_or_else(default_root);
    let swept = sweep_leftovers(&root).map_err(anyhow::Error::new)?;
    if verbose && !swept.removed.is_empty() {
        eprintln!(
            "removed {} leftover devnet(s) of killed runs ({} processes)",
            swept.removed.len(),
            swept.killed.len()
        );
    }
    let work = async {
        match runtime {
            RuntimeChoice::Process => {
                let rt = ProcessRuntime::builder()
                    .with_root(&root)
                    .with_topology_hash(topology.hash())
                    .with_keep_logs(keep_logs)
                    .build()
                    .map_err(anyhow::Error::new)?;
                drive(rt, topology, verbose).await
            }
            RuntimeChoice::Docker => {
                let docker = docker::connect(None).await.map_err(anyhow::Error::new)?;
                docker::sweep_docker_leftovers(&docker)
                    .await
                    .map_err(anyhow::Error::new)?;
                let rt = docker::DockerRuntime::builder()
                    .with_root(&root)
                    .with_topology_hash(topology.hash())
                    .with_keep_logs(keep_logs)
                    .build()
                    .await
                    .map_err(anyhow::Error::new)?;
                drive(rt, topology, verbose).await
            }
        }
    };
    tokio::select! {
        result = work => match result {
            // Failing because the teardown stopped the components: report the interruption.
            Err(_) if shutdown_requested() => {
                let code = signal.recv().await.map_or(1, ShutdownSignal::exit_code);
                Err(UserError {
                    message: "interrupted; the devnet was torn down".into(),
                    code,
                })
            }
            other => other.map_err(UserError::from),
        },
        got = signal.recv() => {
            let code = got.map_or(1, ShutdownSignal::exit_code);
            Err(UserError {
                message: "interrupted; the devnet was torn down".into(),
                code,
            })
        }
    }
}

/// Launches the devnet on `runtime`, runs its epochs and tears it down.
async fn drive<R: Runtime>(
    runtime: R,
    topology: &Topology,
    verbose: bool,
) -> anyhow::Result<Snapshot> {
    let launcher = Launcher::current_exe()?;
    let started = Instant::now();
    let say = move |line: &str| {
        if verbose {
            eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
        }
    };
    let mut devnet = Devnet::launch(runtime, topology.clone(), &launcher, say).await?;
    let snapshot = devnet.run_epochs(topology.epochs.value, say).await?;
    devnet.teardown().await?;
    Ok(snapshot)
}

async fn run_async(args: RunArgs, topology: Topology) -> Result<Outcome, UserError> {
    let verbose = show_progress(args.quiet);
    let started = Instant::now();
    let runtime = RuntimeChoice::resolve(args.runtime, &topology);
    let snapshot = run_topology(
        &topology,
        args.root.clone(),
        args.keep_logs,
        verbose,
        runtime,
    )
    .await?;
    let elapsed = started.elapsed();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let snapshot_path = args.out.join("snapshot.yaml");
    std::fs::write(&snapshot_path, snapshot::render(&snapshot))
        .with_context(|| format!("writing {}", snapshot_path.display()))?;
    let checks = snapshot::expect::check_all(&topology, &snapshot);
    let report = snapshot::report::render(&topology, &snapshot, &checks, elapsed);
    let report_path = args.out.join("report.md");
    std::fs::write(&report_path, &report)
        .with_context(|| format!("writing {}", report_path.display()))?;
    for check in &checks {
        eprintln!("{check}");
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    eprintln!(
        "wrote {} and {} ({} epochs in {:.1}s); {}",
        snapshot_path.display(),
        report_path.display(),
        snapshot.epochs.len(),
        elapsed.as_secs_f64(),
        if checks.is_empty() {
            "no expectations".to_owned()
        } else if failed == 0 {
            format!("all {} expectations hold", checks.len())
        } else {
            format!("{failed} of {} expectations FAILED", checks.len())
        }
    );
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}
