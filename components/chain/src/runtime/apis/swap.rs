//! `SwapRuntimeApi`: the devnet's fixed price (1 TAO per alpha, [`PRICE_RAO`]) and fee-free
//! swap simulations at that price.

use super::common::subnet_exists;
use super::{ApiError, args, method, param};
use crate::runtime::pallets::subtensor::staking::PRICE_RAO;
use crate::runtime::pallets::subtensor::types::NetUid;
use crate::state::State;
use frame_metadata::v15::RuntimeApiMetadata;
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Rao per TAO (and per alpha).
const RAO: u128 = 1_000_000_000;

/// A simulated swap (subtensor's `SimSwapResult`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct SimSwapResult {
    /// TAO paid or received, in rao.
    pub tao_amount: u64,
    /// Alpha received or paid, in rao.
    pub alpha_amount: u64,
    /// Fee in TAO (none on the devnet).
    pub tao_fee: u64,
    /// Fee in alpha (none on the devnet).
    pub alpha_fee: u64,
}

/// The alpha price of `netuid` in rao of TAO: [`PRICE_RAO`] for every subnet, 0 for a netuid
/// that is not a subnet.
pub fn current_alpha_price(state: &State, netuid: NetUid) -> u64 {
    if subnet_exists(state, netuid) {
        PRICE_RAO
    } else {
        0
    }
}

fn convert(amount: u64, num: u128, den: u128) -> u64 {
    if den == 0 {
        return 0;
    }
    u64::try_from(u128::from(amount) * num / den).unwrap_or(u64::MAX)
}

/// Buying alpha with `tao` rao (nothing for a netuid that is not a subnet).
pub fn sim_tao_for_alpha(state: &State, netuid: NetUid, tao: u64) -> SimSwapResult {
    let price = u128::from(current_alpha_price(state, netuid));
    if price == 0 {
        return SimSwapResult::default();
    }
    SimSwapResult {
        tao_amount: tao,
        alpha_amount: convert(tao, RAO, price),
        tao_fee: 0,
        alpha_fee: 0,
    }
}

/// Selling `alpha` rao of alpha for TAO (nothing for a netuid that is not a subnet).
pub fn sim_alpha_for_tao(state: &State, netuid: NetUid, alpha: u64) -> SimSwapResult {
    let price = u128::from(current_alpha_price(state, netuid));
    if price == 0 {
        return SimSwapResult::default();
    }
    SimSwapResult {
        tao_amount: convert(alpha, price, RAO),
        alpha_amount: alpha,
        tao_fee: 0,
        alpha_fee: 0,
    }
}

/// Serves `SwapRuntimeApi_<name>`; `None` if there is no such method.
pub fn call(
    state: &State,
    name: &str,
    method: &str,
    bytes: &[u8],
) -> Option<Result<Vec<u8>, ApiError>> {
    let out = match name {
        "current_alpha_price" => {
            args::<NetUid>(method, bytes).map(|n| current_alpha_price(state, n).encode())
        }
        "sim_swap_tao_for_alpha" => args::<(NetUid, u64)>(method, bytes)
            .map(|(n, tao)| sim_tao_for_alpha(state, n, tao).encode()),
        "sim_swap_alpha_for_tao" => args::<(NetUid, u64)>(method, bytes)
            .map(|(n, alpha)| sim_alpha_for_tao(state, n, alpha).encode()),
        _ => return None,
    };
    Some(out)
}

/// Metadata of `SwapRuntimeApi`.
pub fn metadata() -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name: "SwapRuntimeApi",
        methods: vec![
            method(
                "current_alpha_price",
                vec![param::<NetUid>("netuid")],
                meta_type::<u64>(),
                &[],
            ),
            method(
                "sim_swap_tao_for_alpha",
                vec![param::<NetUid>("netuid"), param::<u64>("tao")],
                meta_type::<SimSwapResult>(),
                &[],
            ),
            method(
                "sim_swap_alpha_for_tao",
                vec![param::<NetUid>("netuid"), param::<u64>("alpha")],
                meta_type::<SimSwapResult>(),
                &[],
            ),
        ],
        docs: vec![],
    }
}
