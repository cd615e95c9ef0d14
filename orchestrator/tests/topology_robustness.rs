//! Mutated topologies never panic: every input gives a topology or diagnostics that render.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use localtensor::topology::{self, TopologyError};

/// xorshift64*: a fixed, dependency-free stream so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to YAML and to the decoder.
const INTERESTING: &[&[u8]] = &[
    b":",
    b"-",
    b" ",
    b"\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b"'",
    b"\"",
    b"&a",
    b"*a",
    b"#",
    b"0",
    b"-1",
    b"99999999999999999999",
    b"1.5",
    b"true",
    b"null",
    b"~",
    b"\t",
    b"\xff",
    b"\xc3",
    b"{x}",
    b"<<: ",
    b"replicas: 4096",
    b"name: ",
    b"x-",
    b"\r\n",
];

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut out = src.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(3) {
            0 => {
                let len = rng.below(12).min(out.len() - at.min(out.len()));
                out.drain(at..at + len);
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => {
                // Duplicate a line somewhere else (duplicate keys, names, list items).
                let lines: Vec<&[u8]> = src.split(|b| *b == b'\n').collect();
                let line = lines[rng.below(lines.len())].to_vec();
                out.splice(at..at, line.into_iter().chain([b'\n']));
            }
        }
    }
    out
}

#[test]
fn mutated_examples_give_results_or_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topologies");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut valid, mut invalid) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // Topologies only: `topologies/byo/` holds the scripts bring-your-own neurons run.
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let src = std::fs::read(&path).unwrap();
        for _ in 0..150 {
            let bytes = mutate(&mut rng, &src);
            match topology::parse_bytes(&bytes, "mutant.yaml") {
                Ok(t) => {
                    valid += 1;
                    let _ = t.summary();
                    assert_eq!(t.instances().len(), t.neuron_count());
                }
                Err(e @ TopologyError::Invalid { .. }) => {
                    invalid += 1;
                    assert!(!e.diagnostics().is_empty());
                    assert!(e.render().contains("nothing was started"));
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
    }
    // Both outcomes occur, so the mutations exercise the decoder and not only the YAML parser.
    assert!(valid > 0 && invalid > 0, "valid {valid}, invalid {invalid}");
}
