//! When a validator sets weights and what row it sets, per behaviour.

use localtensor_client::{AccountId, Metagraph};

use crate::validator::query::miners;
use crate::weights::{MovingAverages, normalize_max_upscale};

/// Whether weights are due at `block`: on multiples of `interval`, with a permit, and only if
/// a row set now (included in `block + 1`) passes the chain's rate limit and the previous
/// submission is at least `max(rate_limit, 1)` blocks old.
pub fn weights_due(
    block: u64,
    interval: u64,
    permit: bool,
    last_update: u64,
    rate_limit: u64,
    last_submitted: Option<u64>,
) -> bool {
    if interval == 0 || !block.is_multiple_of(interval) || !permit {
        return false;
    }
    let chain_ok = last_update == 0 || (block + 1).saturating_sub(last_update) >= rate_limit;
    let local_ok = last_submitted.is_none_or(|s| block.saturating_sub(s) >= rate_limit.max(1));
    chain_ok && local_ok
}

/// An honest row: the moving averages, max-upscaled.
pub fn honest_row(averages: &MovingAverages, my_uid: u16) -> Vec<(u16, u16)> {
    let values: Vec<(u16, u64)> = averages
        .nonzero()
        .into_iter()
        .filter(|(uid, _)| *uid != my_uid)
        .collect();
    normalize_max_upscale(&values)
}

/// A lazy row: the same weight on every miner (other uid with an axon).
pub fn uniform_row(mg: &Metagraph, me: &AccountId) -> Vec<(u16, u16)> {
    miners(&mg.neurons, me)
        .into_iter()
        .map(|n| (n.uid, u16::MAX))
        .collect()
}

/// A colluding row: the same weight on every registered target.
pub fn collusion_row(mg: &Metagraph, me: &AccountId, targets: &[AccountId]) -> Vec<(u16, u16)> {
    let values: Vec<(u16, u64)> = targets
        .iter()
        .filter(|t| *t != me)
        .filter_map(|t| mg.by_hotkey(t))
        .map(|n| (n.uid, 1))
        .collect();
    normalize_max_upscale(&values)
}

/// A copied row (the consensus vector or another validator's weights), without self.
pub fn copied_row(values: &[(u16, u16)], my_uid: u16) -> Vec<(u16, u16)> {
    let values: Vec<(u16, u64)> = values
        .iter()
        .filter(|(uid, _)| *uid != my_uid)
        .map(|(uid, w)| (*uid, u64::from(*w)))
        .collect();
    normalize_max_upscale(&values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_schedule_respects_interval_permit_and_rate_limit() {
        assert!(weights_due(10, 5, true, 0, 100, None));
        assert!(
            !weights_due(11, 5, true, 0, 100, None),
            "not on the interval"
        );
        assert!(!weights_due(10, 5, false, 0, 100, None), "no permit");
        assert!(
            !weights_due(10, 0, true, 0, 0, None),
            "interval 0 never sets"
        );
        // Included at 11: needs 11 - last >= limit.
        assert!(weights_due(10, 5, true, 6, 5, None));
        assert!(!weights_due(10, 5, true, 7, 5, None));
        // A submission not yet on chain counts too.
        assert!(!weights_due(10, 5, true, 0, 100, Some(5)));
        assert!(weights_due(10, 5, true, 0, 5, Some(5)));
        assert!(weights_due(10, 5, true, 0, 0, Some(5)));
        assert!(
            !weights_due(10, 5, true, 0, 0, Some(10)),
            "never twice in one block"
        );
    }

    #[test]
    fn copied_rows_drop_self_and_rescale() {
        assert_eq!(
            copied_row(&[(0, 100), (1, 50), (2, 0)], 0),
            vec![(1, 65_535)]
        );
        assert_eq!(copied_row(&[(3, 1)], 3), vec![]);
    }
}
