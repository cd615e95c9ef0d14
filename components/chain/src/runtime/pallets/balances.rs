//! `Balances` (index 5): TAO balances (u64 rao) kept in `System.Account`, transfers and root
//! balance setting.

use super::system::{self, AccountInfo};
use crate::primitives::{AccountId32, DispatchError, MultiAddress, TokenError, Weight};
use crate::runtime::storage::{self, Modifier};
use crate::runtime::{Ctx, DispatchResult, Origin, RuntimeEvent, ensure_root, ensure_signed};
use crate::state::State;
use frame_metadata::v15::{PalletConstantMetadata, PalletMetadata, PalletStorageMetadata};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

/// Pallet name.
pub const PALLET: &str = "Balances";
/// Pallet index.
pub const INDEX: u8 = 5;
/// Subtensor's existential deposit in rao.
pub const EXISTENTIAL_DEPOSIT: u64 = 500;

/// Calls of `Balances` (names and indices as in subtensor).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Transfer, possibly reaping the sender.
    #[codec(index = 0)]
    transfer_allow_death {
        /// Recipient.
        dest: MultiAddress,
        /// Amount in rao.
        #[codec(compact)]
        value: u64,
    },
    /// Transfer from any account (root).
    #[codec(index = 2)]
    force_transfer {
        /// Sender.
        source: MultiAddress,
        /// Recipient.
        dest: MultiAddress,
        /// Amount in rao.
        #[codec(compact)]
        value: u64,
    },
    /// Transfer that must leave the sender alive.
    #[codec(index = 3)]
    transfer_keep_alive {
        /// Recipient.
        dest: MultiAddress,
        /// Amount in rao.
        #[codec(compact)]
        value: u64,
    },
    /// Transfer the whole free balance.
    #[codec(index = 4)]
    transfer_all {
        /// Recipient.
        dest: MultiAddress,
        /// Keep the existential deposit.
        keep_alive: bool,
    },
    /// Set an account's free balance (root).
    #[codec(index = 8)]
    force_set_balance {
        /// The account.
        who: MultiAddress,
        /// New free balance in rao.
        #[codec(compact)]
        new_free: u64,
    },
}

/// Events of `Balances` (the ones this node emits, with subtensor's indices).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// An account was created with some free balance.
    #[codec(index = 0)]
    Endowed {
        /// The account.
        account: AccountId32,
        /// Its balance.
        free_balance: u64,
    },
    /// An account was removed whose balance was non-zero but below the existential deposit.
    #[codec(index = 1)]
    DustLost {
        /// The account.
        account: AccountId32,
        /// The dust.
        amount: u64,
    },
    /// Transfer succeeded.
    #[codec(index = 2)]
    Transfer {
        /// Sender.
        from: AccountId32,
        /// Recipient.
        to: AccountId32,
        /// Amount.
        amount: u64,
    },
    /// A balance was set by root.
    #[codec(index = 3)]
    BalanceSet {
        /// The account.
        who: AccountId32,
        /// New free balance.
        free: u64,
    },
    /// Some amount was deposited (e.g. unstaked TAO).
    #[codec(index = 7)]
    Deposit {
        /// The account.
        who: AccountId32,
        /// Amount.
        amount: u64,
    },
    /// Some amount was withdrawn from the account (e.g. for transaction fees).
    #[codec(index = 8)]
    Withdraw {
        /// The account.
        who: AccountId32,
        /// Amount.
        amount: u64,
    },
}

/// Errors of `Balances` (all of subtensor's, in order).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Error {
    /// Vesting balance too high to send value.
    VestingBalance,
    /// Account liquidity restrictions prevent withdrawal.
    LiquidityRestrictions,
    /// Balance too low to send value.
    InsufficientBalance,
    /// Value too low to create account due to existential deposit.
    ExistentialDeposit,
    /// Transfer/payment would kill account.
    Expendability,
    /// A vesting schedule already exists for this account.
    ExistingVestingSchedule,
    /// Beneficiary account must pre-exist.
    DeadAccount,
    /// Number of named reserves exceed `MaxReserves`.
    TooManyReserves,
    /// Number of holds exceed `VariantCountOf<T::RuntimeHoldReason>`.
    TooManyHolds,
    /// Number of freezes exceed `MaxFreezes`.
    TooManyFreezes,
    /// The issuance cannot be modified since it is already deactivated.
    IssuanceDeactivated,
    /// The delta cannot be zero.
    DeltaZero,
}

impl Call {
    /// Weight of the call.
    pub fn weight(&self) -> Weight {
        Weight {
            ref_time: 60_000_000,
            proof_size: 3_593,
        }
    }
}

/// Key of `Balances.TotalIssuance`.
pub fn total_issuance_key() -> Vec<u8> {
    storage::value_key(PALLET, "TotalIssuance")
}

/// Total issuance.
pub fn total_issuance(state: &State) -> u64 {
    state.get(&total_issuance_key()).unwrap_or(0)
}

fn adjust_issuance(state: &mut State, add: u64, sub: u64) {
    let total = total_issuance(state)
        .saturating_add(add)
        .saturating_sub(sub);
    state.put(total_issuance_key(), &total);
}

/// Resolves an address to an account id (only `MultiAddress::Id` exists on subtensor).
pub fn lookup(address: &MultiAddress) -> Result<AccountId32, DispatchError> {
    match address {
        MultiAddress::Id(id) => Ok(*id),
        MultiAddress::Address32(raw) => Ok(AccountId32(*raw)),
        _ => Err(DispatchError::CannotLookup),
    }
}

/// Free balance of an account.
pub fn free_balance(state: &State, who: &AccountId32) -> u64 {
    system::account(state, who).data.free
}

/// Sets an account's free balance, creating or reaping the account as needed (genesis, root,
/// devnet control). Issuance follows the change.
pub fn set_free_balance(ctx: &mut Ctx<'_>, who: &AccountId32, free: u64) {
    let mut info = system::account(ctx.state, who);
    let old = info.data.free;
    info.data.free = free;
    adjust_issuance(
        ctx.state,
        free.saturating_sub(old),
        old.saturating_sub(free),
    );
    store_account(ctx, who, info, old == 0 && info.providers == 0);
}

/// Writes `info`, emitting creation events for new accounts and reaping dust accounts.
fn store_account(ctx: &mut Ctx<'_>, who: &AccountId32, mut info: AccountInfo, is_new: bool) {
    let free = info.data.free;
    if free >= EXISTENTIAL_DEPOSIT || info.data.reserved > 0 {
        if info.providers == 0 {
            info.providers = 1;
        }
        if is_new {
            ctx.deposit(RuntimeEvent::System(system::Event::NewAccount {
                account: *who,
            }));
            ctx.deposit(RuntimeEvent::Balances(Event::Endowed {
                account: *who,
                free_balance: free,
            }));
        }
        system::set_account(ctx.state, who, &info);
    } else if info.providers > 0 && info.consumers == 0 {
        // Below the existential deposit: the account is reaped and its dust burned.
        if free > 0 {
            adjust_issuance(ctx.state, 0, free);
            ctx.deposit(RuntimeEvent::Balances(Event::DustLost {
                account: *who,
                amount: free,
            }));
        }
        ctx.deposit(RuntimeEvent::System(system::Event::KilledAccount {
            account: *who,
        }));
        ctx.state.remove(&system::account_key(who));
    } else {
        system::set_account(ctx.state, who, &info);
    }
}

/// Moves `value` from `from` to `to`.
pub fn transfer(
    ctx: &mut Ctx<'_>,
    from: &AccountId32,
    to: &AccountId32,
    value: u64,
    keep_alive: bool,
) -> DispatchResult {
    let mut src = system::account(ctx.state, from);
    let remaining = src
        .data
        .free
        .checked_sub(value)
        .ok_or(DispatchError::Token(TokenError::FundsUnavailable))?;
    if keep_alive && remaining < EXISTENTIAL_DEPOSIT {
        return Err(DispatchError::Token(TokenError::NotExpendable));
    }
    if from == to || value == 0 {
        ctx.deposit(RuntimeEvent::Balances(Event::Transfer {
            from: *from,
            to: *to,
            amount: value,
        }));
        return Ok(());
    }
    let mut dst = system::account(ctx.state, to);
    let dst_new = dst.providers == 0;
    let dst_free = dst
        .data
        .free
        .checked_add(value)
        .ok_or(DispatchError::Arithmetic(
            crate::primitives::ArithmeticError::Overflow,
        ))?;
    if dst_new && dst_free < EXISTENTIAL_DEPOSIT {
        return Err(DispatchError::Token(TokenError::BelowMinimum));
    }
    src.data.free = remaining;
    dst.data.free = dst_free;
    store_account(ctx, to, dst, dst_new);
    ctx.deposit(RuntimeEvent::Balances(Event::Transfer {
        from: *from,
        to: *to,
        amount: value,
    }));
    store_account(ctx, from, src, false);
    Ok(())
}

/// Takes `amount` out of `who`'s free balance and out of the issuance (staking, burns); the
/// account may be reaped. Fails, changing nothing, when the balance is short.
pub fn withdraw(ctx: &mut Ctx<'_>, who: &AccountId32, amount: u64) -> DispatchResult {
    let mut info = system::account(ctx.state, who);
    info.data.free = info
        .data
        .free
        .checked_sub(amount)
        .ok_or(DispatchError::Token(TokenError::FundsUnavailable))?;
    adjust_issuance(ctx.state, 0, amount);
    if amount > 0 {
        ctx.deposit(RuntimeEvent::Balances(Event::Withdraw {
            who: *who,
            amount,
        }));
    }
    store_account(ctx, who, info, false);
    Ok(())
}

/// Adds `amount` to `who`'s free balance and to the issuance (unstaking).
pub fn deposit(ctx: &mut Ctx<'_>, who: &AccountId32, amount: u64) {
    let mut info = system::account(ctx.state, who);
    let is_new = info.providers == 0;
    info.data.free = info.data.free.saturating_add(amount);
    adjust_issuance(ctx.state, amount, 0);
    if amount > 0 {
        ctx.deposit(RuntimeEvent::Balances(Event::Deposit { who: *who, amount }));
    }
    store_account(ctx, who, info, is_new);
}

/// The payer cannot cover a fee and stay above the existential deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot pay the fee")]
pub struct CannotPay;

/// Takes a fee from `who` (the account must stay above the existential deposit).
pub fn withdraw_fee(ctx: &mut Ctx<'_>, who: &AccountId32, fee: u64) -> Result<(), CannotPay> {
    let mut info = system::account(ctx.state, who);
    match info.data.free.checked_sub(fee) {
        Some(rest) if rest >= EXISTENTIAL_DEPOSIT || fee == 0 => {
            info.data.free = rest;
            system::set_account(ctx.state, who, &info);
            adjust_issuance(ctx.state, 0, fee);
            if fee > 0 {
                ctx.deposit(RuntimeEvent::Balances(Event::Withdraw {
                    who: *who,
                    amount: fee,
                }));
            }
            Ok(())
        }
        _ => Err(CannotPay),
    }
}

/// Dispatches a `Balances` call.
pub fn dispatch(ctx: &mut Ctx<'_>, origin: Origin, call: &Call) -> DispatchResult {
    match call {
        Call::transfer_allow_death { dest, value } => {
            let from = ensure_signed(origin)?;
            transfer(ctx, &from, &lookup(dest)?, *value, false)
        }
        Call::transfer_keep_alive { dest, value } => {
            let from = ensure_signed(origin)?;
            transfer(ctx, &from, &lookup(dest)?, *value, true)
        }
        Call::transfer_all { dest, keep_alive } => {
            let from = ensure_signed(origin)?;
            let free = free_balance(ctx.state, &from);
            let value = if *keep_alive {
                free.saturating_sub(EXISTENTIAL_DEPOSIT)
            } else {
                free
            };
            transfer(ctx, &from, &lookup(dest)?, value, *keep_alive)
        }
        Call::force_transfer {
            source,
            dest,
            value,
        } => {
            ensure_root(origin)?;
            transfer(ctx, &lookup(source)?, &lookup(dest)?, *value, false)
        }
        Call::force_set_balance { who, new_free } => {
            ensure_root(origin)?;
            let who = lookup(who)?;
            set_free_balance(ctx, &who, *new_free);
            ctx.deposit(RuntimeEvent::Balances(Event::BalanceSet {
                who,
                free: *new_free,
            }));
            Ok(())
        }
    }
}

/// Pallet metadata.
pub fn metadata() -> PalletMetadata {
    PalletMetadata {
        name: PALLET,
        storage: Some(PalletStorageMetadata {
            prefix: PALLET,
            entries: vec![storage::plain::<u64>(
                "TotalIssuance",
                Modifier::Default,
                0u64.encode(),
                &[" The total units issued in the system."],
            )],
        }),
        calls: Some(meta_type::<Call>().into()),
        event: Some(meta_type::<Event>().into()),
        constants: vec![PalletConstantMetadata {
            name: "ExistentialDeposit",
            ty: meta_type::<u64>(),
            value: EXISTENTIAL_DEPOSIT.encode(),
            docs: vec![" The minimum amount required to keep an account open."],
        }],
        error: Some(meta_type::<Error>().into()),
        index: INDEX,
        docs: vec![],
    }
}
