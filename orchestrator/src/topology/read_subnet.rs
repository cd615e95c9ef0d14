//! Decoding subnets, their hyperparameters and their neuron groups.

use std::collections::BTreeMap;

use super::decode::{Cx, Fields, FromNode, index, join, one_of};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::model::{
    At, Behaviour, CommandSpec, Hyperparameters, NeuronGroup, NeuronKind, Role, Subnet, Tao,
};
use super::placeholders::{self, TemplateError};
use super::scalars::name_at;
use super::suggest::did_you_mean;
use super::yaml::{Kind, Node};

/// Fields of a subnet.
pub const SUBNET_FIELDS: &[&str] = &["name", "netuid", "hyperparameters", "validators", "miners"];

/// Fields of `hyperparameters`.
pub const HYPERPARAMETER_FIELDS: &[&str] = &[
    "tempo",
    "kappa",
    "immunity_period",
    "min_allowed_weights",
    "max_allowed_validators",
    "max_allowed_uids",
    "weights_rate_limit",
    "activity_cutoff",
    "bonds_moving_average",
    "bonds_penalty",
    "yuma3",
    "liquid_alpha",
    "alpha_low",
    "alpha_high",
    "commit_reveal",
    "registration_allowed",
    "burn",
    "min_burn",
    "max_burn",
];

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

pub(crate) fn read_subnet(node: &Node, path: &str, cx: &mut Cx, i: usize) -> Option<Subnet> {
    let f = Fields::of(cx, node, path, "a subnet", SUBNET_FIELDS)?;
    let name = match f.node("name") {
        Some(n) => name_at(n, &f.path_of("name"), cx),
        None => {
            f.missing(cx, "name", "a subnet");
            None
        }
    }
    .unwrap_or_else(|| At::new(String::new(), f.loc));
    // 0 marks "assign automatically"; validation assigns netuids in order.
    let netuid = f
        .ranged::<u16>(cx, "netuid", 1, d::MAX_NETUID)
        .unwrap_or_else(|| At::new(0, f.loc));
    let hyperparameters = match f.node("hyperparameters") {
        Some(n) => read_hyperparameters(n, &f.path_of("hyperparameters"), cx),
        None => default_hyperparameters(d::TEMPO),
    };
    let validators = groups(cx, &f, "validators", Role::Validator);
    let miners = groups(cx, &f, "miners", Role::Miner);
    Some(Subnet {
        index: i,
        name,
        netuid,
        hyperparameters,
        validators,
        miners,
    })
}

fn groups(cx: &mut Cx, f: &Fields<'_>, field: &str, role: Role) -> Vec<NeuronGroup> {
    let Some(node) = f.node(field) else {
        return Vec::new();
    };
    let path = f.path_of(field);
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| read_group(item, &index(&path, i), role, cx, i))
            .collect(),
        Kind::Null => Vec::new(),
        _ => {
            cx.wrong_type(node, &path, "a list of neuron groups");
            Vec::new()
        }
    }
}

fn default_hyperparameters(tempo: u16) -> Hyperparameters {
    Hyperparameters {
        tempo,
        kappa: d::KAPPA,
        immunity_period: d::IMMUNITY_PERIOD,
        min_allowed_weights: d::MIN_ALLOWED_WEIGHTS,
        max_allowed_validators: d::MAX_ALLOWED_VALIDATORS,
        max_allowed_uids: d::MAX_ALLOWED_UIDS,
        weights_rate_limit: d::WEIGHTS_RATE_LIMIT,
        activity_cutoff: d::activity_cutoff(tempo),
        bonds_moving_average: d::BONDS_MOVING_AVERAGE,
        bonds_penalty: d::BONDS_PENALTY,
        yuma3: d::YUMA3,
        liquid_alpha: d::LIQUID_ALPHA,
        alpha_low: d::ALPHA_LOW,
        alpha_high: d::ALPHA_HIGH,
        commit_reveal: d::COMMIT_REVEAL,
        registration_allowed: d::REGISTRATION_ALLOWED,
        burn: d::BURN,
        min_burn: d::MIN_BURN,
        max_burn: d::MAX_BURN,
    }
}

fn read_hyperparameters(node: &Node, path: &str, cx: &mut Cx) -> Hyperparameters {
    let Some(f) = Fields::of(cx, node, path, "hyperparameters", HYPERPARAMETER_FIELDS) else {
        return default_hyperparameters(d::TEMPO);
    };
    let p = |name: &str| join(path, name);
    let tempo = f
        .ranged::<u16>(cx, "tempo", 1, u16::MAX)
        .map_or(d::TEMPO, |t| t.value);
    let mut h = default_hyperparameters(tempo);
    let u16_field = |cx: &mut Cx, name: &str, lo: u16, hi: u16, default: u16| {
        f.ranged::<u16>(cx, name, lo, hi)
            .map_or(default, |v| v.value)
    };
    h.kappa = u16_field(cx, "kappa", 0, u16::MAX, h.kappa);
    h.immunity_period = u16_field(cx, "immunity_period", 0, u16::MAX, h.immunity_period);
    h.max_allowed_uids = u16_field(
        cx,
        "max_allowed_uids",
        1,
        d::MAX_UIDS_LIMIT,
        h.max_allowed_uids,
    );
    h.max_allowed_validators = u16_field(
        cx,
        "max_allowed_validators",
        1,
        d::MAX_UIDS_LIMIT,
        h.max_allowed_validators,
    );
    h.min_allowed_weights = u16_field(
        cx,
        "min_allowed_weights",
        0,
        d::MAX_UIDS_LIMIT,
        h.min_allowed_weights,
    );
    if !cx.failed(&p("max_allowed_uids"))
        && !cx.failed(&p("max_allowed_validators"))
        && h.max_allowed_validators > h.max_allowed_uids
    {
        cx.report(
            Diagnostic::new(
                f.loc_of("max_allowed_validators"),
                p("max_allowed_validators"),
                format!(
                    "max_allowed_validators {} is above max_allowed_uids {}",
                    h.max_allowed_validators, h.max_allowed_uids
                ),
            )
            .with_help("validator permits are a subset of the subnet's UIDs"),
        );
    }
    h.activity_cutoff = u16_field(cx, "activity_cutoff", 1, u16::MAX, h.activity_cutoff);
    h.bonds_penalty = u16_field(cx, "bonds_penalty", 0, u16::MAX, h.bonds_penalty);
    h.weights_rate_limit = f
        .opt::<u64>(cx, "weights_rate_limit")
        .unwrap_or(h.weights_rate_limit);
    h.bonds_moving_average = f
        .ranged::<u64>(cx, "bonds_moving_average", 0, d::BONDS_MOVING_AVERAGE_MAX)
        .map_or(h.bonds_moving_average, |v| v.value);
    h.yuma3 = f.opt(cx, "yuma3").unwrap_or(h.yuma3);
    h.liquid_alpha = f.opt(cx, "liquid_alpha").unwrap_or(h.liquid_alpha);
    h.commit_reveal = f.opt(cx, "commit_reveal").unwrap_or(h.commit_reveal);
    h.registration_allowed = f
        .opt(cx, "registration_allowed")
        .unwrap_or(h.registration_allowed);

    // Liquid alpha bounds, with subtensor's `do_set_alpha_values` rules.
    if !h.liquid_alpha {
        for name in ["alpha_low", "alpha_high"] {
            f.forbid(cx, name, "alpha bounds apply only with `liquid_alpha: true` (subtensor refuses them otherwise)");
        }
    }
    let low = f.ranged::<u16>(cx, "alpha_low", d::ALPHA_MIN, u16::MAX);
    let high = f.ranged::<u16>(cx, "alpha_high", d::ALPHA_MIN, u16::MAX);
    h.alpha_low = low.as_ref().map_or(h.alpha_low, |v| v.value);
    h.alpha_high = high.as_ref().map_or(h.alpha_high, |v| v.value);
    let low_ok = !cx.failed(&p("alpha_low"));
    let high_ok = !cx.failed(&p("alpha_high"));
    if h.liquid_alpha && low_ok && high_ok && h.alpha_low > h.alpha_high {
        let loc = low.map_or_else(|| f.loc_of("alpha_high"), |l| l.loc);
        cx.report(
            Diagnostic::new(
                loc,
                p("alpha_low"),
                format!(
                    "alpha_low {} is above alpha_high {}",
                    h.alpha_low, h.alpha_high
                ),
            )
            .with_help("subtensor requires alpha_low <= alpha_high"),
        );
    }

    // Burn bounds.
    let burn = f.at::<Tao>(cx, "burn");
    let min_burn = f.at::<Tao>(cx, "min_burn");
    let max_burn = f.at::<Tao>(cx, "max_burn");
    h.burn = burn.as_ref().map_or(h.burn, |v| v.value);
    h.min_burn = min_burn.as_ref().map_or(h.min_burn, |v| v.value);
    h.max_burn = max_burn.as_ref().map_or(h.max_burn, |v| v.value);
    let burns_ok = ["burn", "min_burn", "max_burn"]
        .iter()
        .all(|n| !cx.failed(&p(n)));
    if burns_ok && h.min_burn > h.max_burn {
        cx.report(
            Diagnostic::new(
                f.loc_of("min_burn"),
                p("min_burn"),
                format!(
                    "min_burn {} TAO is above max_burn {} TAO",
                    h.min_burn, h.max_burn
                ),
            )
            .with_help("min_burn <= burn <= max_burn"),
        );
    } else if burns_ok && (h.burn < h.min_burn || h.burn > h.max_burn) {
        cx.report(
            Diagnostic::new(
                f.loc_of("burn"),
                p("burn"),
                format!(
                    "burn {} TAO is outside [{}, {}] TAO",
                    h.burn, h.min_burn, h.max_burn
                ),
            )
            .with_help("min_burn <= burn <= max_burn"),
        );
    }
    h
}

fn read_group(node: &Node, path: &str, role: Role, cx: &mut Cx, i: usize) -> Option<NeuronGroup> {
    let what = match role {
        Role::Validator => "a validator",
        Role::Miner => "a miner",
    };
    let f = Fields::of(cx, node, path, what, NEURON_FIELDS)?;
    let name = match f.node("name") {
        Some(n) => name_at(n, &f.path_of("name"), cx),
        None => {
            f.missing(cx, "name", what);
            None
        }
    }
    .unwrap_or_else(|| At::new(String::new(), f.loc));
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
        _ => Vec::<At<String>>::from_node(node, path, cx).unwrap_or_default(),
    }
}

fn read_command(f: &Fields<'_>, cx: &mut Cx) -> CommandSpec {
    let path = f.path_of("command");
    let mut command = Vec::new();
    if let Some(node) = f.node("command") {
        match &node.kind {
            // A single string runs through the shell, so pipes and `&&` work.
            Kind::Str(s) => {
                check_template(cx, node, &path, s);
                command = vec!["sh".to_owned(), "-c".to_owned(), s.clone()];
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = index(&path, i);
                    if let Some(s) = scalar_string(item, &item_path, cx) {
                        check_template(cx, item, &item_path, &s);
                        command.push(s);
                    }
                }
            }
            _ => cx.wrong_type(
                node,
                &path,
                "a command: a string (run by `sh -c`) or a list of program and arguments",
            ),
        }
        if command.first().is_none_or(|p| p.is_empty()) && !cx.failed(&path) {
            cx.error(
                node.loc,
                &path,
                "the command is empty",
                Some("give a program to run, e.g. [\"python\", \"miner.py\"]".into()),
            );
        }
    }
    let mut env = BTreeMap::new();
    if let Some(node) = f.node("env") {
        let env_path = f.path_of("env");
        match &node.kind {
            Kind::Map(entries) => {
                for (key, value) in entries {
                    let Kind::Str(k) = &key.kind else {
                        cx.wrong_type(key, &env_path, "an environment variable name");
                        continue;
                    };
                    let var_path = join(&env_path, k);
                    if k.is_empty() || k.contains('=') || k.contains('\0') {
                        cx.error(
                            key.loc,
                            &var_path,
                            format!("invalid environment variable name `{k}`"),
                            None,
                        );
                        continue;
                    }
                    if k.starts_with("LOCALTENSOR_") {
                        cx.report(
                            Diagnostic::new(key.loc, &var_path, format!("`{k}` is set by localtensor"))
                                .with_help("LOCALTENSOR_* variables carry the injected values; use another name")
                                .with_width(k.chars().count()),
                        );
                        continue;
                    }
                    if let Some(v) = scalar_string(value, &var_path, cx) {
                        check_template(cx, value, &var_path, &v);
                        if env.insert(k.clone(), v).is_some() {
                            cx.error(
                                key.loc,
                                &var_path,
                                format!("duplicate environment variable `{k}`"),
                                None,
                            );
                        }
                    }
                }
            }
            Kind::Null => {}
            _ => cx.wrong_type(node, &env_path, "a mapping of environment variables"),
        }
    }
    let workdir = f.opt::<String>(cx, "workdir");
    CommandSpec {
        command,
        env,
        workdir,
    }
}

/// Strings, numbers and booleans as text (environment values are often written unquoted).
fn scalar_string(node: &Node, path: &str, cx: &mut Cx) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Int(i) => Some(i.to_string()),
        Kind::Float(x) => Some(x.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => {
            cx.wrong_type(node, path, "a string");
            None
        }
    }
}

fn check_template(cx: &mut Cx, node: &Node, path: &str, text: &str) {
    let all = || placeholders::names().collect::<Vec<_>>().join(", ");
    match placeholders::scan(text) {
        Ok(_) => {}
        Err(TemplateError::Unknown(name, offset)) => {
            let loc = cx.inside(
                node.loc,
                text.get(..offset).map_or(0, |t| t.chars().count()),
            );
            let mut help = format!("placeholders: {}; write `{{{{` for a literal brace", all());
            if let Some(dym) = did_you_mean(&name, placeholders::names()) {
                help = format!("{dym} {help}");
            }
            cx.report(
                Diagnostic::new(loc, path, format!("unknown placeholder `{{{name}}}`"))
                    .with_help(help)
                    .with_width(name.chars().count() + 2),
            );
        }
        Err(TemplateError::Unclosed(offset)) => {
            let loc = cx.inside(
                node.loc,
                text.get(..offset).map_or(0, |t| t.chars().count()),
            );
            cx.report(
                Diagnostic::new(loc, path, "unclosed `{` in a placeholder")
                    .with_help("write `{chain_endpoint}`, or `{{` for a literal brace"),
            );
        }
    }
}
