//! `StakeInfoRuntimeApi`: a coldkey's stake positions (hotkey, subnet, alpha).

use super::common::subnets;
use super::{ApiError, args, method, param};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::{
    Alpha, AlphaDividendsPerSubnet, IsNetworkMember, StakingHotkeys,
};
use crate::runtime::pallets::subtensor::types::NetUid;
use crate::state::State;
use frame_metadata::v15::RuntimeApiMetadata;
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// One stake position (subtensor's `StakeInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct StakeInfo {
    /// Hotkey staked to.
    pub hotkey: AccountId32,
    /// Staking coldkey.
    pub coldkey: AccountId32,
    /// Subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Alpha held (`Alpha` shares; one share is one alpha on the devnet).
    #[codec(compact)]
    pub stake: u64,
    /// Locked alpha (none on the devnet).
    #[codec(compact)]
    pub locked: u64,
    /// The hotkey's alpha dividends on the subnet at its last epoch (`AlphaDividendsPerSubnet`).
    #[codec(compact)]
    pub emission: u64,
    /// TAO dividends (no root dividends on the devnet: 0).
    #[codec(compact)]
    pub tao_emission: u64,
    /// Drain (unused by subtensor: 0).
    #[codec(compact)]
    pub drain: u64,
    /// Whether the hotkey is registered on the subnet (`IsNetworkMember`).
    pub is_registered: bool,
}

/// The position of `coldkey` on `hotkey` in `netuid` (zero stake included).
pub fn stake_info(
    state: &State,
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: NetUid,
) -> StakeInfo {
    StakeInfo {
        hotkey: *hotkey,
        coldkey: *coldkey,
        netuid,
        stake: Alpha.get(state, hotkey, coldkey, &netuid).to_int(),
        locked: 0,
        emission: AlphaDividendsPerSubnet.get(state, &netuid, hotkey),
        tao_emission: 0,
        drain: 0,
        is_registered: IsNetworkMember.get(state, hotkey, &netuid),
    }
}

/// Every non-zero position of `coldkey`, by `StakingHotkeys` order then netuid.
pub fn for_coldkey(state: &State, coldkey: &AccountId32) -> Vec<StakeInfo> {
    let nets = subnets(state);
    StakingHotkeys
        .get(state, coldkey)
        .iter()
        .flat_map(|hk| nets.iter().map(move |n| stake_info(state, hk, coldkey, *n)))
        .filter(|info| info.stake > 0)
        .collect()
}

/// Serves `StakeInfoRuntimeApi_<name>`; `None` if there is no such method.
pub fn call(
    state: &State,
    name: &str,
    method: &str,
    bytes: &[u8],
) -> Option<Result<Vec<u8>, ApiError>> {
    let out = match name {
        "get_stake_info_for_coldkey" => {
            args::<AccountId32>(method, bytes).map(|c| for_coldkey(state, &c).encode())
        }
        "get_stake_info_for_coldkeys" => args::<Vec<AccountId32>>(method, bytes).map(|cs| {
            cs.into_iter()
                .map(|c| (c, for_coldkey(state, &c)))
                .collect::<Vec<_>>()
                .encode()
        }),
        "get_stake_info_for_hotkey_coldkey_netuid" => {
            // Always `Some`, as in subtensor (the SDK decodes the result without a `None`
            // check): a netuid that is not a subnet reports a zero position.
            args::<(AccountId32, AccountId32, NetUid)>(method, bytes)
                .map(|(h, c, n)| Some(stake_info(state, &h, &c, n)).encode())
        }
        // Staking moves 1:1 without fees on the devnet.
        "get_stake_fee" => args::<StakeFeeArgs>(method, bytes).map(|_| 0u64.encode()),
        _ => return None,
    };
    Some(out)
}

/// Arguments of `get_stake_fee`: origin (hotkey, netuid), origin coldkey, destination, its
/// coldkey, amount.
type StakeFeeArgs = (
    Option<(AccountId32, NetUid)>,
    AccountId32,
    Option<(AccountId32, NetUid)>,
    AccountId32,
    u64,
);

/// Metadata of `StakeInfoRuntimeApi`.
pub fn metadata() -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name: "StakeInfoRuntimeApi",
        methods: vec![
            method(
                "get_stake_info_for_coldkey",
                vec![param::<AccountId32>("coldkey_account")],
                meta_type::<Vec<StakeInfo>>(),
                &[],
            ),
            method(
                "get_stake_info_for_coldkeys",
                vec![param::<Vec<AccountId32>>("coldkey_accounts")],
                meta_type::<Vec<(AccountId32, Vec<StakeInfo>)>>(),
                &[],
            ),
            method(
                "get_stake_info_for_hotkey_coldkey_netuid",
                vec![
                    param::<AccountId32>("hotkey_account"),
                    param::<AccountId32>("coldkey_account"),
                    param::<NetUid>("netuid"),
                ],
                meta_type::<Option<StakeInfo>>(),
                &[],
            ),
            method(
                "get_stake_fee",
                vec![
                    param::<Option<(AccountId32, NetUid)>>("origin"),
                    param::<AccountId32>("origin_coldkey_account"),
                    param::<Option<(AccountId32, NetUid)>>("destination"),
                    param::<AccountId32>("destination_coldkey_account"),
                    param::<u64>("amount"),
                ],
                meta_type::<u64>(),
                &[],
            ),
        ],
        docs: vec![],
    }
}
