//! Typed errors: [`GpuError`] for requests, [`ConfigError`] for building a mock.

use std::path::PathBuf;

use serde::Serialize;

use crate::job::JobKind;

/// Why a job ran out of memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OomCause {
    /// The job's footprint exceeds the device's free memory.
    Capacity {
        /// Bytes the job needs.
        required_bytes: u64,
        /// Bytes the device has free for jobs.
        available_bytes: u64,
    },
    /// The `oom_above_size` fault is set below the job's size.
    Fault {
        /// The configured size limit.
        limit: u64,
    },
}

/// An error answering a request. Each variant has a stable [`code`](GpuError::code).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No device has this id.
    #[error("unknown device {id}: this mock has {count} device(s), ids 0 to {last}", last = count.saturating_sub(1))]
    UnknownDevice {
        /// The id asked for.
        id: u64,
        /// How many devices exist.
        count: usize,
    },
    /// The job size is outside the kind's range.
    #[error("invalid size {size} for {kind} jobs: must be between {min} and {max}")]
    InvalidSize {
        /// The job kind.
        kind: JobKind,
        /// The size given.
        size: u64,
        /// Smallest valid size.
        min: u64,
        /// Largest valid size.
        max: u64,
    },
    /// The job does not fit in memory (really or by fault).
    #[error("out of memory on device {device}: {}", describe_oom(cause))]
    OutOfMemory {
        /// The device.
        device: u32,
        /// Why.
        cause: OomCause,
    },
    /// The device is lost (fault `lost_from_block`).
    #[error("device {device} is lost since block {since_block} (current block {block})")]
    DeviceLost {
        /// The device.
        device: u32,
        /// First block at which the device is lost.
        since_block: u64,
        /// The block the job was evaluated at.
        block: u64,
    },
    /// A batch's own parameters are out of range (`max_units`, overflowing indices).
    #[error("invalid batch: {reason}")]
    InvalidBatch {
        /// What is wrong.
        reason: String,
    },
    /// A fault parameter is out of range.
    #[error("invalid fault {field}: {reason}")]
    InvalidFault {
        /// The fault field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

fn describe_oom(cause: &OomCause) -> String {
    match cause {
        OomCause::Capacity {
            required_bytes,
            available_bytes,
        } => format!(
            "job needs {} MiB, {} MiB free",
            required_bytes.div_ceil(1 << 20),
            available_bytes >> 20
        ),
        OomCause::Fault { limit } => {
            format!("injected fault: jobs above size {limit} run out of memory")
        }
    }
}

impl GpuError {
    /// A stable, machine-readable error code (`unknown_device`, `invalid_size`, ...).
    pub const fn code(&self) -> &'static str {
        match self {
            GpuError::UnknownDevice { .. } => "unknown_device",
            GpuError::InvalidSize { .. } => "invalid_size",
            GpuError::OutOfMemory { .. } => "out_of_memory",
            GpuError::DeviceLost { .. } => "device_lost",
            GpuError::InvalidBatch { .. } => "invalid_batch",
            GpuError::InvalidFault { .. } => "invalid_fault",
        }
    }
}

/// An error building a mock from configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The configuration file could not be parsed.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file (or `<inline>`).
        path: PathBuf,
        /// Parser message, with the location and field path where known.
        message: String,
    },
    /// The file extension is not `.yaml`, `.yml` or `.json`.
    #[error("config file {path} must end in .yaml, .yml or .json")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A device names a profile that is neither built in nor defined.
    #[error("device entry {entry} uses unknown profile {name:?}; known profiles: {known}")]
    UnknownProfile {
        /// Index of the device entry.
        entry: usize,
        /// The name given.
        name: String,
        /// Comma-separated list of valid names.
        known: String,
    },
    /// A custom profile has invalid figures.
    #[error("invalid profile {name:?}: {reason}")]
    InvalidProfile {
        /// The profile name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Two profiles share a name (custom profiles may not shadow built-ins either).
    #[error("profile {name:?} is defined twice (custom profiles may not reuse built-in names)")]
    DuplicateProfile {
        /// The name.
        name: String,
    },
    /// The device list is empty or too long.
    #[error("a mock needs between 1 and {max} devices, got {count}")]
    DeviceCount {
        /// Devices requested.
        count: u64,
        /// The limit.
        max: u32,
    },
    /// A device entry is invalid.
    #[error("device entry {entry}: {reason}")]
    InvalidDevice {
        /// Index of the device entry.
        entry: usize,
        /// What is wrong.
        reason: String,
    },
    /// The block time is out of range.
    #[error("block_time_ms must be between 1 and {max}, got {value}")]
    BlockTime {
        /// The value given.
        value: u64,
        /// The limit.
        max: u64,
    },
}
