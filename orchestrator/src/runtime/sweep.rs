//! Cleaning up after orchestrators that died without tearing down (`kill -9`, power loss).

use super::manifest::Manifest;
use super::run_dir::MANIFEST_FILE;
use super::{RuntimeError, procfs};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What [`sweep_leftovers`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Run directories of dead orchestrators, now removed.
    pub removed: Vec<PathBuf>,
    /// Processes that were still running and have been killed.
    pub killed: Vec<i32>,
    /// Run directories whose orchestrator is alive (left alone).
    pub live: Vec<PathBuf>,
    /// Directories left alone because they have no readable manifest, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Finds run directories under `root` whose orchestrator (pid **and** start time) is gone,
/// kills their components that still run (again checking pid and start time, plus any process
/// carrying the devnet's environment marker) and removes the directories. Call it before
/// starting a devnet. A missing `root` is not an error.
pub fn sweep_leftovers(root: &Path) -> Result<SweepReport, RuntimeError> {
    let mut report = SweepReport::default();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(source) => {
            return Err(RuntimeError::Io {
                action: "list the run root",
                path: root.to_owned(),
                source,
            });
        }
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let manifest = match Manifest::read(&dir.join(MANIFEST_FILE)) {
            Ok(m) => m,
            Err(e) => {
                report.skipped.push((dir, e.to_string()));
                continue;
            }
        };
        let orchestrator = manifest.orchestrator;
        if procfs::is_same_live_process(orchestrator.pid, orchestrator.start_time) {
            report.live.push(dir);
            continue;
        }
        let mut killed = Vec::new();
        for process in manifest.components.iter().filter_map(|c| c.process) {
            if procfs::is_same_live_process(process.pid, process.start_time)
                && killpg(Pid::from_raw(process.pid), Signal::SIGKILL).is_ok()
            {
                killed.push(process.pid);
            }
        }
        if entry.file_name().to_str() == Some(manifest.devnet_id.as_str()) {
            for pid in procfs::processes_of_devnet(&manifest.devnet_id) {
                if kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() && !killed.contains(&pid) {
                    killed.push(pid);
                }
            }
        }
        wait_gone(&killed, Duration::from_secs(2));
        report.killed.extend(killed);
        std::fs::remove_dir_all(&dir).map_err(|source| RuntimeError::Io {
            action: "remove the leftover run directory",
            path: dir.clone(),
            source,
        })?;
        report.removed.push(dir);
    }
    Ok(report)
}

/// Waits (bounded, polling `/proc`) until the killed processes are gone or zombies, so that
/// their ports are free when the sweep returns.
fn wait_gone(pids: &[i32], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline
        && pids
            .iter()
            .any(|&pid| procfs::stat(pid).is_some_and(|s| !s.is_zombie()))
    {
        std::thread::sleep(Duration::from_millis(5));
    }
}
