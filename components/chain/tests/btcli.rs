//! `btcli` (`bittensor-cli==9.23.2`, its own virtualenv) against the node: after the SDK creates
//! and configures a subnet, `btcli subnets list`, `btcli wallet balance` and
//! `btcli subnets hyperparameters` print the devnet's values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

const BITTENSOR: &str = "bittensor==10.5.0";
const BTCLI: &str = "bittensor-cli==9.23.2";

async fn run(program: PathBuf, args: &[&str], home: &Path) -> String {
    let out = tokio::process::Command::new(&program)
        .args(args)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{stdout}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The JSON document in btcli's output (it may print other lines first).
fn json_of(stdout: &str) -> serde_json::Value {
    let start = stdout.find(['{', '[']).expect("JSON in btcli output");
    serde_json::from_str(stdout[start..].trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn btcli_lists_subnets_balances_and_hyperparameters() {
    let sdk = tokio::task::spawn_blocking(|| common::venv(BITTENSOR))
        .await
        .unwrap();
    let cli = tokio::task::spawn_blocking(|| common::venv(BTCLI))
        .await
        .unwrap();
    let node = common::start(&["--dev", "--sealing", "instant"]).await;
    let home = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_setup_subnet.py");
    let setup = run(
        sdk.join("bin/python"),
        &[script.to_str().unwrap(), &node.ws],
        home.path(),
    )
    .await;
    let setup: serde_json::Value = serde_json::from_str(setup.lines().last().unwrap()).unwrap();
    let netuid = setup["netuid"].as_u64().unwrap();
    let btcli = cli.join("bin/btcli");
    let network = ["--network", node.ws.as_str()];

    let list = run(
        btcli.clone(),
        &[&["subnets", "list", "--json-output"][..], &network[..]].concat(),
        home.path(),
    )
    .await;
    let list = json_of(&list);
    let subnets = list["subnets"].as_object().expect("subnets object");
    assert!(
        subnets.contains_key(&netuid.to_string()),
        "subnet {netuid} listed: {list}"
    );
    assert_eq!(
        subnets[&netuid.to_string()]["tempo"]["sn_tempo"],
        10,
        "{list}"
    );

    let alice = setup["alice"].as_str().unwrap();
    let balance = run(
        btcli.clone(),
        &[
            &["wallet", "balance", "--ss58", alice, "--json-output"][..],
            &network[..],
        ]
        .concat(),
        home.path(),
    )
    .await;
    let balance = json_of(&balance);
    let row = &balance["balances"]["Provided Address 1"];
    assert_eq!(row["coldkey"], alice, "{balance}");
    let free = &row["free"];
    let expected = setup["alice_free"].as_f64().unwrap() / 1e9;
    assert!(
        (free.as_f64().unwrap() - expected).abs() < 1e-9,
        "btcli shows {free}, the chain holds {expected} TAO: {balance}"
    );

    let hp = run(
        btcli,
        &[
            &[
                "subnets",
                "hyperparameters",
                "--netuid",
                &netuid.to_string(),
                "--json-output",
            ][..],
            &network[..],
        ]
        .concat(),
        home.path(),
    )
    .await;
    let hp = json_of(&hp);
    let value = |name: &str| -> serde_json::Value {
        hp.as_array()
            .and_then(|rows| rows.iter().find(|r| r["hyperparameter"] == name))
            .map(|r| r["value"].clone())
            .unwrap_or_else(|| panic!("{name} in {hp}"))
    };
    assert_eq!(value("tempo"), 10);
    assert_eq!(value("kappa"), 30000);
    assert_eq!(value("commit_reveal_weights_enabled"), false);
}
