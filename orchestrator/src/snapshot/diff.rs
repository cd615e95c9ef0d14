//! Field-by-field comparison of two snapshots, for `localtensor diff` and golden checks.

use super::model::{NeuronSnapshot, Snapshot, SubnetSnapshot};
use std::fmt;

/// One difference between two snapshots, located by epoch, subnet and neuron.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where: for example `epoch 2 / subnet 1 "sn1" / uid 3 "m-fast"`.
    pub place: String,
    /// The field that differs.
    pub field: String,
    /// Value in the first snapshot (`-` if absent).
    pub before: String,
    /// Value in the second snapshot (`-` if absent).
    pub after: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} -> {}",
            self.place, self.field, self.before, self.after
        )
    }
}

struct Diff {
    changes: Vec<Change>,
}

impl Diff {
    fn field(&mut self, place: &str, field: &str, a: impl fmt::Debug, b: impl fmt::Debug) {
        let (a, b) = (format!("{a:?}"), format!("{b:?}"));
        if a != b {
            self.changes.push(Change {
                place: place.to_owned(),
                field: field.to_owned(),
                before: a.trim_matches('"').to_owned(),
                after: b.trim_matches('"').to_owned(),
            });
        }
    }

    fn presence(&mut self, place: &str, what: &str, in_a: bool) {
        let (before, after) = if in_a {
            ("present", "-")
        } else {
            ("-", "present")
        };
        self.changes.push(Change {
            place: place.to_owned(),
            field: what.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
        });
    }

    fn neuron(&mut self, place: &str, a: &NeuronSnapshot, b: &NeuronSnapshot) {
        self.field(place, "name", &a.name, &b.name);
        self.field(place, "role", &a.role, &b.role);
        self.field(place, "hotkey", &a.hotkey, &b.hotkey);
        self.field(place, "stake", a.stake, b.stake);
        self.field(
            place,
            "validator_permit",
            a.validator_permit,
            b.validator_permit,
        );
        self.field(place, "consensus", a.consensus, b.consensus);
        self.field(place, "incentive", a.incentive, b.incentive);
        self.field(place, "dividends", a.dividends, b.dividends);
        self.field(
            place,
            "validator_trust",
            a.validator_trust,
            b.validator_trust,
        );
        self.field(place, "emission", a.emission, b.emission);
        self.field(place, "weights", &a.weights, &b.weights);
    }

    fn subnet(&mut self, place: &str, a: &SubnetSnapshot, b: &SubnetSnapshot) {
        self.field(place, "name", &a.name, &b.name);
        self.field(place, "totals.stake", a.totals.stake, b.totals.stake);
        self.field(
            place,
            "totals.emission",
            a.totals.emission,
            b.totals.emission,
        );
        for uid in union(
            a.neurons.iter().map(|n| n.uid),
            b.neurons.iter().map(|n| n.uid),
        ) {
            let na = a.neurons.iter().find(|n| n.uid == uid);
            let nb = b.neurons.iter().find(|n| n.uid == uid);
            let name = na.or(nb).map(|n| n.name.as_str()).unwrap_or_default();
            let here = format!("{place} / uid {uid} {name:?}");
            match (na, nb) {
                (Some(x), Some(y)) => self.neuron(&here, x, y),
                (Some(_), None) => self.presence(&here, "neuron", true),
                (None, Some(_)) => self.presence(&here, "neuron", false),
                (None, None) => {}
            }
        }
    }
}

fn union<T: Ord + Copy>(a: impl Iterator<Item = T>, b: impl Iterator<Item = T>) -> Vec<T> {
    let mut all: Vec<T> = a.chain(b).collect();
    all.sort();
    all.dedup();
    all
}

/// Every difference between `a` and `b`, in epoch, netuid, uid and field order. Empty when the
/// snapshots are equal.
pub fn diff(a: &Snapshot, b: &Snapshot) -> Vec<Change> {
    let mut d = Diff {
        changes: Vec::new(),
    };
    d.field("run", "topology", &a.topology, &b.topology);
    d.field("run", "seed", a.seed, b.seed);
    for epoch in union(
        a.epochs.iter().map(|e| e.epoch),
        b.epochs.iter().map(|e| e.epoch),
    ) {
        let ea = a.epochs.iter().find(|e| e.epoch == epoch);
        let eb = b.epochs.iter().find(|e| e.epoch == epoch);
        let place = format!("epoch {epoch}");
        let (Some(ea), Some(eb)) = (ea, eb) else {
            d.presence(&place, "epoch", ea.is_some());
            continue;
        };
        d.field(&place, "block", ea.block, eb.block);
        for netuid in union(
            ea.subnets.iter().map(|s| s.netuid),
            eb.subnets.iter().map(|s| s.netuid),
        ) {
            let sa = ea.subnets.iter().find(|s| s.netuid == netuid);
            let sb = eb.subnets.iter().find(|s| s.netuid == netuid);
            let name = sa.or(sb).map(|s| s.name.as_str()).unwrap_or_default();
            let here = format!("{place} / subnet {netuid} {name:?}");
            match (sa, sb) {
                (Some(x), Some(y)) => d.subnet(&here, x, y),
                (x, _) => d.presence(&here, "subnet", x.is_some()),
            }
        }
    }
    d.changes
}
