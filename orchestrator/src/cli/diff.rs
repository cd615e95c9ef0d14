//! `localtensor diff A B`: what changed between two snapshots, per epoch, subnet and neuron.

use std::path::PathBuf;

use clap::Args;
use localtensor::snapshot;

use super::{Outcome, UserError};

/// Largest snapshot file read (a `large` topology over many epochs stays far below it).
const MAX_SNAPSHOT_BYTES: u64 = 256 * 1024 * 1024;

/// Arguments of `localtensor diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The first snapshot (`snapshot.yaml` written by `localtensor run`).
    a: PathBuf,
    /// The second snapshot.
    b: PathBuf,
}

fn read(path: &PathBuf) -> Result<snapshot::Snapshot, UserError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| UserError::bad_input(format!("cannot read {file}: {e}")))?;
    if meta.len() > MAX_SNAPSHOT_BYTES {
        return Err(UserError::bad_input(format!(
            "{file}: {} bytes is larger than a snapshot can be ({MAX_SNAPSHOT_BYTES})",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| UserError::bad_input(format!("cannot read {file}: {e}")))?;
    snapshot::parse(&text, &file).map_err(UserError::bad_input)
}

/// Prints every difference; exit 0 when the snapshots are equal, 1 when they differ.
pub(crate) fn run(args: DiffArgs) -> Result<Outcome, UserError> {
    let a = read(&args.a)?;
    let b = read(&args.b)?;
    let changes = snapshot::diff(&a, &b);
    if changes.is_empty() {
        println!("no differences");
        return Ok(Outcome::Ok);
    }
    for change in &changes {
        println!("{change}");
    }
    println!("{} difference(s)", changes.len());
    Ok(Outcome::CheckFailed)
}
