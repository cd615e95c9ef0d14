//! `SubtensorModule` storage items, named, keyed and defaulted exactly as in subtensor, so that
//! clients reading them by name (or by raw key) see the state the pallet's logic uses.
//!
//! Items keep subtensor's PascalCase names so they can be looked up in its source.
#![allow(non_upper_case_globals)]

use super::PALLET;
use super::types::{AxonInfo, FixedU128, NetUid};
use crate::hashing::KeyHasher::{Blake2_128Concat, Identity, Twox64Concat};
use crate::primitives::AccountId32;
use crate::runtime::storage::{DoubleMap, Map, TripleMap, Value};
use frame_metadata::v15::StorageEntryMetadata;
use std::marker::PhantomData;

macro_rules! value {
    ($(#[doc = $doc:literal])* $name:ident: $v:ty = $default:expr) => {
        $(#[doc = $doc])*
        pub const $name: Value<$v> = Value {
            pallet: PALLET,
            name: stringify!($name),
            default: || $default,
            docs: &[$($doc),*],
        };
    };
}

macro_rules! map {
    ($(#[doc = $doc:literal])* $name:ident: $h:ident $k:ty => $v:ty $(= $default:expr)?) => {
        $(#[doc = $doc])*
        pub const $name: Map<$k, $v> = Map {
            pallet: PALLET,
            name: stringify!($name),
            hasher: $h,
            default: map!(@default $($default)?),
            docs: &[$($doc),*],
            key_type: PhantomData,
        };
    };
    (@default) => { None };
    (@default $default:expr) => { Some(|| $default) };
}

macro_rules! double_map {
    ($(#[doc = $doc:literal])* $name:ident: ($h1:ident $k1:ty, $h2:ident $k2:ty) => $v:ty $(= $default:expr)?) => {
        $(#[doc = $doc])*
        pub const $name: DoubleMap<$k1, $k2, $v> = DoubleMap {
            pallet: PALLET,
            name: stringify!($name),
            hasher1: $h1,
            hasher2: $h2,
            default: map!(@default $($default)?),
            docs: &[$($doc),*],
            key_types: PhantomData,
        };
    };
}

const ZERO_ACCOUNT: AccountId32 = AccountId32([0; 32]);

// Network-wide values.
value!(/// TAO issued: free balances plus staked TAO.
    TotalIssuance: u64 = 0);
value!(/// TAO staked across subnets.
    TotalStake: u64 = 0);
value!(/// Number of subnets, root included.
    TotalNetworks: u16 = 0);
value!(/// The last block emission.
    BlockEmission: u64 = 1_000_000_000);
value!(/// The owner's share of alpha emission (u16 proportion).
    SubnetOwnerCut: u16 = 11_796);
value!(/// Weight of root TAO stake against alpha (u64 proportion).
    TaoWeight: u64 = 971_718_665_099_567_868);
value!(/// Minimum stake for a validator's stake to count.
    StakeThreshold: u64 = 0);
value!(/// Transaction rate limit in blocks.
    TxRateLimit: u64 = 1000);
value!(/// Lower bound for activity cutoffs.
    MinActivityCutoff: u16 = 360);
value!(/// Minimum lock cost of a subnet registration.
    NetworkMinLockCost: u64 = 1_000_000_000_000);
value!(/// The last subnet lock cost paid.
    NetworkLastLockCost: u64 = 1_000_000_000_000);
value!(/// Blocks over which the lock cost halves back.
    NetworkLockReductionInterval: u64 = 100_800);
value!(/// Blocks between subnet registrations.
    NetworkRateLimit: u64 = 7200);
value!(/// Maximum number of subnets.
    SubnetLimit: u16 = 128);

// Per subnet.
map!(/// Whether the subnet exists.
    NetworksAdded: Identity NetUid => bool = false);
map!(/// Number of uids in the subnet.
    SubnetworkN: Identity NetUid => u16 = 0);
map!(/// Blocks per epoch.
    Tempo: Identity NetUid => u16 = 360);
map!(/// Current burn cost of a registration.
    Burn: Identity NetUid => u64 = 100_000_000);
map!(/// Lower bound of the burn.
    MinBurn: Identity NetUid => u64 = 500_000);
map!(/// Upper bound of the burn.
    MaxBurn: Identity NetUid => u64 = 100_000_000_000);
map!(/// Consensus majority (u16 proportion).
    Kappa: Identity NetUid => u16 = 32_767);
map!(/// Sigmoid steepness (unused by the epoch).
    Rho: Identity NetUid => u16 = 10);
map!(/// Blocks a new registration is immune from pruning.
    ImmunityPeriod: Identity NetUid => u16 = 4096);
map!(/// Minimum number of weights a validator must set.
    MinAllowedWeights: Identity NetUid => u16 = 1024);
map!(/// Maximum weight (no cap at u16::MAX).
    MaxWeightsLimit: Identity NetUid => u16 = u16::MAX);
map!(/// Maximum number of validator permits.
    MaxAllowedValidators: Identity NetUid => u16 = 128);
map!(/// Maximum number of uids.
    MaxAllowedUids: Identity NetUid => u16 = 4096);
map!(/// Blocks without a weight update after which a validator is inactive.
    ActivityCutoff: Identity NetUid => u16 = 5000);
map!(/// Bonds moving average, per million.
    BondsMovingAverage: Identity NetUid => u64 = 900_000);
map!(/// Bonds penalty (u16 proportion).
    BondsPenalty: Identity NetUid => u16 = u16::MAX);
map!(/// Liquid alpha sigmoid steepness.
    AlphaSigmoidSteepness: Identity NetUid => i16 = 1000);
map!(/// Liquid alpha (low, high).
    AlphaValues: Identity NetUid => (u16, u16) = (45_875, 58_982));
map!(/// Whether registrations are open.
    NetworkRegistrationAllowed: Identity NetUid => bool = true);
map!(/// Whether proof-of-work registrations are open.
    NetworkPowRegistrationAllowed: Identity NetUid => bool = true);
map!(/// Minimum blocks between two weight updates of a uid.
    WeightsSetRateLimit: Identity NetUid => u64 = 100);
map!(/// Whether weights must be committed and revealed.
    CommitRevealWeightsEnabled: Identity NetUid => bool = true);
map!(/// Minimum weights version key.
    WeightsVersionKey: Identity NetUid => u64 = 0);
map!(/// Minimum blocks between two axon updates.
    ServingRateLimit: Identity NetUid => u64 = 50);
map!(/// Proof-of-work difficulty (legacy registration).
    Difficulty: Identity NetUid => u64 = 10_000_000);
map!(/// Blocks between registration price adjustments.
    AdjustmentInterval: Identity NetUid => u16 = 100);
map!(/// Inertia of the registration price adjustment (u64 proportion).
    AdjustmentAlpha: Identity NetUid => u64 = 0);
map!(/// Target registrations per adjustment interval.
    TargetRegistrationsPerInterval: Identity NetUid => u16 = 2);
map!(/// Maximum registrations in one block.
    MaxRegistrationsPerBlock: Identity NetUid => u16 = 1);
map!(/// Registrations in the current block.
    RegistrationsThisBlock: Identity NetUid => u16 = 0);
map!(/// Registrations in the current adjustment interval.
    RegistrationsThisInterval: Identity NetUid => u16 = 0);
map!(/// Burn registrations in the current adjustment interval.
    BurnRegistrationsThisInterval: Identity NetUid => u16 = 0);
map!(/// Proof-of-work registrations in the current adjustment interval.
    POWRegistrationsThisInterval: Identity NetUid => u16 = 0);
map!(/// Block of the last registration price adjustment.
    LastAdjustmentBlock: Identity NetUid => u64 = 0);
map!(/// TAO recycled by registrations.
    RAORecycledForRegistration: Identity NetUid => u64 = 0);
map!(/// Number of owner hotkeys immune from pruning.
    ImmuneOwnerUidsLimit: Identity NetUid => u16 = 1);
map!(/// TAO in the subnet's pool.
    SubnetTAO: Identity NetUid => u64 = 0);
map!(/// Alpha in the subnet's pool.
    SubnetAlphaIn: Identity NetUid => u64 = 0);
map!(/// Alpha outstanding (staked).
    SubnetAlphaOut: Identity NetUid => u64 = 0);
map!(/// TAO injected into the pool in the last block.
    SubnetTaoInEmission: Identity NetUid => u64 = 0);
map!(/// Alpha injected into the pool in the last block.
    SubnetAlphaInEmission: Identity NetUid => u64 = 0);
map!(/// Alpha emitted to stakers in the last block.
    SubnetAlphaOutEmission: Identity NetUid => u64 = 0);
map!(/// The subnet owner's coldkey.
    SubnetOwner: Identity NetUid => AccountId32 = ZERO_ACCOUNT);
map!(/// The subnet owner's hotkey.
    SubnetOwnerHotkey: Identity NetUid => AccountId32 = ZERO_ACCOUNT);
map!(/// Miner emission waiting for the next epoch.
    PendingServerEmission: Identity NetUid => u64 = 0);
map!(/// Validator emission waiting for the next epoch.
    PendingValidatorEmission: Identity NetUid => u64 = 0);
map!(/// Owner cut waiting for the next epoch.
    PendingOwnerCut: Identity NetUid => u64 = 0);
map!(/// Root alpha dividends waiting for the next epoch.
    PendingRootAlphaDivs: Identity NetUid => u64 = 0);
map!(/// Blocks since the last epoch.
    BlocksSinceLastStep: Identity NetUid => u64 = 0);
map!(/// Block of the last epoch.
    LastMechansimStepBlock: Identity NetUid => u64 = 0);
map!(/// Block from which the subnet receives emission (set by `start_call`).
    FirstEmissionBlockNumber: Identity NetUid => u64);
map!(/// Whether staking is enabled (set by `start_call`).
    SubtokenEnabled: Identity NetUid => bool = false);
map!(/// 0 = stable (root), 1 = dynamic.
    SubnetMechanism: Identity NetUid => u16 = 0);
map!(/// Block the subnet was registered.
    NetworkRegisteredAt: Identity NetUid => u64 = 0);
map!(/// TAO locked by the subnet's registration.
    SubnetLocked: Identity NetUid => u64 = 0);
map!(/// The subnet token's symbol.
    TokenSymbol: Identity NetUid => Vec<u8> = "\u{1D70F}".as_bytes().to_vec());
map!(/// Yuma3 bonds.
    Yuma3On: Blake2_128Concat NetUid => bool = false);
map!(/// Liquid alpha.
    LiquidAlphaOn: Blake2_128Concat NetUid => bool = false);
map!(/// Number of mechanisms of the subnet.
    MechanismCountCurrent: Twox64Concat NetUid => u8 = 1);
map!(/// Emission split between mechanisms.
    MechanismEmissionSplit: Twox64Concat NetUid => Vec<u16>);
map!(/// Epochs between a weight commit and its reveal.
    RevealPeriodEpochs: Twox64Concat NetUid => u64 = 1);

// Per uid, as vectors indexed by uid (keyed by mechanism storage index, = netuid for mechanism 0).
map!(/// Stake weight of each uid at the last epoch (u16 normalised).
    StakeWeight: Identity NetUid => Vec<u16> = Vec::new());
map!(/// Whether each uid was active at the last epoch.
    Active: Identity NetUid => Vec<bool> = Vec::new());
map!(/// Consensus of each uid.
    Consensus: Identity NetUid => Vec<u16> = Vec::new());
map!(/// Incentive of each uid.
    Incentive: Identity NetUid => Vec<u16> = Vec::new());
map!(/// Dividends of each uid.
    Dividends: Identity NetUid => Vec<u16> = Vec::new());
map!(/// Alpha emission of each uid at the last epoch.
    Emission: Identity NetUid => Vec<u64> = Vec::new());
map!(/// Block of each uid's last weight update.
    LastUpdate: Identity NetUid => Vec<u64> = Vec::new());
map!(/// Validator trust of each uid.
    ValidatorTrust: Identity NetUid => Vec<u16> = Vec::new());
map!(/// Validator permit of each uid.
    ValidatorPermit: Identity NetUid => Vec<bool> = Vec::new());
double_map!(/// Hotkey of each uid.
    Keys: (Identity NetUid, Identity u16) => AccountId32 = ZERO_ACCOUNT);
double_map!(/// Uid of each registered hotkey.
    Uids: (Identity NetUid, Blake2_128Concat AccountId32) => u16);
double_map!(/// Whether a hotkey is registered on a subnet.
    IsNetworkMember: (Blake2_128Concat AccountId32, Identity NetUid) => bool = false);
double_map!(/// Registration block of each uid.
    BlockAtRegistration: (Identity NetUid, Identity u16) => u64 = 0);
double_map!(/// Weights row of each uid: (uid, weight), max-upscaled.
    Weights: (Identity NetUid, Identity u16) => Vec<(u16, u16)> = Vec::new());
double_map!(/// Bonds row of each uid.
    Bonds: (Identity NetUid, Identity u16) => Vec<(u16, u16)> = Vec::new());
double_map!(/// Served axons.
    Axons: (Identity NetUid, Blake2_128Concat AccountId32) => AxonInfo);
double_map!(/// Alpha dividends each hotkey received at the subnet's last epoch.
    AlphaDividendsPerSubnet: (Identity NetUid, Blake2_128Concat AccountId32) => u64 = 0);

// Accounts and stake.
map!(/// Owning coldkey of each hotkey.
    Owner: Blake2_128Concat AccountId32 => AccountId32 = ZERO_ACCOUNT);
map!(/// Hotkeys owned by each coldkey.
    OwnedHotkeys: Blake2_128Concat AccountId32 => Vec<AccountId32> = Vec::new());
map!(/// Hotkeys each coldkey stakes to.
    StakingHotkeys: Blake2_128Concat AccountId32 => Vec<AccountId32> = Vec::new());
map!(/// Delegate take of each hotkey (u16 proportion).
    Delegates: Blake2_128Concat AccountId32 => u16 = 11_796);
double_map!(/// Alpha staked to each hotkey on each subnet.
    TotalHotkeyAlpha: (Blake2_128Concat AccountId32, Identity NetUid) => u64 = 0);
double_map!(/// Shares of each hotkey's alpha pool.
    TotalHotkeyShares: (Blake2_128Concat AccountId32, Identity NetUid) => FixedU128 = FixedU128::default());

/// Shares of (hotkey, coldkey) in the hotkey's alpha pool on a subnet.
pub const Alpha: TripleMap<AccountId32, AccountId32, NetUid, FixedU128> = TripleMap {
    pallet: PALLET,
    name: "Alpha",
    hashers: [Blake2_128Concat, Blake2_128Concat, Identity],
    docs: &[" Shares of (hotkey, coldkey) in the hotkey's alpha pool on a subnet."],
    key_types: PhantomData,
};

/// Metadata of every item, in declaration order.
pub fn metadata() -> Vec<StorageEntryMetadata> {
    vec![
        TotalIssuance.metadata(),
        TotalStake.metadata(),
        TotalNetworks.metadata(),
        BlockEmission.metadata(),
        SubnetOwnerCut.metadata(),
        TaoWeight.metadata(),
        StakeThreshold.metadata(),
        TxRateLimit.metadata(),
        MinActivityCutoff.metadata(),
        NetworkMinLockCost.metadata(),
        NetworkLastLockCost.metadata(),
        NetworkLockReductionInterval.metadata(),
        NetworkRateLimit.metadata(),
        SubnetLimit.metadata(),
        NetworksAdded.metadata(),
        SubnetworkN.metadata(),
        Tempo.metadata(),
        Burn.metadata(),
        MinBurn.metadata(),
        MaxBurn.metadata(),
        Kappa.metadata(),
        Rho.metadata(),
        ImmunityPeriod.metadata(),
        MinAllowedWeights.metadata(),
        MaxWeightsLimit.metadata(),
        MaxAllowedValidators.metadata(),
        MaxAllowedUids.metadata(),
        ActivityCutoff.metadata(),
        BondsMovingAverage.metadata(),
        BondsPenalty.metadata(),
        AlphaSigmoidSteepness.metadata(),
        AlphaValues.metadata(),
        NetworkRegistrationAllowed.metadata(),
        NetworkPowRegistrationAllowed.metadata(),
        WeightsSetRateLimit.metadata(),
        CommitRevealWeightsEnabled.metadata(),
        WeightsVersionKey.metadata(),
        ServingRateLimit.metadata(),
        Difficulty.metadata(),
        AdjustmentInterval.metadata(),
        AdjustmentAlpha.metadata(),
        TargetRegistrationsPerInterval.metadata(),
        MaxRegistrationsPerBlock.metadata(),
        RegistrationsThisBlock.metadata(),
        RegistrationsThisInterval.metadata(),
        BurnRegistrationsThisInterval.metadata(),
        POWRegistrationsThisInterval.metadata(),
        LastAdjustmentBlock.metadata(),
        RAORecycledForRegistration.metadata(),
        ImmuneOwnerUidsLimit.metadata(),
        SubnetTAO.metadata(),
        SubnetAlphaIn.metadata(),
        SubnetAlphaOut.metadata(),
        SubnetTaoInEmission.metadata(),
        SubnetAlphaInEmission.metadata(),
        SubnetAlphaOutEmission.metadata(),
        SubnetOwner.metadata(),
        SubnetOwnerHotkey.metadata(),
        PendingServerEmission.metadata(),
        PendingValidatorEmission.metadata(),
        PendingOwnerCut.metadata(),
        PendingRootAlphaDivs.metadata(),
        BlocksSinceLastStep.metadata(),
        LastMechansimStepBlock.metadata(),
        FirstEmissionBlockNumber.metadata(),
        SubtokenEnabled.metadata(),
        SubnetMechanism.metadata(),
        NetworkRegisteredAt.metadata(),
        SubnetLocked.metadata(),
        TokenSymbol.metadata(),
        Yuma3On.metadata(),
        LiquidAlphaOn.metadata(),
        MechanismCountCurrent.metadata(),
        MechanismEmissionSplit.metadata(),
        RevealPeriodEpochs.metadata(),
        StakeWeight.metadata(),
        Active.metadata(),
        Consensus.metadata(),
        Incentive.metadata(),
        Dividends.metadata(),
        Emission.metadata(),
        LastUpdate.metadata(),
        ValidatorTrust.metadata(),
        ValidatorPermit.metadata(),
        Keys.metadata(),
        Uids.metadata(),
        IsNetworkMember.metadata(),
        BlockAtRegistration.metadata(),
        Weights.metadata(),
        Bonds.metadata(),
        Axons.metadata(),
        AlphaDividendsPerSubnet.metadata(),
        Owner.metadata(),
        OwnedHotkeys.metadata(),
        StakingHotkeys.metadata(),
        Delegates.metadata(),
        TotalHotkeyAlpha.metadata(),
        TotalHotkeyShares.metadata(),
        Alpha.metadata(),
        IdentitiesV2.metadata(),
        SubnetIdentitiesV3.metadata(),
        SubnetEmaTaoFlow.metadata(),
    ]
}

// Read by the runtime APIs and by clients (btcli); the devnet has no call writing them, so they
// stay empty unless a loaded state holds entries.
map!(/// On-chain identity of each coldkey.
    IdentitiesV2: Blake2_128Concat AccountId32 => crate::runtime::apis::common::ChainIdentityV2);
map!(/// Identity of each subnet.
    SubnetIdentitiesV3: Blake2_128Concat NetUid => crate::runtime::apis::common::SubnetIdentityV3);
map!(/// (block, EMA) of each subnet's TAO flow (I64F64).
    SubnetEmaTaoFlow: Identity NetUid => (u64, crate::runtime::apis::common::FixedI128));
