//! `TransactionPayment` (index 6): fee computation and the `TransactionFeePaid` event.
//!
//! The fee model is simplified (documented in the README): `fee = weight_to_fee(base + call
//! weight) + length * BYTE_FEE + tip`, with a constant multiplier of 1.

use crate::primitives::{AccountId32, DispatchClass, Weight};
use crate::runtime::storage::{self, Modifier};
use frame_metadata::v15::{PalletConstantMetadata, PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "TransactionPayment";
/// Pallet index.
pub const INDEX: u8 = 6;
/// Weight charged for every extrinsic on top of its call (Substrate's `ExtrinsicBaseWeight`).
pub const EXTRINSIC_BASE_WEIGHT: u64 = 125_000_000;
/// Fee per byte of the encoded extrinsic, in rao.
pub const BYTE_FEE: u64 = 1;
/// Ref-time picoseconds per rao of fee.
pub const REF_TIME_PER_RAO: u64 = 1_000;
/// Subtensor's operational fee multiplier.
pub const OPERATIONAL_FEE_MULTIPLIER: u8 = 5;

/// Events of `TransactionPayment`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee,
    /// has been paid by `who`.
    #[codec(index = 0)]
    TransactionFeePaid {
        /// Payer.
        who: AccountId32,
        /// Fee paid.
        actual_fee: u64,
        /// Tip included.
        tip: u64,
    },
}

/// A fixed-point multiplier with 18 decimals.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct FixedU128(pub u128);

/// Output of `TransactionPaymentApi_query_info`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct RuntimeDispatchInfo {
    /// Weight of the extrinsic.
    pub weight: Weight,
    /// Its class.
    pub class: DispatchClass,
    /// The fee without tip.
    pub partial_fee: u64,
}

/// Converts a weight to a fee.
pub fn weight_to_fee(weight: Weight) -> u64 {
    weight.ref_time / REF_TIME_PER_RAO
}

/// The fee of an extrinsic of `len` bytes whose call weighs `call_weight` (tip excluded).
pub fn compute_fee(len: usize, call_weight: Weight) -> u64 {
    let weight = EXTRINSIC_BASE_WEIGHT.saturating_add(call_weight.ref_time);
    weight_to_fee(Weight {
        ref_time: weight,
        proof_size: 0,
    })
    .saturating_add((len as u64).saturating_mul(BYTE_FEE))
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: vec![storage::plain::<FixedU128>(
                "NextFeeMultiplier",
                Modifier::Default,
                FixedU128(1_000_000_000_000_000_000).encode(),
                &[],
            )],
        }),
        calls: None,
        event: Some(meta_type::<Event>().into()),
        constants: vec![PalletConstantMetadata {
            name: "OperationalFeeMultiplier",
            ty: meta_type::<u8>(),
            value: OPERATIONAL_FEE_MULTIPLIER.encode(),
            docs: vec![],
        }],
        error: None,
        index: INDEX,
        docs: vec![],
    }
}
