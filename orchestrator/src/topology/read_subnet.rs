//! Decoding subnets, their hyperparameters and their neuron groups.

use super::decode::{Cx, Fields, index, join};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::model::{At, Hyperparameters, NeuronGroup, Role, Subnet, Tao};
use super::read_neuron::read_group;
use super::scalars::required_name;
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

pub(crate) fn read_subnet(node: &Node, path: &str, cx: &mut Cx, i: usize) -> Option<Subnet> {
    let f = Fields::of(cx, node, path, "a subnet", SUBNET_FIELDS)?;
    let name = required_name(cx, &f, "a subnet");
    // 0 marks "assign automatically"; validation assigns netuids in order.
    let netuid = f
        .ranged::<u16>(cx, "netuid", 1, d::MAX_NETUID)
        .unwrap_or_else(|| At::new(0, f.loc));
    // An empty `hyperparameters:` (everything commented out) means all defaults.
    let hyperparameters = match f.node("hyperparameters") {
        Some(n) if !matches!(n.kind, Kind::Null) => {
            read_hyperparameters(n, &f.path_of("hyperparameters"), cx)
        }
        _ => default_hyperparameters(d::TEMPO),
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
    h.activity_cutoff = u16_field(
        cx,
        "activity_cutoff",
        d::MIN_ACTIVITY_CUTOFF,
        u16::MAX,
        h.activity_cutoff,
    );
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
