//! `localtensor consensus`: epochs and block emission, offline.

use super::{Outcome, UserError};
use anyhow::Context;
use clap::{Args, Subcommand};
use localtensor::case_file;
use localtensor_consensus::{EpochResult, NeuronResult, block_emission, run_epoch};
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub(crate) enum ConsensusCommand {
    /// Run one epoch over a subnet state (YAML or JSON) and print every uid's outputs.
    Epoch(EpochArgs),
    /// Print the block emission (rao) for a total issuance (rao).
    BlockEmission(BlockEmissionArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EpochArgs {
    /// The case file: a bare case or `{name, case, expected}`; `-` reads standard input.
    case: PathBuf,
    /// Print JSON instead of YAML.
    #[arg(long)]
    json: bool,
    /// Compare with the document's `expected` outputs; exit 1 and list the differences if any.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BlockEmissionArgs {
    /// Total issuance in rao.
    issuance: u64,
    /// Print JSON (`{"issuance": .., "block_emission": ..}`).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: ConsensusCommand) -> Result<Outcome, UserError> {
    match cmd {
        ConsensusCommand::Epoch(args) => epoch(args),
        ConsensusCommand::BlockEmission(args) => {
            let emission = block_emission(args.issuance);
            let text = if args.json {
                serde_json::json!({"issuance": args.issuance, "block_emission": emission})
                    .to_string()
            } else {
                emission.to_string()
            };
            print_stdout(&format!("{text}\n"))?;
            Ok(Outcome::Ok)
        }
    }
}

fn epoch(args: EpochArgs) -> Result<Outcome, UserError> {
    let (text, name) = read_input(&args.case)?;
    let doc = case_file::parse(&text, &name).map_err(UserError::bad_input)?;
    let expected = match (&doc.expected, args.check) {
        (None, true) => {
            return Err(UserError::bad_input(format!(
                "{name}: --check needs an `expected` section (write the case as {{case: ..., expected: ...}})"
            )));
        }
        (expected, _) => expected.as_ref().filter(|_| args.check),
    };
    let result = run_epoch(&doc.case);
    let rendered = if args.json {
        serde_json::to_string_pretty(&result).context("rendering JSON")? + "\n"
    } else {
        render_yaml(&result)?
    };
    print_stdout(&rendered)?;
    match expected {
        Some(expected) => {
            let diffs = differences(expected, &result);
            if diffs.is_empty() {
                eprintln!("check: all {} neurons match", result.neurons.len());
                Ok(Outcome::Ok)
            } else {
                eprintln!("check: {} differences from `expected`:", diffs.len());
                for d in &diffs {
                    eprintln!("  {d}");
                }
                Ok(Outcome::CheckFailed)
            }
        }
        None => Ok(Outcome::Ok),
    }
}

/// YAML with one flow-style line per neuron, the layout of the case schema's `expected`.
fn render_yaml(result: &EpochResult) -> Result<String, UserError> {
    #[derive(serde::Serialize)]
    struct View<'a> {
        neurons: Vec<serde_saphyr::FlowMap<&'a NeuronResult>>,
    }
    let view = View {
        neurons: result.neurons.iter().map(serde_saphyr::FlowMap).collect(),
    };
    Ok(serde_saphyr::to_string(&view).context("rendering YAML")?)
}

fn read_input(path: &std::path::Path) -> Result<(String, String), UserError> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| UserError::bad_input(format!("<stdin>: {e}")))?;
        return Ok((text, "<stdin>".to_owned()));
    }
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| UserError::bad_input(format!("{name}: cannot read: {e}")))?;
    Ok((text, name))
}

fn print_stdout(text: &str) -> Result<(), UserError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")
        .map_err(UserError::from)
}

/// Field-by-field differences, `uid N field: expected X, got Y`.
fn differences(expected: &EpochResult, got: &EpochResult) -> Vec<String> {
    if expected.neurons.len() != got.neurons.len() {
        return vec![format!(
            "neuron count: expected {}, got {}",
            expected.neurons.len(),
            got.neurons.len()
        )];
    }
    let mut out = Vec::new();
    for (e, g) in expected.neurons.iter().zip(&got.neurons) {
        let fields: [(&str, String, String); 12] = [
            ("uid", e.uid.to_string(), g.uid.to_string()),
            ("active", e.active.to_string(), g.active.to_string()),
            (
                "validator_permit",
                e.validator_permit.to_string(),
                g.validator_permit.to_string(),
            ),
            (
                "stake_weight",
                e.stake_weight.to_string(),
                g.stake_weight.to_string(),
            ),
            (
                "consensus",
                e.consensus.to_string(),
                g.consensus.to_string(),
            ),
            (
                "incentive",
                e.incentive.to_string(),
                g.incentive.to_string(),
            ),
            (
                "dividends",
                e.dividends.to_string(),
                g.dividends.to_string(),
            ),
            (
                "validator_trust",
                e.validator_trust.to_string(),
                g.validator_trust.to_string(),
            ),
            (
                "server_emission",
                e.server_emission.to_string(),
                g.server_emission.to_string(),
            ),
            (
                "validator_emission",
                e.validator_emission.to_string(),
                g.validator_emission.to_string(),
            ),
            ("emission", e.emission.to_string(), g.emission.to_string()),
            ("bonds", format!("{:?}", e.bonds), format!("{:?}", g.bonds)),
        ];
        out.extend(
            fields
                .into_iter()
                .filter(|(_, a, b)| a != b)
                .map(|(f, a, b)| format!("uid {} {f}: expected {a}, got {b}", e.uid)),
        );
    }
    out
}
