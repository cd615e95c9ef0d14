//! Telemetry: a stable JSON shape derived only from simulated state.

use serde::{Deserialize, Serialize};

use crate::fault::Faults;

/// Telemetry of the whole mock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Telemetry {
    /// The current block (from the clock).
    pub block: u64,
    /// Simulated block length; utilisation is busy time within the current block over this.
    pub block_time_ms: u64,
    /// One entry per device, in id order.
    pub devices: Vec<DeviceTelemetry>,
}

/// Whether a device answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Working.
    Ok,
    /// Lost (fault `lost_from_block` reached): jobs fail, sensors read nothing.
    Lost,
}

/// Telemetry of one device. Every field is always present; sensors of a lost device are `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceTelemetry {
    /// Device id.
    pub id: u32,
    /// Profile name.
    pub profile: String,
    /// `ok` or `lost`.
    pub status: DeviceStatus,
    /// Busy share of the current block, 0 to 100.
    pub utilization_pct: u32,
    /// Memory in use: the driver context plus the largest job of the current block.
    pub memory_used_mib: u64,
    /// Device memory.
    pub memory_total_mib: u64,
    /// Modelled temperature (`null` when lost).
    pub temperature_c: Option<u32>,
    /// Modelled power draw (`null` when lost).
    pub power_w: Option<u32>,
    /// Power limit (TDP).
    pub power_limit_w: u32,
    /// Jobs completed (including ones whose result was corrupted by a fault).
    pub jobs_done: u64,
    /// Total simulated busy time.
    pub busy_ns: u64,
    /// Error counters.
    pub errors: ErrorCounters,
    /// The configured faults.
    pub faults: Faults,
    /// Names of the faults in effect now (`oom_above_size`, `throttle`, `wrong_result_rate`,
    /// `device_lost`).
    pub active_faults: Vec<String>,
}

/// Per-device error counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounters {
    /// Jobs refused for lack of memory (real or injected).
    pub out_of_memory: u64,
    /// Jobs refused because the device was lost.
    pub device_lost: u64,
    /// Jobs that returned a wrong result (fault `wrong_result_rate`).
    pub corrupted_results: u64,
}
