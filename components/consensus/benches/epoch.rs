//! One epoch at subnet sizes from the spec's targets: n = 256 (64 validators), 1024 (128) and
//! 4096 (256), every validator with a full weight row and bonds from a previous epoch; classic
//! Yuma and Yuma3 with liquid alpha. Run with `cargo bench -p localtensor-consensus`.

use localtensor_consensus::{EpochCase, EpochParams, NeuronState, run_epoch};

fn main() {
    divan::main();
}

const SIZES: [(usize, usize); 3] = [(256, 64), (1024, 128), (4096, 256)];

/// xorshift64*: deterministic weights without an RNG dependency.
struct Xorshift(u64);
impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A subnet of `n` uids whose first `validators` uids hold stake and weight every other uid;
/// one epoch has already run, so permits and bonds are populated.
fn subnet(n: usize, validators: usize, yuma3: bool) -> EpochCase {
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    let neurons = (0..n)
        .map(|i| {
            let is_validator = i < validators;
            NeuronState {
                stake: if is_validator {
                    1_000_000_000_000 + rng.next() % 1_000_000_000_000
                } else {
                    0
                },
                registered_at: 100,
                last_update: 4_000,
                validator_permit: is_validator,
                weights: if is_validator {
                    (0..n as u16)
                        .filter(|&j| j as usize != i)
                        .map(|j| (j, (rng.next() % 65_536) as u16))
                        .collect()
                } else {
                    vec![]
                },
                bonds: vec![],
            }
        })
        .collect();
    let mut case = EpochCase {
        block: 4_320,
        tempo: 360,
        last_step_block: 3_960,
        emission: 360_000_000_000,
        owner_uid: Some(0),
        params: EpochParams {
            yuma3,
            liquid_alpha: yuma3,
            max_allowed_validators: validators as u16,
            ..EpochParams::default()
        },
        neurons,
    };
    let warm = run_epoch(&case);
    case.apply(&warm);
    case.block += 360;
    case.last_step_block += 360;
    case
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn classic(bencher: divan::Bencher, (n, validators): (usize, usize)) {
    let case = subnet(n, validators, false);
    bencher.bench(|| run_epoch(divan::black_box(&case)));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn yuma3_liquid_alpha(bencher: divan::Bencher, (n, validators): (usize, usize)) {
    let case = subnet(n, validators, true);
    bencher.bench(|| run_epoch(divan::black_box(&case)));
}
