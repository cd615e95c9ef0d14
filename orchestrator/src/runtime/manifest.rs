//! `manifest.json`: what a run directory holds and which processes belong to it, written
//! atomically (temporary file + rename) after every change so that a later `sweep_leftovers`
//! (or a user) can always read a complete one.

use super::{ComponentKind, ComponentState, RuntimeError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// The devnet id (also the run directory's name).
    pub devnet_id: String,
    /// The orchestrator process that owns the devnet.
    pub orchestrator: ProcessId,
    /// A hash of the topology the devnet was built from, if the caller gave one.
    pub topology_hash: Option<String>,
    /// The run directory.
    pub run_dir: PathBuf,
    /// Components in the order they were first started.
    pub components: Vec<ComponentRecord>,
}

/// A process identified by pid **and** start time (`/proc/<pid>/stat` field 22), so that a
/// recycled pid is never mistaken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessId {
    /// The pid.
    pub pid: i32,
    /// Start time in clock ticks after boot.
    pub start_time: u64,
}

/// One component in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentRecord {
    /// The component's name.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
    /// Its current (or last) process; it leads its own process group (pgid == pid).
    pub process: Option<ProcessId>,
    /// Endpoints from its ready line (`rpc`, `ws`, `http`, ...).
    pub endpoints: BTreeMap<String, String>,
    /// Its log file (stdout and stderr).
    pub log: PathBuf,
    /// Its state when the manifest was written.
    pub state: ComponentState,
    /// Its current (or last) container, on the Docker runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerRecord>,
}

/// A component's Docker container in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRecord {
    /// The container id.
    pub id: String,
    /// The container name (`localtensor-<devnet>-<component>`).
    pub name: String,
    /// The image tag it runs.
    pub image: String,
    /// The devnet network it is attached to.
    pub network: String,
    /// Its address on that network, if it had one.
    pub ip: Option<String>,
    /// Cut off the network by a partition (absent: connected).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partitioned: bool,
    /// The percentage of its packets dropped on the devnet network (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_percent: Option<f64>,
    /// The delay added to its packets on the devnet network, in ms (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u32>,
}

impl Manifest {
    /// Writes the manifest to `path` atomically: a temporary file in the same directory, flushed
    /// to disk, then renamed over the old one.
    pub fn write_atomic(&self, path: &Path) -> Result<(), RuntimeError> {
        let json = serde_json::to_vec_pretty(self).map_err(|source| RuntimeError::Manifest {
            path: path.to_owned(),
            source,
        })?;
        let tmp = path.with_extension("json.tmp");
        let io = |action, source| RuntimeError::Io {
            action,
            path: tmp.clone(),
            source,
        };
        let mut file = std::fs::File::create(&tmp).map_err(|e| io("create", e))?;
        file.write_all(&json)
            .and_then(|()| file.write_all(b"\n"))
            .map_err(|e| io("write", e))?;
        file.sync_all().map_err(|e| io("sync", e))?;
        std::fs::rename(&tmp, path).map_err(|source| RuntimeError::Io {
            action: "rename the manifest into place at",
            path: path.to_owned(),
            source,
        })
    }

    /// Reads a manifest.
    pub fn read(path: &Path) -> Result<Self, RuntimeError> {
        let bytes = std::fs::read(path).map_err(|source| RuntimeError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| RuntimeError::Manifest {
            path: path.to_owned(),
            source,
        })
    }
}
