//! Decoding validator and miner groups and their behaviours.

use super::decode::{Cx, Fields, FromNode, one_of};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::model::{At, Behaviour, NeuronGroup, NeuronKind, Role, Tao};
use super::read_command::read_command;
use super::scalars::required_name;
use super::yaml::{Kind, Node};

/// Fields of a validator or miner group.
pub const NEURON_FIELDS: &[&str] = &[
    "name",
    "replicas",
    "stake",
    "behaviour",
    "gpu",
    "slowdown",
    "failure_rate",
    "copy_from",
    "targets",
    "command",
    "env",
    "workdir",
];

/// Behaviours of built-in miners.
pub const MINER_BEHAVIOURS: &[&str] = &["honest", "lazy", "slow", "offline", "flaky", "copier"];
/// Behaviours of built-in validators.
pub const VALIDATOR_BEHAVIOURS: &[&str] =
    &["honest", "weight-copier", "colluder", "lazy", "offline"];

pub(crate) fn read_group(
    node: &Node,
    path: &str,
    role: Role,
    cx: &mut Cx,
    i: usize,
) -> Option<NeuronGroup> {
    let what = match role {
        Role::Validator => "a validator",
        Role::Miner => "a miner",
    };
    let f = Fields::of(cx, node, path, what, NEURON_FIELDS)?;
    let name = required_name(cx, &f, what);
    let replicas = f
        .ranged::<u32>(cx, "replicas", 1, d::MAX_REPLICAS)
        .unwrap_or_else(|| At::new(1, f.loc_of("replicas")));
    let stake = f.opt::<Tao>(cx, "stake").unwrap_or(match role {
        Role::Validator => d::VALIDATOR_STAKE,
        Role::Miner => d::MINER_STAKE,
    });
    let gpus = match f.node("gpu") {
        Some(n) => string_or_list(n, &f.path_of("gpu"), cx),
        None => Vec::new(),
    };
    let kind = if f.has("command") {
        for field in [
            "behaviour",
            "slowdown",
            "failure_rate",
            "copy_from",
            "targets",
        ] {
            f.forbid(cx, field, "a neuron with `command` behaves as its command does; behaviours apply to built-in neurons");
        }
        NeuronKind::Command(read_command(&f, cx))
    } else {
        for field in ["env", "workdir"] {
            f.forbid(
                cx,
                field,
                "`env` and `workdir` apply only to bring-your-own neurons (with `command`)",
            );
        }
        NeuronKind::Builtin(read_behaviour(&f, role, cx))
    };
    Some(NeuronGroup {
        index: i,
        name,
        role,
        replicas,
        stake,
        gpus,
        kind,
    })
}

fn read_behaviour(f: &Fields<'_>, role: Role, cx: &mut Cx) -> Behaviour {
    let allowed = match role {
        Role::Validator => VALIDATOR_BEHAVIOURS,
        Role::Miner => MINER_BEHAVIOURS,
    };
    let what = format!("{role} behaviour");
    let chosen = f
        .node("behaviour")
        .and_then(|n| one_of(cx, n, &f.path_of("behaviour"), &what, allowed))
        .map_or_else(|| "honest".to_owned(), |s| s.value);
    // After an unknown behaviour, its parameters would only add noise.
    let behaviour_failed = cx.failed(&f.path_of("behaviour"));
    let forbid_unless = |field: &str, behaviour: &str, cx: &mut Cx| {
        if chosen != behaviour && !behaviour_failed {
            f.forbid(
                cx,
                field,
                &format!("`{field}` applies only to `behaviour: {behaviour}`"),
            );
        }
    };
    forbid_unless("slowdown", "slow", cx);
    forbid_unless("failure_rate", "flaky", cx);
    forbid_unless("targets", "colluder", cx);
    let copier = if role == Role::Miner {
        "copier"
    } else {
        "weight-copier"
    };
    forbid_unless("copy_from", copier, cx);

    match chosen.as_str() {
        "lazy" => Behaviour::Lazy,
        "offline" => Behaviour::Offline,
        "slow" => {
            let path = f.path_of("slowdown");
            let slowdown = match f.at::<f64>(cx, "slowdown") {
                Some(s) if !(s.value > 1.0 && s.value <= 1000.0) => {
                    cx.report(
                        Diagnostic::new(
                            s.loc,
                            path,
                            format!("slowdown {} is out of range", s.value),
                        )
                        .with_help("a slow miner is more than 1 and at most 1000 times slower"),
                    );
                    d::SLOWDOWN
                }
                Some(s) => s.value,
                None => d::SLOWDOWN,
            };
            Behaviour::Slow { slowdown }
        }
        "flaky" => {
            let path = f.path_of("failure_rate");
            let failure_rate = match f.at::<f64>(cx, "failure_rate") {
                Some(r) if !(0.0..=1.0).contains(&r.value) => {
                    cx.report(
                        Diagnostic::new(
                            r.loc,
                            path,
                            format!("failure_rate {} is out of range", r.value),
                        )
                        .with_help("allowed: 0 to 1 (a fraction of requests)"),
                    );
                    d::FAILURE_RATE
                }
                Some(r) => r.value,
                None => d::FAILURE_RATE,
            };
            Behaviour::Flaky { failure_rate }
        }
        "copier" => Behaviour::Copier {
            copy_from: copy_from(f, cx),
        },
        "weight-copier" => Behaviour::WeightCopier {
            copy_from: copy_from(f, cx),
        },
        "colluder" => {
            let targets = match f.node("targets") {
                Some(n) => string_or_list(n, &f.path_of("targets"), cx),
                None => {
                    f.missing(cx, "targets", "a colluding validator");
                    Vec::new()
                }
            };
            if f.has("targets") && targets.is_empty() && !cx.failed(&f.path_of("targets")) {
                cx.error(
                    f.loc_of("targets"),
                    &f.path_of("targets"),
                    "a colluder needs at least one target",
                    Some("name the miners the colluders favour".into()),
                );
            }
            Behaviour::Colluder { targets }
        }
        _ => Behaviour::Honest,
    }
}

fn copy_from(f: &Fields<'_>, cx: &mut Cx) -> Option<At<String>> {
    f.node("copy_from")
        .and_then(|n| At::<String>::from_node(n, &f.path_of("copy_from"), cx))
}

/// A string or a list of strings, as located values.
pub(crate) fn string_or_list(node: &Node, path: &str, cx: &mut Cx) -> Vec<At<String>> {
    match &node.kind {
        Kind::Str(_) => At::<String>::from_node(node, path, cx)
            .into_iter()
            .collect(),
        Kind::Seq(_) => Vec::<At<String>>::from_node(node, path, cx).unwrap_or_default(),
        _ => {
            cx.wrong_type(node, path, "a name or a list of names");
            Vec::new()
        }
    }
}
