//! `Sudo` (index 12): one key (`//Alice` on `--dev`) that may dispatch calls as root.

use super::balances::lookup;
use crate::primitives::{AccountId32, DispatchError, MultiAddress, Weight};
use crate::runtime::storage::{self, Modifier};
use crate::runtime::{
    Ctx, DispatchResult, Origin, RuntimeCall, RuntimeEvent, dispatch as dispatch_call,
    ensure_signed, module_error,
};
use crate::state::State;
use frame_metadata::v15::{PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "Sudo";
/// Pallet index.
pub const INDEX: u8 = 12;

/// Calls of `Sudo` (names and indices as in subtensor).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Dispatch a call with root origin.
    #[codec(index = 0)]
    sudo {
        /// The call.
        call: Box<RuntimeCall>,
    },
    /// Dispatch a call with root origin, with a declared weight.
    #[codec(index = 1)]
    sudo_unchecked_weight {
        /// The call.
        call: Box<RuntimeCall>,
        /// Declared weight.
        weight: Weight,
    },
    /// Set the sudo key.
    #[codec(index = 2)]
    set_key {
        /// New key.
        new: MultiAddress,
    },
    /// Dispatch a call as another signed account.
    #[codec(index = 3)]
    sudo_as {
        /// The account to act as.
        who: MultiAddress,
        /// The call.
        call: Box<RuntimeCall>,
    },
    /// Remove the sudo key forever.
    #[codec(index = 4)]
    remove_key,
}

/// Events of `Sudo`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// A sudo call just took place.
    #[codec(index = 0)]
    Sudid {
        /// The result of the call made by the sudo user.
        sudo_result: Result<(), DispatchError>,
    },
    /// The sudo key has been updated.
    #[codec(index = 1)]
    KeyChanged {
        /// The old key, if any.
        old: Option<AccountId32>,
        /// The new key.
        new: AccountId32,
    },
    /// The key was permanently removed.
    #[codec(index = 2)]
    KeyRemoved,
    /// A `sudo_as` call just took place.
    #[codec(index = 3)]
    SudoAsDone {
        /// The result of the call made by the sudo user.
        sudo_result: Result<(), DispatchError>,
    },
}

/// Errors of `Sudo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    /// Sender must be the Sudo account.
    RequireSudo,
}

impl Call {
    /// Weight of the call (its own cost plus the inner call's).
    pub fn weight(&self) -> Weight {
        let own = Weight {
            ref_time: 10_000_000,
            proof_size: 1_500,
        };
        match self {
            Call::sudo { call } | Call::sudo_as { call, .. } => {
                let inner = call.weight();
                Weight {
                    ref_time: own.ref_time.saturating_add(inner.ref_time),
                    proof_size: own.proof_size.saturating_add(inner.proof_size),
                }
            }
            Call::sudo_unchecked_weight { weight, .. } => *weight,
            _ => own,
        }
    }
}

/// Key of `Sudo.Key`.
pub fn key_key() -> Vec<u8> {
    storage::value_key(PALLET, "Key")
}

/// The sudo key, if set.
pub fn key(state: &State) -> Option<AccountId32> {
    state.get(&key_key())
}

fn ensure_sudo(ctx: &Ctx<'_>, origin: Origin) -> Result<AccountId32, DispatchError> {
    let who = ensure_signed(origin)?;
    if key(ctx.state) == Some(who) {
        Ok(who)
    } else {
        Err(module_error(INDEX, Error::RequireSudo))
    }
}

/// Dispatches a `Sudo` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    let sudoer = ensure_sudo(ctx, origin)?;
    match call {
        Call::sudo { call } | Call::sudo_unchecked_weight { call, .. } => {
            let sudo_result = dispatch_call(ctx, Origin::Root, call);
            ctx.deposit(RuntimeEvent::Sudo(Event::Sudid { sudo_result }));
        }
        Call::sudo_as { who, call } => {
            let who = lookup(who)?;
            let sudo_result = dispatch_call(ctx, Origin::Signed(who), call);
            ctx.deposit(RuntimeEvent::Sudo(Event::SudoAsDone { sudo_result }));
        }
        Call::set_key { new } => {
            let new = lookup(new)?;
            ctx.state.put(key_key(), &new);
            ctx.deposit(RuntimeEvent::Sudo(Event::KeyChanged {
                old: Some(sudoer),
                new,
            }));
        }
        Call::remove_key => {
            ctx.state.remove(&key_key());
            ctx.deposit(RuntimeEvent::Sudo(Event::KeyRemoved));
        }
    }
    Ok(())
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: vec![storage::plain::<AccountId32>(
                "Key",
                Modifier::Optional,
                vec![0],
                &[" The `AccountId` of the sudo key."],
            )],
        }),
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
