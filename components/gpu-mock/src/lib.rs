//! A deterministic mock GPU for localtensor devnets.
//!
//! A [`GpuMock`] holds one or more simulated devices built from [`DeviceProfile`]s (built-in
//! spec-sheet profiles such as `H100-80GB` or `L4`, or custom ones from configuration). Jobs
//! ([`JobSpec`]) produce a real, checkable [`Digest`] that anyone can recompute with
//! [`expected_result`] / [`verify`], and take a *simulated* duration derived from the device
//! profile and a seeded jitter. Nothing depends on wall-clock time or OS randomness: the same
//! configuration and seeds give the same results, durations and telemetry on every machine.
//!
//! The same API is served over HTTP by [`http::router`] (binary `localtensor-gpu-mock`).
//!
//! ```
//! use localtensor_gpu_mock::{Faults, GpuMock, JobKind, JobRequest, MockConfig, verify};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = GpuMock::new(&MockConfig::uniform("L4", 2, 42))?;
//! let outcome = mock.submit(0, &JobRequest::new(JobKind::Matmul, 4096, 7).at_block(12))?;
//! assert!(verify(&outcome.spec(), &outcome.result));
//! mock.set_faults(1, Faults { lost_from_block: Some(20), ..Faults::default() })?;
//! assert_eq!(mock.telemetry().devices[0].jobs_done, 1);
//! # Ok(())
//! # }
//! ```

mod batch;
pub mod cli;
mod config;
mod decimal;
mod device;
mod error;
mod fault;
pub mod http;
mod job;
mod mock;
mod profile;
mod seed;
mod telemetry;
mod timing;

pub use batch::{BatchOutcome, BatchRequest, BatchStop, BatchUnit, MAX_BATCH_UNITS};
pub use config::{DEFAULT_BLOCK_TIME_MS, MAX_BLOCK_TIME_MS, MAX_DEVICES};
pub use config::{DeviceSpec, MockConfig, ProfileSpec};
pub use decimal::Decimal6;
pub use device::{CONTEXT_BYTES, FULL_LOAD_TEMPERATURE_C, IDLE_TEMPERATURE_C, THROTTLED_EXTRA_C};
pub use error::{ConfigError, GpuError, OomCause};
pub use fault::Faults;
pub use fault::MAX_THROTTLE;
pub use job::{
    Digest, DigestParseError, HASHCHAIN_MAX_SIZE, JobKind, JobSpec, MATMUL_MAX_SIZE,
    MATMUL_SAMPLES, expected_result, matmul_entry, matrix_element, verify,
};
pub use mock::{ClockState, DeviceInfo, GpuMock, JobOutcome, JobRequest};
pub use profile::{DeviceProfile, builtin_profile, builtin_profiles};
pub use telemetry::{DeviceStatus, DeviceTelemetry, ErrorCounters, Telemetry};
pub use timing::{
    HASHCHAIN_FOOTPRINT_BYTES, HASHCHAIN_STEP_BYTES, HASHCHAIN_STEP_OPS, JITTER_PPM, JobCost,
    LAUNCH_OVERHEAD_NS, MATMUL_ELEMENT_BYTES, base_duration_ns, job_cost, simulated_duration_ns,
};
