//! One simulated device: its profile, faults and counters, and the models that turn them into
//! telemetry.

use crate::fault::Faults;
use crate::profile::DeviceProfile;
use crate::telemetry::{DeviceStatus, DeviceTelemetry, ErrorCounters};

const MIB: u64 = 1 << 20;
/// Memory the driver context holds on every device (a job can use the rest).
pub const CONTEXT_BYTES: u64 = 512 * MIB;
/// Modelled temperature when idle, and at full TDP.
pub const IDLE_TEMPERATURE_C: u32 = 30;
/// Modelled temperature at full TDP.
pub const FULL_LOAD_TEMPERATURE_C: u32 = 80;
/// Extra heat reported while the throttle fault is on (a hot device is what throttles).
pub const THROTTLED_EXTRA_C: u32 = 12;

/// Counters accumulated from simulated work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DeviceStats {
    pub jobs_done: u64,
    pub busy_ns: u64,
    /// Busy time within the current block.
    pub window_busy_ns: u64,
    /// Largest job footprint within the current block.
    pub window_peak_bytes: u64,
    pub errors: ErrorCounters,
}

/// A simulated device.
#[derive(Clone, Debug)]
pub(crate) struct Device {
    pub id: u32,
    pub profile: DeviceProfile,
    pub seed: u64,
    pub faults: Faults,
    pub stats: DeviceStats,
}

impl Device {
    pub fn memory_total_bytes(&self) -> u64 {
        self.profile.memory_mib.saturating_mul(MIB)
    }

    /// Memory a job may use.
    pub fn memory_free_bytes(&self) -> u64 {
        self.memory_total_bytes().saturating_sub(CONTEXT_BYTES)
    }

    /// Records a completed job.
    pub fn record_job(&mut self, duration_ns: u64, footprint_bytes: u64, corrupted: bool) {
        let stats = &mut self.stats;
        stats.jobs_done += 1;
        stats.busy_ns = stats.busy_ns.saturating_add(duration_ns);
        stats.window_busy_ns = stats.window_busy_ns.saturating_add(duration_ns);
        stats.window_peak_bytes = stats.window_peak_bytes.max(footprint_bytes);
        if corrupted {
            stats.errors.corrupted_results += 1;
        }
    }

    /// Starts a new utilisation window (the block changed).
    pub fn new_window(&mut self) {
        self.stats.window_busy_ns = 0;
        self.stats.window_peak_bytes = 0;
    }

    /// Telemetry at `block`, with utilisation measured against `block_time_ns`.
    pub fn telemetry(&self, block: u64, block_time_ns: u64) -> DeviceTelemetry {
        let lost = self.faults.is_lost_at(block);
        let busy_ppm = if lost {
            0
        } else {
            let ppm = u128::from(self.stats.window_busy_ns) * 1_000_000
                / u128::from(block_time_ns.max(1));
            // Capped at 1_000_000, so it fits.
            u64::try_from(ppm.min(1_000_000)).unwrap_or(1_000_000)
        };
        let tdp = u64::from(self.profile.tdp_watts);
        let idle = u64::from(self.profile.idle_watts).min(tdp);
        let power = idle + (tdp - idle) * busy_ppm / 1_000_000;
        let heat_range = u64::from(FULL_LOAD_TEMPERATURE_C - IDLE_TEMPERATURE_C);
        let mut temperature = u64::from(IDLE_TEMPERATURE_C) + heat_range * busy_ppm / 1_000_000;
        if self
            .faults
            .throttle
            .is_some_and(|f| f > crate::Decimal6::ONE)
        {
            temperature += u64::from(THROTTLED_EXTRA_C);
        }
        let used_bytes = if lost {
            0
        } else {
            CONTEXT_BYTES
                .saturating_add(self.stats.window_peak_bytes)
                .min(self.memory_total_bytes())
        };
        DeviceTelemetry {
            id: self.id,
            profile: self.profile.name.clone(),
            status: if lost {
                DeviceStatus::Lost
            } else {
                DeviceStatus::Ok
            },
            // busy_ppm <= 1_000_000, so the percentage is at most 100.
            utilization_pct: u32::try_from(busy_ppm / 10_000).unwrap_or(100),
            memory_used_mib: used_bytes.div_ceil(MIB),
            memory_total_mib: self.profile.memory_mib,
            temperature_c: (!lost).then(|| u32::try_from(temperature).unwrap_or(u32::MAX)),
            power_w: (!lost).then(|| u32::try_from(power).unwrap_or(u32::MAX)),
            power_limit_w: self.profile.tdp_watts,
            jobs_done: self.stats.jobs_done,
            busy_ns: self.stats.busy_ns,
            errors: self.stats.errors,
            faults: self.faults,
            active_faults: self
                .faults
                .active_at(block)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal6;
    use crate::profile::builtin_profile;

    fn device() -> Device {
        Device {
            id: 0,
            profile: builtin_profile("H100-80GB").unwrap(),
            seed: 1,
            faults: Faults::default(),
            stats: DeviceStats::default(),
        }
    }

    #[test]
    fn idle_device_reads_idle_figures() {
        let t = device().telemetry(0, 12_000_000_000);
        assert_eq!(t.utilization_pct, 0);
        assert_eq!(t.power_w, Some(70));
        assert_eq!(t.temperature_c, Some(30));
        assert_eq!(t.memory_used_mib, 512);
        assert_eq!(t.memory_total_mib, 81_920);
    }

    #[test]
    fn half_busy_block_by_hand() {
        let mut d = device();
        // 6 s busy of a 12 s block: 50%; power 70 + 630/2 = 385 W; temperature 30 + 25 = 55.
        d.record_job(6_000_000_000, 3 * MIB, false);
        let t = d.telemetry(0, 12_000_000_000);
        assert_eq!(t.utilization_pct, 50);
        assert_eq!(t.power_w, Some(385));
        assert_eq!(t.temperature_c, Some(55));
        assert_eq!(t.memory_used_mib, 515);
        assert_eq!(t.jobs_done, 1);
        d.new_window();
        let t = d.telemetry(1, 12_000_000_000);
        assert_eq!(t.utilization_pct, 0);
        assert_eq!(t.busy_ns, 6_000_000_000);
    }

    #[test]
    fn overfull_block_caps_at_tdp() {
        let mut d = device();
        d.record_job(30_000_000_000, 0, true);
        let t = d.telemetry(0, 12_000_000_000);
        assert_eq!(
            (t.utilization_pct, t.power_w, t.temperature_c),
            (100, Some(700), Some(80))
        );
        assert_eq!(t.errors.corrupted_results, 1);
        d.faults.throttle = Some(Decimal6::from_micros(2_000_000));
        assert_eq!(d.telemetry(0, 12_000_000_000).temperature_c, Some(92));
    }

    #[test]
    fn lost_device_reads_nothing() {
        let mut d = device();
        d.faults.lost_from_block = Some(5);
        d.record_job(1_000, 0, false);
        assert_eq!(d.telemetry(4, 12_000).status, DeviceStatus::Ok);
        let t = d.telemetry(5, 12_000);
        assert_eq!(t.status, DeviceStatus::Lost);
        assert_eq!(
            (t.power_w, t.temperature_c, t.utilization_pct),
            (None, None, 0)
        );
        assert_eq!(t.active_faults, vec!["device_lost".to_owned()]);
    }
}
