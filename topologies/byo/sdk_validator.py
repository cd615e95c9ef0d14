"""A bring-your-own validator for localtensor, written with the bittensor SDK (10.5) only.

localtensor has already funded, registered and staked its keys; it passes everything through
LOCALTENSOR_* environment variables, and has written its bittensor wallet (unencrypted devnet
keys) where they point. The script opens that wallet as any subnet code would, checks its keys
against LOCALTENSOR_HOTKEY and LOCALTENSOR_COLDKEY, makes sure the hotkey is registered, waits
for a validator permit, sets weights on the miners (a ramp in uid order, so its row is easy to
recognise), reads them back from the chain, prints one JSON line and then idles until SIGTERM.
"""
import json
import os
import signal
import sys
import time

import bittensor as bt
from bittensor_wallet import Wallet

# Blocks to wait for a validator permit before giving up (a few epochs at tempo 10).
PERMIT_TIMEOUT_BLOCKS = 60

stopping = False


class Stopped(Exception):
    """SIGTERM arrived."""


def on_sigterm(signum, frame):
    # Only a flag: the loops below look at it between RPC calls.
    global stopping
    stopping = True


def sleep(seconds: float) -> None:
    """Sleeps; raises Stopped on SIGTERM."""
    if stopping:
        raise Stopped
    time.sleep(seconds)
    if stopping:
        raise Stopped


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_wallet(env) -> Wallet:
    """The wallet localtensor wrote, opened as subnet code does; raises SystemExit if its keys
    are not the neuron's."""
    wallet = Wallet(
        name=env["LOCALTENSOR_WALLET_NAME"],
        hotkey=env["LOCALTENSOR_HOTKEY_NAME"],
        path=env["LOCALTENSOR_WALLET_PATH"],
    )
    checks = {
        "hotkey": (wallet.hotkey.ss58_address, env["LOCALTENSOR_HOTKEY"]),
        "coldkeypub": (wallet.coldkeypub.ss58_address, env["LOCALTENSOR_COLDKEY"]),
        # Unencrypted, so no password prompt.
        "coldkey": (wallet.coldkey.ss58_address, env["LOCALTENSOR_COLDKEY"]),
    }
    for what, (got, want) in checks.items():
        if got != want:
            raise SystemExit(f"wallet {what} is {got}, not {want}")
    for key in (wallet.hotkey, wallet.coldkey):
        message = b"localtensor"
        if not key.verify(message, key.sign(message)):
            raise SystemExit(f"{key.ss58_address} cannot sign")
    return wallet


def next_block(st: bt.Subtensor, after: int) -> int:
    """Waits for the first block after `after`; raises Stopped on SIGTERM."""
    while True:
        block = st.get_current_block()
        if block > after:
            return block
        sleep(0.1)


def run(st: bt.Subtensor, wallet: Wallet, netuid: int, name: str) -> dict:
    hotkey = wallet.hotkey.ss58_address
    if not st.is_hotkey_registered(hotkey, netuid):
        # localtensor registers at setup, so this is only for running the script elsewhere.
        response = st.burned_register(wallet, netuid, mev_protection=False)
        if not response.success:
            raise SystemExit(f"burned_register failed: {response.message}")
    uid = st.get_uid_for_hotkey_on_subnet(hotkey, netuid)
    log(f"{name}: uid {uid} on netuid {netuid}")

    # A permit comes with the first epoch after the stake; look once per block.
    block = st.get_current_block()
    deadline = block + PERMIT_TIMEOUT_BLOCKS
    metagraph = st.metagraph(netuid)
    while not bool(metagraph.validator_permit[uid]):
        if block >= deadline:
            raise SystemExit(f"no validator permit by block {block}")
        block = next_block(st, block)
        metagraph = st.metagraph(netuid)
    log(f"{name}: validator permit at block {block}")

    # Miners are the neurons without a permit; miner k (in uid order) gets weight k + 1.
    miners = [u for u in range(metagraph.n.item()) if not bool(metagraph.validator_permit[u])]
    if not miners:
        raise SystemExit("no miners in the metagraph")
    weights = [float(k + 1) for k in range(len(miners))]
    response = st.set_weights(
        wallet,
        netuid,
        miners,
        weights,
        mev_protection=False,
        wait_for_inclusion=True,
        wait_for_finalization=False,
    )
    if not response.success:
        raise SystemExit(f"set_weights failed: {response.message}")

    # Read the row back: the chain stores it as u16, the largest weight scaled to 65535.
    for _ in range(10):
        row = dict(st.weights(netuid)).get(uid, [])
        if row:
            break
        block = next_block(st, st.get_current_block())
    else:
        raise SystemExit("the weights did not land")
    if sorted(dest for dest, _ in row) != sorted(miners):
        raise SystemExit(f"stored row {row} is not on the miners {miners}")
    return {
        "event": "weights_set",
        "name": name,
        "netuid": netuid,
        "uid": uid,
        "hotkey": hotkey,
        "coldkey": wallet.coldkeypub.ss58_address,
        "block": st.get_current_block(),
        "miners": miners,
        "weights": [[int(dest), int(w)] for dest, w in sorted(row)],
    }


def main() -> int:
    signal.signal(signal.SIGTERM, on_sigterm)
    env = os.environ
    name = env["LOCALTENSOR_NAME"]
    netuid = int(env["LOCALTENSOR_NETUID"])
    wallet = open_wallet(env)
    log(f"{name}: wallet {wallet.name} with hotkey {wallet.hotkey_str} opened")

    st = bt.Subtensor(network=env["LOCALTENSOR_CHAIN_ENDPOINT"])
    try:
        print(json.dumps(run(st, wallet, netuid, name)), flush=True)
        # A real validator would keep scoring; this one idles until localtensor stops it.
        while True:
            sleep(0.2)
    except Stopped:
        pass
    finally:
        st.close()
    log(f"{name}: SIGTERM, exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
