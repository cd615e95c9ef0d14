//! A bring-your-own validator written with the real SDK (`bittensor==10.5.0`):
//! `localtensor run topologies/byo-sdk.yaml` starts `byo/sdk_validator.py` with the
//! `LOCALTENSOR_*` variables and the neuron's bittensor wallet written under `{wallet_path}`; the
//! script opens that wallet with the SDK, gets a validator permit, sets weights on the miners and
//! prints them. The weights row in the snapshot's last epoch is the one the script printed, the
//! script is stopped by SIGTERM, and nothing of the devnet is left running. The virtualenv is
//! created by this test (once per target dir).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BITTENSOR: &str = "bittensor==10.5.0";

/// The whole run takes about 35 s; this bounds a hung one.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("<{}: {e}>", path.display()))
}

/// Whether `pid` is a live (non-zombie) process that started at `start_time` (clock ticks after
/// boot, field 22 of `/proc/<pid>/stat`).
fn alive(pid: i32, start_time: u64) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // Fields after the command name, which is in parentheses: field 3 is fields[0].
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    let zombie = matches!(fields[0], "Z" | "X" | "x");
    fields[22 - 3].parse::<u64>().unwrap() == start_time && !zombie
}

#[test]
fn an_sdk_validator_sets_weights_and_is_stopped_with_the_devnet() {
    let venv = common::venv(BITTENSOR);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    let out_dir = dir.path().join("out");
    // `python3` in the topology's command is the virtualenv's.
    let path = std::env::join_paths(std::iter::once(venv.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let stdout = dir.path().join("stdout");
    let stderr = dir.path().join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(["run", "topologies/byo-sdk.yaml", "--keep-logs", "--out"])
        .arg(&out_dir)
        .current_dir(workspace())
        .env("PATH", path)
        .env("LOCALTENSOR_RUN_ROOT", &root)
        .env("CI", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            // SIGTERM: localtensor tears the devnet down.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
            panic!(
                "localtensor run did not finish in {RUN_TIMEOUT:?}:\n{}",
                read(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };

    // The run root holds only the kept run directory.
    let entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "run root: {entries:?}");
    let run_dir = &entries[0];
    assert!(run_dir.is_dir(), "{}", run_dir.display());
    let log = read(&run_dir.join("logs/sdk-validator.log"));
    assert!(
        status.success(),
        "localtensor run: {status}\n{}\n{}\nsdk-validator.log:\n{log}",
        read(&stdout),
        read(&stderr)
    );

    // What the script did: the last JSON line of its log.
    let report: serde_json::Value = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .next_back()
        .unwrap_or_else(|| panic!("no JSON line in sdk-validator.log:\n{log}"));
    assert_eq!(report["event"], "weights_set", "{report}");
    assert_eq!(report["name"], "sdk-validator");

    // The script opened the wallet localtensor wrote (`bittensor.Wallet(name, hotkey, path)`,
    // checked against the key placeholders and signing with both keys): the SDK's layout, owner
    // only, the coldkey's public part in `coldkeypub.txt`.
    let wallet = run_dir.join("wallets/sdk-validator");
    let mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&wallet), 0o700);
    assert_eq!(mode(&wallet.join("hotkeys")), 0o700);
    for file in ["coldkey", "coldkeypub.txt", "hotkeys/default"] {
        assert_eq!(mode(&wallet.join(file)), 0o600, "{file}");
    }
    let coldkeypub: serde_json::Value =
        serde_json::from_str(&read(&wallet.join("coldkeypub.txt"))).unwrap();
    assert_eq!(report["coldkey"], coldkeypub["ss58Address"], "{coldkeypub}");
    assert!(coldkeypub.get("privateKey").is_none(), "{coldkeypub}");
    assert!(
        log.contains("sdk-validator: SIGTERM, exiting"),
        "the script stops on SIGTERM:\n{log}"
    );
    let printed: Vec<(u16, u16)> = report["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                u16::try_from(p[0].as_u64().unwrap()).unwrap(),
                u16::try_from(p[1].as_u64().unwrap()).unwrap(),
            )
        })
        .collect();

    // The snapshot's last epoch holds the same row.
    let snapshot = localtensor::snapshot::parse(
        &std::fs::read_to_string(out_dir.join("snapshot.yaml")).unwrap(),
        "snapshot.yaml",
    )
    .unwrap();
    let last = snapshot.epochs.last().unwrap();
    assert_eq!(last.epoch, 8);
    let subnet = &last.subnets[0];
    assert_eq!(u64::from(subnet.netuid), report["netuid"].as_u64().unwrap());
    let neuron = |name: &str| {
        subnet
            .neurons
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("{name} in the last epoch"))
    };
    let byo = neuron("sdk-validator");
    assert_eq!(u64::from(byo.uid), report["uid"].as_u64().unwrap());
    assert_eq!(byo.hotkey, report["hotkey"].as_str().unwrap());
    assert!(byo.validator_permit);
    assert!(!byo.weights.is_empty(), "the BYO validator's row is empty");
    assert_eq!(byo.weights, printed);
    // The script weights the miners with a ramp in uid order: 1 and 2, stored as u16 with the
    // largest at 65535.
    let miners = [neuron("m-gpu").uid, neuron("m").uid];
    assert_eq!(byo.weights, [(miners[0], 32768), (miners[1], 65535)]);

    // Nothing of the devnet is alive: no component process from the manifest, and no process
    // carrying the devnet's marker (a grandchild that left its group).
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&run_dir.join("manifest.json"))).unwrap();
    let components = manifest["components"].as_array().unwrap();
    let names: Vec<&str> = components
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"sdk-validator"), "{names:?}");
    for c in components {
        let process = &c["process"];
        let pid = i32::try_from(process["pid"].as_i64().unwrap()).unwrap();
        let start_time = process["start_time"].as_u64().unwrap();
        assert!(
            !alive(pid, start_time),
            "{} (pid {pid}) is alive",
            c["name"]
        );
        assert_eq!(c["state"], "stopped", "{}", c["name"]);
    }
    let devnet_id = manifest["devnet_id"].as_str().unwrap();
    assert_eq!(
        localtensor::runtime::procfs::processes_of_devnet(devnet_id),
        Vec::<i32>::new()
    );
}
