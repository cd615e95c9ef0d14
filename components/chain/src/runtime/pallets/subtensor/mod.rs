//! `SubtensorModule` (index 7): subnets, registration, staking, weights, serving, and the
//! per-block coinbase and epochs, with subtensor's names, call indices, errors and events.
//!
//! The logic lives in one module per concern ([`registration`], [`staking`], [`weights`],
//! [`coinbase`], [`epoch`]); all state is kept in the storage [`items`] clients read, so what a
//! client sees is exactly what the logic uses.

pub mod coinbase;
pub mod epoch;
pub mod items;
pub mod registration;
pub mod staking;
pub mod types;
pub mod weights;

use crate::primitives::{AccountId32, DispatchError, Weight};
use crate::runtime::{Ctx, DispatchResult, Origin, ensure_signed, module_error};
use frame_metadata::v15::{PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};
use types::NetUid;

/// Pallet name.
pub const PALLET: &str = "SubtensorModule";
/// Pallet index.
pub const INDEX: u8 = 7;

/// Calls of `SubtensorModule` (the subset the devnet implements; names and indices as in
/// subtensor).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Sets the caller hotkey's weights on mechanism 0 of a subnet.
    #[codec(index = 0)]
    set_weights {
        /// Subnet.
        netuid: NetUid,
        /// Target uids.
        dests: Vec<u16>,
        /// Weights, in the order of `dests`.
        weights: Vec<u16>,
        /// The validator's version key.
        version_key: u64,
    },
    /// Stakes TAO from the caller (coldkey) to a hotkey on a subnet.
    #[codec(index = 2)]
    add_stake {
        /// Hotkey staked to.
        hotkey: AccountId32,
        /// Subnet.
        netuid: NetUid,
        /// TAO in rao.
        amount_staked: u64,
    },
    /// Unstakes alpha from a hotkey back to the caller's free balance.
    #[codec(index = 3)]
    remove_stake {
        /// Hotkey unstaked from.
        hotkey: AccountId32,
        /// Subnet.
        netuid: NetUid,
        /// Alpha in rao.
        amount_unstaked: u64,
    },
    /// Publishes the caller hotkey's axon endpoint.
    #[codec(index = 4)]
    serve_axon {
        /// Subnet.
        netuid: NetUid,
        /// Axon version.
        version: u32,
        /// IP address.
        ip: u128,
        /// Port.
        port: u16,
        /// 4 or 6.
        ip_type: u8,
        /// Protocol.
        protocol: u8,
        /// Unused.
        placeholder1: u8,
        /// Unused.
        placeholder2: u8,
    },
    /// Proof-of-work registration: the proof is not checked; it registers like
    /// `burned_register` (as subtensor does since 2026).
    #[codec(index = 6)]
    register {
        /// Subnet.
        netuid: NetUid,
        /// Block of the work (ignored).
        block_number: u64,
        /// Nonce (ignored).
        nonce: u64,
        /// Work (ignored).
        work: Vec<u8>,
        /// Hotkey to register.
        hotkey: AccountId32,
        /// Coldkey (ignored: the signer pays).
        coldkey: AccountId32,
    },
    /// Registers a hotkey on a subnet, paying the burn from the caller (coldkey).
    #[codec(index = 7)]
    burned_register {
        /// Subnet.
        netuid: NetUid,
        /// Hotkey to register.
        hotkey: AccountId32,
    },
    /// Creates a subnet owned by the caller, with `hotkey` as its owner hotkey (uid 0).
    #[codec(index = 59)]
    register_network {
        /// Owner hotkey.
        hotkey: AccountId32,
    },
    /// `add_stake` that fails (or fills partially) above a price limit.
    #[codec(index = 88)]
    add_stake_limit {
        /// Hotkey staked to.
        hotkey: AccountId32,
        /// Subnet.
        netuid: NetUid,
        /// TAO in rao.
        amount_staked: u64,
        /// Highest acceptable price (rao of TAO per alpha).
        limit_price: u64,
        /// Whether a partial fill is acceptable.
        allow_partial: bool,
    },
    /// `remove_stake` that fails (or fills partially) below a price limit.
    #[codec(index = 89)]
    remove_stake_limit {
        /// Hotkey unstaked from.
        hotkey: AccountId32,
        /// Subnet.
        netuid: NetUid,
        /// Alpha in rao.
        amount_unstaked: u64,
        /// Lowest acceptable price (rao of TAO per alpha).
        limit_price: u64,
        /// Whether a partial fill is acceptable.
        allow_partial: bool,
    },
    /// Starts emission on a subnet (owner only).
    #[codec(index = 92)]
    start_call {
        /// Subnet.
        netuid: NetUid,
    },
    /// Sets the caller hotkey's weights on one mechanism of a subnet.
    #[codec(index = 119)]
    set_mechanism_weights {
        /// Subnet.
        netuid: NetUid,
        /// Mechanism.
        mecid: u8,
        /// Target uids.
        dests: Vec<u16>,
        /// Weights, in the order of `dests`.
        weights: Vec<u16>,
        /// The validator's version key.
        version_key: u64,
    },
}

/// Events of `SubtensorModule` (the ones the devnet emits, with subtensor's indices).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// A subnet was added: (netuid, mechanism).
    #[codec(index = 0)]
    NetworkAdded(NetUid, u16),
    /// Stake added: (coldkey, hotkey, tao, alpha, netuid, fee).
    #[codec(index = 2)]
    StakeAdded(AccountId32, AccountId32, u64, u64, NetUid, u64),
    /// Stake removed: (coldkey, hotkey, tao, alpha, netuid, fee).
    #[codec(index = 3)]
    StakeRemoved(AccountId32, AccountId32, u64, u64, NetUid, u64),
    /// Weights set: (netuid storage index, uid).
    #[codec(index = 5)]
    WeightsSet(u16, u16),
    /// A neuron registered: (netuid, uid, hotkey).
    #[codec(index = 6)]
    NeuronRegistered(NetUid, u16, AccountId32),
    /// An axon was served: (netuid, hotkey).
    #[codec(index = 28)]
    AxonServed(NetUid, AccountId32),
    /// Emission starts at a block: (netuid, block).
    #[codec(index = 89)]
    FirstEmissionBlockNumberSet(NetUid, u64),
}

/// Errors of `SubtensorModule`: all of subtensor's, in its order (so indices match); the names
/// are subtensor's and say what failed.
#[allow(missing_docs)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    RootNetworkDoesNotExist,
    InvalidIpType,
    InvalidIpAddress,
    InvalidPort,
    HotKeyNotRegisteredInSubNet,
    HotKeyAccountNotExists,
    HotKeyNotRegisteredInNetwork,
    NonAssociatedColdKey,
    NotEnoughStake,
    NotEnoughStakeToWithdraw,
    NotEnoughStakeToSetWeights,
    NotEnoughStakeToSetChildkeys,
    NotEnoughBalanceToStake,
    BalanceWithdrawalError,
    ZeroBalanceAfterWithdrawn,
    NeuronNoValidatorPermit,
    WeightVecNotEqualSize,
    DuplicateUids,
    UidVecContainInvalidOne,
    WeightVecLengthIsLow,
    TooManyRegistrationsThisBlock,
    HotKeyAlreadyRegisteredInSubNet,
    NewHotKeyIsSameWithOld,
    InvalidWorkBlock,
    InvalidDifficulty,
    InvalidSeal,
    MaxWeightExceeded,
    HotKeyAlreadyDelegate,
    SettingWeightsTooFast,
    IncorrectWeightVersionKey,
    ServingRateLimitExceeded,
    UidsLengthExceedUidsInSubNet,
    NetworkTxRateLimitExceeded,
    DelegateTxRateLimitExceeded,
    HotKeySetTxRateLimitExceeded,
    StakingRateLimitExceeded,
    SubNetRegistrationDisabled,
    TooManyRegistrationsThisInterval,
    TransactorAccountShouldBeHotKey,
    FaucetDisabled,
    NotSubnetOwner,
    RegistrationNotPermittedOnRootSubnet,
    StakeTooLowForRoot,
    AllNetworksInImmunity,
    NotEnoughBalanceToPaySwapHotKey,
    NotRootSubnet,
    CanNotSetRootNetworkWeights,
    NoNeuronIdAvailable,
    DelegateTakeTooLow,
    DelegateTakeTooHigh,
    NoWeightsCommitFound,
    InvalidRevealCommitHashNotMatch,
    CommitRevealEnabled,
    CommitRevealDisabled,
    LiquidAlphaDisabled,
    AlphaHighTooLow,
    AlphaLowOutOfRange,
    ColdKeyAlreadyAssociated,
    NotEnoughBalanceToPaySwapColdKey,
    ColdkeyIsInArbitration,
    InvalidChild,
    DuplicateChild,
    ProportionOverflow,
    TooManyChildren,
    TxRateLimitExceeded,
    SwapAlreadyScheduled,
    FailedToSchedule,
    NewColdKeyIsHotkey,
    InvalidChildkeyTake,
    TxChildkeyTakeRateLimitExceeded,
    InvalidIdentity,
    MechanismDoesNotExist,
    CannotUnstakeLock,
    SubnetNotExists,
    TooManyUnrevealedCommits,
    ExpiredWeightCommit,
    RevealTooEarly,
    InputLengthsUnequal,
    CommittingWeightsTooFast,
    AmountTooLow,
    InsufficientLiquidity,
    SlippageTooHigh,
    TransferDisallowed,
    ActivityCutoffTooLow,
    CallDisabled,
    FirstEmissionBlockNumberAlreadySet,
    NeedWaitingMoreBlocksToStarCall,
    NotEnoughAlphaOutToRecycle,
    CannotBurnOrRecycleOnRootSubnet,
    UnableToRecoverPublicKey,
    InvalidRecoveredPublicKey,
    SubtokenDisabled,
    HotKeySwapOnSubnetIntervalNotPassed,
    ZeroMaxStakeAmount,
    SameNetuid,
    InsufficientBalance,
    StakingOperationRateLimitExceeded,
    InvalidLeaseBeneficiary,
    LeaseCannotEndInThePast,
    LeaseNetuidNotFound,
    LeaseDoesNotExist,
    LeaseHasNoEndBlock,
    LeaseHasNotEnded,
    Overflow,
    BeneficiaryDoesNotOwnHotkey,
    ExpectedBeneficiaryOrigin,
    AdminActionProhibitedDuringWeightsWindow,
    SymbolDoesNotExist,
    SymbolAlreadyInUse,
    IncorrectCommitRevealVersion,
    RevealPeriodTooLarge,
    RevealPeriodTooSmall,
    InvalidValue,
    SubnetLimitReached,
    CannotAffordLockCost,
    EvmKeyAssociateRateLimitExceeded,
    SameAutoStakeHotkeyAlreadySet,
    UidMapCouldNotBeCleared,
    TrimmingWouldExceedMaxImmunePercentage,
    ChildParentInconsistency,
    InvalidNumRootClaim,
    InvalidRootClaimThreshold,
    InvalidSubnetNumber,
}

impl From<Error> for DispatchError {
    fn from(e: Error) -> DispatchError {
        module_error(INDEX, e)
    }
}

impl Call {
    /// Weight of the call (flat figures of the order subtensor charges).
    pub fn weight(&self) -> Weight {
        let ref_time = match self {
            Call::set_weights { dests, .. } | Call::set_mechanism_weights { dests, .. } => {
                20_000_000 + 500_000 * dests.len() as u64
            }
            Call::register_network { .. } => 200_000_000,
            Call::register { .. } | Call::burned_register { .. } => 150_000_000,
            _ => 100_000_000,
        };
        Weight {
            ref_time,
            proof_size: 10_000,
        }
    }
}

/// Dispatches a `SubtensorModule` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    let who = ensure_signed(origin)?;
    match call {
        Call::set_weights {
            netuid,
            dests,
            weights,
            version_key,
        } => weights::set_weights(ctx, &who, *netuid, 0, dests, weights, *version_key),
        Call::set_mechanism_weights {
            netuid,
            mecid,
            dests,
            weights,
            version_key,
        } => weights::set_weights(ctx, &who, *netuid, *mecid, dests, weights, *version_key),
        Call::add_stake {
            hotkey,
            netuid,
            amount_staked,
        } => staking::add_stake(ctx, &who, hotkey, *netuid, *amount_staked, None),
        Call::add_stake_limit {
            hotkey,
            netuid,
            amount_staked,
            limit_price,
            allow_partial,
        } => staking::add_stake(
            ctx,
            &who,
            hotkey,
            *netuid,
            *amount_staked,
            Some((*limit_price, *allow_partial)),
        ),
        Call::remove_stake {
            hotkey,
            netuid,
            amount_unstaked,
        } => staking::remove_stake(ctx, &who, hotkey, *netuid, *amount_unstaked, None),
        Call::remove_stake_limit {
            hotkey,
            netuid,
            amount_unstaked,
            limit_price,
            allow_partial,
        } => staking::remove_stake(
            ctx,
            &who,
            hotkey,
            *netuid,
            *amount_unstaked,
            Some((*limit_price, *allow_partial)),
        ),
        Call::serve_axon {
            netuid,
            version,
            ip,
            port,
            ip_type,
            protocol,
            placeholder1,
            placeholder2,
        } => weights::serve_axon(
            ctx,
            &who,
            *netuid,
            types::AxonInfo {
                block: u64::from(ctx.block),
                version: *version,
                ip: *ip,
                port: *port,
                ip_type: *ip_type,
                protocol: *protocol,
                placeholder1: *placeholder1,
                placeholder2: *placeholder2,
            },
        ),
        Call::register { netuid, hotkey, .. } | Call::burned_register { netuid, hotkey } => {
            registration::burned_register(ctx, &who, *netuid, hotkey)
        }
        Call::register_network { hotkey } => registration::register_network(ctx, &who, hotkey),
        Call::start_call { netuid } => registration::start_call(ctx, &who, *netuid),
    }
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: items::metadata(),
        }),
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
