//! `localtensor fault ACTION TARGET` against devnets started by `localtensor up --detach`:
//! on Docker a validator is cut off the network and reconnected while the devnet keeps sealing;
//! on processes pause and resume work and a partition is refused. Every refusal (unknown
//! target, unknown action, the chain, a fault the runtime cannot do) exits 2 and changes
//! nothing; `down` leaves no container, network or run directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One validator and one miner on a fast subnet; lock-step, so the validator is waited for.
const TOPOLOGY: &str = "\
name: faults
epochs: 1
subnets:
  - name: sn1
    hyperparameters: {tempo: 4}
    validators:
      - name: v
    miners:
      - name: m
";

fn localtensor(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(args)
        .env("LOCALTENSOR_RUN_ROOT", root)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Starts the topology detached with `--runtime runtime`.
fn up(dir: &Path, root: &Path, id: &str, runtime: &str) -> common::Detached {
    let topology = dir.join("t.yaml");
    std::fs::write(&topology, TOPOLOGY).unwrap();
    let out = localtensor(
        &[
            "up",
            topology.to_str().unwrap(),
            "--detach",
            "--id",
            id,
            "--runtime",
            runtime,
            "--block-time-ms",
            "100",
        ],
        root,
    );
    assert!(out.status.success(), "{}", text(&out));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert!(line["control"].as_str().unwrap().ends_with("control.sock"));
    common::Detached {
        root: root.to_owned(),
        id: id.to_owned(),
        run_dir: Path::new(line["run_dir"].as_str().unwrap()).to_owned(),
    }
}

/// Applies a fault; returns the output.
fn fault(root: &Path, id: &str, action: &str, target: &str) -> Output {
    localtensor(&["fault", action, target, "--devnet", id], root)
}

/// The devnet's latest block, asked of its chain (found with `localtensor status`).
fn head(root: &Path, id: &str) -> u64 {
    let status = text(&localtensor(&["status", "--devnet", id], root));
    let http = status
        .lines()
        .find(|l| l.trim_start().starts_with("chain "))
        .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("http=")))
        .unwrap_or_else(|| panic!("no chain endpoint in {status}"))
        .to_owned();
    // A plain HTTP/1.0 JSON-RPC call: the test needs no HTTP client.
    let addr = http.trim_start_matches("http://");
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}"#;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let answer: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|_| panic!("{response}"));
    let number = answer["result"]["number"].as_str().unwrap();
    u64::from_str_radix(number.trim_start_matches("0x"), 16).unwrap()
}

/// Waits until the devnet has sealed past `block`.
fn wait_past(root: &Path, id: &str, block: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = head(root, id);
        if now > block {
            return now;
        }
        assert!(Instant::now() < deadline, "stuck at block {now}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Networks container `name` is attached to (by `docker inspect`).
fn networks_of(container: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args([
            "inspect",
            "-f",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
            container,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn assert_refused(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(out));
    assert!(text(out).contains(needle), "{}", text(out));
}

#[test]
fn a_docker_validator_is_partitioned_and_healed_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let id = format!("fault-{}", std::process::id());
    let devnet = up(dir.path(), &root, &id, "docker");
    let container = format!("localtensor-{id}-v");
    let network = format!("localtensor-{id}");
    assert_eq!(networks_of(&container), vec![network.clone()]);

    let cut = fault(&root, &id, "partition", "v");
    assert!(cut.status.success(), "{}", text(&cut));
    assert!(text(&cut).contains("partition v: applied before block"));
    assert_eq!(networks_of(&container), Vec::<String>::new());
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    let line = status
        .lines()
        .find(|l| l.trim_start().starts_with("v "))
        .unwrap();
    assert!(line.contains("running (partitioned)"), "{status}");
    // The devnet goes on without the validator it can no longer reach.
    let before = head(&root, &id);
    wait_past(&root, &id, before + 3);

    assert_refused(&fault(&root, &id, "partition", "v"), "already partitioned");
    assert_refused(&fault(&root, &id, "partition", "nobody"), "`nobody`");
    assert_refused(
        &fault(&root, &id, "partition", "chain"),
        "cannot partition `chain`",
    );
    assert_refused(
        &fault(&root, &id, "explode", "v"),
        "unknown action \"explode\"",
    );
    assert_eq!(networks_of(&container), Vec::<String>::new());

    let healed = fault(&root, &id, "heal", "v");
    assert!(healed.status.success(), "{}", text(&healed));
    assert_eq!(networks_of(&container), vec![network.clone()]);
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    assert!(!status.contains("partitioned"), "{status}");
    // Healed, it is waited for again: blocks only come once it has caught up.
    let after = head(&root, &id);
    wait_past(&root, &id, after + 3);
    assert_refused(
        &fault(&root, &id, "heal", "v"),
        "not partitioned, lossy or delayed",
    );

    // Loss: the validator stays on the network and is still waited for, only slower.
    assert_refused(&fault(&root, &id, "loss", "v"), "needs a percent");
    assert_refused(
        &localtensor(
            &["fault", "loss", "v", "--percent", "101", "--devnet", &id],
            &root,
        ),
        "out of range",
    );
    assert_refused(
        &localtensor(
            &["fault", "heal", "v", "--percent", "5", "--devnet", &id],
            &root,
        ),
        "only to `loss`",
    );
    let lossy = localtensor(
        &["fault", "loss", "v", "--percent", "25", "--devnet", &id],
        &root,
    );
    assert!(lossy.status.success(), "{}", text(&lossy));
    assert!(text(&lossy).contains("loss v: applied before block"));
    assert_eq!(networks_of(&container), vec![network.clone()]);
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    assert!(status.contains("running (25 % loss)"), "{status}");
    let after = head(&root, &id);
    wait_past(&root, &id, after + 3);
    let healed = fault(&root, &id, "heal", "v");
    assert!(healed.status.success(), "{}", text(&healed));
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    assert!(!status.contains("loss"), "{status}");

    // Latency, likewise.
    assert_refused(&fault(&root, &id, "latency", "v"), "needs a delay");
    let slow = localtensor(
        &["fault", "latency", "v", "--delay-ms", "40", "--devnet", &id],
        &root,
    );
    assert!(slow.status.success(), "{}", text(&slow));
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    assert!(status.contains("running (40 ms latency)"), "{status}");
    let after = head(&root, &id);
    wait_past(&root, &id, after + 3);
    let healed = fault(&root, &id, "heal", "v");
    assert!(healed.status.success(), "{}", text(&healed));
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    assert!(!status.contains("latency"), "{status}");

    let down = localtensor(&["down", "--devnet", &id], &root);
    assert!(down.status.success(), "{}", text(&down));
    assert!(!devnet.run_dir.exists());
    assert_eq!(
        common::docker_objects(&format!("label=io.localtensor.devnet={id}")),
        Vec::<String>::new()
    );
}

#[test]
fn process_devnets_take_pauses_and_refuse_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let id = format!("pfault-{}", std::process::id());
    let devnet = up(dir.path(), &root, &id, "process");

    assert_refused(
        &fault(&root, &id, "partition", "v"),
        "only the Docker runtime can cut or degrade a component's network",
    );
    assert_refused(
        &localtensor(
            &["fault", "loss", "v", "--percent", "10", "--devnet", &id],
            &root,
        ),
        "only the Docker runtime can cut or degrade a component's network",
    );
    assert_refused(
        &localtensor(
            &["fault", "latency", "v", "--delay-ms", "10", "--devnet", &id],
            &root,
        ),
        "only the Docker runtime can cut or degrade a component's network",
    );
    let paused = fault(&root, &id, "pause", "v");
    assert!(paused.status.success(), "{}", text(&paused));
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    let line = status
        .lines()
        .find(|l| l.trim_start().starts_with("v "))
        .unwrap();
    assert!(line.contains("paused"), "{status}");
    let resumed = fault(&root, &id, "resume", "v");
    assert!(resumed.status.success(), "{}", text(&resumed));
    let status = text(&localtensor(&["status", "--devnet", &id], &root));
    let line = status
        .lines()
        .find(|l| l.trim_start().starts_with("v "))
        .unwrap();
    assert!(line.contains("running"), "{status}");
    let now = head(&root, &id);
    wait_past(&root, &id, now + 2);

    let down = localtensor(&["down", "--devnet", &id], &root);
    assert!(down.status.success(), "{}", text(&down));
    assert!(!devnet.run_dir.exists());
    // A devnet that is gone takes no faults.
    assert_refused(
        &fault(&root, &id, "pause", "v"),
        &format!("no devnet {id:?}"),
    );
}
