//! Jobs and their real, checkable results.
//!
//! A job's result depends only on `(kind, size, seed)`, never on the device that ran it, so a
//! validator can recompute it with [`expected_result`] and compare with [`verify`].
//!
//! * `hashchain`: `h0 = BLAKE2b-256("localtensor-gpu-mock/hashchain/v1" ‖ seed ‖ size)`, then
//!   `h(i+1) = BLAKE2b-256(h(i))`; the result is `h(size)`. Costs `size` hashes to check.
//! * `matmul`: `C = A·B` for two seeded `size × size` matrices of bytes (exact integer product).
//!   The result is a BLAKE2b-256 checksum over 16 seeded entries of `C`, so checking costs
//!   `16 · size` multiply-adds however large the simulated matrix is.

use std::fmt;
use std::str::FromStr;

use blake2::digest::Digest as _;
use serde::{Deserialize, Serialize};

use crate::error::GpuError;
use crate::seed::{Blake2b256, derive_u64, hash_words, mix64};

/// The kind of work a job performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// A dense `size × size × size` matrix multiplication (compute-bound on large sizes).
    Matmul,
    /// A sequential hash chain of `size` steps, each streaming a batch (bandwidth-bound).
    Hashchain,
}

impl JobKind {
    /// The name used in JSON (`matmul`, `hashchain`).
    pub const fn as_str(self) -> &'static str {
        match self {
            JobKind::Matmul => "matmul",
            JobKind::Hashchain => "hashchain",
        }
    }

    /// The inclusive range of valid sizes for this kind.
    pub const fn size_range(self) -> (u64, u64) {
        match self {
            JobKind::Matmul => (1, MATMUL_MAX_SIZE),
            JobKind::Hashchain => (1, HASHCHAIN_MAX_SIZE),
        }
    }

    /// A stable number for seed derivation.
    pub(crate) const fn tag(self) -> u64 {
        match self {
            JobKind::Matmul => 1,
            JobKind::Hashchain => 2,
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Largest matrix dimension (2^17: 96 GiB of BF16 operands, more than most devices hold).
pub const MATMUL_MAX_SIZE: u64 = 1 << 17;
/// Longest hash chain (2^16 steps: tens of milliseconds to recompute in a release build, about
/// a second in a debug build).
pub const HASHCHAIN_MAX_SIZE: u64 = 1 << 16;
/// Number of entries of `C` the matmul checksum covers.
pub const MATMUL_SAMPLES: u64 = 16;

/// One unit of work: what to compute and from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// The kind of work.
    pub kind: JobKind,
    /// Matrix dimension (`matmul`) or chain length (`hashchain`).
    pub size: u64,
    /// The job seed; it alone determines the inputs.
    pub seed: u64,
}

impl JobSpec {
    /// Checks the size is within the kind's range.
    pub fn validate(&self) -> Result<(), GpuError> {
        let (min, max) = self.kind.size_range();
        if self.size < min || self.size > max {
            return Err(GpuError::InvalidSize {
                kind: self.kind,
                size: self.size,
                min,
                max,
            });
        }
        Ok(())
    }
}

/// A 32-byte job result, written as 64 lowercase hex digits in JSON.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// Why a string is not a [`Digest`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a result must be 64 hex digits, got {0:?}")]
pub struct DigestParseError(String);

impl FromStr for Digest {
    type Err = DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s.strip_prefix("0x").unwrap_or(s);
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return Err(DigestParseError(s.to_owned()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or_else(|| DigestParseError(s.to_owned()))?;
            let lo = hex_value(pair[1]).ok_or_else(|| DigestParseError(s.to_owned()))?;
            out[i] = hi << 4 | lo;
        }
        Ok(Digest(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The correct result of `spec`, computed from scratch.
pub fn expected_result(spec: &JobSpec) -> Result<Digest, GpuError> {
    spec.validate()?;
    Ok(compute(spec))
}

/// Whether `claimed` is the correct result of `spec` (an invalid spec verifies nothing).
pub fn verify(spec: &JobSpec, claimed: &Digest) -> bool {
    expected_result(spec).is_ok_and(|expected| expected == *claimed)
}

/// Computes the result of a spec already validated.
pub(crate) fn compute(spec: &JobSpec) -> Digest {
    match spec.kind {
        JobKind::Hashchain => hashchain(spec.seed, spec.size),
        JobKind::Matmul => matmul_checksum(spec.seed, spec.size),
    }
}

/// A deliberately wrong result, for the wrong-results fault: distinct from the real one, and as
/// random-looking.
pub(crate) fn corrupt(real: &Digest) -> Digest {
    let mut hasher = Blake2b256::new();
    hasher.update(b"localtensor-gpu-mock/corrupt/v1");
    hasher.update(real.0);
    Digest(hasher.finalize().into())
}

fn hashchain(seed: u64, size: u64) -> Digest {
    let mut state = hash_words(b"localtensor-gpu-mock/hashchain/v1", &[seed, size]);
    for _ in 0..size {
        state = Blake2b256::digest(state).into();
    }
    Digest(state)
}

const MATRIX_A: u64 = 0x4d41_5452_4958_5f41; // "MATRIX_A"
const MATRIX_B: u64 = 0x4d41_5452_4958_5f42; // "MATRIX_B"

/// Element of a seeded matrix along line `line` at position `index`, in `0..=255`.
///
/// `A[i][k] = element(seed, A, i, k)` (keyed by row) and `B[k][j] = element(seed, B, j, k)`
/// (keyed by column), so one dot product walks one line of each.
pub fn matrix_element(seed: u64, b_matrix: bool, line: u64, index: u64) -> u64 {
    line_key(seed, b_matrix, line).element(index)
}

#[derive(Clone, Copy)]
struct LineKey(u64);

impl LineKey {
    fn element(self, index: u64) -> u64 {
        mix64(self.0 ^ index) & 0xff
    }
}

fn line_key(seed: u64, b_matrix: bool, line: u64) -> LineKey {
    let tag = if b_matrix { MATRIX_B } else { MATRIX_A };
    LineKey(mix64(seed ^ tag ^ mix64(line)))
}

/// Entry `C[row][col]` of the product of the seeded `n × n` matrices (exact, no overflow:
/// at most 2^17 · 255² < 2^34).
pub fn matmul_entry(seed: u64, n: u64, row: u64, col: u64) -> u64 {
    let a = line_key(seed, false, row);
    let b = line_key(seed, true, col);
    (0..n).map(|k| a.element(k) * b.element(k)).sum()
}

/// The `s`-th sampled position of `C` for a job.
fn sample_position(seed: u64, n: u64, s: u64) -> (u64, u64) {
    let row = derive_u64(b"localtensor-gpu-mock/matmul-row/v1", &[seed, n, s]) % n;
    let col = derive_u64(b"localtensor-gpu-mock/matmul-col/v1", &[seed, n, s]) % n;
    (row, col)
}

fn matmul_checksum(seed: u64, n: u64) -> Digest {
    let mut words = vec![seed, n];
    for s in 0..MATMUL_SAMPLES {
        let (row, col) = sample_position(seed, n, s);
        words.extend([row, col, matmul_entry(seed, n, row, col)]);
    }
    Digest(hash_words(b"localtensor-gpu-mock/matmul/v1", &words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashchain_matches_an_independent_blake2b_chain() {
        // Recompute with the blake2 crate directly, following the documented definition.
        let mut start = b"localtensor-gpu-mock/hashchain/v1".to_vec();
        start.extend_from_slice(&42u64.to_le_bytes());
        start.extend_from_slice(&3u64.to_le_bytes());
        let mut state: [u8; 32] = Blake2b256::digest(&start).into();
        for _ in 0..3 {
            state = Blake2b256::digest(state).into();
        }
        let spec = JobSpec {
            kind: JobKind::Hashchain,
            size: 3,
            seed: 42,
        };
        assert_eq!(expected_result(&spec).unwrap(), Digest(state));
    }

    #[test]
    fn matmul_entries_match_a_full_naive_product() {
        let (seed, n) = (9u64, 6u64);
        let a: Vec<Vec<u64>> = (0..n)
            .map(|i| (0..n).map(|k| matrix_element(seed, false, i, k)).collect())
            .collect();
        let b: Vec<Vec<u64>> = (0..n)
            .map(|k| (0..n).map(|j| matrix_element(seed, true, j, k)).collect())
            .collect();
        for i in 0..n {
            for j in 0..n {
                let mut sum = 0;
                for k in 0..n {
                    sum += a[i as usize][k as usize] * b[k as usize][j as usize];
                }
                assert_eq!(matmul_entry(seed, n, i, j), sum);
            }
        }
        // Elements are bytes and not all equal (the generator is not degenerate).
        let flat: Vec<u64> = a.concat();
        assert!(flat.iter().all(|&x| x <= 255));
        assert!(flat.iter().any(|&x| x != flat[0]));
    }

    #[test]
    fn results_depend_on_every_input() {
        let base = JobSpec {
            kind: JobKind::Matmul,
            size: 64,
            seed: 1,
        };
        let r = expected_result(&base).unwrap();
        assert_ne!(r, expected_result(&JobSpec { seed: 2, ..base }).unwrap());
        assert_ne!(r, expected_result(&JobSpec { size: 65, ..base }).unwrap());
        assert_ne!(
            r,
            expected_result(&JobSpec {
                kind: JobKind::Hashchain,
                ..base
            })
            .unwrap()
        );
    }

    #[test]
    fn verify_accepts_the_real_result_and_rejects_others() {
        let spec = JobSpec {
            kind: JobKind::Hashchain,
            size: 100,
            seed: 5,
        };
        let real = expected_result(&spec).unwrap();
        assert!(verify(&spec, &real));
        assert!(!verify(&spec, &corrupt(&real)));
        let mut flipped = real;
        flipped.0[31] ^= 1;
        assert!(!verify(&spec, &flipped));
        assert!(!verify(&JobSpec { size: 0, ..spec }, &real));
    }

    #[test]
    fn sizes_outside_the_range_are_rejected() {
        for (kind, size) in [
            (JobKind::Matmul, 0),
            (JobKind::Matmul, MATMUL_MAX_SIZE + 1),
            (JobKind::Hashchain, 0),
            (JobKind::Hashchain, HASHCHAIN_MAX_SIZE + 1),
        ] {
            let err = expected_result(&JobSpec {
                kind,
                size,
                seed: 0,
            })
            .unwrap_err();
            assert!(matches!(err, GpuError::InvalidSize { .. }), "{err:?}");
        }
    }

    #[test]
    fn digest_hex_round_trips() {
        let d = Digest([0xab; 32]);
        let text = d.to_string();
        assert_eq!(text, "ab".repeat(32));
        assert_eq!(text.parse::<Digest>().unwrap(), d);
        assert_eq!(format!("0x{text}").parse::<Digest>().unwrap(), d);
        assert!("abc".parse::<Digest>().is_err());
        assert!("zz".repeat(32).parse::<Digest>().is_err());
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), d);
    }
}
