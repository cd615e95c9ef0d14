//! Coinbase arithmetic: block emission with halving (§5.2) and the per-block alpha-out split
//! (§5.6).

use crate::fixed::{I96F32, SafeDiv, U96F32};
use substrate_fixed::transcendental::log2;

/// Total supply: 21 million TAO in rao.
pub const TOTAL_SUPPLY: u64 = 21_000_000_000_000_000;
/// Block emission before any halving: 1 TAO.
pub const DEFAULT_BLOCK_EMISSION: u64 = 1_000_000_000;
/// The subnet owner cut subtensor starts with (11 796 / 65 535 ≈ 18 %).
pub const DEFAULT_OWNER_CUT: u16 = 11_796;

/// The block emission (rao) for a total issuance: 1 TAO, halved each time issuance crosses
/// `21M · (1 − 2^−k)`, and 0 at the supply cap. The same function gives a subnet's alpha
/// emission from its alpha issuance.
pub fn block_emission(issuance: u64) -> u64 {
    let issued = I96F32::saturating_from_num(issuance);
    if issued >= I96F32::saturating_from_num(TOTAL_SUPPLY) {
        return 0;
    }
    let one = I96F32::saturating_from_num(1);
    let half_supply_twice = I96F32::saturating_from_num(2)
        .saturating_mul(I96F32::saturating_from_num(10_500_000_000_000_000u64));
    // log2(1 / (1 − issued / 21M)); subtensor reports a failed step as an error, paid as 0.
    let residual = issued
        .checked_div(half_supply_twice)
        .and_then(|ratio| one.checked_sub(ratio))
        .and_then(|rest| one.checked_div(rest))
        .and_then(|x| log2::<I96F32, I96F32>(x).ok());
    let Some(residual) = residual else {
        return 0;
    };
    let halvings = residual.floor().saturating_to_num::<u64>();
    let mut divisor = one;
    for _ in 0..halvings.min(128) {
        divisor = divisor.saturating_mul(I96F32::saturating_from_num(2));
    }
    one.safe_div(divisor)
        .saturating_mul(I96F32::saturating_from_num(DEFAULT_BLOCK_EMISSION))
        .saturating_to_num::<u64>()
}

/// One block's alpha-out for a subnet, split as `emit_to_subnets` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AlphaOutSplit {
    /// Added to `PendingOwnerCut`.
    pub owner_cut: u64,
    /// Added to `PendingServerEmission` (miners).
    pub server: u64,
    /// Added to `PendingValidatorEmission`.
    pub validator: u64,
    /// Root stakers' share: `PendingRootAlphaDivs` when root sells, otherwise recycled.
    pub root: u64,
}

/// Splits `alpha_out` into the owner cut (when enabled; `owner_cut` is a u16 proportion), then
/// half to miners, and the validators' half less the root proportion's share.
/// `root_proportion` is `tao_weight·root_tao / (tao_weight·root_tao + alpha_issuance)`.
pub fn split_alpha_out(
    alpha_out: U96F32,
    owner_cut: Option<u16>,
    root_proportion: U96F32,
) -> AlphaOutSplit {
    let half = U96F32::saturating_from_num(0.5);
    let mut rest = alpha_out;
    let mut owner = U96F32::saturating_from_num(0);
    if let Some(cut) = owner_cut {
        let cut = U96F32::saturating_from_num(cut).safe_div(U96F32::saturating_from_num(u16::MAX));
        owner = rest.saturating_mul(cut);
        rest = rest.saturating_sub(owner);
    }
    let root = root_proportion.saturating_mul(rest).saturating_mul(half);
    let server = rest.saturating_mul(half);
    let validator = rest.saturating_sub(server).saturating_sub(root);
    let rao = |x: U96F32| x.saturating_to_num::<u64>();
    AlphaOutSplit {
        owner_cut: rao(owner),
        server: rao(server),
        validator: rao(validator),
        root: rao(root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv6_alpha_out_split() {
        let alpha_out = U96F32::saturating_from_num(1_000_000_000u64);
        let none = split_alpha_out(alpha_out, Some(DEFAULT_OWNER_CUT), U96F32::from_num(0));
        assert_eq!(
            none,
            AlphaOutSplit {
                owner_cut: 179_995_422,
                server: 410_002_288,
                validator: 410_002_288,
                root: 0
            }
        );
        let quarter = split_alpha_out(alpha_out, Some(DEFAULT_OWNER_CUT), U96F32::from_num(0.25));
        assert_eq!(
            quarter,
            AlphaOutSplit {
                owner_cut: 179_995_422,
                server: 410_002_288,
                validator: 307_501_716,
                root: 102_500_572
            }
        );
    }

    #[test]
    fn owner_cut_disabled_leaves_everything_to_participants() {
        let s = split_alpha_out(U96F32::from_num(1000), None, U96F32::from_num(0));
        assert_eq!(
            (s.owner_cut, s.server, s.validator, s.root),
            (0, 500, 500, 0)
        );
    }

    #[test]
    fn tv6_block_emission() {
        for (issuance, expected) in [
            (0, 1_000_000_000),
            (10_499_999_999_999_999, 1_000_000_000),
            (10_500_000_000_000_000, 500_000_000),
            (15_750_000_000_000_000, 250_000_000),
            (18_375_000_000_000_000, 125_000_000),
            (20_999_999_000_000_000, 59),
            (20_999_999_999_999_999, 0),
            (u64::MAX, 0),
        ] {
            assert_eq!(block_emission(issuance), expected, "issuance {issuance}");
        }
    }
}
