//! `System` (index 0): accounts and nonces, block number and hashes, events, raw storage calls.

use crate::hashing::KeyHasher;
use crate::primitives::{AccountId32, DispatchError, DispatchEventInfo, H256, Weight};
use crate::runtime::storage::{self, Modifier};
use crate::runtime::{
    Ctx, DispatchResult, EventRecord, Origin, RuntimeEvent, ensure_root, ensure_signed,
};
use frame_metadata::v15::{PalletConstantMetadata, PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name (storage prefix).
pub const PALLET: &str = "System";
/// Pallet index.
pub const INDEX: u8 = 0;

/// Balance data kept inside `System.Account` (pallet_balances' account data).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct AccountData {
    /// Free balance.
    pub free: u64,
    /// Reserved balance.
    pub reserved: u64,
    /// Frozen balance.
    pub frozen: u64,
    /// Flags.
    pub flags: ExtraFlags,
}

/// pallet_balances' account flags (bit 127 = "new logic").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ExtraFlags(pub u128);

impl Default for ExtraFlags {
    fn default() -> Self {
        ExtraFlags(1u128 << 127)
    }
}

/// The value of `System.Account`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct AccountInfo {
    /// Number of transactions sent.
    pub nonce: u32,
    /// Consumer references.
    pub consumers: u32,
    /// Provider references (the account exists while this is non-zero).
    pub providers: u32,
    /// Sufficient references.
    pub sufficients: u32,
    /// Balances.
    pub data: AccountData,
}

/// Calls of `System` (names and indices as in subtensor).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Make some on-chain remark.
    #[codec(index = 0)]
    remark {
        /// The remark.
        remark: Vec<u8>,
    },
    /// Set some items of storage (root).
    #[codec(index = 4)]
    set_storage {
        /// Raw key/value pairs.
        items: Vec<(Vec<u8>, Vec<u8>)>,
    },
    /// Kill some items from storage (root).
    #[codec(index = 5)]
    kill_storage {
        /// Raw keys.
        keys: Vec<Vec<u8>>,
    },
    /// Make some on-chain remark and emit an event.
    #[codec(index = 7)]
    remark_with_event {
        /// The remark.
        remark: Vec<u8>,
    },
}

/// Events of `System`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// An extrinsic completed successfully.
    #[codec(index = 0)]
    ExtrinsicSuccess {
        /// Dispatch information.
        dispatch_info: DispatchEventInfo,
    },
    /// An extrinsic failed.
    #[codec(index = 1)]
    ExtrinsicFailed {
        /// Why.
        dispatch_error: DispatchError,
        /// Dispatch information.
        dispatch_info: DispatchEventInfo,
    },
    /// A new account was created.
    #[codec(index = 3)]
    NewAccount {
        /// The account.
        account: AccountId32,
    },
    /// An account was reaped.
    #[codec(index = 4)]
    KilledAccount {
        /// The account.
        account: AccountId32,
    },
    /// On-chain remark happened.
    #[codec(index = 5)]
    Remarked {
        /// Who.
        sender: AccountId32,
        /// blake2-256 of the remark.
        hash: H256,
    },
}

/// Errors of `System` (all of subtensor's, in order).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    /// The name of specification does not match between the current runtime and the new one.
    InvalidSpecName,
    /// The specification version is not allowed to decrease.
    SpecVersionNeedsToIncrease,
    /// Failed to extract the runtime version from the new runtime.
    FailedToExtractRuntimeVersion,
    /// Suicide called when the account has non-default composite data.
    NonDefaultComposite,
    /// There is a non-zero reference count preventing the account from being purged.
    NonZeroRefCount,
    /// The origin filter prevent the call to be dispatched.
    CallFiltered,
    /// A multi-block migration is ongoing and prevents the current code from being replaced.
    MultiBlockMigrationsOngoing,
    /// No upgrade authorized.
    NothingAuthorized,
    /// The submitted code is not authorized.
    Unauthorized,
}

impl Call {
    /// Weight of the call.
    pub fn weight(&self) -> Weight {
        let bytes = self.encoded_size() as u64;
        Weight {
            ref_time: 5_000_000 + 2_000 * bytes,
            proof_size: 0,
        }
    }
}

/// Key of `System.Account(who)`.
pub fn account_key(who: &AccountId32) -> Vec<u8> {
    storage::map_key(PALLET, "Account", KeyHasher::Blake2_128Concat, &who.0)
}

/// Reads an account (default when missing).
pub fn account(state: &crate::state::State, who: &AccountId32) -> AccountInfo {
    state.get(&account_key(who)).unwrap_or_default()
}

/// Writes an account; an account with no references and no balance is removed.
pub fn set_account(state: &mut crate::state::State, who: &AccountId32, info: &AccountInfo) {
    if info.providers == 0
        && info.consumers == 0
        && info.sufficients == 0
        && info.nonce == 0
        && info.data.free == 0
        && info.data.reserved == 0
    {
        state.remove(&account_key(who));
    } else {
        state.put(account_key(who), info);
    }
}

/// Key of `System.Number`.
pub fn number_key() -> Vec<u8> {
    storage::value_key(PALLET, "Number")
}

/// Key of `System.ParentHash`.
pub fn parent_hash_key() -> Vec<u8> {
    storage::value_key(PALLET, "ParentHash")
}

/// Key of `System.BlockHash(n)`.
pub fn block_hash_key(n: u32) -> Vec<u8> {
    storage::map_key(PALLET, "BlockHash", KeyHasher::Twox64Concat, &n.encode())
}

/// Key of `System.Events`.
pub fn events_key() -> Vec<u8> {
    storage::value_key(PALLET, "Events")
}

/// Key of `System.EventCount`.
pub fn event_count_key() -> Vec<u8> {
    storage::value_key(PALLET, "EventCount")
}

/// Key of `System.ExtrinsicCount`.
pub fn extrinsic_count_key() -> Vec<u8> {
    storage::value_key(PALLET, "ExtrinsicCount")
}

/// Dispatches a `System` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    match call {
        Call::remark { .. } => {
            ensure_signed(origin)?;
        }
        Call::remark_with_event { remark } => {
            let sender = ensure_signed(origin)?;
            let hash = H256(crate::hashing::blake2_256(remark));
            ctx.deposit(RuntimeEvent::System(Event::Remarked { sender, hash }));
        }
        Call::set_storage { items } => {
            ensure_root(origin)?;
            for (k, v) in items {
                ctx.state.put_raw(k.clone(), v.clone());
            }
        }
        Call::kill_storage { keys } => {
            ensure_root(origin)?;
            for k in keys {
                ctx.state.remove(k);
            }
        }
    }
    Ok(())
}

/// Constants: `BlockHashCount`, `Version`, `SS58Prefix`.
pub fn metadata() -> PalletMetadata {
    let events_default: Vec<EventRecord> = Vec::new();
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: vec![
                storage::map::<AccountId32, AccountInfo>(
                    "Account",
                    &[KeyHasher::Blake2_128Concat],
                    Modifier::Default,
                    // Substrate's default has the "new logic" flag set.
                    AccountInfo::default().encode(),
                    &[" The full account information for a particular account ID."],
                ),
                storage::plain::<u32>(
                    "ExtrinsicCount",
                    Modifier::Optional,
                    vec![0],
                    &[" Total extrinsics count for the current block."],
                ),
                storage::map::<u32, H256>(
                    "BlockHash",
                    &[KeyHasher::Twox64Concat],
                    Modifier::Default,
                    vec![0; 32],
                    &[" Map of block numbers to block hashes."],
                ),
                storage::plain::<u32>(
                    "Number",
                    Modifier::Default,
                    0u32.encode(),
                    &[" The current block number being processed."],
                ),
                storage::plain::<H256>(
                    "ParentHash",
                    Modifier::Default,
                    vec![0; 32],
                    &[" Hash of the previous block."],
                ),
                storage::plain::<Vec<EventRecord>>(
                    "Events",
                    Modifier::Default,
                    events_default.encode(),
                    &[" Events deposited for the current block."],
                ),
                storage::plain::<u32>(
                    "EventCount",
                    Modifier::Default,
                    0u32.encode(),
                    &[" The number of events in the `Events<T>` list."],
                ),
            ],
        }),
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![
            PalletConstantMetadata {
                name: "BlockHashCount",
                ty: meta_type::<u32>(),
                value: crate::runtime::BLOCK_HASH_COUNT.encode(),
                docs: vec![
                    " Maximum number of block number to block hash mappings to keep (oldest pruned first).",
                ],
            },
            PalletConstantMetadata {
                name: "Version",
                ty: meta_type::<crate::runtime::apis::RuntimeVersion>(),
                value: crate::runtime::apis::RuntimeVersion::current().encode(),
                docs: vec![" Get the chain's in-code version."],
            },
            PalletConstantMetadata {
                name: "SS58Prefix",
                ty: meta_type::<u16>(),
                value: crate::keys::SS58_PREFIX.encode(),
                docs: vec![" The designated SS58 prefix of this chain."],
            },
        ],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
