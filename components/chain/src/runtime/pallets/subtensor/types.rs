//! Value types stored or passed by `SubtensorModule` (shapes as in subtensor spec 343, where
//! netuids are plain `u16` and TAO/alpha amounts plain `u64` rao).

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A subnet id.
pub type NetUid = u16;
/// The root subnet.
pub const ROOT_NETUID: NetUid = 0;

/// A U64F64 fixed-point number as stored (`substrate_fixed::FixedU128<U64>`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct FixedU128 {
    /// Raw bits: the value times 2^64.
    pub bits: u128,
}

impl FixedU128 {
    /// The fixed-point value of a whole number.
    pub fn from_int(n: u64) -> FixedU128 {
        FixedU128 {
            bits: u128::from(n) << 64,
        }
    }

    /// The whole part.
    pub fn to_int(self) -> u64 {
        u64::try_from(self.bits >> 64).unwrap_or(u64::MAX)
    }
}

/// A served axon endpoint.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct AxonInfo {
    /// Block of the last update.
    pub block: u64,
    /// Axon version.
    pub version: u32,
    /// IP address (v4 in the low 32 bits, or v6).
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol.
    pub protocol: u8,
    /// Unused.
    pub placeholder1: u8,
    /// Unused.
    pub placeholder2: u8,
}
