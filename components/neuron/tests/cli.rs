//! The binaries' command-line contract: help for every flag, clap errors (exit 2), an
//! unreachable chain (exit 1, nothing on stdout), flags from the environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn miner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_localtensor-miner"))
}

fn validator() -> Command {
    Command::new(env!("CARGO_BIN_EXE_localtensor-validator"))
}

fn run(mut cmd: Command) -> Output {
    // No LOCALTENSOR_* from the caller's environment.
    for (key, _) in std::env::vars() {
        if key.starts_with("LOCALTENSOR_") {
            cmd.env_remove(key);
        }
    }
    cmd.output().unwrap()
}

const COMMON: &[&str] = &[
    "--chain-endpoint",
    "--netuid",
    "--hotkey-uri",
    "--name",
    "--seed",
    "--listen",
    "--log-format",
    "--lockstep",
];

#[test]
fn help_lists_every_flag_with_its_env_var() {
    let mut m = miner();
    m.arg("--help");
    let out = run(m);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in COMMON.iter().chain(&[
        "--behaviour",
        "--slowdown",
        "--failure-rate",
        "--copy-from",
        "--gpu",
        "--min-stake",
        "--no-serve-axon",
    ]) {
        assert!(text.contains(flag), "miner --help lacks {flag}:\n{text}");
    }
    for value in ["honest", "lazy", "slow", "offline", "flaky", "copier"] {
        assert!(text.contains(value), "miner behaviour {value}");
    }
    assert!(text.contains("LOCALTENSOR_CHAIN_ENDPOINT"));
    assert!(text.contains("LOCALTENSOR_NO_SERVE_AXON"));

    let mut v = validator();
    v.arg("--help");
    let out = run(v);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in COMMON.iter().chain(&[
        "--behaviour",
        "--copy-from",
        "--target",
        "--sample",
        "--weights-interval",
        "--budget-ms",
        "--request-timeout-ms",
    ]) {
        assert!(
            text.contains(flag),
            "validator --help lacks {flag}:\n{text}"
        );
    }
    for value in ["honest", "weight-copier", "colluder", "lazy", "offline"] {
        assert!(text.contains(value), "validator behaviour {value}");
    }
    assert!(text.contains("LOCALTENSOR_WEIGHTS_INTERVAL"));
}

const BASE: &[&str] = &[
    "--chain-endpoint",
    "ws://127.0.0.1:1",
    "--netuid",
    "1",
    "--hotkey-uri",
    "//Alice//hot",
];

#[test]
fn bad_flags_are_clap_errors_with_exit_code_2() {
    let cases: &[(&str, &[&str])] = &[
        ("miner", &["--netuid", "1", "--hotkey-uri", "//A"]),
        ("miner", &["--behaviour", "sneaky"]),
        ("miner", &["--behaviour", "slow", "--slowdown", "1"]),
        ("miner", &["--failure-rate", "1.5"]),
        ("miner", &["--copy-from", "not-an-address"]),
        ("miner", &["--min-stake", "-3"]),
        ("validator", &["--behaviour", "copier"]),
        ("validator", &["--weights-interval", "0"]),
        ("validator", &["--budget-ms", "0"]),
        ("validator", &["--target", "5Grwva"]),
        ("validator", &["--netuid", "70000"]),
        ("validator", &["--log-format", "xml"]),
    ];
    for (bin, extra) in cases {
        let mut cmd = if *bin == "miner" {
            miner()
        } else {
            validator()
        };
        // The first case lacks --chain-endpoint.
        if extra.first() != Some(&"--netuid") {
            cmd.args(BASE);
        }
        cmd.args(*extra);
        let out = run(cmd);
        assert_eq!(out.status.code(), Some(2), "{bin} {extra:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{bin} {extra:?}");
        assert!(!out.stderr.is_empty(), "{bin} {extra:?}");
    }
    // A bad secret URI is refused by clap too.
    let mut cmd = validator();
    cmd.args([
        "--chain-endpoint",
        "ws://127.0.0.1:1",
        "--netuid",
        "1",
        "--hotkey-uri",
        "not a uri //",
    ]);
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--hotkey-uri"));
}

#[test]
fn unreachable_chain_exits_1_with_a_clear_error() {
    for mut cmd in [miner(), validator()] {
        cmd.args(BASE);
        let out = run(cmd);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(out.stdout.is_empty(), "nothing on stdout before ready");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("ws://127.0.0.1:1"), "{err}");
    }
}

#[test]
fn flags_come_from_the_environment() {
    // All required flags from LOCALTENSOR_*: the run gets as far as the chain (exit 1, not 2).
    let mut cmd = validator();
    cmd.env("LOCALTENSOR_CHAIN_ENDPOINT", "ws://127.0.0.1:1")
        .env("LOCALTENSOR_NETUID", "3")
        .env("LOCALTENSOR_HOTKEY_URI", "//Bob//hot")
        .env("LOCALTENSOR_LOCKSTEP", "true")
        .env("LOCALTENSOR_LOG_FORMAT", "json");
    let mut cmd_clean = Command::new(cmd.get_program());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            cmd_clean.env(k, v);
        }
    }
    let out = cmd_clean.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    // JSON logs: every log line is a JSON object.
    let json_lines = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    assert!(err.contains("ws://127.0.0.1:1"), "{err}");
    assert!(json_lines >= 1, "JSON log lines on stderr: {err}");
    let first: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(first["level"], "INFO");
    assert_eq!(first["fields"]["endpoint"], "ws://127.0.0.1:1");
    let mut bad = miner();
    bad.args(BASE).env("LOCALTENSOR_BEHAVIOUR", "sneaky");
    assert_eq!(bad.output().unwrap().status.code(), Some(2));
}
