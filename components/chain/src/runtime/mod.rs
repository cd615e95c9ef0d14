//! The runtime: pallets with their calls, storage, events and errors, the outer enums that tie
//! them together (with subtensor's pallet indices), and dispatch.
//!
//! A pallet is a module under `pallets/` exposing `Call`, `Event`, `Error` (as needed), a
//! `PALLET`/`INDEX` pair, storage accessors and a `metadata()` function. Adding a pallet means
//! adding its module, a variant to the outer enums below, and a line to `metadata::pallets`.

pub mod apis;
pub mod pallets;
pub mod storage;

use crate::primitives::{AccountId32, DispatchError, DispatchEventInfo, H256, ModuleError, Weight};
use crate::state::State;
use pallets::{
    admin_utils, balances, subtensor, sudo, system, timestamp, transaction_payment, utility,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// Runtime version: `spec_version` must be bumped whenever the metadata changes, because some
/// clients cache metadata by (genesis hash, spec version).
pub const SPEC_NAME: &str = "node-subtensor";
/// The spec version served (subtensor `main` at the time of writing, whose extension list we use).
pub const SPEC_VERSION: u32 = 425;
/// Transaction version.
pub const TRANSACTION_VERSION: u32 = 1;
/// Implementation version.
pub const IMPL_VERSION: u32 = 1;
/// Number of past block hashes kept for mortal-era checks (subtensor's `BlockHashCount`).
pub const BLOCK_HASH_COUNT: u32 = 2400;

/// Every callable function, as `pallet index ++ call index ++ args`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum RuntimeCall {
    /// System (index 0).
    #[codec(index = 0)]
    System(system::Call),
    /// Timestamp (index 2).
    #[codec(index = 2)]
    Timestamp(timestamp::Call),
    /// Balances (index 5).
    #[codec(index = 5)]
    Balances(balances::Call),
    /// SubtensorModule (index 7).
    #[codec(index = 7)]
    SubtensorModule(subtensor::Call),
    /// Utility (index 11).
    #[codec(index = 11)]
    Utility(utility::Call),
    /// Sudo (index 12).
    #[codec(index = 12)]
    Sudo(sudo::Call),
    /// AdminUtils (index 19).
    #[codec(index = 19)]
    AdminUtils(admin_utils::Call),
}

/// Every event.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum RuntimeEvent {
    /// System (index 0).
    #[codec(index = 0)]
    System(system::Event),
    /// Balances (index 5).
    #[codec(index = 5)]
    Balances(balances::Event),
    /// TransactionPayment (index 6).
    #[codec(index = 6)]
    TransactionPayment(transaction_payment::Event),
    /// SubtensorModule (index 7).
    #[codec(index = 7)]
    SubtensorModule(subtensor::Event),
    /// Utility (index 11).
    #[codec(index = 11)]
    Utility(utility::Event),
    /// Sudo (index 12).
    #[codec(index = 12)]
    Sudo(sudo::Event),
    /// AdminUtils (index 19).
    #[codec(index = 19)]
    AdminUtils(admin_utils::Event),
}

/// Every pallet error (the outer error enum of the metadata).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum RuntimeError {
    /// System (index 0).
    #[codec(index = 0)]
    System(system::Error),
    /// Balances (index 5).
    #[codec(index = 5)]
    Balances(balances::Error),
    /// SubtensorModule (index 7).
    #[codec(index = 7)]
    SubtensorModule(subtensor::Error),
    /// Utility (index 11).
    #[codec(index = 11)]
    Utility(utility::Error),
    /// Sudo (index 12).
    #[codec(index = 12)]
    Sudo(sudo::Error),
    /// AdminUtils (index 19).
    #[codec(index = 19)]
    AdminUtils(admin_utils::Error),
}

/// The marker type named `Runtime` in metadata.
#[derive(Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Runtime;

/// Where in the block an event was emitted.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Phase {
    /// While applying the extrinsic at this index.
    ApplyExtrinsic(u32),
    /// While finalizing the block.
    Finalization,
    /// While initializing the block.
    Initialization,
}

/// One entry of `System.Events`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EventRecord {
    /// Where it was emitted.
    pub phase: Phase,
    /// The event.
    pub event: RuntimeEvent,
    /// Topics (always empty here).
    pub topics: Vec<H256>,
}

/// Who dispatches a call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The root (sudo).
    Root,
    /// A signed account.
    Signed(AccountId32),
    /// Nobody (inherents).
    None,
}

/// Result of a dispatch.
pub type DispatchResult = Result<(), DispatchError>;

/// Turns a pallet's error enum into `DispatchError::Module`.
pub fn module_error(pallet_index: u8, error: impl Encode) -> DispatchError {
    let mut bytes = [0u8; 4];
    let encoded = error.encode();
    let n = encoded.len().min(4);
    bytes[..n].copy_from_slice(&encoded[..n]);
    DispatchError::Module(ModuleError {
        index: pallet_index,
        error: bytes,
    })
}

/// Execution context of one block: the state being changed and the events emitted so far.
pub struct Ctx<'a> {
    /// The state.
    pub state: &'a mut State,
    /// Events of this block (written to `System.Events` when the block is finished).
    pub events: Vec<EventRecord>,
    /// Current phase.
    pub phase: Phase,
    /// Number of the block being built.
    pub block: u32,
}

impl Ctx<'_> {
    /// Emits an event in the current phase.
    pub fn deposit(&mut self, event: RuntimeEvent) {
        self.events.push(EventRecord {
            phase: self.phase,
            event,
            topics: Vec::new(),
        });
    }

    /// Runs `f` in a transactional layer: on error, its state changes and events are undone.
    pub fn transactional<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, DispatchError>,
    ) -> Result<T, DispatchError> {
        let mark = self.events.len();
        self.state.begin();
        let result = f(self);
        if result.is_ok() {
            self.state.commit();
        } else {
            self.state.rollback();
            self.events.truncate(mark);
        }
        result
    }
}

impl RuntimeCall {
    /// The weight charged for this call.
    pub fn weight(&self) -> Weight {
        match self {
            RuntimeCall::System(c) => c.weight(),
            RuntimeCall::Timestamp(_) => Weight {
                ref_time: 10_000_000,
                proof_size: 1_500,
            },
            RuntimeCall::Balances(c) => c.weight(),
            RuntimeCall::Utility(c) => c.weight(),
            RuntimeCall::Sudo(c) => c.weight(),
            RuntimeCall::SubtensorModule(c) => c.weight(),
            RuntimeCall::AdminUtils(c) => c.weight(),
        }
    }

    /// Whether the sender pays a fee: subtensor exempts weights and serving (validators and
    /// miners sign them with hotkeys that usually hold no TAO).
    pub fn pays_fee(&self) -> bool {
        !matches!(
            self,
            RuntimeCall::SubtensorModule(
                subtensor::Call::set_weights { .. }
                    | subtensor::Call::set_mechanism_weights { .. }
                    | subtensor::Call::serve_axon { .. }
            )
        )
    }

    /// Dispatch information of this call when submitted as a signed transaction.
    pub fn dispatch_info(&self) -> DispatchEventInfo {
        DispatchEventInfo {
            weight: self.weight(),
            class: crate::primitives::DispatchClass::Normal,
            pays_fee: if self.pays_fee() {
                crate::primitives::Pays::Yes
            } else {
                crate::primitives::Pays::No
            },
        }
    }
}

/// Dispatches a call (in its own transactional layer).
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &RuntimeCall) -> DispatchResult {
    ctx.transactional(|ctx| match call {
        RuntimeCall::System(c) => system::dispatch(ctx, origin, c),
        RuntimeCall::Timestamp(c) => timestamp::dispatch(ctx, origin, c),
        RuntimeCall::Balances(c) => balances::dispatch(ctx, origin, c),
        RuntimeCall::Utility(c) => utility::dispatch(ctx, origin, c),
        RuntimeCall::Sudo(c) => sudo::dispatch(ctx, origin, c),
        RuntimeCall::SubtensorModule(c) => subtensor::dispatch(ctx, origin, c),
        RuntimeCall::AdminUtils(c) => admin_utils::dispatch(ctx, origin, c),
    })
}

/// Block initialisation (`on_initialize` of every pallet that has one): the subtensor block
/// step.
pub fn on_initialize(ctx: &mut Ctx<'_>) {
    subtensor::coinbase::block_step(ctx);
}

/// Requires a signed origin.
pub fn ensure_signed(origin: Origin) -> Result<AccountId32, DispatchError> {
    match origin {
        Origin::Signed(who) => Ok(who),
        _ => Err(DispatchError::BadOrigin),
    }
}

/// Requires the root origin.
pub fn ensure_root(origin: Origin) -> DispatchResult {
    match origin {
        Origin::Root => Ok(()),
        _ => Err(DispatchError::BadOrigin),
    }
}

/// Requires no origin (inherents).
pub fn ensure_none(origin: Origin) -> DispatchResult {
    match origin {
        Origin::None => Ok(()),
        _ => Err(DispatchError::BadOrigin),
    }
}
