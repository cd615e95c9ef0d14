//! Warnings: settings that are valid but probably not what the author meant.

use super::decode::{index, join};
use super::diagnostics::Diagnostic;
use super::model::{NeuronKind, Topology};

impl Topology {
    /// Warnings about a valid topology (surprising but legal settings), in file order.
    pub fn lints(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for s in &self.subnets {
            let spath = index("subnets", s.index);
            let h = &s.hyperparameters;
            let hp = |name: &str| join(&join(&spath, "hyperparameters"), name);
            let name = &s.name.value;
            if s.validators.is_empty() {
                out.push(
                    Diagnostic::new(
                        s.name.loc,
                        join(&spath, "validators"),
                        format!("subnet `{name}` has no validators"),
                    )
                    .with_help("nobody sets weights, so miners earn no incentive"),
                );
            }
            if s.miners.is_empty() {
                out.push(
                    Diagnostic::new(
                        s.name.loc,
                        join(&spath, "miners"),
                        format!("subnet `{name}` has no miners"),
                    )
                    .with_help("validators can only weight each other"),
                );
            }
            if u64::from(h.activity_cutoff) < u64::from(h.tempo) {
                out.push(
                    Diagnostic::new(
                        s.name.loc,
                        hp("activity_cutoff"),
                        format!(
                            "activity_cutoff {} is below tempo {} on subnet `{name}`",
                            h.activity_cutoff, h.tempo
                        ),
                    )
                    .with_help("validators that set weights once per epoch will count as inactive and earn no dividends"),
                );
            }
            let builtin_validators = s
                .validators
                .iter()
                .any(|g| matches!(g.kind, NeuronKind::Builtin(_)));
            if builtin_validators && h.weights_rate_limit > u64::from(h.tempo) {
                out.push(
                    Diagnostic::new(
                        s.name.loc,
                        hp("weights_rate_limit"),
                        format!(
                            "weights_rate_limit {} is above tempo {} on subnet `{name}`",
                            h.weights_rate_limit, h.tempo
                        ),
                    )
                    .with_help("validators cannot set weights every epoch"),
                );
            }
        }
        for g in &self.gpu_mocks {
            let used = self
                .subnets
                .iter()
                .flat_map(|s| s.groups())
                .any(|n| n.gpus.iter().any(|u| u.value == g.name.value));
            let targeted = self.faults.iter().any(|f| f.target.value == g.name.value);
            if !used && !targeted {
                out.push(
                    Diagnostic::new(
                        g.name.loc,
                        join(&index("gpu_mocks", g.index), "name"),
                        format!("GPU mock `{}` is not used", g.name.value),
                    )
                    .with_help("assign it to neurons with `gpu:`, or remove it")
                    .with_width(g.name.width),
                );
            }
        }
        out.sort_by_key(|d| d.loc);
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::topology::parse;

    #[test]
    fn flags_surprising_but_valid_settings() {
        let src = "name: t\ngpu_mocks:\n  - {name: idle, profile: L4}\nsubnets:\n  - name: a\n    hyperparameters: {tempo: 1000, activity_cutoff: 500, weights_rate_limit: 2000}\n    validators:\n      - name: v\n";
        let t = parse(src, "t.yaml").unwrap();
        let paths: Vec<String> = t.lints().into_iter().map(|d| d.path).collect();
        assert_eq!(
            paths,
            [
                "gpu_mocks[0].name",
                "subnets[0].miners",
                "subnets[0].hyperparameters.activity_cutoff",
                "subnets[0].hyperparameters.weights_rate_limit"
            ]
        );
    }
}
