//! The short human-readable report `localtensor run` writes next to the snapshot: what ran, the
//! last epoch per subnet, and the expectations.

use super::expect::Checked;
use super::model::Snapshot;
use crate::topology::Topology;
use std::fmt::Write as _;
use std::time::Duration;

/// A u16 fraction as a decimal (4 places).
fn frac(x: u16) -> String {
    format!("{:.4}", f64::from(x) / f64::from(u16::MAX))
}

/// Renders the report as Markdown.
pub fn render(
    topology: &Topology,
    snapshot: &Snapshot,
    checks: &[Checked],
    wall: Duration,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# localtensor run: {}\n", snapshot.topology);
    let _ = writeln!(
        out,
        "seed {}, {} epochs, {} subnets, {} neurons; wall time {:.1} s\n",
        snapshot.seed,
        snapshot.epochs.len(),
        topology.subnets.len(),
        topology.instances().len(),
        wall.as_secs_f64()
    );
    if let Some(last) = snapshot.epochs.last() {
        for subnet in &last.subnets {
            let _ = writeln!(
                out,
                "## {} (netuid {}), epoch {} at block {}\n",
                subnet.name, subnet.netuid, last.epoch, last.block
            );
            let _ = writeln!(
                out,
                "| uid | name | role | stake (rao) | incentive | dividends | emission (rao) |\n|---|---|---|---|---|---|---|"
            );
            for n in &subnet.neurons {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    n.uid,
                    n.name,
                    n.role,
                    n.stake,
                    frac(n.incentive),
                    frac(n.dividends),
                    n.emission
                );
            }
            let _ = writeln!(
                out,
                "\ntotal emission {} rao, total stake {} rao\n",
                subnet.totals.emission, subnet.totals.stake
            );
        }
    }
    if !checks.is_empty() {
        let _ = writeln!(out, "## Expectations\n");
        for c in checks {
            let _ = writeln!(out, "- {c}");
        }
    }
    out
}
