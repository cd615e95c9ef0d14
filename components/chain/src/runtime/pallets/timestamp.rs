//! `Timestamp` (index 2): the block time, set by the `set` inherent at the start of every block.

use crate::primitives::Weight;
use crate::runtime::storage::{self, Modifier};
use crate::runtime::{Ctx, DispatchResult, Origin, ensure_none};
use frame_metadata::v15::{PalletConstantMetadata, PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "Timestamp";
/// Pallet index.
pub const INDEX: u8 = 2;
/// Minimum period between blocks in ms (subtensor: half of its 12 s block time).
pub const MINIMUM_PERIOD: u64 = 6_000;

/// Calls of `Timestamp`.
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Set the current time (inherent).
    #[codec(index = 0)]
    set {
        /// Milliseconds since the Unix epoch.
        #[codec(compact)]
        now: u64,
    },
}

/// Key of `Timestamp.Now`.
pub fn now_key() -> Vec<u8> {
    storage::value_key(PALLET, "Now")
}

/// Key of `Timestamp.DidUpdate`.
pub fn did_update_key() -> Vec<u8> {
    storage::value_key(PALLET, "DidUpdate")
}

/// Dispatches a `Timestamp` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    match call {
        Call::set { now } => {
            ensure_none(origin)?;
            ctx.state.put(now_key(), now);
            ctx.state.put(did_update_key(), &true);
            Ok(())
        }
    }
}

/// The weight of the inherent.
pub fn set_weight() -> Weight {
    Weight {
        ref_time: 10_000_000,
        proof_size: 1_500,
    }
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: vec![
                storage::plain::<u64>(
                    "Now",
                    Modifier::Default,
                    0u64.encode(),
                    &[" The current time for the current block."],
                ),
                storage::plain::<bool>(
                    "DidUpdate",
                    Modifier::Default,
                    false.encode(),
                    &[" Whether the timestamp has been updated in this block."],
                ),
            ],
        }),
        calls: Some(meta_type::<Call>().into()),
        event: None,
        constants: vec![PalletConstantMetadata {
            name: "MinimumPeriod",
            ty: meta_type::<u64>(),
            value: MINIMUM_PERIOD.encode(),
            docs: vec![" The minimum period between blocks."],
        }],
        error: None,
        index: INDEX,
        docs: vec![],
    }
}
