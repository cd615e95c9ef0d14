//! `localtensor check [TOPOLOGY...] [--update]`: run topologies and compare each snapshot with
//! its golden file (`golden/<name>.yaml`), byte for byte; on a difference, list it per epoch,
//! subnet, neuron and field. `--update` writes the golden files instead.

use super::run::{RuntimeChoice, load_topology, run_topology, show_progress};
use super::{Outcome, UserError};
use anyhow::Context as _;
use localtensor::snapshot;
use localtensor::topology::{Sealing, Topology};
use std::path::{Path, PathBuf};

/// Arguments of `localtensor check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Topology files (default: every `*.yaml` in `topologies/`).
    topologies: Vec<PathBuf>,
    /// Where golden files live.
    #[arg(long, default_value = "golden")]
    golden: PathBuf,
    /// Write the golden files from this run instead of comparing.
    #[arg(long)]
    update: bool,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Where run directories live (default: $XDG_RUNTIME_DIR/localtensor or the temp dir).
    #[arg(long, env = "LOCALTENSOR_RUN_ROOT")]
    root: Option<PathBuf>,
    /// Run components as local processes or Docker containers (default: each topology's
    /// `runtime`); the golden files are the same for both.
    #[arg(long, value_enum)]
    runtime: Option<RuntimeChoice>,
}

/// Most differences listed per topology; the count says how many there are in all.
const SHOWN_CHANGES: usize = 40;

/// The golden file of a topology.
pub(crate) fn golden_path(dir: &Path, topology: &Topology) -> PathBuf {
    dir.join(format!("{}.yaml", topology.name.value))
}

/// The default topologies: `topologies/*.yaml`, sorted.
fn default_topologies() -> Result<Vec<PathBuf>, UserError> {
    let dir = Path::new("topologies");
    let entries = std::fs::read_dir(dir).map_err(|e| {
        UserError::bad_input(format!(
            "no topologies given and cannot read {}: {e}",
            dir.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    Ok(paths)
}

pub(crate) fn run(args: CheckArgs) -> Result<Outcome, UserError> {
    let paths = if args.topologies.is_empty() {
        default_topologies()?
    } else {
        args.topologies.clone()
    };
    // Every file is validated before anything starts.
    let mut topologies = Vec::new();
    for path in &paths {
        topologies.push(load_topology(path)?);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let verbose = show_progress(args.quiet);
    let mut failed = 0;
    for (path, topology) in paths.iter().zip(&topologies) {
        let name = &topology.name.value;
        if topology.chain.sealing != Sealing::Manual || !topology.chain.lockstep {
            eprintln!(
                "skip {name} ({}): only lock-step topologies are deterministic enough for a golden file",
                path.display()
            );
            continue;
        }
        let runtime = RuntimeChoice::resolve(args.runtime, topology);
        if runtime == RuntimeChoice::Process
            && topology.faults.iter().any(|f| f.action.needs_network())
        {
            eprintln!(
                "skip {name} ({}): its fault schedule cuts the network, which needs the Docker runtime",
                path.display()
            );
            continue;
        }
        let snapshot = rt.block_on(run_topology(
            topology,
            args.root.clone(),
            false,
            verbose,
            runtime,
        ))?;
        let rendered = snapshot::render(&snapshot);
        let golden = golden_path(&args.golden, topology);
        if args.update {
            std::fs::create_dir_all(&args.golden)
                .with_context(|| format!("creating {}", args.golden.display()))?;
            std::fs::write(&golden, &rendered)
                .with_context(|| format!("writing {}", golden.display()))?;
            eprintln!("updated {}", golden.display());
            continue;
        }
        match compare(&golden, &rendered, &snapshot) {
            Ok(()) => eprintln!("ok   {name}: matches {}", golden.display()),
            Err(message) => {
                failed += 1;
                eprintln!("FAIL {name}: {message}");
            }
        }
    }
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        eprintln!(
            "{failed} topolog{} differ from their golden files; if the change is intended, review it and run `localtensor check --update`",
            if failed == 1 { "y" } else { "ies" }
        );
        Outcome::CheckFailed
    })
}

/// Compares a run with its golden file: `Ok` when byte-identical, else what differs.
fn compare(golden: &Path, rendered: &str, snapshot: &snapshot::Snapshot) -> Result<(), String> {
    let text = std::fs::read_to_string(golden).map_err(|e| {
        format!(
            "cannot read {}: {e} (create it with `localtensor check --update`)",
            golden.display()
        )
    })?;
    if text == rendered {
        return Ok(());
    }
    let file = golden.display().to_string();
    let expected = snapshot::parse(&text, &file).map_err(|e| format!("{e}"))?;
    let changes = snapshot::diff(&expected, snapshot);
    let mut message = format!(
        "differs from {file} ({} field(s); golden -> this run):",
        changes.len()
    );
    for change in changes.iter().take(SHOWN_CHANGES) {
        message.push_str("\n    ");
        message.push_str(&change.to_string());
    }
    if changes.len() > SHOWN_CHANGES {
        message.push_str(&format!(
            "\n    ... and {} more",
            changes.len() - SHOWN_CHANGES
        ));
    }
    if changes.is_empty() {
        message
            .push_str("\n    the same values, formatted differently (re-render it with --update)");
    }
    Err(message)
}
