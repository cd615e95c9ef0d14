//! The runtime calls setup submits, built by name (checked against the chain's metadata when
//! submitted). The client's convenience methods wait for each call's own block; setup instead
//! pools several calls and seals them together (see [`super::batch`]).

use localtensor_client::{AccountId, Call, Value};

fn u(v: impl Into<u128>) -> Value {
    Value::u128(v.into())
}

fn account(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

/// `Balances.transfer_keep_alive(dest, amount)`.
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

/// `SubtensorModule.add_stake(hotkey, netuid, amount)`.
pub fn add_stake(hotkey: &AccountId, netuid: u16, amount: u64) -> Call {
    Call::new(
        "SubtensorModule",
        "add_stake",
        [account(hotkey), u(netuid), u(amount)],
    )
}

/// `Sudo.sudo(AdminUtils.sudo_set_<name>(netuid, value))`.
pub fn sudo_set(name: &str, netuid: u16, value: Value) -> Call {
    sudo(&Call::new(
        "AdminUtils",
        format!("sudo_set_{name}"),
        [u(netuid), value],
    ))
}

/// `Sudo.sudo(call)`.
pub fn sudo(call: &Call) -> Call {
    Call::new("Sudo", "sudo", [call.to_value()])
}
