//! `DelegateInfoRuntimeApi`: hotkeys registered as delegates (`Delegates`) and who stakes to
//! them.
//!
//! The devnet has no call that makes a hotkey a delegate, so unless a state was loaded with
//! `Delegates` entries these methods return an empty list, `None`, and an empty list.

use super::common::{at, subnets};
use super::{ApiError, args, method, param};
use crate::primitives::AccountId32;
use crate::runtime::pallets::subtensor::items::{
    Alpha, Delegates, IsNetworkMember, Owner, Uids, ValidatorPermit,
};
use crate::runtime::pallets::subtensor::types::NetUid;
use crate::state::State;
use frame_metadata::v15::RuntimeApiMetadata;
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// A stake position on a delegate: (netuid, alpha).
pub type Position = (Compact<u16>, Compact<u64>);

/// A delegate (subtensor's `DelegateInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DelegateInfo {
    /// The delegate hotkey.
    pub delegate_ss58: AccountId32,
    /// Take (u16 proportion, `Delegates`).
    #[codec(compact)]
    pub take: u16,
    /// Nominating coldkeys with their (netuid, alpha) positions on the delegate.
    pub nominators: Vec<(AccountId32, Vec<Position>)>,
    /// Owning coldkey (`Owner`).
    pub owner_ss58: AccountId32,
    /// Subnets the hotkey is registered on.
    pub registrations: Vec<Compact<u16>>,
    /// Subnets where the hotkey holds a validator permit.
    pub validator_permits: Vec<Compact<u16>>,
    /// Return per 1000 staked (not estimated on the devnet: 0).
    #[codec(compact)]
    pub return_per_1000: u64,
    /// Daily return (not estimated on the devnet: 0).
    #[codec(compact)]
    pub total_daily_return: u64,
}

/// Every (coldkey, netuid, alpha) staked to `hotkey`, in storage order.
fn positions(state: &State, hotkey: &AccountId32) -> Vec<(AccountId32, NetUid, u64)> {
    Alpha
        .iter(state)
        .into_iter()
        .filter(|(h, _, _, _)| h == hotkey)
        .map(|(_, c, n, shares)| (c, n, shares.to_int()))
        .filter(|(_, _, alpha)| *alpha > 0)
        .collect()
}

/// The delegate info of `hotkey`, if it is a delegate.
pub fn delegate(state: &State, hotkey: &AccountId32) -> Option<DelegateInfo> {
    let take = Delegates.try_get(state, hotkey)?;
    let mut nominators: Vec<(AccountId32, Vec<Position>)> = Vec::new();
    for (coldkey, netuid, alpha) in positions(state, hotkey) {
        let entry = (Compact(netuid), Compact(alpha));
        match nominators.iter_mut().find(|(c, _)| *c == coldkey) {
            Some((_, list)) => list.push(entry),
            None => nominators.push((coldkey, vec![entry])),
        }
    }
    let registered: Vec<NetUid> = subnets(state)
        .into_iter()
        .filter(|n| IsNetworkMember.get(state, hotkey, n))
        .collect();
    let validator_permits = registered
        .iter()
        .filter(|n| {
            Uids.try_get(state, n, hotkey)
                .is_some_and(|uid| at(&ValidatorPermit.get(state, n), uid))
        })
        .map(|n| Compact(*n))
        .collect();
    Some(DelegateInfo {
        delegate_ss58: *hotkey,
        take,
        nominators,
        owner_ss58: Owner.get(state, hotkey),
        registrations: registered.into_iter().map(Compact).collect(),
        validator_permits,
        return_per_1000: 0,
        total_daily_return: 0,
    })
}

/// Every delegate, in storage order.
pub fn delegates(state: &State) -> Vec<DelegateInfo> {
    Delegates
        .iter(state)
        .into_iter()
        .filter_map(|(hotkey, _)| delegate(state, &hotkey))
        .collect()
}

/// The delegates `coldkey` stakes to, with each (netuid, alpha) position.
pub fn delegated(state: &State, coldkey: &AccountId32) -> Vec<(DelegateInfo, Position)> {
    let mut out = Vec::new();
    for info in delegates(state) {
        for (c, list) in &info.nominators {
            if c == coldkey {
                for position in list {
                    out.push((info.clone(), *position));
                }
            }
        }
    }
    out
}

/// Serves `DelegateInfoRuntimeApi_<name>`; `None` if there is no such method.
pub fn call(
    state: &State,
    name: &str,
    method: &str,
    bytes: &[u8],
) -> Option<Result<Vec<u8>, ApiError>> {
    let out = match name {
        "get_delegates" => args::<()>(method, bytes).map(|()| delegates(state).encode()),
        "get_delegate" => args::<AccountId32>(method, bytes).map(|h| delegate(state, &h).encode()),
        "get_delegated" => {
            args::<AccountId32>(method, bytes).map(|c| delegated(state, &c).encode())
        }
        _ => return None,
    };
    Some(out)
}

/// Metadata of `DelegateInfoRuntimeApi`.
pub fn metadata() -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name: "DelegateInfoRuntimeApi",
        methods: vec![
            method(
                "get_delegates",
                vec![],
                meta_type::<Vec<DelegateInfo>>(),
                &[],
            ),
            method(
                "get_delegate",
                vec![param::<AccountId32>("delegate_account")],
                meta_type::<Option<DelegateInfo>>(),
                &[],
            ),
            method(
                "get_delegated",
                vec![param::<AccountId32>("delegatee_account")],
                meta_type::<Vec<(DelegateInfo, Position)>>(),
                &[],
            ),
        ],
        docs: vec![],
    }
}
