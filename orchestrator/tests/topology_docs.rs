//! docs/topology.md documents every field the parser accepts, and every behaviour and action.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use localtensor::topology;

fn docs() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/topology.md"))
        .unwrap()
}

#[test]
fn every_field_has_a_table_row() {
    let docs = docs();
    let mut missing = Vec::new();
    for (kind, fields) in topology::schema() {
        for field in fields {
            let row = if *field == "x-*" {
                "| `x-…` |".to_owned()
            } else {
                format!("| `{field}` |")
            };
            if !docs.contains(&row) {
                missing.push(format!("{kind}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}

#[test]
fn every_enumerated_value_is_documented() {
    let docs = docs();
    let values = topology::MINER_BEHAVIOURS
        .iter()
        .chain(topology::VALIDATOR_BEHAVIOURS)
        .chain(topology::FAULT_ACTIONS)
        .chain(topology::METRICS)
        .chain(topology::defaults::GPU_PROFILES);
    let missing: Vec<&&str> = values
        .filter(|v| !docs.contains(&format!("`{v}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented values: {missing:?}");
    for (name, env, _) in topology::placeholders::PLACEHOLDERS {
        assert!(
            docs.contains(&format!("| `{{{name}}}` | `{env}` |")),
            "placeholder {name}"
        );
    }
}

/// The text of the fenced block that follows `marker` in the docs.
fn block_after(docs: &str, marker: &str) -> String {
    let at = docs
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in docs"));
    let open = at + docs[at..].find("```").unwrap();
    let body = open + docs[open..].find('\n').unwrap() + 1;
    let close = body + docs[body..].find("```").unwrap();
    docs[body..close].to_owned()
}

#[test]
fn the_error_example_is_real_output() {
    let docs = docs();
    let file = block_after(&docs, "For this file, `bad.yaml`:");
    let shown = block_after(&docs, "`localtensor validate bad.yaml` prints:");
    let err = topology::parse(&file, "bad.yaml").unwrap_err();
    assert_eq!(err.render().trim_end(), shown.trim_end());
}
