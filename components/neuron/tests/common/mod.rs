//! Test harness: child processes (chain, GPU mocks, neurons) killed on drop, and a subnet set up
//! through real extrinsics, one block per step, so block numbers are the same on every run.
//!
//! The chain and GPU-mock binaries are found next to this test's executable
//! (`target/<profile>/`); `cargo test --workspace` builds them, and a missing one is built once
//! with `cargo build` into the same target directory.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use localtensor_client::{
    AccountId, Call, Client, Keypair, TAO, Value, account_id, keypair_from_uri,
};

/// A binary of another workspace package next to this test's executable, built if missing.
pub fn sibling_binary(package: &str, name: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let exe = std::env::current_exe().expect("test exe");
    // <target>/<profile>/deps/<test>-<hash>
    let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
    let binary = profile_dir.join(name);
    let _guard = BUILD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !binary.exists() {
        let target_dir = profile_dir.parent().expect("target dir");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "-p", package, "--bin", name])
            .env("CARGO_TARGET_DIR", target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo build");
        assert!(status.success(), "building {name} failed");
    }
    binary
}

pub fn chain_binary() -> PathBuf {
    sibling_binary("localtensor-chain", "localtensor-chain")
}

pub fn gpu_mock_binary() -> PathBuf {
    sibling_binary("localtensor-gpu-mock", "localtensor-gpu-mock")
}

pub fn miner_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_localtensor-miner"))
}

pub fn validator_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_localtensor-validator"))
}

/// A child process with its ready line; killed (and reaped) on drop. Its stderr goes to a log
/// file, whose tail is printed if the test panics.
pub struct Child {
    pub name: String,
    child: std::process::Child,
    log: PathBuf,
    pub ready: serde_json::Value,
    extra_stdout: mpsc::Receiver<String>,
}

impl Child {
    /// Starts `cmd` and waits (up to 60 s) for its first stdout line, which must be JSON.
    pub fn start(name: &str, mut cmd: Command, log_dir: &Path) -> Child {
        let log = log_dir.join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).expect("log file");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr));
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut guard = Child {
            name: name.to_string(),
            child,
            log,
            ready: serde_json::Value::Null,
            extra_stdout: rx,
        };
        let line = match guard.extra_stdout.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(e) => panic!("{name}: no ready line ({e}); log:\n{}", guard.log_tail()),
        };
        guard.ready = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{name}: ready line {line:?} is not JSON: {e}"));
        guard
    }

    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pid")
    }

    /// The ready line's `http` address.
    pub fn http(&self) -> String {
        self.ready["http"]
            .as_str()
            .expect("http in ready line")
            .to_string()
    }

    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits (up to 20 s) for the exit; returns the status and any stdout
    /// lines after the ready line.
    pub fn terminate(&mut self) -> (ExitStatus, Vec<String>) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        kill(Pid::from_raw(self.pid()), Signal::SIGTERM).expect("SIGTERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let extra = self.extra_stdout.try_iter().collect();
                return (status, extra);
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop after SIGTERM; log:\n{}",
                self.name,
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- {} (last lines of its log) ---\n{}",
                self.name,
                self.log_tail()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `localtensor-chain --dev --sealing manual --rpc-port 0`.
pub fn start_chain(dir: &Path) -> Child {
    start_chain_sealing(dir, "manual")
}

/// Starts `localtensor-chain --dev --sealing SEALING --rpc-port 0`.
pub fn start_chain_sealing(dir: &Path, sealing: &str) -> Child {
    let mut cmd = Command::new(chain_binary());
    cmd.args(["--dev", "--sealing", sealing, "--rpc-port", "0"]);
    Child::start("chain", cmd, dir)
}

/// Starts a GPU mock with `count` devices of `profile`.
pub fn start_gpu(name: &str, profile: &str, count: u32, dir: &Path) -> Child {
    let mut cmd = Command::new(gpu_mock_binary());
    cmd.args([
        "--profile",
        profile,
        "--count",
        &count.to_string(),
        "--seed",
        "1",
    ]);
    Child::start(name, cmd, dir)
}

/// A neuron's coldkey and hotkey.
pub struct Wallet {
    pub name: String,
    pub cold: Keypair,
    pub hot: Keypair,
    pub hot_uri: String,
}

impl Wallet {
    pub fn new(name: &str) -> Wallet {
        let hot_uri = format!("//{name}//hot");
        Wallet {
            name: name.to_string(),
            cold: keypair_from_uri(&format!("//{name}")).unwrap(),
            hot: keypair_from_uri(&hot_uri).unwrap(),
            hot_uri,
        }
    }
    pub fn cold_id(&self) -> AccountId {
        account_id(&self.cold)
    }
    pub fn hot_id(&self) -> AccountId {
        account_id(&self.hot)
    }
}

pub fn u(v: impl Into<u128>) -> Value {
    Value::u128(v.into())
}

pub fn acct(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

pub fn sudo(inner: Call) -> Call {
    Call::new("Sudo", "sudo", [inner.to_value()])
}

/// Submits every call into the pool, mines exactly one block, and checks each succeeded.
pub async fn in_one_block(
    client: &Client,
    txs: Vec<(&Keypair, Call)>,
) -> Vec<localtensor_client::TxOutcome> {
    let mut pending = Vec::new();
    for (signer, call) in txs {
        let what = format!("{}.{}", call.pallet, call.name);
        pending.push((what, client.submit(signer, &call).await.unwrap()));
    }
    client.devnet().mine(1).await.unwrap();
    let mut out = Vec::new();
    for (what, p) in pending {
        let outcome = tokio::time::timeout(Duration::from_secs(30), p.wait_finalized())
            .await
            .unwrap_or_else(|_| panic!("{what} not finalized"))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        out.push(outcome);
    }
    out
}

/// Tempo of the test subnet.
pub const TEMPO: u16 = 10;

/// Creates a subnet owned by Alice (started, tempo 10, weights rate limit 0, commit-reveal off),
/// funds and registers `validators` then `miners` (uids in that order after the owner's 0),
/// stakes 100 TAO on each validator and mines to the next epoch so permits are granted.
/// Returns the netuid. Every step is one block, so block numbers repeat across runs.
pub async fn subnet(client: &Client, validators: &[Wallet], miners: &[Wallet]) -> u16 {
    let alice = keypair_from_uri("//Alice").unwrap();
    let alice_hot = account_id(&keypair_from_uri("//Alice//hot").unwrap());
    let out = in_one_block(
        client,
        vec![(
            &alice,
            Call::new("SubtensorModule", "register_network", [acct(&alice_hot)]),
        )],
    )
    .await;
    let netuid = out[0].netuid_added().expect("NetworkAdded");
    let mut setup = vec![
        (
            &alice,
            Call::new("SubtensorModule", "start_call", [u(netuid)]),
        ),
        (
            &alice,
            sudo(Call::new(
                "AdminUtils",
                "sudo_set_tempo",
                [u(netuid), u(TEMPO)],
            )),
        ),
        (
            &alice,
            sudo(Call::new(
                "AdminUtils",
                "sudo_set_weights_set_rate_limit",
                [u(netuid), u(0u64)],
            )),
        ),
        (
            &alice,
            sudo(Call::new(
                "AdminUtils",
                "sudo_set_commit_reveal_weights_enabled",
                [u(netuid), Value::bool(false)],
            )),
        ),
    ];
    for w in validators.iter().chain(miners) {
        setup.push((
            &alice,
            Call::new(
                "Balances",
                "transfer_keep_alive",
                [
                    Value::unnamed_variant("Id", [acct(&w.cold_id())]),
                    u(1_000 * TAO),
                ],
            ),
        ));
    }
    in_one_block(client, setup).await;
    register(client, netuid, validators.iter().chain(miners)).await;
    let stakes = validators
        .iter()
        .map(|v| {
            (
                &v.cold,
                Call::new(
                    "SubtensorModule",
                    "add_stake",
                    [acct(&v.hot_id()), u(netuid), u(100 * TAO)],
                ),
            )
        })
        .collect();
    in_one_block(client, stakes).await;
    client.devnet().mine_to_epoch(netuid).await.unwrap();
    netuid
}

/// Funds (if needed) and registers wallets, in one block each step.
pub async fn register<'a>(client: &Client, netuid: u16, wallets: impl Iterator<Item = &'a Wallet>) {
    let txs = wallets
        .map(|w| {
            (
                &w.cold,
                Call::new(
                    "SubtensorModule",
                    "burned_register",
                    [u(netuid), acct(&w.hot_id())],
                ),
            )
        })
        .collect();
    in_one_block(client, txs).await;
}

/// Starts a miner on `netuid`.
pub fn start_miner(dir: &Path, ws: &str, netuid: u16, w: &Wallet, extra: &[&str]) -> Child {
    let mut cmd = Command::new(miner_binary());
    cmd.args([
        "--chain-endpoint",
        ws,
        "--netuid",
        &netuid.to_string(),
        "--hotkey-uri",
        &w.hot_uri,
        "--name",
        &w.name,
        "--seed",
        "42",
        "--lockstep",
        "--log-format",
        "json",
    ])
    .args(extra)
    .env("RUST_LOG", "info,localtensor_neuron=debug");
    Child::start(&w.name, cmd, dir)
}

/// Starts a validator on `netuid`.
pub fn start_validator(dir: &Path, ws: &str, netuid: u16, w: &Wallet, extra: &[&str]) -> Child {
    let mut cmd = Command::new(validator_binary());
    cmd.args([
        "--chain-endpoint",
        ws,
        "--netuid",
        &netuid.to_string(),
        "--hotkey-uri",
        &w.hot_uri,
        "--name",
        &w.name,
        "--seed",
        "42",
        "--lockstep",
    ])
    .args(extra)
    .env("RUST_LOG", "info,localtensor_neuron=debug");
    Child::start(&w.name, cmd, dir)
}

/// An HTTP client for the tests.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap()
}

/// Waits until `neuron` reports `block` done.
pub async fn wait_done(http: &reqwest::Client, neuron: &Child, block: u64) {
    let url = format!(
        "http://{}/v1/status?after={block}&timeout_ms=60000",
        neuron.http()
    );
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(
        resp.status(),
        200,
        "{}: status after {block}; log:\n{}",
        neuron.name,
        neuron.log_tail()
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["block_done"].as_u64().unwrap() >= block);
}

/// Mines one block and waits until every neuron in `followers` reports it done; returns it.
pub async fn step(client: &Client, http: &reqwest::Client, followers: &[&Child]) -> u64 {
    let block = client.devnet().mine(1).await.unwrap().last;
    for f in followers {
        let url = format!(
            "http://{}/v1/status?after={block}&timeout_ms=60000",
            f.http()
        );
        let resp = http.get(&url).send().await.unwrap();
        assert_eq!(
            resp.status(),
            200,
            "{}: status after {block}; log:\n{}",
            f.name,
            f.log_tail()
        );
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(body["block_done"].as_u64().unwrap() >= block);
    }
    block
}
