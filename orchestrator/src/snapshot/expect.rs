//! Evaluating a topology's expectations (`incentive(m-fast) > incentive(m-slow)`) on a run's
//! snapshot.
//!
//! A subject is a neuron instance, a group (the mean over its instances, matched by the
//! instance names `group` and `group-<i>`) or, for `emission` and `stake`, a subnet (its total).
//! Values are the snapshot's integers (u16 fractions as stored, rao), compared as `f64`.

use super::model::{EpochSnapshot, NeuronSnapshot, Snapshot};
use crate::topology::{Comparison, Expectation, Metric, Operand, Topology};

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The expression as written.
    pub expect: String,
    /// The epoch it was checked after.
    pub epoch: u32,
    /// Left value, or why it has none.
    pub lhs: Result<f64, String>,
    /// Right value, or why it has none.
    pub rhs: Result<f64, String>,
    /// Whether it holds (false when a side has no value).
    pub passed: bool,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |v: &Result<f64, String>| match v {
            Ok(x) => format!("{x}"),
            Err(e) => format!("<{e}>"),
        };
        write!(
            f,
            "{} {} (epoch {}: {} vs {})",
            if self.passed { "ok  " } else { "FAIL" },
            self.expect,
            self.epoch,
            side(&self.lhs),
            side(&self.rhs)
        )
    }
}

fn neuron_metric(metric: Metric, n: &NeuronSnapshot) -> Result<f64, String> {
    Ok(match metric {
        Metric::Incentive => f64::from(n.incentive),
        Metric::Dividends => f64::from(n.dividends),
        Metric::Emission => n.emission as f64,
        Metric::Consensus => f64::from(n.consensus),
        Metric::ValidatorTrust => f64::from(n.validator_trust),
        Metric::Stake => n.stake as f64,
        Metric::Trust | Metric::Rank => {
            return Err("trust and rank are not recorded in snapshots".into());
        }
    })
}

/// Whether instance `instance` belongs to `subject` (the instance itself or its group).
fn is_member(instance: &str, subject: &str) -> bool {
    instance == subject
        || instance
            .strip_prefix(subject)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
}

fn operand(op: &Operand, epoch: &EpochSnapshot) -> Result<f64, String> {
    let (metric, subject) = match op {
        Operand::Number(x) => return Ok(*x),
        Operand::Metric { metric, subject } => (*metric, subject.value.as_str()),
    };
    if let Some(subnet) = epoch.subnets.iter().find(|s| s.name == subject) {
        return match metric {
            Metric::Emission => Ok(subnet.totals.emission as f64),
            Metric::Stake => Ok(subnet.totals.stake as f64),
            _ => Err(format!("{subject} is a subnet: only emission and stake")),
        };
    }
    // Exact instance names first: a group named `m` must not swallow an instance `m-1` of
    // another group only because of its name.
    let all = || epoch.subnets.iter().flat_map(|s| &s.neurons);
    let exact: Vec<&NeuronSnapshot> = all().filter(|n| n.name == subject).collect();
    let members: Vec<&NeuronSnapshot> = if exact.is_empty() {
        all().filter(|n| is_member(&n.name, subject)).collect()
    } else {
        exact
    };
    if members.is_empty() {
        return Err(format!("no neuron or subnet {subject:?} in the snapshot"));
    }
    let mut sum = 0.0;
    for n in &members {
        sum += neuron_metric(metric, n)?;
    }
    Ok(sum / members.len() as f64)
}

fn compare(op: Comparison, a: f64, b: f64) -> bool {
    match op {
        Comparison::Gt => a > b,
        Comparison::Ge => a >= b,
        Comparison::Lt => a < b,
        Comparison::Le => a <= b,
        Comparison::Eq => a == b,
        Comparison::Ne => a != b,
    }
}

/// Evaluates one expectation on `snapshot`.
pub fn check(e: &Expectation, snapshot: &Snapshot) -> Checked {
    let last = snapshot.epochs.last().map_or(0, |x| x.epoch);
    let epoch = e.epoch.as_ref().map_or(last, |x| x.value);
    let entry = snapshot.epochs.iter().find(|x| x.epoch == epoch);
    let (lhs, rhs) = match entry {
        Some(entry) => (operand(&e.lhs, entry), operand(&e.rhs, entry)),
        None => {
            let missing = Err(format!("the snapshot has no epoch {epoch}"));
            (missing.clone(), missing)
        }
    };
    let passed = match (&lhs, &rhs) {
        (Ok(a), Ok(b)) => compare(e.op, *a, *b),
        _ => false,
    };
    Checked {
        expect: e.expect.value.clone(),
        epoch,
        lhs,
        rhs,
        passed,
    }
}

/// Evaluates every expectation of `topology` on `snapshot`, in file order.
pub fn check_all(topology: &Topology, snapshot: &Snapshot) -> Vec<Checked> {
    topology
        .expectations
        .iter()
        .map(|e| check(e, snapshot))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::model::{SubnetSnapshot, SubnetTotals};

    fn neuron(name: &str, incentive: u16, emission: u64) -> NeuronSnapshot {
        NeuronSnapshot {
            uid: 0,
            name: name.into(),
            role: "miner".into(),
            hotkey: String::new(),
            stake: 0,
            validator_permit: false,
            consensus: 0,
            incentive,
            dividends: 0,
            validator_trust: 0,
            emission,
            weights: Vec::new(),
        }
    }

    fn snapshot() -> Snapshot {
        let subnet = SubnetSnapshot {
            netuid: 1,
            name: "sn1".into(),
            totals: SubnetTotals::default(),
            neurons: vec![
                neuron("m-fast-0", 300, 30),
                neuron("m-fast-1", 100, 10),
                neuron("m-slow", 150, 15),
                neuron("m-fast-10x", 9, 9),
            ],
        }
        .with_totals();
        Snapshot {
            topology: "t".into(),
            seed: 0,
            epochs: vec![EpochSnapshot {
                epoch: 1,
                block: 10,
                subnets: vec![subnet],
            }],
        }
    }

    fn topology(exprs: &str) -> Topology {
        let src = format!(
            "name: t\nepochs: 1\nsubnets:\n  - name: sn1\n    validators: [{{name: v}}]\n    miners:\n      - {{name: m-fast, replicas: 2}}\n      - {{name: m-slow}}\n      - {{name: m-fast-10x}}\nexpectations:\n{exprs}"
        );
        crate::topology::parse(&src, "t.yaml")
            .unwrap_or_else(|e| panic!("{}", e.render_diagnostics()))
    }

    #[test]
    fn groups_are_means_and_subnets_are_totals() {
        let t = topology(
            "  - incentive(m-fast) > incentive(m-slow)\n  - incentive(m-fast) == 200\n  - emission(sn1) == 64\n  - incentive(m-slow) > incentive(m-fast)\n",
        );
        let results = check_all(&t, &snapshot());
        let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
        assert_eq!(passed, [true, true, true, false]);
        assert_eq!(results[0].lhs, Ok(200.0));
        assert_eq!(results[2].lhs, Ok(64.0));
    }

    #[test]
    fn group_membership_needs_a_replica_index() {
        assert!(is_member("m-fast-0", "m-fast"));
        assert!(is_member("m-fast", "m-fast"));
        assert!(!is_member("m-fast-10x", "m-fast"));
        assert!(!is_member("m-fast-", "m-fast"));
        assert!(!is_member("m-faster", "m-fast"));
    }
}
