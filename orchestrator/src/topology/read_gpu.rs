//! Decoding GPU mocks: profiles, custom devices and standing faults.

use super::decode::{Cx, Fields, one_of};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::model::{GpuFaults, GpuMock, GpuSpec};
use super::scalars::required_name;
use super::yaml::{Kind, Node};

/// Fields of a GPU mock.
pub const GPU_MOCK_FIELDS: &[&str] = &[
    "name",
    "profile",
    "memory_gb",
    "tflops",
    "bandwidth_gbps",
    "power_watts",
    "devices",
    "faults",
];

/// Fields of a GPU fault set (the GPU mock's own names).
pub const GPU_FAULT_FIELDS: &[&str] = &[
    "oom_above_size",
    "throttle",
    "wrong_result_rate",
    "lost_from_block",
];

pub(crate) fn read_gpu_mock(node: &Node, path: &str, cx: &mut Cx, i: usize) -> Option<GpuMock> {
    let f = Fields::of(cx, node, path, "a GPU mock", GPU_MOCK_FIELDS)?;
    let name = required_name(cx, &f, "a GPU mock");
    let profile = match f.node("profile") {
        Some(n) => {
            one_of(cx, n, &f.path_of("profile"), "GPU profile", d::GPU_PROFILES).map(|p| p.value)
        }
        None => {
            f.missing(cx, "profile", "a GPU mock");
            None
        }
    };
    let base = profile.as_deref().and_then(d::gpu_profile);
    let custom = profile.as_deref() == Some("custom");

    let memory = f.ranged::<u32>(cx, "memory_gb", 1, 4096);
    let bandwidth = f.ranged::<u32>(cx, "bandwidth_gbps", 1, 100_000);
    let power = f.ranged::<u32>(cx, "power_watts", 1, 10_000);
    let tflops = match f.at::<f64>(cx, "tflops") {
        Some(t) if !(t.value > 0.0 && t.value <= 100_000.0) => {
            cx.report(
                Diagnostic::new(
                    t.loc,
                    f.path_of("tflops"),
                    format!("tflops {} is out of range", t.value),
                )
                .with_help("allowed: more than 0, at most 100000"),
            );
            None
        }
        other => other,
    };
    if custom {
        for field in ["memory_gb", "tflops", "bandwidth_gbps", "power_watts"] {
            if !f.has(field) {
                f.missing(cx, field, "a GPU mock with `profile: custom`");
            }
        }
    }
    // Named profiles take explicit fields as overrides of their datasheet values.
    let fallback = base.unwrap_or(GpuSpec {
        memory_gb: 0,
        tflops: 0.0,
        bandwidth_gbps: 0,
        power_watts: 0,
    });
    let spec = GpuSpec {
        memory_gb: memory.map_or(fallback.memory_gb, |v| v.value),
        tflops: tflops.map_or(fallback.tflops, |v| v.value),
        bandwidth_gbps: bandwidth.map_or(fallback.bandwidth_gbps, |v| v.value),
        power_watts: power.map_or(fallback.power_watts, |v| v.value),
    };
    let devices = f
        .ranged::<u32>(cx, "devices", 1, d::MAX_GPU_DEVICES)
        .map_or(1, |v| v.value);
    let faults = f
        .node("faults")
        .and_then(|n| read_gpu_faults(n, &f.path_of("faults"), cx))
        .unwrap_or_default();
    Some(GpuMock {
        index: i,
        name,
        profile: profile.unwrap_or_default(),
        spec,
        devices,
        faults,
    })
}

/// Decodes a GPU fault set, with the GPU mock's ranges.
pub(crate) fn read_gpu_faults(node: &Node, path: &str, cx: &mut Cx) -> Option<GpuFaults> {
    if matches!(node.kind, Kind::Null) {
        return Some(GpuFaults::default());
    }
    let f = Fields::of(cx, node, path, "GPU faults", GPU_FAULT_FIELDS)?;
    let bounded =
        |cx: &mut Cx, name: &str, lo: f64, hi: f64, help: &str| match f.at::<f64>(cx, name) {
            Some(v) if !(lo..=hi).contains(&v.value) => {
                cx.report(
                    Diagnostic::new(
                        v.loc,
                        f.path_of(name),
                        format!("{name} {} is out of range", v.value),
                    )
                    .with_help(help.to_owned())
                    .with_width(v.width),
                );
                None
            }
            other => other.map(|v| v.value),
        };
    let throttle = bounded(
        cx,
        "throttle",
        1.0,
        1000.0,
        "allowed: 1 to 1000 (a factor on simulated durations)",
    );
    let wrong_result_rate = bounded(
        cx,
        "wrong_result_rate",
        0.0,
        1.0,
        "allowed: 0 to 1 (a fraction of jobs)",
    );
    Some(GpuFaults {
        oom_above_size: f.opt::<u64>(cx, "oom_above_size"),
        throttle,
        wrong_result_rate,
        lost_from_block: f.opt::<u64>(cx, "lost_from_block"),
    })
}
