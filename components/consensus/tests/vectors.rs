//! The reference vectors in `shared/vectors/`, read at test time: every epoch case and every
//! block-emission line must match exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_consensus::{EpochCase, EpochResult, block_emission, run_epoch};
use serde::Deserialize;
use std::path::PathBuf;

/// `shared/` beside the repository, or `LOCALTENSOR_SHARED`.
fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LOCALTENSOR_SHARED") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn read_lines(name: &str) -> Vec<String> {
    let path = shared_dir().join("vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (set LOCALTENSOR_SHARED)",
            path.display()
        )
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    case: EpochCase,
    expected: EpochResult,
}

#[test]
fn every_epoch_case_matches_exactly() {
    let lines = read_lines("epoch-cases.jsonl");
    assert!(
        lines.len() >= 60,
        "expected the full vector file, got {} lines",
        lines.len()
    );
    let mut failures = Vec::new();
    for line in &lines {
        let v: Vector = serde_json::from_str(line).unwrap();
        v.case.validate().unwrap();
        let got = run_epoch(&v.case);
        if got != v.expected {
            let first = got
                .neurons
                .iter()
                .zip(&v.expected.neurons)
                .find(|(g, e)| g != e)
                .map(|(g, e)| format!("\n  got      {g:?}\n  expected {e:?}"))
                .unwrap_or_else(|| "different neuron count".into());
            failures.push(format!("{}: first differing uid:{first}", v.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

#[derive(Deserialize)]
struct EmissionVector {
    issuance: u64,
    block_emission: u64,
}

#[test]
fn every_block_emission_matches_exactly() {
    let lines = read_lines("block-emission.jsonl");
    assert!(!lines.is_empty());
    for line in lines {
        let v: EmissionVector = serde_json::from_str(&line).unwrap();
        assert_eq!(
            block_emission(v.issuance),
            v.block_emission,
            "issuance {}",
            v.issuance
        );
    }
}
