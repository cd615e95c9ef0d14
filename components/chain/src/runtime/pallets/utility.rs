//! `Utility` (index 11, subtensor's `pallet_subtensor_utility`): batches of calls.

use crate::primitives::{DispatchError, Weight};
use crate::runtime::{
    Ctx, DispatchResult, Origin, RuntimeCall, RuntimeEvent, dispatch as dispatch_call, ensure_root,
    module_error,
};
use frame_metadata::v15::{PalletConstantMetadata, PalletMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "Utility";
/// Pallet index.
pub const INDEX: u8 = 11;
/// Most calls in one batch (subtensor's `batched_calls_limit`).
pub const BATCHED_CALLS_LIMIT: u32 = 10_922;

/// Calls of `Utility` (the ones implemented, with subtensor's indices).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Dispatch calls in order, stopping at the first failure (the batch itself succeeds).
    #[codec(index = 0)]
    batch {
        /// The calls.
        calls: Vec<RuntimeCall>,
    },
    /// Dispatch calls in order, all or nothing.
    #[codec(index = 2)]
    batch_all {
        /// The calls.
        calls: Vec<RuntimeCall>,
    },
    /// Dispatch every call, whatever fails.
    #[codec(index = 4)]
    force_batch {
        /// The calls.
        calls: Vec<RuntimeCall>,
    },
    /// Dispatch a call with a declared weight (root).
    #[codec(index = 5)]
    with_weight {
        /// The call.
        call: Box<RuntimeCall>,
        /// Declared weight.
        weight: Weight,
    },
}

/// Events of `Utility` (the ones emitted here).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// A batch stopped at the call `index` with `error`.
    #[codec(index = 0)]
    BatchInterrupted {
        /// Index of the failed call.
        index: u32,
        /// Its error.
        error: DispatchError,
    },
    /// A batch completed.
    #[codec(index = 1)]
    BatchCompleted,
    /// A `force_batch` completed with some failures.
    #[codec(index = 2)]
    BatchCompletedWithErrors,
    /// One call of a batch succeeded.
    #[codec(index = 3)]
    ItemCompleted,
    /// One call of a `force_batch` failed.
    #[codec(index = 4)]
    ItemFailed {
        /// Its error.
        error: DispatchError,
    },
}

/// Errors of `Utility`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    /// Too many calls batched.
    TooManyCalls,
    /// Bad input data for derived account ID.
    InvalidDerivedAccount,
}

impl Call {
    /// Weight: the inner calls' plus a little per call.
    pub fn weight(&self) -> Weight {
        let sum = |calls: &[RuntimeCall]| {
            calls.iter().fold(
                Weight {
                    ref_time: 5_000_000,
                    proof_size: 0,
                },
                |w, c| {
                    let cw = c.weight();
                    Weight {
                        ref_time: w
                            .ref_time
                            .saturating_add(cw.ref_time)
                            .saturating_add(1_000_000),
                        proof_size: w.proof_size.saturating_add(cw.proof_size),
                    }
                },
            )
        };
        match self {
            Call::batch { calls } | Call::batch_all { calls } | Call::force_batch { calls } => {
                sum(calls)
            }
            Call::with_weight { weight, .. } => *weight,
        }
    }
}

fn check_len(calls: &[RuntimeCall]) -> DispatchResult {
    if calls.len() > BATCHED_CALLS_LIMIT as usize {
        return Err(module_error(INDEX, Error::TooManyCalls));
    }
    Ok(())
}

/// Dispatches a `Utility` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    match call {
        Call::batch { calls } => {
            check_len(calls)?;
            for (index, c) in calls.iter().enumerate() {
                if let Err(error) = dispatch_call(ctx, origin, c) {
                    ctx.deposit(RuntimeEvent::Utility(Event::BatchInterrupted {
                        index: index as u32,
                        error,
                    }));
                    return Ok(());
                }
                ctx.deposit(RuntimeEvent::Utility(Event::ItemCompleted));
            }
            ctx.deposit(RuntimeEvent::Utility(Event::BatchCompleted));
            Ok(())
        }
        Call::batch_all { calls } => {
            check_len(calls)?;
            // The outer dispatch is transactional: any failure undoes the earlier calls.
            for c in calls {
                dispatch_call(ctx, origin, c)?;
                ctx.deposit(RuntimeEvent::Utility(Event::ItemCompleted));
            }
            ctx.deposit(RuntimeEvent::Utility(Event::BatchCompleted));
            Ok(())
        }
        Call::force_batch { calls } => {
            check_len(calls)?;
            let mut failed = false;
            for c in calls {
                match dispatch_call(ctx, origin, c) {
                    Ok(()) => ctx.deposit(RuntimeEvent::Utility(Event::ItemCompleted)),
                    Err(error) => {
                        failed = true;
                        ctx.deposit(RuntimeEvent::Utility(Event::ItemFailed { error }));
                    }
                }
            }
            let done = if failed {
                Event::BatchCompletedWithErrors
            } else {
                Event::BatchCompleted
            };
            ctx.deposit(RuntimeEvent::Utility(done));
            Ok(())
        }
        Call::with_weight { call, .. } => {
            ensure_root(origin)?;
            dispatch_call(ctx, Origin::Root, call)
        }
    }
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: None,
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![PalletConstantMetadata {
            name: "batched_calls_limit",
            ty: meta_type::<u32>(),
            value: BATCHED_CALLS_LIMIT.encode(),
            docs: vec![" The limit on the number of batched calls."],
        }],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
