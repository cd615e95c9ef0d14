//! Checks across the whole topology: unique names, netuids, references and impossible combinations.

use std::collections::BTreeMap;

use super::decode::{Cx, index, join};
use super::diagnostics::{Diagnostic, Loc};
use super::expand::instance_names;
use super::model::{
    At, Behaviour, Fault, FaultAction, FaultTime, Metric, NeuronGroup, NeuronKind, Operand, Role,
    Subnet, Topology,
};
use super::names::{Entity, Names};

/// Most neuron instances in one topology.
pub const MAX_NEURONS: u64 = 65_536;

/// Runs every cross-item check and assigns automatic netuids.
pub(crate) fn validate(t: &mut Topology, cx: &mut Cx) {
    let names = collect_names(t, cx);
    assign_netuids(t, cx);
    for s in &t.subnets {
        check_subnet_sizes(s, cx);
    }
    check_neuron_references(t, &names, cx);
    check_faults(t, &names, cx);
    check_expectations(t, &names, cx);
}

fn collect_names(t: &Topology, cx: &mut Cx) -> Names {
    let mut names = Names::default();
    names
        .map
        .insert("chain".to_owned(), (Entity::Chain, Loc::default()));
    for g in &t.gpu_mocks {
        names.add(
            cx,
            &g.name,
            &join(&index("gpu_mocks", g.index), "name"),
            Entity::GpuMock,
            "GPU mock",
        );
    }
    // A guard against absurd files: past the cap, instance names are not expanded at all.
    let mut total: u64 = 0;
    let mut capped = false;
    for (si, s) in t.subnets.iter().enumerate() {
        let spath = index("subnets", s.index);
        names.add(
            cx,
            &s.name,
            &join(&spath, "name"),
            Entity::Subnet(si),
            "subnet",
        );
        for g in s.groups() {
            let list_name = if g.role == Role::Validator {
                "validators"
            } else {
                "miners"
            };
            let gpath = index(&join(&spath, list_name), g.index);
            let entity = Entity::Neuron {
                role: g.role,
                subnet: si,
                group: g.index,
                instance: false,
            };
            names.add(
                cx,
                &g.name,
                &join(&gpath, "name"),
                entity,
                &format!("{} group", g.role),
            );
            total += u64::from(g.replicas.value);
            if !capped && total > MAX_NEURONS {
                capped = true;
                cx.report(
                    Diagnostic::new(
                        g.replicas.loc,
                        join(&gpath, "replicas"),
                        format!("the topology would have more than {MAX_NEURONS} neurons"),
                    )
                    .with_help("one devnet runs at most 65536 neurons; lower the replicas")
                    .with_width(g.replicas.width),
                );
            }
            if g.replicas.value > 1 && !g.name.value.is_empty() && !capped {
                for inst in instance_names(g) {
                    let entity = Entity::Neuron {
                        role: g.role,
                        subnet: si,
                        group: g.index,
                        instance: true,
                    };
                    let inst = At {
                        value: inst,
                        loc: g.name.loc,
                        width: g.name.width,
                    };
                    names.add(
                        cx,
                        &inst,
                        &join(&gpath, "name"),
                        entity,
                        &format!("instance of `{}`", g.name.value),
                    );
                }
            }
        }
    }
    names
}

fn assign_netuids(t: &mut Topology, cx: &mut Cx) {
    let mut used: BTreeMap<u16, usize> = BTreeMap::new();
    for s in &t.subnets {
        let n = s.netuid.value;
        if n == 0 {
            continue;
        }
        if let Some(first) = used.get(&n) {
            cx.report(
                Diagnostic::new(
                    s.netuid.loc,
                    join(&index("subnets", s.index), "netuid"),
                    format!("duplicate netuid {n}"),
                )
                .with_help(format!(
                    "subnets[{first}] already uses it; netuids are unique"
                ))
                .with_width(s.netuid.width),
            );
        } else {
            used.insert(n, s.index);
        }
    }
    let mut next: u16 = 1;
    for s in &mut t.subnets {
        if s.netuid.value != 0 {
            continue;
        }
        while used.contains_key(&next) {
            next = next.saturating_add(1);
        }
        s.netuid.value = next;
        used.insert(next, s.index);
    }
}

fn check_subnet_sizes(s: &Subnet, cx: &mut Cx) {
    let spath = index("subnets", s.index);
    let hpath = join(&spath, "hyperparameters");
    let h = &s.hyperparameters;
    let hp_ok = |cx: &Cx, name: &str| !cx.failed(&join(&hpath, name));

    let replicas = |gs: &[NeuronGroup]| gs.iter().map(|g| u64::from(g.replicas.value)).sum::<u64>();
    let all_validators = replicas(&s.validators);
    let all_neurons = all_validators + replicas(&s.miners);
    // Counts run in file order, so the error points at the group that crosses the limit.
    let mut validators: u64 = 0;
    let mut total: u64 = 0;
    let mut reported_validators = false;
    let mut reported_total = false;
    for g in s.groups() {
        let list_name = if g.role == Role::Validator {
            "validators"
        } else {
            "miners"
        };
        let gpath = index(&join(&spath, list_name), g.index);
        let n = u64::from(g.replicas.value);
        total += n;
        if g.role == Role::Validator {
            validators += n;
            if !reported_validators
                && validators > u64::from(h.max_allowed_validators)
                && hp_ok(cx, "max_allowed_validators")
            {
                reported_validators = true;
                cx.report(
                    Diagnostic::new(
                        g.replicas.loc,
                        join(&gpath, "replicas"),
                        format!(
                            "subnet `{}` has {all_validators} validators, but max_allowed_validators is {}",
                            s.name.value, h.max_allowed_validators
                        ),
                    )
                    .with_help("lower the replicas, or raise hyperparameters.max_allowed_validators (validators beyond it get no permit)")
                    .with_width(g.replicas.width),
                );
            }
        }
        // uid 0 is the subnet owner's hotkey, registered when the subnet is created.
        if !reported_total
            && total + 1 > u64::from(h.max_allowed_uids)
            && hp_ok(cx, "max_allowed_uids")
        {
            reported_total = true;
            cx.report(
                Diagnostic::new(
                    g.replicas.loc,
                    join(&gpath, "replicas"),
                    format!(
                        "subnet `{}` has {all_neurons} neurons plus the owner's uid 0, but max_allowed_uids is {}",
                        s.name.value, h.max_allowed_uids
                    ),
                )
                .with_help(format!(
                    "lower the replicas, or raise hyperparameters.max_allowed_uids (at most {})",
                    super::defaults::MAX_UIDS_LIMIT
                ))
                .with_width(g.replicas.width),
            );
        }
    }
    if validators > 0
        && total < u64::from(h.min_allowed_weights)
        && hp_ok(cx, "min_allowed_weights")
    {
        cx.report(
            Diagnostic::new(
                s.name.loc,
                join(&hpath, "min_allowed_weights"),
                format!(
                    "validators of subnet `{}` must set at least {} weights, but the subnet has only {total} neuron{}",
                    s.name.value,
                    h.min_allowed_weights,
                    if total == 1 { "" } else { "s" }
                ),
            )
            .with_help("lower hyperparameters.min_allowed_weights or add neurons"),
        );
    }
    if !h.registration_allowed && total > 0 && hp_ok(cx, "registration_allowed") {
        cx.report(
            Diagnostic::new(
                s.name.loc,
                join(&hpath, "registration_allowed"),
                format!(
                    "subnet `{}` has neurons but `registration_allowed: false`",
                    s.name.value
                ),
            )
            .with_help("neurons register during setup; allow registration"),
        );
    }
}

fn check_neuron_references(t: &Topology, names: &Names, cx: &mut Cx) {
    for (si, s) in t.subnets.iter().enumerate() {
        let spath = index("subnets", s.index);
        for g in s.groups() {
            let list_name = if g.role == Role::Validator {
                "validators"
            } else {
                "miners"
            };
            let gpath = index(&join(&spath, list_name), g.index);
            let gpu_path = join(&gpath, "gpu");
            let many = g.gpus.len() > 1;
            for (i, gpu) in g.gpus.iter().enumerate() {
                let p = if many {
                    index(&gpu_path, i)
                } else {
                    gpu_path.clone()
                };
                names.resolve(cx, gpu, &p, "GPU mock", |e| e == Entity::GpuMock);
            }
            let NeuronKind::Builtin(behaviour) = &g.kind else {
                continue;
            };
            let same_subnet_role = |role: Role| move |e: Entity| matches!(e, Entity::Neuron { role: r, subnet, .. } if r == role && subnet == si);
            match behaviour {
                Behaviour::Colluder { targets } => {
                    let tpath = join(&gpath, "targets");
                    for (i, target) in targets.iter().enumerate() {
                        let p = if targets.len() > 1 {
                            index(&tpath, i)
                        } else {
                            tpath.clone()
                        };
                        let what = format!("miner of subnet `{}`", s.name.value);
                        names.resolve(cx, target, &p, &what, same_subnet_role(Role::Miner));
                    }
                }
                Behaviour::Copier {
                    copy_from: Some(from),
                }
                | Behaviour::WeightCopier {
                    copy_from: Some(from),
                } => {
                    let p = join(&gpath, "copy_from");
                    let what = format!("{} of subnet `{}`", g.role, s.name.value);
                    if let Some(Entity::Neuron { group, .. }) =
                        names.resolve(cx, from, &p, &what, same_subnet_role(g.role))
                        && group == g.index
                    {
                        cx.report(
                            Diagnostic::new(
                                from.loc,
                                p,
                                format!("`{}` would copy itself", from.value),
                            )
                            .with_help(format!("copy another {}", g.role))
                            .with_width(from.width),
                        );
                    }
                }
                Behaviour::Copier { copy_from: None }
                | Behaviour::WeightCopier { copy_from: None } => {
                    // Copying "any" needs someone else of the same role to copy from.
                    let same_role = if g.role == Role::Validator {
                        &s.validators
                    } else {
                        &s.miners
                    };
                    if !same_role.iter().any(|o| o.index != g.index) {
                        cx.report(
                            Diagnostic::new(
                                g.name.loc,
                                join(&gpath, "behaviour"),
                                format!(
                                    "`{}` has no other {} to copy in subnet `{}`",
                                    g.name.value, g.role, s.name.value
                                ),
                            )
                            .with_help(format!("add another {} group, or set `copy_from`", g.role))
                            .with_width(g.name.width),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn check_faults(t: &Topology, names: &Names, cx: &mut Cx) {
    for f in &t.faults {
        let fpath = index("faults", f.index);
        let target_path = join(&fpath, "target");
        let gpu_action = matches!(f.action, FaultAction::GpuFault | FaultAction::GpuClear);
        let target = if gpu_action {
            names.resolve(cx, &f.target, &target_path, "GPU mock", |e| {
                e == Entity::GpuMock
            })
        } else {
            names.resolve(cx, &f.target, &target_path, "fault target", |e| {
                !matches!(e, Entity::Subnet(_))
            })
        };
        if let Some(subnet) = &f.subnet {
            names.resolve(cx, subnet, &join(&fpath, "subnet"), "subnet", |e| {
                matches!(e, Entity::Subnet(_))
            });
        }
        if let FaultTime::Epoch(e) = f.at.value
            && e > t.epochs.value
            && !cx.failed("epochs")
        {
            cx.report(
                Diagnostic::new(
                    f.at.loc,
                    join(&fpath, "epoch"),
                    format!(
                        "fault at epoch {e}, but the run has {} epochs",
                        t.epochs.value
                    ),
                )
                .with_help(format!(
                    "allowed: 1 to {} (or raise `epochs`)",
                    t.epochs.value
                ))
                .with_width(f.at.width),
            );
        }
        if f.action == FaultAction::Kill && target == Some(Entity::Chain) {
            cx.report(
                Diagnostic::new(f.target.loc, &target_path, "killing the chain ends the run")
                    .with_help("use `restart`, or `pause` and `resume`")
                    .with_width(f.target.width),
            );
        }
        if f.action == FaultAction::Partition && target == Some(Entity::Chain) {
            cx.report(
                Diagnostic::new(
                    f.target.loc,
                    &target_path,
                    "partitioning the chain ends the run (the orchestrator seals through it)",
                )
                .with_help("partition the neurons or GPU mocks instead")
                .with_width(f.target.width),
            );
        }
        if f.action == FaultAction::Loss
            && target == Some(Entity::Chain)
            && let Some(percent) = &f.percent
            && percent.value >= 100.0
        {
            cx.report(
                Diagnostic::new(
                    percent.loc,
                    join(&fpath, "percent"),
                    "dropping every packet of the chain cuts every neuron off",
                )
                .with_help("use less than 100, or make the neurons lossy instead")
                .with_width(percent.width),
            );
        }
        let undo: Option<(&[FaultAction], _, _)> = match f.action {
            FaultAction::Resume => Some((&[FaultAction::Pause], "resumed", "paused")),
            FaultAction::Heal => Some((
                &[
                    FaultAction::Partition,
                    FaultAction::Loss,
                    FaultAction::Latency,
                ],
                "healed",
                "partitioned, made lossy or delayed",
            )),
            _ => None,
        };
        if let Some((causes, done, needed)) = undo
            && target.is_some()
            && !causes.iter().any(|&cause| preceded_by(t, f, cause))
        {
            let causes: Vec<String> = causes.iter().map(|c| format!("`{}`", c.as_str())).collect();
            let causes = match causes.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => causes.concat(),
            };
            cx.report(
                Diagnostic::new(
                    f.target.loc,
                    &target_path,
                    format!("`{}` is {done} but never {needed} before", f.target.value),
                )
                .with_help(format!(
                    "add a {causes} of the same target earlier (in the same unit, block or epoch)"
                ))
                .with_width(f.target.width),
            );
        }
    }
}

/// Whether a `cause` fault (a `pause`, a `partition`) of the same target comes before `undo`
/// (its `resume`, `heal`). Times in different units (or epochs of different subnets) cannot be
/// ordered here, so such a cause counts as earlier.
fn preceded_by(t: &Topology, undo: &Fault, cause: FaultAction) -> bool {
    t.faults.iter().any(|p| {
        p.action == cause
            && p.target.value == undo.target.value
            && match (p.at.value, undo.at.value) {
                (FaultTime::Block(a), FaultTime::Block(b)) => a < b,
                (FaultTime::Epoch(a), FaultTime::Epoch(b)) if same_subnet(p, undo) => a < b,
                _ => true,
            }
    })
}

fn same_subnet(a: &Fault, b: &Fault) -> bool {
    a.subnet.as_ref().map(|s| &s.value) == b.subnet.as_ref().map(|s| &s.value)
}

fn check_expectations(t: &Topology, names: &Names, cx: &mut Cx) {
    for x in &t.expectations {
        let xpath = index("expectations", x.index);
        let text_path = if x.epoch.is_some() {
            join(&xpath, "expect")
        } else {
            xpath.clone()
        };
        for operand in [&x.lhs, &x.rhs] {
            let Operand::Metric { metric, subject } = operand else {
                continue;
            };
            // Subnet totals make sense for emission and stake only.
            let subnet_ok = matches!(metric, Metric::Emission | Metric::Stake);
            let what = if subnet_ok {
                "neuron or subnet"
            } else {
                "neuron"
            };
            names.resolve(cx, subject, &text_path, what, |e| match e {
                Entity::Neuron { .. } => true,
                Entity::Subnet(_) => subnet_ok,
                _ => false,
            });
        }
        if let Some(e) = &x.epoch
            && e.value > t.epochs.value
            && !cx.failed("epochs")
        {
            cx.report(
                Diagnostic::new(
                    e.loc,
                    join(&xpath, "epoch"),
                    format!(
                        "expectation at epoch {}, but the run has {} epochs",
                        e.value, t.epochs.value
                    ),
                )
                .with_help(format!("allowed: 1 to {}", t.epochs.value))
                .with_width(e.width),
            );
        }
    }
}
