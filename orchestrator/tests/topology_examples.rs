//! Every example topology validates, and replica expansion is deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use localtensor::topology::{self, Behaviour, NeuronKind, Role, Sealing, Topology};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../topologies")
}

fn load(name: &str) -> Topology {
    let path = examples_dir().join(format!("{name}.yaml"));
    topology::load(&path).unwrap_or_else(|e| panic!("{}:\n{}", path.display(), e.render()))
}

const EXAMPLES: &[&str] = &[
    "minimal",
    "basic",
    "multi-subnet",
    "adversarial",
    "gpu-heterogeneous",
    "demo",
    "large",
];

#[test]
fn every_example_validates() {
    for name in EXAMPLES {
        let t = load(name);
        assert_eq!(t.name.value, *name, "the file name and `name` agree");
        assert!(t.lints().is_empty(), "{name}: {:?}", t.lints());
    }
    // Nothing in topologies/ is left unchecked.
    let on_disk: BTreeSet<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    for stem in &on_disk {
        let path = examples_dir().join(format!("{stem}.yaml"));
        if path.exists() {
            topology::load(&path).unwrap_or_else(|e| panic!("{}:\n{}", path.display(), e.render()));
        }
    }
}

#[test]
fn examples_cover_what_the_issue_asks_for() {
    let large = load("large");
    assert!(
        large.neuron_count() >= 256,
        "large has {}",
        large.neuron_count()
    );

    let adversarial = load("adversarial");
    let behaviours: BTreeSet<&str> = adversarial
        .subnets
        .iter()
        .flat_map(|s| s.groups())
        .filter_map(|g| match &g.kind {
            NeuronKind::Builtin(b) => Some(b.name()),
            NeuronKind::Command(_) => None,
        })
        .collect();
    for b in ["weight-copier", "colluder", "lazy"] {
        assert!(behaviours.contains(b), "adversarial lacks {b}");
    }

    let multi = load("multi-subnet");
    assert!(multi.subnets.len() >= 2);
    let netuids: Vec<u16> = multi.subnets.iter().map(|s| s.netuid.value).collect();
    assert_eq!(
        netuids,
        vec![1, 2, 3],
        "explicit 1 and 2, then the next free one"
    );

    let gpu = load("gpu-heterogeneous");
    let profiles: BTreeSet<&str> = gpu.gpu_mocks.iter().map(|g| g.profile.as_str()).collect();
    for p in ["A100-80GB", "H100-80GB", "H200", "RTX-4090", "L4", "custom"] {
        assert!(profiles.contains(p), "gpu-heterogeneous lacks {p}");
    }

    let demo = load("demo");
    assert_eq!(demo.chain.sealing, Sealing::Interval);
    assert!(!demo.chain.lockstep);
    assert_eq!(demo.command_count(), 1);
}

#[test]
fn defaults_are_filled_in() {
    let t = load("minimal");
    assert_eq!(t.seed, 0);
    assert_eq!(t.epochs.value, 3);
    assert_eq!(t.chain.sealing, Sealing::Manual);
    assert!(t.chain.lockstep);
    let h = &t.subnets[0].hyperparameters;
    // subtensor's init_new_network values, the fast-runtime tempo, commit-reveal off.
    assert_eq!((h.tempo, h.kappa, h.immunity_period), (10, 32_767, 5000));
    assert_eq!(
        (
            h.max_allowed_uids,
            h.max_allowed_validators,
            h.min_allowed_weights
        ),
        (256, 64, 1)
    );
    // Held at subtensor's MinActivityCutoff (360): the chain refuses lower values.
    assert_eq!(h.activity_cutoff, 360);
    assert!(h.yuma3 && !h.liquid_alpha && !h.commit_reveal && h.registration_allowed);
    assert_eq!(
        (h.burn.rao, h.min_burn.rao, h.max_burn.rao),
        (1_000_000_000, 500_000, 100_000_000_000)
    );
    let v = &t.subnets[0].validators[0];
    assert_eq!(v.stake.rao, 1000 * 1_000_000_000);
    assert!(matches!(v.kind, NeuronKind::Builtin(Behaviour::Honest)));
}

#[test]
fn replicas_expand_to_named_instances_in_file_order() {
    let src = "\
name: t
subnets:
  - name: a
    miners:
      - name: m
        replicas: 3
      - name: solo
    validators:
      - name: v
        replicas: 2
  - name: b
    miners:
      - name: x
";
    let t = topology::parse(src, "t.yaml").unwrap();
    let got: Vec<(String, Role, u16, u32)> = t
        .instances()
        .into_iter()
        .map(|i| (i.name, i.role, i.netuid, i.replica))
        .collect();
    let want = vec![
        ("v-0".to_owned(), Role::Validator, 1, 0),
        ("v-1".to_owned(), Role::Validator, 1, 1),
        ("m-0".to_owned(), Role::Miner, 1, 0),
        ("m-1".to_owned(), Role::Miner, 1, 1),
        ("m-2".to_owned(), Role::Miner, 1, 2),
        ("solo".to_owned(), Role::Miner, 1, 0),
        ("x".to_owned(), Role::Miner, 2, 0),
    ];
    assert_eq!(got, want);
}

#[test]
fn expansion_is_deterministic_and_names_are_unique() {
    let path = examples_dir().join("large.yaml");
    let a = topology::load(&path).unwrap().instances();
    let b = topology::load(&path).unwrap().instances();
    let names_a: Vec<&str> = a.iter().map(|i| i.name.as_str()).collect();
    let names_b: Vec<&str> = b.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names_a, names_b);
    let unique: BTreeSet<&str> = names_a.iter().copied().collect();
    assert_eq!(unique.len(), names_a.len());
    assert_eq!(names_a.len(), 318);
    assert_eq!(names_a[0], "bv-0");
    assert_eq!(names_a[31], "bv-31");
    assert_eq!(names_a[32], "bv-whale-0");
    // Resolved output is byte-identical across loads too.
    let ja = serde_json::to_string(&topology::load(&path).unwrap().resolved()).unwrap();
    let jb = serde_json::to_string(&topology::load(&path).unwrap().resolved()).unwrap();
    assert_eq!(ja, jb);
}

#[test]
fn anchors_merge_keys_and_extension_fields_work() {
    let src = "\
name: anchors
x-defaults: &hp
  tempo: 20
  kappa: 30000
subnets:
  - name: a
    hyperparameters:
      <<: *hp
      kappa: 40000
    miners:
      - &miner
        name: m1
        replicas: 2
        stake: 5
      - <<: *miner
        name: m2
";
    let t = topology::parse(src, "anchors.yaml").unwrap_or_else(|e| panic!("{}", e.render()));
    let h = &t.subnets[0].hyperparameters;
    assert_eq!((h.tempo, h.kappa), (20, 40_000), "merged, then overridden");
    let m2 = &t.subnets[0].miners[1];
    assert_eq!(
        (m2.name.value.as_str(), m2.replicas.value, m2.stake.rao),
        ("m2", 2, 5_000_000_000)
    );
    // Extension fields are only allowed at the top level.
    let nested = src.replace(
        "    hyperparameters:\n",
        "    x-note: 1\n    hyperparameters:\n",
    );
    assert!(topology::parse(&nested, "anchors.yaml").is_err());
}

#[test]
fn references_resolve_to_instances_and_subnets() {
    let t = load("demo");
    assert_eq!(t.neurons_named("m"), ["m-0", "m-1", "m-2", "m-3"]);
    assert_eq!(t.neurons_named("m-2"), ["m-2"]);
    assert_eq!(t.neurons_named("m-slow"), ["m-slow"]);
    assert!(t.neurons_named("h100").is_empty());
    assert!(t.neurons_named("chain").is_empty());

    let multi = load("multi-subnet");
    let restart = &multi.faults[0];
    assert_eq!(multi.epoch_subnet(restart).unwrap().name.value, "image");
    assert_eq!(multi.subnet_of("liquid-m-2").unwrap().name.value, "liquid");
    let gpu = load("gpu-heterogeneous");
    // A GPU mock target with no `subnet`: the first subnet's epochs.
    assert_eq!(
        gpu.epoch_subnet(&gpu.faults[0]).unwrap().name.value,
        "compute"
    );
}

#[test]
fn empty_optional_sections_mean_defaults() {
    let src = "name: t\nchain:\nsubnets:\n  - name: a\n    hyperparameters:\n    #  tempo: 3\n    validators: [{name: v}]\n    miners: [{name: m}]\n";
    let t = topology::parse(src, "t.yaml").unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(t.subnets[0].hyperparameters.tempo, 10);
    assert_eq!(t.chain.sealing, Sealing::Manual);
}

/// The estimate behind the Docker runtime's neighbour-table check: `minimal` by hand, and the
/// examples that fit a default kernel (1024 entries, half of it for a devnet) against `large`,
/// which does not.
#[test]
fn network_peers_counts_every_pair_that_talks() {
    // 1 validator x 2 miners, 3 neurons to the chain, 2 miners to their GPU mock, and the
    // host to the chain, the GPU mock and 3 neurons.
    assert_eq!(load("minimal").network_peers(), 2 + 3 + 2 + 5);
    for name in [
        "minimal",
        "basic",
        "multi-subnet",
        "adversarial",
        "gpu-heterogeneous",
    ] {
        let peers = load(name).network_peers();
        assert!(peers <= 512, "{name}: {peers}");
    }
    let large = load("large").network_peers();
    assert!(large > 4096, "large: {large}");
}
