//! `SubnetInfoRuntimeApi_get_dynamic_info`: a subnet's pool and emission figures.

use super::common::{FixedI128, SubnetIdentityV3, compact_bytes, subnet_exists};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::*;
use crate::runtime::pallets::subtensor::types::{NetUid, ROOT_NETUID};
use crate::state::State;
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

/// A subnet's pool and emission figures (subtensor's `DynamicInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DynamicInfo {
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// `SubnetOwnerHotkey`.
    pub owner_hotkey: AccountId32,
    /// `SubnetOwner`.
    pub owner_coldkey: AccountId32,
    /// Name (see [`subnet_name`]).
    pub subnet_name: Vec<Compact<u8>>,
    /// `TokenSymbol`.
    pub token_symbol: Vec<Compact<u8>>,
    /// `Tempo`.
    #[codec(compact)]
    pub tempo: u16,
    /// `LastMechansimStepBlock`.
    #[codec(compact)]
    pub last_step: u64,
    /// `BlocksSinceLastStep`.
    #[codec(compact)]
    pub blocks_since_last_step: u64,
    /// TAO emitted into the subnet in the last block (`SubnetTaoInEmission`).
    #[codec(compact)]
    pub emission: u64,
    /// `SubnetAlphaIn`.
    #[codec(compact)]
    pub alpha_in: u64,
    /// `SubnetAlphaOut`.
    #[codec(compact)]
    pub alpha_out: u64,
    /// `SubnetTAO`.
    #[codec(compact)]
    pub tao_in: u64,
    /// `SubnetAlphaOutEmission`.
    #[codec(compact)]
    pub alpha_out_emission: u64,
    /// `SubnetAlphaInEmission`.
    #[codec(compact)]
    pub alpha_in_emission: u64,
    /// `SubnetTaoInEmission`.
    #[codec(compact)]
    pub tao_in_emission: u64,
    /// Alpha waiting for the next epoch (`PendingServerEmission + PendingValidatorEmission`).
    #[codec(compact)]
    pub pending_alpha_emission: u64,
    /// `PendingRootAlphaDivs`.
    #[codec(compact)]
    pub pending_root_emission: u64,
    /// Traded volume (the devnet has no pool trading: 0).
    #[codec(compact)]
    pub subnet_volume: u128,
    /// `NetworkRegisteredAt`.
    #[codec(compact)]
    pub network_registered_at: u64,
    /// `SubnetIdentitiesV3`.
    pub subnet_identity: Option<SubnetIdentityV3>,
    /// Moving price: the devnet's fixed price, 1.0.
    pub moving_price: FixedI128,
}

/// The name a subnet shows: its identity's name when it has one, else "root" for the root
/// subnet and an empty name for others.
pub fn subnet_name(state: &State, netuid: NetUid) -> Vec<u8> {
    match SubnetIdentitiesV3.try_get(state, &netuid) {
        Some(identity) if !identity.subnet_name.is_empty() => identity.subnet_name,
        _ if netuid == ROOT_NETUID => b"root".to_vec(),
        _ => Vec::new(),
    }
}

/// Alpha waiting in the pending pools of `netuid` for its next epoch.
pub fn pending_alpha(state: &State, netuid: NetUid) -> u64 {
    PendingServerEmission
        .get(state, &netuid)
        .saturating_add(PendingValidatorEmission.get(state, &netuid))
}

/// The dynamic info of `netuid`, if it exists.
pub fn dynamic_info(state: &State, netuid: NetUid) -> Option<DynamicInfo> {
    if !subnet_exists(state, netuid) {
        return None;
    }
    let s = state;
    Some(DynamicInfo {
        netuid,
        owner_hotkey: SubnetOwnerHotkey.get(s, &netuid),
        owner_coldkey: SubnetOwner.get(s, &netuid),
        subnet_name: compact_bytes(&subnet_name(s, netuid)),
        token_symbol: compact_bytes(&TokenSymbol.get(s, &netuid)),
        tempo: Tempo.get(s, &netuid),
        last_step: LastMechansimStepBlock.get(s, &netuid),
        blocks_since_last_step: BlocksSinceLastStep.get(s, &netuid),
        emission: SubnetTaoInEmission.get(s, &netuid),
        alpha_in: SubnetAlphaIn.get(s, &netuid),
        alpha_out: SubnetAlphaOut.get(s, &netuid),
        tao_in: SubnetTAO.get(s, &netuid),
        alpha_out_emission: SubnetAlphaOutEmission.get(s, &netuid),
        alpha_in_emission: SubnetAlphaInEmission.get(s, &netuid),
        tao_in_emission: SubnetTaoInEmission.get(s, &netuid),
        pending_alpha_emission: pending_alpha(s, netuid),
        pending_root_emission: PendingRootAlphaDivs.get(s, &netuid),
        subnet_volume: 0,
        network_registered_at: NetworkRegisteredAt.get(s, &netuid),
        subnet_identity: SubnetIdentitiesV3.try_get(s, &netuid),
        moving_price: FixedI128::from_int(1),
    })
}
