//! Helpers shared by the orchestrator's integration tests.
// Each test binary uses a part of them.
#![allow(dead_code)]

/// A virtualenv with `package` (a pip requirement such as `bittensor==10.5.0`) installed, created
/// once per target dir. A lock directory (created atomically) makes tests running in parallel,
/// as threads or as nextest processes, wait for one installation instead of racing.
pub fn venv(package: &str) -> std::path::PathBuf {
    use std::path::PathBuf;
    use std::time::{Duration, SystemTime};
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let name: String = package
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let dir = root.join(format!("venv-{name}"));
    let marker = dir.join(".installed");
    let lock = root.join(format!("venv-{name}.lock"));
    for _ in 0..1200 {
        if marker.exists() {
            return dir;
        }
        match std::fs::create_dir(&lock) {
            Ok(()) => {
                let _ = std::fs::remove_dir_all(&dir);
                let status = std::process::Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&dir)
                    .status()
                    .expect("python3 -m venv");
                assert!(status.success(), "creating the virtualenv failed");
                let status = std::process::Command::new(dir.join("bin/pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check", package])
                    .status()
                    .expect("pip install");
                let _ = std::fs::remove_dir(&lock);
                assert!(status.success(), "pip install {package} failed");
                std::fs::write(&marker, package).unwrap();
                return dir;
            }
            Err(_) => {
                // A lock left by a killed run (older than 15 minutes) is taken over.
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .map(|t| SystemTime::now().duration_since(t).unwrap_or_default())
                    .is_ok_and(|age| age > Duration::from_secs(900));
                if stale {
                    let _ = std::fs::remove_dir(&lock);
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    panic!("timed out waiting for another test to install {package}");
}

/// Containers (running or not) and networks matching a `docker ls` filter such as
/// `label=io.localtensor.devnet=ID`, as `container ID` / `network ID`.
pub fn docker_objects(filter: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (kind, extra) in [("container", Some("-a")), ("network", None)] {
        let out = std::process::Command::new("docker")
            .args([kind, "ls", "-q", "--filter", filter])
            .args(extra)
            .output()
            .expect("running docker");
        assert!(out.status.success(), "docker {kind} ls failed");
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|id| format!("{kind} {id}")),
        );
    }
    found
}

/// A devnet started with `localtensor up --detach`: dropping it runs `localtensor down` if its
/// run directory is still there, so a test that fails before its own `down` leaves no
/// orchestrator, component, container or network running.
pub struct Detached {
    /// The run root the devnet lives under.
    pub root: std::path::PathBuf,
    /// The devnet id.
    pub id: String,
    /// Its run directory.
    pub run_dir: std::path::PathBuf,
}

impl Drop for Detached {
    fn drop(&mut self) {
        if self.run_dir.exists() {
            let _ = std::process::Command::new(env!("CARGO_BIN_EXE_localtensor"))
                .args(["down", "--devnet", &self.id])
                .env("LOCALTENSOR_RUN_ROOT", &self.root)
                .output();
        }
    }
}

/// The host's loss and latency rules (`iptables -S` of the `filter` table's `DOCKER-USER` and
/// the `mangle` table's `FORWARD`) whose line contains `needle`, each as `-t TABLE -A CHAIN
/// ...`. Those faults need root, as CI has.
pub fn host_rules(needle: &str) -> Vec<String> {
    let mut rules = Vec::new();
    for (table, chain) in [("filter", "DOCKER-USER"), ("mangle", "FORWARD")] {
        let out = std::process::Command::new("iptables")
            .args(["-w", "-t", table, "-S", chain])
            .output()
            .expect("run iptables");
        assert!(
            out.status.success(),
            "loss and latency tests need root and iptables: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        rules.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.contains(needle))
                .map(|l| format!("-t {table} {l}")),
        );
    }
    rules
}
