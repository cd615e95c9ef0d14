//! The challenge a validator sends a miner, the miner's answer, and how a challenge derives
//! from `(seed, netuid, validator hotkey, miner hotkey, block)`.
//!
//! ```json
//! {"version":1,"netuid":1,"block":12,"target":"5F…","kind":"matmul","size":16384,
//!  "seed":1234567,"budget_ms":250}
//! ```
//!
//! The miner runs *units*: unit `i` is the GPU-mock job `{kind, size, seed: seed ⊕ i}` judged at
//! `block`. Units run on *lanes* (one lane per GPU device); unit indices of lane `l` out of `L`
//! are `l, l + L, l + 2L, …`. The answer lists each unit's index, lane, result digest and
//! simulated duration:
//!
//! ```json
//! {"units":[{"index":0,"lane":0,"result":"9f…","duration_ns":8912345}, …]}
//! ```

use localtensor_client::AccountId;
use localtensor_gpu_mock::{Digest, JobKind, JobSpec};
use serde::{Deserialize, Serialize};

use crate::draw::{Part, draw};

/// Version of the challenge format.
pub const CHALLENGE_VERSION: u32 = 1;
/// Matrix dimension of `matmul` units: 8.9 ms on an H100, 72.7 ms on an L4 (about 28 and 3
/// units in the default 250 ms budget).
pub const MATMUL_SIZE: u64 = 16_384;
/// Chain length of `hashchain` units: 20 ms on an H100, 14 ms on an H200, 224 ms on an L4
/// (about 12, 17 and 1 units in the default budget).
pub const HASHCHAIN_SIZE: u64 = 250;
/// Most lanes (devices) a miner may use in one answer; units on further lanes are ignored.
pub const MAX_LANES: u32 = 16;
/// Most units per lane a validator considers in one answer.
pub const MAX_UNITS_PER_LANE: u32 = 512;
/// Largest budget a miner accepts, in milliseconds.
pub const MAX_BUDGET_MS: u64 = 60_000;
/// Largest challenge or answer body either side reads, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A challenge (the JSON body of `POST /v1/challenge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Format version ([`CHALLENGE_VERSION`]).
    pub version: u32,
    /// The subnet.
    pub netuid: u16,
    /// The block the challenge belongs to; GPU jobs are judged at this block and the caller's
    /// permit is checked at it.
    pub block: u64,
    /// The miner the challenge is for (SS58 hotkey); signed, so it cannot be forwarded.
    pub target: String,
    /// The job kind of every unit.
    pub kind: JobKind,
    /// The job size of every unit.
    pub size: u64,
    /// The challenge seed; unit `i` uses `seed ⊕ i`.
    pub seed: u64,
    /// The simulated time budget per lane, in milliseconds.
    pub budget_ms: u64,
}

impl Challenge {
    /// The job of unit `index`.
    pub fn unit_spec(&self, index: u64) -> JobSpec {
        JobSpec {
            kind: self.kind,
            size: self.size,
            seed: self.seed ^ index,
        }
    }

    /// The budget in nanoseconds.
    pub fn budget_ns(&self) -> u64 {
        self.budget_ms.saturating_mul(1_000_000)
    }
}

/// The inputs a challenge derives from.
#[derive(Clone, Copy, Debug)]
pub struct ChallengeInputs<'a> {
    /// Topology seed.
    pub seed: u64,
    /// Subnet.
    pub netuid: u16,
    /// The validator's hotkey.
    pub validator: &'a AccountId,
    /// The miner's hotkey.
    pub miner: &'a AccountId,
    /// The block.
    pub block: u64,
    /// The budget in milliseconds.
    pub budget_ms: u64,
}

/// The size of units of `kind`.
pub fn unit_size(kind: JobKind) -> u64 {
    match kind {
        JobKind::Matmul => MATMUL_SIZE,
        JobKind::Hashchain => HASHCHAIN_SIZE,
    }
}

/// Derives the challenge for one miner at one block: the kind (`matmul` or `hashchain`, even
/// odds) and the challenge seed come from one keyed draw over all inputs.
pub fn derive_challenge(inputs: &ChallengeInputs<'_>) -> Challenge {
    let bytes = draw(
        inputs.seed,
        "localtensor-neuron/challenge/v1",
        inputs.netuid,
        &[
            Part::Bytes(&inputs.validator.0),
            Part::Bytes(&inputs.miner.0),
            Part::U64(inputs.block),
        ],
    );
    let kind = if bytes[8] & 1 == 0 {
        JobKind::Matmul
    } else {
        JobKind::Hashchain
    };
    Challenge {
        version: CHALLENGE_VERSION,
        netuid: inputs.netuid,
        block: inputs.block,
        target: inputs.miner.to_string(),
        kind,
        size: unit_size(kind),
        seed: crate::draw::first_u64(&bytes),
        budget_ms: inputs.budget_ms,
    }
}

/// One unit of a miner's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitResult {
    /// Unit index (the job seed is the challenge seed ⊕ index).
    pub index: u64,
    /// Lane (device) the unit ran on.
    pub lane: u32,
    /// The job's result digest (64 hex digits).
    pub result: Digest,
    /// The simulated duration the GPU reported, in nanoseconds.
    pub duration_ns: u64,
}

/// A miner's answer to a challenge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeAnswer {
    /// The units, per lane in the order they ran.
    pub units: Vec<UnitResult>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn acct(b: u8) -> AccountId {
        AccountId([b; 32])
    }

    fn inputs<'a>(v: &'a AccountId, m: &'a AccountId) -> ChallengeInputs<'a> {
        ChallengeInputs {
            seed: 7,
            netuid: 1,
            validator: v,
            miner: m,
            block: 100,
            budget_ms: 250,
        }
    }

    #[test]
    fn derivation_is_deterministic_and_differs_per_input() {
        let (v, m) = (acct(1), acct(2));
        let base = derive_challenge(&inputs(&v, &m));
        assert_eq!(base, derive_challenge(&inputs(&v, &m)));
        assert_eq!(base.target, m.to_string());
        assert_eq!(base.size, unit_size(base.kind));
        let other_miner = acct(3);
        let other_validator = acct(4);
        let variants = [
            derive_challenge(&inputs(&v, &other_miner)),
            derive_challenge(&inputs(&other_validator, &m)),
            derive_challenge(&ChallengeInputs {
                block: 101,
                ..inputs(&v, &m)
            }),
            derive_challenge(&ChallengeInputs {
                seed: 8,
                ..inputs(&v, &m)
            }),
            derive_challenge(&ChallengeInputs {
                netuid: 2,
                ..inputs(&v, &m)
            }),
        ];
        for c in &variants {
            assert_ne!(c.seed, base.seed, "{c:?}");
        }
    }

    #[test]
    fn both_kinds_are_drawn() {
        let v = acct(1);
        let kinds: std::collections::BTreeSet<_> = (0..64u64)
            .map(|b| {
                let m = acct(2);
                derive_challenge(&ChallengeInputs {
                    block: b,
                    ..inputs(&v, &m)
                })
                .kind
            })
            .collect();
        assert_eq!(kinds.len(), 2);
    }

    #[test]
    fn challenge_json_round_trips_and_rejects_unknown_fields() {
        let (v, m) = (acct(1), acct(2));
        let c = derive_challenge(&inputs(&v, &m));
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Challenge>(&text).unwrap(), c);
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["extra"] = 1.into();
        assert!(serde_json::from_value::<Challenge>(value).is_err());
        assert_eq!(c.unit_spec(3).seed, c.seed ^ 3);
    }
}
