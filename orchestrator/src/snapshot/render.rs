//! The snapshot file format: YAML in one fixed layout (weights rows inline), read back with
//! serde-saphyr.

use super::model::Snapshot;
use std::fmt::Write as _;

/// A snapshot file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ParseError {
    /// The file (or a label for the text).
    pub file: String,
    /// What is wrong, with the location serde-saphyr reports.
    pub message: String,
}

/// Quotes a string for YAML (double-quoted, escaping what needs it).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a snapshot. The same snapshot always gives the same bytes.
pub fn render(s: &Snapshot) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "topology: {}", quote(&s.topology));
    let _ = writeln!(out, "seed: {}", s.seed);
    if s.epochs.is_empty() {
        out.push_str("epochs: []\n");
        return out;
    }
    out.push_str("epochs:\n");
    for e in &s.epochs {
        let _ = writeln!(out, "- epoch: {}", e.epoch);
        let _ = writeln!(out, "  block: {}", e.block);
        if e.subnets.is_empty() {
            out.push_str("  subnets: []\n");
            continue;
        }
        out.push_str("  subnets:\n");
        for sn in &e.subnets {
            let _ = writeln!(out, "  - netuid: {}", sn.netuid);
            let _ = writeln!(out, "    name: {}", quote(&sn.name));
            let _ = writeln!(
                out,
                "    totals: {{stake: {}, emission: {}}}",
                sn.totals.stake, sn.totals.emission
            );
            if sn.neurons.is_empty() {
                out.push_str("    neurons: []\n");
                continue;
            }
            out.push_str("    neurons:\n");
            for n in &sn.neurons {
                let _ = writeln!(out, "    - uid: {}", n.uid);
                let _ = writeln!(out, "      name: {}", quote(&n.name));
                let _ = writeln!(out, "      role: {}", quote(&n.role));
                let _ = writeln!(out, "      hotkey: {}", quote(&n.hotkey));
                let _ = writeln!(out, "      stake: {}", n.stake);
                let _ = writeln!(out, "      validator_permit: {}", n.validator_permit);
                let _ = writeln!(out, "      consensus: {}", n.consensus);
                let _ = writeln!(out, "      incentive: {}", n.incentive);
                let _ = writeln!(out, "      dividends: {}", n.dividends);
                let _ = writeln!(out, "      validator_trust: {}", n.validator_trust);
                let _ = writeln!(out, "      emission: {}", n.emission);
                let row: Vec<String> = n
                    .weights
                    .iter()
                    .map(|(uid, w)| format!("[{uid}, {w}]"))
                    .collect();
                let _ = writeln!(out, "      weights: [{}]", row.join(", "));
            }
        }
    }
    out
}

/// Reads a snapshot rendered by [`render`] (or written by hand in the same shape).
pub fn parse(text: &str, file: &str) -> Result<Snapshot, ParseError> {
    serde_saphyr::from_str(text).map_err(|e| ParseError {
        file: file.to_owned(),
        message: e.to_string(),
    })
}
