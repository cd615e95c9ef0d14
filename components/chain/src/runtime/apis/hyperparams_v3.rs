//! `SubnetInfoRuntimeApi_get_subnet_hyperparams_v3`: the hyperparameters as a list of named,
//! typed values. Newer than spec 343 (whose metadata lacks it), served because `btcli` 9.x reads
//! only this form. Names and values are those of `get_subnet_hyperparams_v2`.

use super::common::FixedI64;
use super::subnet_info::SubnetHyperparamsV2;
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// One hyperparameter's value, tagged with its type.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum HyperparamValue {
    /// A flag.
    Bool(bool),
    /// A `u16` (proportions are u16 fractions of `u16::MAX`).
    U16(u16),
    /// A `u64` (amounts in rao, block counts).
    U64(u64),
    /// An I32F32 fixed-point number.
    I32F32(FixedI64),
}

/// A named hyperparameter.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct HyperparamEntry {
    /// The name (a field name of `SubnetHyperparamsV2`).
    pub name: String,
    /// The value.
    pub value: HyperparamValue,
}

/// The v3 list for the values of `v2`, in v2's field order.
pub fn entries(v2: &SubnetHyperparamsV2) -> Vec<HyperparamEntry> {
    use HyperparamValue::{Bool, I32F32, U16, U64};
    let list = [
        ("rho", U16(v2.rho)),
        ("kappa", U16(v2.kappa)),
        ("immunity_period", U16(v2.immunity_period)),
        ("min_allowed_weights", U16(v2.min_allowed_weights)),
        ("max_weights_limit", U16(v2.max_weights_limit)),
        ("tempo", U16(v2.tempo)),
        ("min_difficulty", U64(v2.min_difficulty)),
        ("max_difficulty", U64(v2.max_difficulty)),
        ("weights_version", U64(v2.weights_version)),
        ("weights_rate_limit", U64(v2.weights_rate_limit)),
        ("adjustment_interval", U16(v2.adjustment_interval)),
        ("activity_cutoff", U16(v2.activity_cutoff)),
        ("registration_allowed", Bool(v2.registration_allowed)),
        ("target_regs_per_interval", U16(v2.target_regs_per_interval)),
        ("min_burn", U64(v2.min_burn)),
        ("max_burn", U64(v2.max_burn)),
        ("bonds_moving_avg", U64(v2.bonds_moving_avg)),
        ("max_regs_per_block", U16(v2.max_regs_per_block)),
        ("serving_rate_limit", U64(v2.serving_rate_limit)),
        ("max_validators", U16(v2.max_validators)),
        ("adjustment_alpha", U64(v2.adjustment_alpha)),
        ("difficulty", U64(v2.difficulty)),
        ("commit_reveal_period", U64(v2.commit_reveal_period)),
        (
            "commit_reveal_weights_enabled",
            Bool(v2.commit_reveal_weights_enabled),
        ),
        ("alpha_high", U16(v2.alpha_high)),
        ("alpha_low", U16(v2.alpha_low)),
        ("liquid_alpha_enabled", Bool(v2.liquid_alpha_enabled)),
        (
            "alpha_sigmoid_steepness",
            I32F32(v2.alpha_sigmoid_steepness),
        ),
        ("yuma_version", U16(v2.yuma_version)),
        ("subnet_is_active", Bool(v2.subnet_is_active)),
        ("transfers_enabled", Bool(v2.transfers_enabled)),
        ("bonds_reset_enabled", Bool(v2.bonds_reset_enabled)),
        ("user_liquidity_enabled", Bool(v2.user_liquidity_enabled)),
    ];
    list.into_iter()
        .map(|(name, value)| HyperparamEntry {
            name: name.to_string(),
            value,
        })
        .collect()
}
