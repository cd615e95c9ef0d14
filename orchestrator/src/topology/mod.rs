//! Topology files: the typed model of a devnet, its parsing and validation.
//!
//! [`load`] and [`parse`] read YAML, decode it into a [`Topology`] with every default filled in,
//! check it as a whole, and either return it or a [`TopologyError`] listing every problem found,
//! each with line, column, field path and what would be valid. The format is documented in
//! `docs/topology.md`.
//!
//! What later stages can rely on once a [`Topology`] exists:
//! - every reference resolves (GPU mocks, colluder targets, `copy_from`, fault targets and subnets,
//!   expectation subjects) and every name is unique across the topology, a DNS label usable for
//!   file, process and container names;
//! - netuids are assigned ([`Subnet::netuid`]); amounts are exact rao ([`Tao`]);
//! - [`Topology::instances`] is the deterministic expansion and registration (UID) order;
//!   [`Topology::neurons_named`] expands a group reference, [`Topology::epoch_subnet`] says whose
//!   epochs a fault counts;
//! - bring-your-own commands only use known placeholders; [`placeholders::render`] fills them.

mod builder;
mod decode;
pub mod defaults;
mod diagnostics;
mod expand;
mod expectation;
mod lints;
mod model;
mod names;
pub mod placeholders;
mod read_command;
mod read_faults;
mod read_gpu;
mod read_neuron;
mod read_subnet;
mod read_topology;
mod scalars;
mod suggest;
mod summary;
mod validation;
mod yaml;

use std::path::Path;

use serde::Serialize;

pub use builder::{Neurons, SubnetBuilder, TopologyBuilder};
pub use diagnostics::{Diagnostic, Loc, TopologyError, render_warnings};
pub use expand::{Instance, instance_names};
pub use expectation::METRICS;
pub use model::*;
pub use read_faults::FAULT_ACTIONS;
pub use read_neuron::{MINER_BEHAVIOURS, VALIDATOR_BEHAVIOURS};

/// Every kind of mapping in a topology and the fields it accepts, in documentation order
/// (`x-*` stands for any top-level extension field).
pub fn schema() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("topology", read_topology::TOP_FIELDS),
        ("chain", read_topology::CHAIN_FIELDS),
        ("subnet", read_subnet::SUBNET_FIELDS),
        ("hyperparameters", read_subnet::HYPERPARAMETER_FIELDS),
        ("neuron group", read_neuron::NEURON_FIELDS),
        ("GPU mock", read_gpu::GPU_MOCK_FIELDS),
        ("GPU faults", read_gpu::GPU_FAULT_FIELDS),
        ("fault", read_faults::FAULT_FIELDS),
        ("expectation", read_faults::EXPECTATION_FIELDS),
    ]
}

/// Largest topology file accepted (bytes); real ones are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// Reads and validates the topology file at `path`.
pub fn load(path: &Path) -> Result<Topology, TopologyError> {
    let bytes = read_file(path)?;
    parse_bytes(&bytes, &path.display().to_string())
}

/// Reads a topology file's bytes, stopping just past [`MAX_FILE_BYTES`] (so `/dev/zero` or a
/// huge file cannot exhaust memory; [`parse_bytes`] then reports the size).
pub fn read_file(path: &Path) -> Result<Vec<u8>, TopologyError> {
    use std::io::Read as _;
    let read_error = |source| TopologyError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    Ok(bytes)
}

/// Validates raw bytes; `file` names the source in diagnostics.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Topology, TopologyError> {
    let invalid = |source_text: String, d: Diagnostic| TopologyError::Invalid {
        file: file.to_owned(),
        source_text,
        diagnostics: vec![d],
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(invalid(
            String::new(),
            Diagnostic::new(Loc::new(1, 1), "", "the file is too large")
                .with_help(format!("a topology is at most {MAX_FILE_BYTES} bytes")),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(src) => parse(src, file),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let text = String::from_utf8_lossy(bytes).into_owned();
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            let loc = Loc::new(
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            );
            Err(invalid(
                text,
                Diagnostic::new(loc, "", "the file is not UTF-8 text")
                    .with_help("a topology is a YAML text file"),
            ))
        }
    }
}

/// Validates YAML text; `file` names the source in diagnostics.
pub fn parse(src: &str, file: &str) -> Result<Topology, TopologyError> {
    let invalid = |mut diagnostics: Vec<Diagnostic>| {
        diagnostics.sort_by_key(|d| d.loc);
        TopologyError::Invalid {
            file: file.to_owned(),
            source_text: src.to_owned(),
            diagnostics,
        }
    };
    let content_free = src
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if content_free {
        return Err(invalid(vec![
            Diagnostic::new(Loc::new(1, 1), "", "the topology file is empty")
                .with_help("a topology needs at least `name` and `subnets`; see docs/topology.md"),
        ]));
    }
    let root = yaml::parse(src).map_err(|d| invalid(vec![d]))?;
    let mut cx = decode::Cx::new(src);
    let topology = read_topology::read_topology(&root, &mut cx);
    let Some(mut topology) = topology else {
        return Err(invalid(cx.diags));
    };
    validation::validate(&mut topology, &mut cx);
    if cx.diags.is_empty() {
        Ok(topology)
    } else {
        Err(invalid(cx.diags))
    }
}

/// The resolved topology: every default filled in and every replica expanded.
#[derive(Debug, Serialize)]
pub struct Resolved<'a> {
    /// The topology with defaults.
    #[serde(flatten)]
    pub topology: &'a Topology,
    /// Every neuron instance, in registration order.
    pub neurons: Vec<Instance>,
}

impl Topology {
    /// The resolved view (for `localtensor validate --format yaml|json`).
    pub fn resolved(&self) -> Resolved<'_> {
        Resolved {
            topology: self,
            neurons: self.instances(),
        }
    }

    /// A fingerprint of the resolved topology (FNV-1a 64 over its JSON, 16 hex digits), stable
    /// across runs and builds: recorded in run manifests to tell what a devnet was built from.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(&self.resolved()).unwrap_or_default();
        let hash = json.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("{hash:016x}")
    }
}
