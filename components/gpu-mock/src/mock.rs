//! [`GpuMock`]: the in-process service the HTTP API wraps.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::config::MockConfig;
use crate::device::{Device, DeviceStats};
use crate::error::{ConfigError, GpuError, OomCause};
use crate::fault::Faults;
use crate::job::{self, Digest, JobKind, JobSpec};
use crate::profile::DeviceProfile;
use crate::telemetry::{DeviceTelemetry, Telemetry};
use crate::timing::{job_cost, simulated_duration_ns};

/// A job submitted to a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// The kind of work.
    pub kind: JobKind,
    /// Matrix dimension or chain length.
    pub size: u64,
    /// Job seed.
    pub seed: u64,
    /// The caller's current block: the job is evaluated at this block (for `lost_from_block`),
    /// and the mock's clock advances to it if it is ahead (never moves back).
    #[serde(default)]
    pub block: Option<u64>,
}

impl JobRequest {
    /// A request without a block.
    pub const fn new(kind: JobKind, size: u64, seed: u64) -> Self {
        Self {
            kind,
            size,
            seed,
            block: None,
        }
    }

    /// The same request at `block`.
    pub const fn at_block(self, block: u64) -> Self {
        Self {
            block: Some(block),
            ..self
        }
    }

    /// The job part of the request.
    pub const fn spec(&self) -> JobSpec {
        JobSpec {
            kind: self.kind,
            size: self.size,
            seed: self.seed,
        }
    }
}

/// The answer to a completed job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobOutcome {
    /// Device that ran the job.
    pub device: u32,
    /// The kind of work.
    pub kind: JobKind,
    /// Matrix dimension or chain length.
    pub size: u64,
    /// Job seed.
    pub seed: u64,
    /// Block the job was evaluated at (its own `block`, else the clock).
    pub block: u64,
    /// The result (wrong if the `wrong_result_rate` fault hit this job).
    pub result: Digest,
    /// Simulated duration in nanoseconds.
    pub duration_ns: u64,
}

impl JobOutcome {
    /// The job part of the outcome, for [`crate::verify`].
    pub const fn spec(&self) -> JobSpec {
        JobSpec {
            kind: self.kind,
            size: self.size,
            seed: self.seed,
        }
    }
}

/// A device as listed by [`GpuMock::devices`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Device id (0-based).
    pub id: u32,
    /// Its profile.
    pub profile: DeviceProfile,
    /// Its seed (jitter and fault draws use `seed ⊕ job seed`).
    pub seed: u64,
}

/// The mock's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockState {
    /// Current block.
    pub block: u64,
}

struct State {
    block: u64,
    devices: Vec<Device>,
}

impl State {
    fn set_block(&mut self, block: u64) {
        if block != self.block {
            self.block = block;
            for device in &mut self.devices {
                device.new_window();
            }
        }
    }

    fn device_mut(&mut self, id: u64) -> Result<&mut Device, GpuError> {
        let count = self.devices.len();
        usize::try_from(id)
            .ok()
            .and_then(|i| self.devices.get_mut(i))
            .ok_or(GpuError::UnknownDevice { id, count })
    }

    fn device(&self, id: u64) -> Result<&Device, GpuError> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.devices.get(i))
            .ok_or(GpuError::UnknownDevice {
                id,
                count: self.devices.len(),
            })
    }
}

/// A set of simulated devices with a shared block clock. Cheap to share behind an `Arc`; every
/// method takes `&self`.
pub struct GpuMock {
    state: Mutex<State>,
    block_time_ms: u64,
}

impl GpuMock {
    /// Builds a mock from configuration (validated in full first).
    pub fn new(config: &MockConfig) -> Result<Self, ConfigError> {
        let devices = config
            .resolve()?
            .into_iter()
            .zip(0u32..)
            .map(|(resolved, id)| Device {
                id,
                profile: resolved.profile,
                seed: resolved.seed,
                faults: resolved.faults,
                stats: DeviceStats::default(),
            })
            .collect();
        Ok(Self {
            state: Mutex::new(State { block: 0, devices }),
            block_time_ms: config.block_time_ms,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No code path panics while holding the lock; if one ever did, the counters are
        // still consistent, so keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Number of devices.
    pub fn device_count(&self) -> usize {
        self.lock().devices.len()
    }

    /// Simulated block length in milliseconds.
    pub fn block_time_ms(&self) -> u64 {
        self.block_time_ms
    }

    /// All devices in id order.
    pub fn devices(&self) -> Vec<DeviceInfo> {
        self.lock().devices.iter().map(info).collect()
    }

    /// One device.
    pub fn device(&self, id: u64) -> Result<DeviceInfo, GpuError> {
        self.lock().device(id).map(info)
    }

    /// Runs a job on device `id` and returns its result and simulated duration.
    ///
    /// Invalid requests (unknown device, bad size) change nothing, not even the clock. OOM and
    /// device-lost failures are device events: they count in the error counters.
    pub fn submit(&self, id: u64, request: &JobRequest) -> Result<JobOutcome, GpuError> {
        let spec = request.spec();
        spec.validate()?;
        let cost = job_cost(&spec);
        let (device, block, duration_ns, corrupted) = {
            let mut state = self.lock();
            // Check the id before touching the clock: a rejected request changes nothing.
            state.device(id)?;
            if let Some(block) = request.block
                && block > state.block
            {
                state.set_block(block);
            }
            // A job is judged at the block it names, so its outcome cannot depend on which other
            // requests (with other blocks) happened to arrive first.
            let block = request.block.unwrap_or(state.block);
            let device = state.device_mut(id)?;
            if let Some(since_block) = device.faults.lost_from_block
                && block >= since_block
            {
                device.stats.errors.device_lost += 1;
                return Err(GpuError::DeviceLost {
                    device: device.id,
                    since_block,
                    block,
                });
            }
            let oom = if let Some(limit) = device.faults.oom_above_size
                && spec.size > limit
            {
                Some(OomCause::Fault { limit })
            } else if cost.footprint_bytes > device.memory_free_bytes() {
                Some(OomCause::Capacity {
                    required_bytes: cost.footprint_bytes,
                    available_bytes: device.memory_free_bytes(),
                })
            } else {
                None
            };
            if let Some(cause) = oom {
                device.stats.errors.out_of_memory += 1;
                return Err(GpuError::OutOfMemory {
                    device: device.id,
                    cause,
                });
            }
            let duration_ns =
                simulated_duration_ns(&device.profile, device.seed, &spec, device.faults.throttle);
            let corrupted = device.faults.corrupts(device.seed, &spec);
            (device.id, block, duration_ns, corrupted)
        };
        // The real work runs without the lock, so other devices keep answering.
        let real = job::compute(&spec);
        let result = if corrupted { job::corrupt(&real) } else { real };
        self.lock()
            .device_mut(id)?
            .record_job(duration_ns, cost.footprint_bytes, corrupted);
        Ok(JobOutcome {
            device,
            kind: spec.kind,
            size: spec.size,
            seed: spec.seed,
            block,
            result,
            duration_ns,
        })
    }

    /// Telemetry of every device.
    pub fn telemetry(&self) -> Telemetry {
        let state = self.lock();
        let block_time_ns = self.block_time_ms.saturating_mul(1_000_000);
        Telemetry {
            block: state.block,
            block_time_ms: self.block_time_ms,
            devices: state
                .devices
                .iter()
                .map(|d| d.telemetry(state.block, block_time_ns))
                .collect(),
        }
    }

    /// Telemetry of one device.
    pub fn device_telemetry(&self, id: u64) -> Result<DeviceTelemetry, GpuError> {
        let state = self.lock();
        let block_time_ns = self.block_time_ms.saturating_mul(1_000_000);
        state
            .device(id)
            .map(|d| d.telemetry(state.block, block_time_ns))
    }

    /// The faults configured on device `id`.
    pub fn faults(&self, id: u64) -> Result<Faults, GpuError> {
        self.lock().device(id).map(|d| d.faults)
    }

    /// Replaces the faults of device `id` (validated first; invalid faults change nothing).
    pub fn set_faults(&self, id: u64, faults: Faults) -> Result<Faults, GpuError> {
        let mut state = self.lock();
        state.device(id)?;
        faults.validate()?;
        let device = state.device_mut(id)?;
        device.faults = faults;
        Ok(device.faults)
    }

    /// Clears every fault of device `id`.
    pub fn clear_faults(&self, id: u64) -> Result<Faults, GpuError> {
        self.set_faults(id, Faults::default())
    }

    /// Clears every fault of every device.
    pub fn clear_all_faults(&self) {
        for device in &mut self.lock().devices {
            device.faults = Faults::default();
        }
    }

    /// The current block.
    pub fn block(&self) -> u64 {
        self.lock().block
    }

    /// Sets the current block (any value: a reverted chain may move it back). A new block
    /// starts a new utilisation window.
    pub fn set_block(&self, block: u64) -> ClockState {
        let mut state = self.lock();
        state.set_block(block);
        ClockState { block: state.block }
    }
}

fn info(device: &Device) -> DeviceInfo {
    DeviceInfo {
        id: device.id,
        profile: device.profile.clone(),
        seed: device.seed,
    }
}
