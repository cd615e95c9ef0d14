//! `localtensor consensus ...` as a user runs it: the built binary, its stdout, stderr and
//! exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_consensus::EpochResult;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn localtensor(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn repo(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_readme_example_runs_and_checks() {
    let out = localtensor(
        &[
            "consensus",
            "epoch",
            &repo("examples/consensus/tv4-clipping.yaml"),
            "--check",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: EpochResult = serde_saphyr::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(printed.neurons[2].incentive, 41703);
    assert_eq!(printed.neurons[0].bonds, [(2, 65535), (3, 65535)]);
}

#[test]
fn json_output_matches_every_shared_vector() {
    let shared = std::env::var("LOCALTENSOR_SHARED").unwrap_or_else(|_| repo("../shared"));
    let lines = std::fs::read_to_string(format!("{shared}/vectors/epoch-cases.jsonl")).unwrap();
    for line in lines.lines().filter(|l| !l.is_empty()) {
        let out = localtensor(
            &["consensus", "epoch", "-", "--json", "--check"],
            Some(line),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let vector: serde_json::Value = serde_json::from_str(line).unwrap();
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed, vector["expected"], "{}", vector["name"]);
    }
}

#[test]
fn a_malformed_case_names_the_field_and_prints_nothing() {
    let case = std::fs::read_to_string(repo("examples/consensus/tv4-clipping.yaml")).unwrap();
    let bad = case.replace("stake: 400000000000", "stake: lots");
    let out = localtensor(&["consensus", "epoch", "-"], Some(&bad));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>:14:"), "{err}");
    assert!(err.contains("case.neurons[1].stake"), "{err}");

    let out = localtensor(
        &["consensus", "epoch", "-"],
        Some("block: 1\ntempo: 1\nneurons: []\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("emission"),
        "{}",
        text(&out.stderr)
    );

    let out = localtensor(&["consensus", "epoch", "/nonexistent/case.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_reports_each_difference_and_fails() {
    let case = std::fs::read_to_string(repo("examples/consensus/tv4-clipping.yaml")).unwrap();
    let wrong = case.replace("dividends: 11915", "dividends: 11916");
    let out = localtensor(&["consensus", "epoch", "-", "--check"], Some(&wrong));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("uid 1 dividends: expected 11916, got 11915"),
        "{err}"
    );

    let bare = "block: 10\ntempo: 5\nemission: 100\nneurons: []\n";
    let out = localtensor(&["consensus", "epoch", "-", "--check"], Some(bare));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn block_emission_halves_at_10_5_million_tao() {
    let out = localtensor(&["consensus", "block-emission", "10500000000000000"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "500000000\n");
    let out = localtensor(&["consensus", "block-emission", "0", "--json"], None);
    assert_eq!(
        text(&out.stdout),
        "{\"block_emission\":1000000000,\"issuance\":0}\n"
    );
    let out = localtensor(&["consensus", "block-emission", "-5"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
