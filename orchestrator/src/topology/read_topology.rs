//! Decoding the top level of a topology and its chain settings.

use super::decode::{Cx, Fields, index, one_of};
use super::defaults as d;
use super::diagnostics::Diagnostic;
use super::model::{At, Chain, Runtime, Sealing, Topology};
use super::read_faults::{read_expectation, read_fault};
use super::read_gpu::read_gpu_mock;
use super::read_subnet::read_subnet;
use super::scalars::required_name;
use super::yaml::{Kind, Node};

/// Fields of the top-level mapping.
pub const TOP_FIELDS: &[&str] = &[
    "name",
    "seed",
    "runtime",
    "chain",
    "epochs",
    "gpu_mocks",
    "subnets",
    "faults",
    "expectations",
    "x-*",
];

/// Fields of `chain`.
pub const CHAIN_FIELDS: &[&str] = &["sealing", "block_time_ms", "lockstep"];

/// Decodes the whole document; `None` only when the root is not a mapping.
pub(crate) fn read_topology(root: &Node, cx: &mut Cx) -> Option<Topology> {
    if matches!(root.kind, Kind::Null) {
        cx.report(
            Diagnostic::new(root.loc, "", "the topology is empty")
                .with_help("a topology needs at least `name` and `subnets`; see docs/topology.md"),
        );
        return None;
    }
    let f = Fields::of(cx, root, "", "the topology", TOP_FIELDS)?;
    let name = required_name(cx, &f, "the topology");
    let seed = f.opt::<u64>(cx, "seed").unwrap_or(d::SEED);
    let runtime = match f.node("runtime") {
        Some(n) => match one_of(cx, n, "runtime", "runtime", &["process", "docker"]) {
            Some(s) if s.value == "docker" => Runtime::Docker,
            _ => Runtime::Process,
        },
        None => Runtime::Process,
    };
    let chain = match f.node("chain") {
        Some(n) if !matches!(n.kind, Kind::Null) => read_chain(n, "chain", cx),
        _ => default_chain(),
    };
    let epochs = f
        .ranged::<u32>(cx, "epochs", 1, d::MAX_EPOCHS)
        .unwrap_or_else(|| At::new(d::EPOCHS, f.loc_of("epochs")));

    let gpu_mocks = list(cx, &f, "gpu_mocks", read_gpu_mock);
    let subnets = if f.has("subnets") {
        let subnets = list(cx, &f, "subnets", read_subnet);
        if subnets.is_empty() && !cx.failed("subnets") {
            cx.report(
                Diagnostic::new(
                    f.loc_of("subnets"),
                    "subnets",
                    "a topology needs at least one subnet",
                )
                .with_help("add a subnet with validators and miners; see topologies/minimal.yaml"),
            );
        }
        if subnets.len() > d::MAX_SUBNETS {
            cx.error(
                f.loc_of("subnets"),
                "subnets",
                format!("{} subnets is too many", subnets.len()),
                Some(format!(
                    "at most {} (subtensor's SubnetLimit)",
                    d::MAX_SUBNETS
                )),
            );
        }
        subnets
    } else {
        f.missing(cx, "subnets", "the topology");
        Vec::new()
    };
    let faults = list(cx, &f, "faults", read_fault);
    let expectations = list(cx, &f, "expectations", read_expectation);
    Some(Topology {
        name,
        seed,
        runtime,
        chain,
        epochs,
        gpu_mocks,
        subnets,
        faults,
        expectations,
    })
}

/// Decodes a list field whose items are decoded by `read` (items that fail are skipped).
fn list<T>(
    cx: &mut Cx,
    f: &Fields<'_>,
    field: &str,
    read: fn(&Node, &str, &mut Cx, usize) -> Option<T>,
) -> Vec<T> {
    let Some(node) = f.node(field) else {
        return Vec::new();
    };
    let path = f.path_of(field);
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| read(item, &index(&path, i), cx, i))
            .collect(),
        Kind::Null => Vec::new(),
        _ => {
            cx.wrong_type(node, &path, "a list");
            Vec::new()
        }
    }
}

fn default_chain() -> Chain {
    Chain {
        sealing: Sealing::Manual,
        block_time_ms: d::BLOCK_TIME_MS,
        lockstep: true,
    }
}

fn read_chain(node: &Node, path: &str, cx: &mut Cx) -> Chain {
    let Some(f) = Fields::of(cx, node, path, "chain", CHAIN_FIELDS) else {
        return default_chain();
    };
    let sealing = match f.node("sealing") {
        Some(n) => match one_of(
            cx,
            n,
            &f.path_of("sealing"),
            "sealing mode",
            &["manual", "instant", "interval"],
        ) {
            Some(s) if s.value == "instant" => Sealing::Instant,
            Some(s) if s.value == "interval" => Sealing::Interval,
            _ => Sealing::Manual,
        },
        None => Sealing::Manual,
    };
    let (lo, hi) = d::BLOCK_TIME_MS_RANGE;
    let block_time = f.ranged::<u64>(cx, "block_time_ms", lo, hi);
    if sealing != Sealing::Interval {
        f.forbid(
            cx,
            "block_time_ms",
            "`block_time_ms` applies only to `sealing: interval`",
        );
    }
    let lockstep = f.at::<bool>(cx, "lockstep");
    if let Some(ls) = &lockstep
        && ls.value
        && sealing != Sealing::Manual
    {
        cx.report(
            Diagnostic::new(
                ls.loc,
                f.path_of("lockstep"),
                "`lockstep: true` needs `sealing: manual`",
            )
            .with_help(
                "lock-step determinism has the orchestrator seal every block itself; \
                     use `sealing: manual`, or `lockstep: false` for a free-running demo",
            )
            .with_width(4),
        );
    }
    Chain {
        sealing,
        block_time_ms: block_time.map_or(d::BLOCK_TIME_MS, |b| b.value),
        lockstep: lockstep.map_or(sealing == Sealing::Manual, |l| l.value),
    }
}
