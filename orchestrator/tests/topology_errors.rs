//! Bad topologies: each mistake gives the expected diagnostic (path, line, column, exact message,
//! help fragment), and every mistake in a file is reported at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::topology::{self, Diagnostic, TopologyError};

/// A valid base the cases below start from.
const BASE: &str = "\
name: t
subnets:
  - name: sn
    validators:
      - name: v
    miners:
      - name: m
";

fn diagnostics(src: &str) -> Vec<Diagnostic> {
    match topology::parse(src, "t.yaml") {
        Ok(_) => panic!("expected errors for:\n{src}"),
        Err(TopologyError::Invalid { diagnostics, .. }) => diagnostics,
        Err(e) => panic!("unexpected error {e}"),
    }
}

struct Case {
    what: &'static str,
    src: String,
    path: &'static str,
    line: u32,
    column: u32,
    message: &'static str,
    help: &'static str,
}

fn case(
    what: &'static str,
    src: &str,
    path: &'static str,
    line: u32,
    column: u32,
    message: &'static str,
    help: &'static str,
) -> Case {
    Case {
        what,
        src: src.to_owned(),
        path,
        line,
        column,
        message,
        help,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "unknown top-level field",
            &format!("{BASE}epochz: 3\n"),
            "epochz",
            8,
            1,
            "unknown field `epochz` in the topology",
            "did you mean `epochs`?",
        ),
        case(
            "wrong type",
            &format!("{BASE}epochs: three\n"),
            "epochs",
            8,
            9,
            "expected a whole number (u32), found a string",
            "",
        ),
        case(
            "out of range",
            &format!("{BASE}epochs: 0\n"),
            "epochs",
            8,
            9,
            "0 is out of range",
            "allowed: 1 to 100000",
        ),
        case(
            "huge replica count",
            "name: t\nsubnets:\n  - name: sn\n    miners:\n      - name: m\n        replicas: 1000000\n",
            "subnets[0].miners[0].replicas",
            6,
            19,
            "1000000 is out of range",
            "allowed: 1 to 4096",
        ),
        case(
            "negative seed",
            &format!("{BASE}seed: -5\n"),
            "seed",
            8,
            7,
            "-5 is out of range",
            "",
        ),
        case(
            "invalid name",
            "name: Test_1\nsubnets: []\n",
            "name",
            1,
            7,
            "invalid name `Test_1`",
            "lowercase",
        ),
        case(
            "no subnets",
            "name: t\nsubnets: []\n",
            "subnets",
            2,
            10,
            "a topology needs at least one subnet",
            "",
        ),
        case(
            "missing field",
            "name: t\nsubnets:\n  - validators: []\n",
            "subnets[0].name",
            3,
            5,
            "missing field `name` in a subnet",
            "",
        ),
        case(
            "duplicate key",
            "name: t\nname: u\nsubnets:\n  - name: sn\n",
            "name",
            2,
            1,
            "duplicate field `name`",
            "",
        ),
        case(
            "duplicate name",
            &format!("{BASE}      - name: v\n"),
            "subnets[0].miners[1].name",
            8,
            15,
            "duplicate name `v` (miner group)",
            "defined at line 5",
        ),
        case(
            "replica names clash with a group",
            "name: t\nsubnets:\n  - name: sn\n    miners:\n      - name: m\n        replicas: 2\n      - name: m-1\n",
            "subnets[0].miners[1].name",
            7,
            15,
            "duplicate name `m-1` (miner group)",
            "",
        ),
        case(
            "reserved name",
            "name: t\nsubnets:\n  - name: chain\n",
            "subnets[0].name",
            3,
            11,
            "duplicate name `chain` (subnet)",
            "reserved",
        ),
        case(
            "unknown GPU mock",
            &format!(
                "gpu_mocks:\n  - name: h100\n    profile: H100-80GB\n{BASE}        gpu: h10\n"
            ),
            "subnets[0].miners[0].gpu",
            11,
            14,
            "unknown GPU mock `h10`",
            "did you mean `h100`?",
        ),
        case(
            "unknown GPU profile",
            "name: t\ngpu_mocks:\n  - name: g\n    profile: H100\nsubnets:\n  - name: sn\n",
            "gpu_mocks[0].profile",
            4,
            14,
            "unknown GPU profile `H100`",
            "allowed: A100-80GB, H100-80GB",
        ),
        case(
            "custom GPU without its figures",
            "name: t\ngpu_mocks:\n  - name: g\n    profile: custom\n    memory_gb: 16\n    tflops: 10\n    power_watts: 70\nsubnets:\n  - name: sn\n",
            "gpu_mocks[0].bandwidth_gbps",
            3,
            5,
            "missing field `bandwidth_gbps` in a GPU mock with `profile: custom`",
            "",
        ),
        case(
            "unknown behaviour for the role",
            &format!("{BASE}        behaviour: colluder\n"),
            "subnets[0].miners[0].behaviour",
            8,
            20,
            "unknown miner behaviour `colluder`",
            "allowed: honest, lazy, slow, offline, flaky, copier",
        ),
        case(
            "parameter of another behaviour",
            &format!("{BASE}        slowdown: 2\n"),
            "subnets[0].miners[0].slowdown",
            8,
            9,
            "field `slowdown` is not allowed here",
            "only to `behaviour: slow`",
        ),
        case(
            "colluder without targets",
            "name: t\nsubnets:\n  - name: sn\n    validators:\n      - name: v\n        behaviour: colluder\n",
            "subnets[0].validators[0].targets",
            5,
            9,
            "missing field `targets` in a colluding validator",
            "",
        ),
        case(
            "colluder target misspelt",
            "name: t\nsubnets:\n  - name: sn\n    validators:\n      - name: v\n        behaviour: colluder\n        targets: [m-fsat]\n    miners:\n      - name: m-fast\n",
            "subnets[0].validators[0].targets",
            7,
            19,
            "unknown miner `m-fsat` in subnet `sn`",
            "did you mean `m-fast`?",
        ),
        case(
            "colluder target is a validator",
            "name: t\nsubnets:\n  - name: sn\n    validators:\n      - name: v\n        behaviour: colluder\n        targets: [w]\n      - name: w\n",
            "subnets[0].validators[0].targets",
            7,
            19,
            "`w` is a validator group, not a miner of subnet `sn`",
            "",
        ),
        case(
            "copier copies itself",
            "name: t\nsubnets:\n  - name: sn\n    miners:\n      - name: m\n        behaviour: copier\n        copy_from: m\n",
            "subnets[0].miners[0].copy_from",
            7,
            20,
            "`m` would copy itself",
            "",
        ),
        case(
            "more validators than permits",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      max_allowed_validators: 2\n    validators:\n      - name: v\n        replicas: 3\n",
            "subnets[0].validators[0].replicas",
            8,
            19,
            "subnet `sn` has 3 validators, but max_allowed_validators is 2",
            "",
        ),
        case(
            "more neurons than UIDs",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      max_allowed_uids: 4\n      max_allowed_validators: 4\n    validators:\n      - name: v\n    miners:\n      - name: m\n        replicas: 3\n",
            "subnets[0].miners[0].replicas",
            11,
            19,
            "subnet `sn` has 4 neurons plus the owner's uid 0, but max_allowed_uids is 4",
            "",
        ),
        case(
            "permits above UIDs",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      max_allowed_uids: 8\n      max_allowed_validators: 16\n",
            "subnets[0].hyperparameters.max_allowed_validators",
            6,
            31,
            "max_allowed_validators 16 is above max_allowed_uids 8",
            "",
        ),
        case(
            "min weights above neurons",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      min_allowed_weights: 5\n    validators:\n      - name: v\n",
            "subnets[0].hyperparameters.min_allowed_weights",
            3,
            11,
            "validators of subnet `sn` must set at least 5 weights, but the subnet has only 1 neuron",
            "",
        ),
        case(
            "unknown hyperparameter",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      tempoo: 10\n",
            "subnets[0].hyperparameters.tempoo",
            5,
            7,
            "unknown field `tempoo` in hyperparameters",
            "did you mean `tempo`?",
        ),
        case(
            "alpha bounds without liquid alpha",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      alpha_low: 2000\n",
            "subnets[0].hyperparameters.alpha_low",
            5,
            7,
            "field `alpha_low` is not allowed here",
            "liquid_alpha: true",
        ),
        case(
            "alpha low above high",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      liquid_alpha: true\n      alpha_low: 40000\n      alpha_high: 30000\n",
            "subnets[0].hyperparameters.alpha_low",
            6,
            18,
            "alpha_low 40000 is above alpha_high 30000",
            "",
        ),
        case(
            "burn outside its bounds",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters:\n      burn: 200\n",
            "subnets[0].hyperparameters.burn",
            5,
            13,
            "burn 200 TAO is outside [0.0005, 100] TAO",
            "",
        ),
        case(
            "invalid amount",
            &format!("{BASE}        stake: ten\n"),
            "subnets[0].miners[0].stake",
            8,
            16,
            "invalid amount `ten`",
            "",
        ),
        case(
            "duplicate netuid",
            "name: t\nsubnets:\n  - name: a\n    netuid: 3\n  - name: b\n    netuid: 3\n",
            "subnets[1].netuid",
            6,
            13,
            "duplicate netuid 3",
            "",
        ),
        case(
            "lockstep with interval sealing",
            &format!("chain:\n  sealing: interval\n  lockstep: true\n{BASE}"),
            "chain.lockstep",
            3,
            13,
            "`lockstep: true` needs `sealing: manual`",
            "",
        ),
        case(
            "block time without interval sealing",
            &format!("chain:\n  block_time_ms: 100\n{BASE}"),
            "chain.block_time_ms",
            2,
            3,
            "field `block_time_ms` is not allowed here",
            "sealing: interval",
        ),
        case(
            "unknown sealing",
            &format!("chain:\n  sealing: manuel\n{BASE}"),
            "chain.sealing",
            2,
            12,
            "unknown sealing mode `manuel`",
            "did you mean `manual`?",
        ),
        case(
            "fault beyond the run",
            &format!("{BASE}epochs: 3\nfaults:\n  - epoch: 4\n    action: kill\n    target: m\n"),
            "faults[0].epoch",
            10,
            12,
            "fault at epoch 4, but the run has 3 epochs",
            "allowed: 1 to 3",
        ),
        case(
            "fault at unknown target",
            &format!("{BASE}faults:\n  - block: 4\n    action: kill\n    target: mm\n"),
            "faults[0].target",
            11,
            13,
            "unknown fault target `mm`",
            "did you mean `m`?",
        ),
        case(
            "fault with two times",
            &format!(
                "{BASE}faults:\n  - block: 4\n    epoch: 1\n    action: kill\n    target: m\n"
            ),
            "faults[0].epoch",
            10,
            5,
            "a fault has either `block` or `epoch`, not both",
            "",
        ),
        case(
            "gpu fault on a neuron",
            &format!("{BASE}faults:\n  - block: 4\n    action: gpu_clear\n    target: m\n"),
            "faults[0].target",
            11,
            13,
            "`m` is a miner group, not a GPU mock",
            "",
        ),
        case(
            "unknown fault action",
            &format!("{BASE}faults:\n  - block: 4\n    action: kil\n    target: m\n"),
            "faults[0].action",
            10,
            13,
            "unknown fault action `kil`",
            "did you mean `kill`?",
        ),
        case(
            "unknown placeholder",
            &format!("{BASE}        command: [\"run\", \"{{chain_endpoit}}\"]\n"),
            "subnets[0].miners[0].command[1]",
            8,
            27,
            "unknown placeholder `{chain_endpoit}`",
            "did you mean `chain_endpoint`?",
        ),
        case(
            "behaviour on a command neuron",
            &format!("{BASE}        command: run\n        behaviour: lazy\n"),
            "subnets[0].miners[0].behaviour",
            9,
            9,
            "field `behaviour` is not allowed here",
            "",
        ),
        case(
            "expectation with an unknown metric",
            &format!("{BASE}expectations:\n  - incentiv(m) > 0\n"),
            "expectations[0]",
            9,
            5,
            "unknown metric `incentiv`",
            "did you mean `incentive`?",
        ),
        case(
            "expectation on an unknown neuron",
            &format!("{BASE}expectations:\n  - \"incentive(m) > incentive(x)\"\n"),
            "expectations[0]",
            9,
            31,
            "unknown neuron `x`",
            "",
        ),
        case(
            "expectation with a bad operator",
            &format!("{BASE}expectations:\n  - incentive(m) => 0\n"),
            "expectations[0]",
            9,
            18,
            "expected a comparison, found `=>`",
            "",
        ),
        case(
            "env sets an injected variable",
            &format!("{BASE}        command: run\n        env:\n          LOCALTENSOR_HOTKEY: x\n"),
            "subnets[0].miners[0].env.LOCALTENSOR_HOTKEY",
            10,
            11,
            "`LOCALTENSOR_HOTKEY` is set by localtensor",
            "",
        ),
        case(
            "env without a command",
            &format!("{BASE}        env: {{A: b}}\n"),
            "subnets[0].miners[0].env",
            8,
            9,
            "field `env` is not allowed here",
            "with `command`",
        ),
        case(
            "resume without a pause",
            &format!("{BASE}faults:\n  - block: 9\n    action: resume\n    target: m\n"),
            "faults[0].target",
            11,
            13,
            "`m` is resumed but never paused before",
            "",
        ),
        case(
            "heal without a partition, a loss or a latency",
            &format!("{BASE}faults:\n  - block: 9\n    action: heal\n    target: m\n"),
            "faults[0].target",
            11,
            13,
            "`m` is healed but never partitioned, made lossy or delayed before",
            "a `partition`, `loss` or `latency` of the same target",
        ),
        case(
            "latency without a delay",
            &format!("{BASE}faults:\n  - block: 9\n    action: latency\n    target: m\n"),
            "faults[0].delay_ms",
            9,
            5,
            "missing field `delay_ms` in a `latency` action",
            "",
        ),
        case(
            "latency of a minute and more",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: latency\n    target: m\n    delay_ms: 60001\n"
            ),
            "faults[0].delay_ms",
            12,
            15,
            "60001 is out of range",
            "allowed: 1 to 60000",
        ),
        case(
            "delay on another action",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: loss\n    target: m\n    percent: 5\n    delay_ms: 5\n"
            ),
            "faults[0].delay_ms",
            13,
            5,
            "field `delay_ms` is not allowed here",
            "only to `action: latency`",
        ),
        case(
            "loss without a percent",
            &format!("{BASE}faults:\n  - block: 9\n    action: loss\n    target: m\n"),
            "faults[0].percent",
            9,
            5,
            "missing field `percent` in a `loss` action",
            "",
        ),
        case(
            "loss of nothing",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: loss\n    target: m\n    percent: 0\n"
            ),
            "faults[0].percent",
            12,
            14,
            "loss of 0 % is out of range",
            "more than 0, at most 100",
        ),
        case(
            "loss over 100 %",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: loss\n    target: m\n    percent: 150.5\n"
            ),
            "faults[0].percent",
            12,
            14,
            "loss of 150.5 % is out of range",
            "",
        ),
        case(
            "percent on another action",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: kill\n    target: m\n    percent: 5\n"
            ),
            "faults[0].percent",
            12,
            5,
            "field `percent` is not allowed here",
            "only to `action: loss`",
        ),
        case(
            "every packet of the chain",
            &format!(
                "{BASE}faults:\n  - block: 9\n    action: loss\n    target: chain\n    percent: 100\n"
            ),
            "faults[0].percent",
            12,
            14,
            "dropping every packet of the chain cuts every neuron off",
            "less than 100",
        ),
        case(
            "kill the chain",
            &format!("{BASE}faults:\n  - block: 9\n    action: kill\n    target: chain\n"),
            "faults[0].target",
            11,
            13,
            "killing the chain ends the run",
            "",
        ),
        case(
            "expectation after the run",
            &format!(
                "{BASE}epochs: 2\nexpectations:\n  - {{expect: \"incentive(m) > 0\", epoch: 3}}\n"
            ),
            "expectations[0].epoch",
            10,
            41,
            "expectation at epoch 3, but the run has 2 epochs",
            "",
        ),
        case(
            "a name YAML reads as a boolean",
            "name: t\nsubnets:\n  - name: sn\n    miners:\n      - name: no\n",
            "subnets[0].miners[0].name",
            5,
            15,
            "expected a string, found a boolean",
            "quote the value",
        ),
        case(
            "gpu given as a number",
            &format!("{BASE}        gpu: 5\n"),
            "subnets[0].miners[0].gpu",
            8,
            14,
            "expected a name or a list of names, found an integer",
            "",
        ),
        case(
            "a list where a mapping belongs",
            "name: t\nsubnets:\n  - name: sn\n    hyperparameters: [1]\n",
            "subnets[0].hyperparameters",
            4,
            22,
            "expected a mapping (hyperparameters), found a list",
            "",
        ),
        case(
            "subnets left empty",
            "name: t\nsubnets:\n",
            "subnets",
            2,
            8,
            "a topology needs at least one subnet",
            "",
        ),
        case(
            "a copier with nobody to copy",
            "name: t\nsubnets:\n  - name: sn\n    validators:\n      - name: v\n        behaviour: weight-copier\n",
            "subnets[0].validators[0].behaviour",
            5,
            15,
            "`v` has no other validator to copy in subnet `sn`",
            "set `copy_from`",
        ),
        case(
            "YAML syntax error",
            "name: t\nsubnets: [a, b\n",
            "",
            0,
            0,
            "invalid YAML: unclosed bracket '['",
            "",
        ),
    ]
}

#[test]
fn each_mistake_gives_its_diagnostic() {
    let cases = cases();
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for c in &cases {
        let ds = diagnostics(&c.src);
        let found = ds.iter().any(|d| {
            d.path == c.path
                && (c.line == 0 || (d.loc.line, d.loc.column) == (c.line, c.column))
                && d.message == c.message
                && (c.help.is_empty() || d.help.as_deref().is_some_and(|h| h.contains(c.help)))
        });
        if !found {
            failures.push(format!(
                "{}: expected {}:{} {} `{}` ({}), got {:#?}",
                c.what, c.line, c.column, c.path, c.message, c.help, ds
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn one_mistake_gives_one_diagnostic() {
    // Follow-up errors would bury the real one.
    for what in [
        "unknown top-level field",
        "unknown behaviour for the role",
        "unknown GPU mock",
        "fault beyond the run",
        "out of range",
    ] {
        let c = cases().into_iter().find(|c| c.what == what).unwrap();
        let ds = diagnostics(&c.src);
        assert_eq!(ds.len(), 1, "{what}: {ds:#?}");
    }
}

#[test]
fn every_error_in_a_file_is_reported_at_once_in_source_order() {
    let src = "\
name: t
epochs: 2
chain:
  sealing: manuel
gpu_mocks:
  - name: g
    profile: L4
subnets:
  - name: sn
    hyperparameters:
      kappa: 70000
    validators:
      - name: v
        stke: 5
    miners:
      - name: m
        gpu: gg
faults:
  - epoch: 3
    action: pause
    target: v
";
    let ds = diagnostics(src);
    let got: Vec<(u32, &str)> = ds.iter().map(|d| (d.loc.line, d.path.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (4, "chain.sealing"),
            (11, "subnets[0].hyperparameters.kappa"),
            (14, "subnets[0].validators[0].stke"),
            (17, "subnets[0].miners[0].gpu"),
            (19, "faults[0].epoch"),
        ]
    );
}

#[test]
fn empty_garbage_and_missing_files_are_errors() {
    for src in ["", "\n\n# only a comment\n"] {
        let ds = diagnostics(src);
        assert_eq!(ds.len(), 1);
        assert!(ds[0].message.contains("empty"), "{ds:?}");
    }
    let garbage: &[u8] = b"name: t\n\xff\xfe\x00garbage";
    match topology::parse_bytes(garbage, "g.yaml") {
        Err(TopologyError::Invalid { diagnostics, .. }) => {
            assert_eq!(diagnostics.len(), 1);
            assert_eq!((diagnostics[0].loc.line, diagnostics[0].loc.column), (2, 1));
            assert!(diagnostics[0].message.contains("not UTF-8"));
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let not_a_mapping = diagnostics("- just\n- a list\n");
    assert!(
        not_a_mapping[0].message.contains("expected a mapping"),
        "{not_a_mapping:?}"
    );
    match topology::load(std::path::Path::new("/nonexistent/topology.yaml")) {
        Err(TopologyError::Read { .. }) => {}
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn rendering_shows_file_line_caret_and_help() {
    let err = topology::parse(&format!("{BASE}epochz: 3\n"), "dir/t.yaml").unwrap_err();
    let text = err.render();
    assert!(text.contains("--> dir/t.yaml:8:1"), "{text}");
    assert!(text.contains(" 8 | epochz: 3"), "{text}");
    assert!(text.contains("   | ^^^^^^"), "{text}");
    assert!(text.contains("help: did you mean `epochs`?"), "{text}");
    assert!(text.contains("1 error; nothing was started"), "{text}");
}

#[test]
fn hostile_inputs_are_refused_without_crashing() {
    // Deep nesting: a recursion limit, not a stack overflow.
    let deep = format!(
        "name: t\nsubnets: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let ds = diagnostics(&deep);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].message, "invalid YAML: recursion limit exceeded");

    // Alias expansion bomb: refused by the parser's budget.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("name: t\nsubnets: []\n");
    let ds = diagnostics(&bomb);
    assert!(
        ds.iter().any(|d| d.message.starts_with("invalid YAML")),
        "{ds:?}"
    );

    // Oversized files are refused before parsing.
    let big = format!("name: t\n# {}\n", "x".repeat(topology::MAX_FILE_BYTES));
    match topology::parse_bytes(big.as_bytes(), "big.yaml") {
        Err(TopologyError::Invalid { diagnostics, .. }) => {
            assert!(
                diagnostics[0]
                    .help
                    .as_deref()
                    .unwrap_or("")
                    .contains("at most 4194304 bytes")
            )
        }
        other => panic!("expected invalid, got {other:?}"),
    }

    // Millions of neurons through replicas: one error, no expansion.
    let mut huge = String::from("name: t\nsubnets:\n");
    for i in 0..40 {
        huge.push_str(&format!(
            "  - name: s{i}\n    hyperparameters: {{max_allowed_uids: 4096, max_allowed_validators: 4096}}\n    miners:\n      - name: m{i}\n        replicas: 4095\n"
        ));
    }
    let ds = diagnostics(&huge);
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0].path, "subnets[16].miners[0].replicas");
    assert!(ds[0].message.contains("more than 65536 neurons"));
}

#[test]
fn long_lines_are_shown_as_a_window_around_the_column() {
    let src = format!("name: t\nsubnets: [{}zz: 1]\n", "a, ".repeat(200));
    let err = topology::parse(&src, "t.yaml").unwrap_err();
    let text = err.render();
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 140, "{text}");
}
