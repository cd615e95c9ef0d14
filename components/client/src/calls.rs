//! The runtime calls the client's convenience methods send, as values: for pooling several
//! calls into one block ([`crate::Client::submit`] each, then seal) or nesting them (`sudo`).
//! Names and argument orders are subtensor's; they are checked against the chain's metadata
//! when submitted.

use crate::keys::AccountId;
use crate::{Call, Value};

fn u(v: impl Into<u128>) -> Value {
    Value::u128(v.into())
}

fn account(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

/// `Balances.transfer_keep_alive(dest, amount)` (amount in rao).
pub fn transfer(dest: &AccountId, amount: u64) -> Call {
    let dest = Value::unnamed_variant("Id", [account(dest)]);
    Call::new("Balances", "transfer_keep_alive", [dest, u(amount)])
}

/// `SubtensorModule.register_network(hotkey)`.
pub fn register_network(hotkey: &AccountId) -> Call {
    Call::new("SubtensorModule", "register_network", [account(hotkey)])
}

/// `SubtensorModule.start_call(netuid)`.
pub fn start_call(netuid: u16) -> Call {
    Call::new("SubtensorModule", "start_call", [u(netuid)])
}

/// `SubtensorModule.burned_register(netuid, hotkey)`.
pub fn burned_register(netuid: u16, hotkey: &AccountId) -> Call {
    Call::new(
        "SubtensorModule",
        "burned_register",
        [u(netuid), account(hotkey)],
    )
}

/// `SubtensorModule.add_stake(hotkey, netuid, amount)` (TAO rao).
pub fn add_stake(hotkey: &AccountId, netuid: u16, amount: u64) -> Call {
    Call::new(
        "SubtensorModule",
        "add_stake",
        [account(hotkey), u(netuid), u(amount)],
    )
}

/// `SubtensorModule.remove_stake(hotkey, netuid, amount)` (alpha rao).
pub fn remove_stake(hotkey: &AccountId, netuid: u16, amount: u64) -> Call {
    Call::new(
        "SubtensorModule",
        "remove_stake",
        [account(hotkey), u(netuid), u(amount)],
    )
}

/// `Sudo.sudo(call)`.
pub fn sudo(call: &Call) -> Call {
    Call::new("Sudo", "sudo", [call.to_value()])
}

/// `AdminUtils.sudo_set_<name>(netuid, value)`; `name` with or without the `sudo_set_` prefix
/// (`tempo`, `weights_set_rate_limit`, ...). Wrap it in [`sudo`] to send it as the sudo key.
pub fn set_hyperparameter(name: &str, netuid: u16, value: impl Into<Value>) -> Call {
    let call_name = if name.starts_with("sudo_set_") {
        name.to_string()
    } else {
        format!("sudo_set_{name}")
    };
    Call::new("AdminUtils", call_name, [u(netuid), value.into()])
}
