//! Decoding the fault schedule and expectations.

use super::decode::{Cx, Fields, one_of};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::expectation;
use super::model::{At, Expectation, Fault, FaultAction, FaultTime};
use super::read_gpu::read_gpu_faults;
use super::yaml::{Kind, Node};

/// Fields of a scheduled fault.
pub const FAULT_FIELDS: &[&str] = &[
    "block", "epoch", "subnet", "action", "target", "faults", "percent", "delay_ms",
];

/// Fault actions, as written.
pub const FAULT_ACTIONS: &[&str] = &[
    "kill",
    "restart",
    "pause",
    "resume",
    "gpu_fault",
    "gpu_clear",
    "partition",
    "loss",
    "latency",
    "heal",
];

/// Fields of an expectation written as a mapping.
pub const EXPECTATION_FIELDS: &[&str] = &["expect", "epoch"];

pub(crate) fn read_fault(node: &Node, path: &str, cx: &mut Cx, i: usize) -> Option<Fault> {
    let f = Fields::of(cx, node, path, "a fault", FAULT_FIELDS)?;
    let block = f.ranged::<u64>(cx, "block", 1, u64::MAX);
    let epoch = f.ranged::<u32>(cx, "epoch", 1, d::MAX_EPOCHS);
    let at = match (block, epoch) {
        (Some(b), None) => Some(At {
            value: FaultTime::Block(b.value),
            loc: b.loc,
            width: b.width,
        }),
        (None, Some(e)) => Some(At {
            value: FaultTime::Epoch(e.value),
            loc: e.loc,
            width: e.width,
        }),
        (Some(_), Some(_)) => {
            let loc = f.key_loc("epoch").unwrap_or(f.loc);
            cx.report(
                Diagnostic::new(
                    loc,
                    f.path_of("epoch"),
                    "a fault has either `block` or `epoch`, not both",
                )
                .with_help("keep one of them")
                .with_width(5),
            );
            None
        }
        (None, None) => {
            if !f.has("block") && !f.has("epoch") {
                cx.report(
                    Diagnostic::new(
                        f.loc,
                        f.path_of("epoch"),
                        "a fault needs a time: `block` or `epoch`",
                    )
                    .with_help("for example `epoch: 2` (start of the second epoch) or `block: 25`"),
                );
            }
            None
        }
    };
    if f.has("block") {
        f.forbid(
            cx,
            "subnet",
            "`subnet` chooses whose epochs `epoch` counts; it does not apply to `block`",
        );
    }
    let subnet = f.at::<String>(cx, "subnet");
    let action = match f.node("action") {
        Some(n) => one_of(cx, n, &f.path_of("action"), "fault action", FAULT_ACTIONS),
        None => {
            f.missing(cx, "action", "a fault");
            None
        }
    }
    .map(|a| match a.value.as_str() {
        "kill" => FaultAction::Kill,
        "restart" => FaultAction::Restart,
        "pause" => FaultAction::Pause,
        "resume" => FaultAction::Resume,
        "gpu_fault" => FaultAction::GpuFault,
        "partition" => FaultAction::Partition,
        "heal" => FaultAction::Heal,
        "loss" => FaultAction::Loss,
        "latency" => FaultAction::Latency,
        _ => FaultAction::GpuClear,
    });
    let target = f.req::<At<String>>(cx, "target", "a fault");
    let faults = action_field(&f, cx, action, FaultAction::GpuFault, "faults", |cx| {
        read_gpu_faults(f.node("faults")?, &f.path_of("faults"), cx)
    });
    let percent = action_field(&f, cx, action, FaultAction::Loss, "percent", |cx| {
        read_percent(&f, cx)
    });
    let delay_ms = action_field(&f, cx, action, FaultAction::Latency, "delay_ms", |cx| {
        f.ranged::<u32>(cx, "delay_ms", 1, d::MAX_DELAY_MS)
    });
    // Whatever failed was reported; defaults keep the fault so its other fields still get checked.
    Some(Fault {
        index: i,
        at: at.unwrap_or_else(|| At::new(FaultTime::Block(1), f.loc)),
        subnet,
        action: action.unwrap_or(FaultAction::Kill),
        target: target.unwrap_or_else(|| At::new(String::new(), f.loc)),
        faults,
        percent,
        delay_ms,
    })
}

/// A field that action `owner` requires and every other action refuses: read with `read` when
/// the fault's action is `owner`.
fn action_field<T>(
    f: &Fields<'_>,
    cx: &mut Cx,
    action: Option<FaultAction>,
    owner: FaultAction,
    field: &str,
    read: impl FnOnce(&mut Cx) -> Option<T>,
) -> Option<T> {
    match action {
        Some(a) if a == owner => {
            if f.has(field) {
                read(cx)
            } else {
                f.missing(cx, field, &format!("a `{}` action", owner.as_str()));
                None
            }
        }
        Some(_) => {
            let why = format!("`{field}` applies only to `action: {}`", owner.as_str());
            f.forbid(cx, field, &why);
            None
        }
        None => None,
    }
}

/// A loss rate: greater than 0, at most 100.
fn read_percent(f: &Fields<'_>, cx: &mut Cx) -> Option<At<f64>> {
    let v = f.at::<f64>(cx, "percent")?;
    if v.value > 0.0 && v.value <= 100.0 {
        return Some(v);
    }
    cx.report(
        Diagnostic::new(
            v.loc,
            f.path_of("percent"),
            format!("loss of {} % is out of range", v.value),
        )
        .with_help("allowed: more than 0, at most 100 (the share of packets dropped each way)")
        .with_width(v.width),
    );
    None
}

pub(crate) fn read_expectation(
    node: &Node,
    path: &str,
    cx: &mut Cx,
    i: usize,
) -> Option<Expectation> {
    let (text, text_path, epoch) = match &node.kind {
        Kind::Str(s) => (
            At {
                value: s.clone(),
                loc: node.loc,
                width: s.chars().count(),
            },
            path.to_owned(),
            None,
        ),
        Kind::Map(_) => {
            let f = Fields::of(cx, node, path, "an expectation", EXPECTATION_FIELDS)?;
            let epoch = f.ranged::<u32>(cx, "epoch", 1, d::MAX_EPOCHS);
            let text = f.req::<At<String>>(cx, "expect", "an expectation")?;
            (text, f.path_of("expect"), epoch)
        }
        _ => {
            cx.wrong_type(node, path, "an expectation: a string such as `incentive(m-fast) > 0`, or a mapping with `expect` and `epoch`");
            return None;
        }
    };
    match expectation::parse(&text.value) {
        Ok((lhs, op, rhs)) => {
            let locate = |offset: usize, width: usize| At {
                value: String::new(),
                loc: cx.inside(text.loc, offset),
                width,
            };
            let lhs = expectation::to_operand(lhs, locate);
            let rhs = expectation::to_operand(rhs, locate);
            Some(Expectation {
                index: i,
                expect: text,
                lhs,
                op,
                rhs,
                epoch,
            })
        }
        Err(e) => {
            let loc = cx.inside(text.loc, e.offset);
            cx.report(Diagnostic::new(loc, text_path, e.message).with_help(e.help));
            None
        }
    }
}
