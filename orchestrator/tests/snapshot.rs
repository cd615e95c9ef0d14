//! Snapshots: the rendering is stable and reads back; `diff` finds every changed field; the
//! `localtensor diff` command reports them with the documented exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor::snapshot::{
    EpochSnapshot, NeuronSnapshot, Snapshot, SubnetSnapshot, SubnetTotals, diff, parse, render,
};
use std::process::Command;

fn neuron(uid: u16, name: &str, incentive: u16, weights: Vec<(u16, u16)>) -> NeuronSnapshot {
    NeuronSnapshot {
        uid,
        name: name.to_owned(),
        role: if weights.is_empty() {
            "miner"
        } else {
            "validator"
        }
        .to_owned(),
        hotkey: format!("5Hotkey{uid}"),
        stake: 1_000_000_000 * u64::from(uid + 1),
        validator_permit: !weights.is_empty(),
        consensus: incentive / 2,
        incentive,
        dividends: 0,
        validator_trust: 0,
        emission: u64::from(incentive) * 1000,
        weights,
    }
}

fn sample() -> Snapshot {
    let subnet = SubnetSnapshot {
        netuid: 1,
        name: "sn \"one\"".to_owned(),
        totals: SubnetTotals::default(),
        neurons: vec![
            neuron(0, "v1", 0, vec![(1, 65535), (2, 32767)]),
            neuron(1, "m-fast", 40000, vec![]),
            neuron(2, "m-slow", 25535, vec![]),
        ],
    }
    .with_totals();
    Snapshot {
        topology: "basic".to_owned(),
        seed: 7,
        epochs: vec![
            EpochSnapshot {
                epoch: 1,
                block: 10,
                subnets: vec![subnet.clone()],
            },
            EpochSnapshot {
                epoch: 2,
                block: 21,
                subnets: vec![subnet],
            },
        ],
    }
}

#[test]
fn totals_are_sums_of_the_neurons() {
    let s = sample();
    let t = s.epochs[0].subnets[0].totals;
    assert_eq!(t.stake, 6_000_000_000);
    assert_eq!(t.emission, 65_535_000);
}

#[test]
fn rendering_is_stable_and_reads_back() {
    let s = sample();
    let text = render(&s);
    assert_eq!(render(&s), text, "same snapshot, same bytes");
    assert!(
        text.contains("      weights: [[1, 65535], [2, 32767]]\n"),
        "{text}"
    );
    assert!(text.contains("    name: \"sn \\\"one\\\"\"\n"), "{text}");
    let back = parse(&text, "snapshot.yaml").unwrap();
    assert_eq!(back, s);
    assert_eq!(render(&back), text);
    let empty = Snapshot {
        topology: "t".into(),
        seed: 0,
        epochs: vec![],
    };
    assert_eq!(parse(&render(&empty), "e").unwrap(), empty);
}

#[test]
fn a_malformed_snapshot_is_a_located_error() {
    let text = render(&sample()).replace("incentive: 40000", "incentive: lots");
    let err = parse(&text, "bad.yaml").unwrap_err().to_string();
    assert!(err.starts_with("bad.yaml: "), "{err}");
    assert!(err.contains("line"), "{err}");
    let err = parse("topology: x\nseed: 1\nepochs: []\nextra: 1\n", "x.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("extra"), "{err}");
}

#[test]
fn diff_lists_each_changed_field_by_place() {
    let a = sample();
    assert!(diff(&a, &a).is_empty());
    let mut b = a.clone();
    b.epochs[1].subnets[0].neurons[1].incentive = 39000;
    b.epochs[1].subnets[0].neurons[0].weights = vec![(1, 65535)];
    let changes: Vec<String> = diff(&a, &b).iter().map(ToString::to_string).collect();
    assert_eq!(
        changes,
        vec![
            "epoch 2 / subnet 1 \"sn \\\"one\\\"\" / uid 0 \"v1\": weights: [(1, 65535), (2, 32767)] -> [(1, 65535)]",
            "epoch 2 / subnet 1 \"sn \\\"one\\\"\" / uid 1 \"m-fast\": incentive: 40000 -> 39000",
        ]
    );
    let mut c = a.clone();
    c.epochs.pop();
    c.epochs[0].subnets[0].neurons.pop();
    let changes: Vec<String> = diff(&a, &c).iter().map(ToString::to_string).collect();
    assert_eq!(
        changes,
        vec![
            "epoch 1 / subnet 1 \"sn \\\"one\\\"\" / uid 2 \"m-slow\": neuron: present -> -",
            "epoch 2: epoch: present -> -",
        ]
    );
}

fn localtensor(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diff_command_exit_codes_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    let s = sample();
    std::fs::write(&a, render(&s)).unwrap();
    std::fs::write(&b, render(&s)).unwrap();
    let (code, out, _) = localtensor(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, "no differences\n"));

    let mut t = s.clone();
    t.epochs[0].subnets[0].neurons[2].stake += 1;
    std::fs::write(&b, render(&t)).unwrap();
    let (code, out, _) = localtensor(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("uid 2 \"m-slow\": stake: 3000000000 -> 3000000001"),
        "{out}"
    );
    assert!(out.ends_with("1 difference(s)\n"), "{out}");

    let missing = dir.path().join("missing.yaml");
    let (code, _, err) = localtensor(&["diff", a.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read") && err.contains("missing.yaml"),
        "{err}"
    );
    std::fs::write(&b, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let (code, _, err) = localtensor(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}
