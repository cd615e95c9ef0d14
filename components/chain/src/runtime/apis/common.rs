//! Types and storage readers shared by the subtensor runtime APIs.
//!
//! Values subtensor keeps in storage items the devnet does not store (prometheus endpoints,
//! difficulty bounds, volume) are served as the defaults those items have in subtensor, so a
//! client sees what a fresh subtensor subnet would show.

use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::{
    BlockAtRegistration, Keys, Owner, SubnetworkN, TaoWeight, TotalHotkeyAlpha,
};
use crate::runtime::pallets::subtensor::types::{NetUid, ROOT_NETUID};
use crate::runtime::pallets::system;
use crate::state::State;
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

/// `substrate_fixed::FixedI128`: a signed fixed-point number as raw bits. The APIs' prices are
/// I96F32 (the value times 2^32); `SubnetEmaTaoFlow` holds I64F64.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct FixedI128 {
    /// Raw bits.
    pub bits: i128,
}

impl FixedI128 {
    /// The I96F32 value of a whole number.
    pub fn from_int(n: i64) -> FixedI128 {
        FixedI128 {
            bits: i128::from(n) << 32,
        }
    }
}

/// `substrate_fixed::FixedI64<U32>` (I32F32): the raw bits are the value times 2^32.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct FixedI64 {
    /// Raw bits.
    pub bits: i64,
}

impl FixedI64 {
    /// The I32F32 value of a whole number.
    pub fn from_int(n: i32) -> FixedI64 {
        FixedI64 {
            bits: i64::from(n) << 32,
        }
    }
}

/// A prometheus endpoint (subtensor's `PrometheusInfo`; the devnet serves none).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct PrometheusInfo {
    /// Block of the last update.
    pub block: u64,
    /// Version.
    pub version: u32,
    /// IP address.
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
}

/// A subnet's identity (subtensor's `SubnetIdentityV3`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct SubnetIdentityV3 {
    /// Name.
    pub subnet_name: Vec<u8>,
    /// Repository.
    pub github_repo: Vec<u8>,
    /// Contact.
    pub subnet_contact: Vec<u8>,
    /// Web site.
    pub subnet_url: Vec<u8>,
    /// Discord handle.
    pub discord: Vec<u8>,
    /// Description.
    pub description: Vec<u8>,
    /// Logo URL.
    pub logo_url: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// A coldkey's identity (subtensor's `ChainIdentityV2`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct ChainIdentityV2 {
    /// Name.
    pub name: Vec<u8>,
    /// Web site.
    pub url: Vec<u8>,
    /// Repository.
    pub github_repo: Vec<u8>,
    /// Image URL.
    pub image: Vec<u8>,
    /// Discord handle.
    pub discord: Vec<u8>,
    /// Description.
    pub description: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// subtensor's `ScalingLawPower` default (the devnet never changes it).
pub const SCALING_LAW_POWER: u16 = 50;
/// subtensor's `MinDifficulty` default.
pub const MIN_DIFFICULTY: u64 = 10_000_000;
/// subtensor's `MaxDifficulty` default (`u64::MAX / 4`).
pub const MAX_DIFFICULTY: u64 = u64::MAX / 4;
/// subtensor's `TransferToggle` default: alpha transfers are allowed.
pub const TRANSFERS_ENABLED: bool = true;
/// Yuma version reported with Yuma3 off / on.
pub const YUMA_VERSIONS: (u16, u16) = (2, 3);
/// Mechanisms share a subnet's storage index space in steps of this (`GLOBAL_MAX_SUBNET_COUNT`).
pub const MECHANISM_STRIDE: u16 = 4096;

/// The block number of `state` (`System.Number`).
pub fn block_number(state: &State) -> u64 {
    u64::from(state.get::<u32>(&system::number_key()).unwrap_or(0))
}

pub use crate::runtime::pallets::subtensor::coinbase::subnets;
pub use crate::runtime::pallets::subtensor::registration::exists as subnet_exists;

/// Element `uid` of a per-uid vector, or the default when the vector is shorter.
pub fn at<T: Copy + Default>(values: &[T], uid: u16) -> T {
    values.get(usize::from(uid)).copied().unwrap_or_default()
}

/// A per-uid vector of `n` entries (padded with defaults or truncated).
pub fn per_uid<T: Copy + Default>(values: &[T], n: u16) -> Vec<T> {
    (0..n).map(|uid| at(values, uid)).collect()
}

/// The same vector with every element compact.
pub fn compact<T: Copy>(values: &[T]) -> Vec<Compact<T>> {
    values.iter().map(|v| Compact(*v)).collect()
}

/// Bytes as `Vec<Compact<u8>>`, subtensor's encoding of names and symbols.
pub fn compact_bytes(bytes: &[u8]) -> Vec<Compact<u8>> {
    compact(bytes)
}

/// Hotkeys of uids `0..SubnetworkN`.
pub fn hotkeys(state: &State, netuid: NetUid) -> Vec<AccountId32> {
    (0..SubnetworkN.get(state, &netuid))
        .map(|uid| Keys.get(state, &netuid, &uid))
        .collect()
}

/// Owning coldkeys of `hotkeys`.
pub fn coldkeys(state: &State, hotkeys: &[AccountId32]) -> Vec<AccountId32> {
    hotkeys.iter().map(|hk| Owner.get(state, hk)).collect()
}

/// Registration blocks of uids `0..SubnetworkN`.
pub fn registration_blocks(state: &State, netuid: NetUid) -> Vec<u64> {
    (0..SubnetworkN.get(state, &netuid))
        .map(|uid| BlockAtRegistration.get(state, &netuid, &uid))
        .collect()
}

/// Per-hotkey stakes on a subnet: (alpha on the subnet, TAO on root, total stake weight), where
/// the total is subtensor's `alpha + tao * TaoWeight`.
pub fn stakes(
    state: &State,
    netuid: NetUid,
    hotkeys: &[AccountId32],
) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    let tao_weight = u128::from(TaoWeight.get(state));
    let mut alpha = Vec::with_capacity(hotkeys.len());
    let mut tao = Vec::with_capacity(hotkeys.len());
    let mut total = Vec::with_capacity(hotkeys.len());
    for hk in hotkeys {
        let a = TotalHotkeyAlpha.get(state, hk, &netuid);
        let t = TotalHotkeyAlpha.get(state, hk, &ROOT_NETUID);
        let weighted = if netuid == ROOT_NETUID {
            0
        } else {
            u64::try_from(u128::from(t) * tao_weight / u128::from(u64::MAX)).unwrap_or(u64::MAX)
        };
        alpha.push(a);
        tao.push(t);
        total.push(a.saturating_add(weighted));
    }
    (alpha, tao, total)
}
