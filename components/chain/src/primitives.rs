//! Substrate primitive types with their SCALE layout and type information.
//!
//! Type paths are rewritten to subtensor's (for example `sp_core::crypto::AccountId32`) when the
//! metadata is built; see `metadata::paths`.

use parity_scale_codec::{Compact, Decode, Encode, Error as CodecError, Input, Output};
use scale_info::{Path, Type, TypeInfo, build::Fields, build::Variants};
use std::fmt;

/// A 32-byte account id (an sr25519 or ed25519 public key).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, TypeInfo)]
pub struct AccountId32(pub [u8; 32]);

impl fmt::Debug for AccountId32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::keys::to_ss58(self))
    }
}

/// A 256-bit hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, TypeInfo)]
pub struct H256(pub [u8; 32]);

impl fmt::Debug for H256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl H256 {
    /// `0x`-prefixed lowercase hex, as Substrate's JSON-RPC prints hashes.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }
}

/// A transaction's sender address (subtensor uses `MultiAddress<AccountId32, ()>`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum MultiAddress {
    /// An account id.
    #[codec(index = 0)]
    Id(AccountId32),
    /// An account index (unused on subtensor: the index type is `()`).
    #[codec(index = 1)]
    Index(#[codec(compact)] ()),
    /// Raw bytes.
    #[codec(index = 2)]
    Raw(Vec<u8>),
    /// A 32-byte address.
    #[codec(index = 3)]
    Address32([u8; 32]),
    /// A 20-byte address.
    #[codec(index = 4)]
    Address20([u8; 20]),
}

/// A transaction signature of one of the supported schemes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum MultiSignature {
    /// ed25519.
    #[codec(index = 0)]
    Ed25519([u8; 64]),
    /// sr25519 (signing context `substrate`).
    #[codec(index = 1)]
    Sr25519([u8; 64]),
    /// ECDSA over secp256k1.
    #[codec(index = 2)]
    Ecdsa([u8; 65]),
}

/// A transaction's validity window: immortal, or `period` blocks from a birth block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Era {
    /// Valid forever (birth hash = genesis hash).
    Immortal,
    /// Valid for `period` blocks (a power of two, 4..=65536) starting at `phase` (mod period).
    Mortal {
        /// Length of the window in blocks.
        period: u64,
        /// Birth block number modulo `period`.
        phase: u64,
    },
}

impl Era {
    /// A mortal era of (about) `period` blocks that starts at block `current`.
    pub fn mortal(period: u64, current: u64) -> Era {
        let period = period
            .checked_next_power_of_two()
            .unwrap_or(1 << 16)
            .clamp(4, 1 << 16);
        let phase = current % period;
        let quantize = (period >> 12).max(1);
        Era::Mortal {
            period,
            phase: phase / quantize * quantize,
        }
    }

    /// The first block of this era, seen from block `current`.
    pub fn birth(&self, current: u64) -> u64 {
        match *self {
            Era::Immortal => 0,
            Era::Mortal { period, phase } => (current.max(phase) - phase) / period * period + phase,
        }
    }

    /// The first block at which this era has expired, seen from block `current`.
    pub fn death(&self, current: u64) -> u64 {
        match *self {
            Era::Immortal => u64::MAX,
            Era::Mortal { period, .. } => self.birth(current).saturating_add(period),
        }
    }
}

impl Encode for Era {
    fn encode_to<T: Output + ?Sized>(&self, out: &mut T) {
        match *self {
            Era::Immortal => out.push_byte(0),
            Era::Mortal { period, phase } => {
                let quantize = (period >> 12).max(1);
                let low = (period.trailing_zeros().saturating_sub(1)).clamp(1, 15) as u16;
                let encoded = low | (((phase / quantize) as u16) << 4);
                out.write(&encoded.to_le_bytes());
            }
        }
    }
}

impl Decode for Era {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let first = input.read_byte()?;
        if first == 0 {
            return Ok(Era::Immortal);
        }
        let encoded = u16::from(first) | (u16::from(input.read_byte()?) << 8);
        let period = 2u64 << (encoded % (1 << 4));
        let quantize = (period >> 12).max(1);
        let phase = u64::from(encoded >> 4) * quantize;
        if period >= 4 && phase < period {
            Ok(Era::Mortal { period, phase })
        } else {
            Err("Invalid period and phase".into())
        }
    }
}

impl TypeInfo for Era {
    type Identity = Self;
    fn type_info() -> Type {
        // Substrate describes the era as 256 variants: `Immortal` and `Mortal1(u8)`..`Mortal255(u8)`.
        let mut variants = Variants::new().variant("Immortal", |v| v.index(0));
        for i in 1..=255u8 {
            let name: &'static str = NAMES_TABLE[usize::from(i)];
            variants = variants.variant(name, move |v| {
                v.index(i).fields(Fields::unnamed().field(|f| f.ty::<u8>()))
            });
        }
        Type::builder()
            .path(Path::new("Era", module_path!()))
            .variant(variants)
    }
}

/// `Mortal0`..`Mortal255` as static names (scale-info's `MetaForm` wants `&'static str`).
macro_rules! mortal_names {
    ($($n:literal)*) => { [$(concat!("Mortal", $n)),*] };
}

const NAMES_TABLE: [&str; 256] = mortal_names!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35
    36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68
    69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100
    101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124
    125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148
    149 150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 169 170 171 172
    173 174 175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196
    197 198 199 200 201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 219 220
    221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244
    245 246 247 248 249 250 251 252 253 254 255
);

/// One header digest item (this node never emits any, but clients expect the type).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum DigestItem {
    /// A pre-runtime digest from the block author.
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    /// A consensus message.
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    /// A seal.
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    /// Any other data.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// A runtime upgrade marker.
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

/// A header digest.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct Digest {
    /// The digest items.
    pub logs: Vec<DigestItem>,
}

/// A block header in Substrate's SCALE layout; its blake2-256 is the block hash.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Header {
    /// Hash of the parent block.
    pub parent_hash: H256,
    /// Block number.
    #[codec(compact)]
    pub number: u32,
    /// Hash of the state after this block (see `state::State::root`).
    pub state_root: H256,
    /// Hash of the block's extrinsics.
    pub extrinsics_root: H256,
    /// Digest (always empty here).
    pub digest: Digest,
}

impl Header {
    /// The block hash.
    pub fn hash(&self) -> H256 {
        H256(crate::hashing::blake2_256(&self.encode()))
    }
}

/// Two-dimensional weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct Weight {
    /// Computation time in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// Dispatch class of a call.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum DispatchClass {
    /// Ordinary transactions.
    Normal,
    /// Operational transactions.
    Operational,
    /// Inherents.
    Mandatory,
}

/// Whether a call pays a fee.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Pays {
    /// It pays.
    Yes,
    /// It does not.
    No,
}

/// Dispatch information reported in `ExtrinsicSuccess` / `ExtrinsicFailed`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DispatchEventInfo {
    /// Weight of the call.
    pub weight: Weight,
    /// Its class.
    pub class: DispatchClass,
    /// Whether it paid a fee.
    pub pays_fee: Pays,
}

/// A module error: pallet index and the SCALE-encoded error variant (padded to 4 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ModuleError {
    /// Pallet index.
    pub index: u8,
    /// Error variant index followed by zero padding.
    pub error: [u8; 4],
}

/// Token errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum TokenError {
    /// Funds are unavailable.
    FundsUnavailable,
    /// The account would be left with too little to exist.
    OnlyProvider,
    /// Below the minimum balance.
    BelowMinimum,
    /// The account cannot be created.
    CannotCreate,
    /// Unknown asset.
    UnknownAsset,
    /// Funds are frozen.
    Frozen,
    /// Unsupported operation.
    Unsupported,
    /// A hold cannot be created.
    CannotCreateHold,
    /// Withdrawal would kill the account.
    NotExpendable,
    /// The account is blocked.
    Blocked,
}

/// Arithmetic errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ArithmeticError {
    /// Underflow.
    Underflow,
    /// Overflow.
    Overflow,
    /// Division by zero.
    DivisionByZero,
}

/// Transactional-layer errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum TransactionalError {
    /// Too many nested layers.
    LimitReached,
    /// No layer to commit or roll back.
    NoLayer,
}

/// Why a dispatch failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum DispatchError {
    /// Some other error.
    Other,
    /// A lookup failed.
    CannotLookup,
    /// Wrong origin.
    BadOrigin,
    /// A pallet's error.
    Module(ModuleError),
    /// The account still has consumers.
    ConsumerRemaining,
    /// The account has no providers.
    NoProviders,
    /// Too many consumers.
    TooManyConsumers,
    /// A token error.
    Token(TokenError),
    /// An arithmetic error.
    Arithmetic(ArithmeticError),
    /// A transactional error.
    Transactional(TransactionalError),
    /// Resources exhausted.
    Exhausted,
    /// State corruption.
    Corruption,
    /// A resource is unavailable.
    Unavailable,
    /// Root origin is not allowed.
    RootNotAllowed,
    /// A trie proof error.
    Trie(TrieError),
}

/// Errors of trie proofs (never produced here; part of `DispatchError`'s type).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum TrieError {
    /// Invalid state root.
    InvalidStateRoot,
    /// Incomplete database.
    IncompleteDatabase,
    /// Value at incomplete key.
    ValueAtIncompleteKey,
    /// Decoder error.
    DecoderError,
    /// Invalid hash.
    InvalidHash,
    /// Duplicate key.
    DuplicateKey,
    /// Extraneous node.
    ExtraneousNode,
    /// Extraneous value.
    ExtraneousValue,
    /// Extraneous hash reference.
    ExtraneousHashReference,
    /// Invalid child reference.
    InvalidChildReference,
    /// Value mismatch.
    ValueMismatch,
    /// Incomplete proof.
    IncompleteProof,
    /// Root mismatch.
    RootMismatch,
    /// Decode error.
    DecodeError,
}

/// Helper: the compact-length-prefixed encoding of raw bytes (how extrinsics sit in a block).
pub fn with_length_prefix(bytes: &[u8]) -> Vec<u8> {
    let mut out = Compact(bytes.len() as u32).encode();
    out.extend_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_roundtrip_and_birth() {
        // Period 128 at block 1000: phase = 1000 % 128 = 104.
        let era = Era::mortal(128, 1000);
        assert_eq!(
            era,
            Era::Mortal {
                period: 128,
                phase: 104
            }
        );
        let bytes = era.encode();
        // low 4 bits: trailing_zeros(128) - 1 = 6; high bits: 104.
        assert_eq!(u16::from_le_bytes([bytes[0], bytes[1]]), 6 | (104 << 4));
        assert_eq!(Era::decode(&mut &bytes[..]).unwrap(), era);
        assert_eq!(era.birth(1000), 1000);
        assert_eq!(era.birth(1100), 1000);
        assert_eq!(era.death(1100), 1128);
        assert_eq!(Era::decode(&mut &[0u8][..]).unwrap(), Era::Immortal);
    }

    #[test]
    fn era_rejects_phase_beyond_period() {
        // period 4 (low bits 1), phase 5 -> invalid.
        let encoded: u16 = 1 | (5 << 4);
        assert!(Era::decode(&mut &encoded.to_le_bytes()[..]).is_err());
    }
}
