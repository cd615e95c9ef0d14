"""Creates and configures a subnet with bittensor 10.5, for tests of other clients.

Usage: python sdk_setup_subnet.py ws://127.0.0.1:PORT
Alice creates a subnet, starts it, and sets tempo 10, commit-reveal off and kappa 30000 through
sudo. Prints one JSON line: the netuid, the hyperparameters set and Alice's free balance.
"""
import json
import sys
import tempfile

import bittensor as bt
from bittensor.core.extrinsics.utils import sudo_call_extrinsic
from bittensor_wallet import Keypair, Wallet


def ok(response, what: str) -> None:
    if not response.success:
        raise SystemExit(f"{what} failed: {response.message}")


def main(url: str) -> None:
    st = bt.Subtensor(network=url)
    alice = Wallet(name="alice", hotkey="default", path=tempfile.mkdtemp())
    cold = Keypair.create_from_uri("//Alice")
    alice.set_coldkey(keypair=cold, encrypt=False, overwrite=True)
    alice.set_coldkeypub(keypair=cold, overwrite=True)
    alice.set_hotkey(keypair=Keypair.create_from_uri("//Alice//hot"), encrypt=False, overwrite=True)
    ok(st.register_subnet(alice, mev_protection=False), "register_subnet")
    netuid = max(st.get_all_subnets_netuid())
    ok(st.start_call(alice, netuid, mev_protection=False, wait_for_finalization=True), "start_call")
    params = {"tempo": 10, "kappa": 30000}
    ok(sudo_call_extrinsic(st, alice, "sudo_set_tempo", {"netuid": netuid, "tempo": 10}), "tempo")
    ok(sudo_call_extrinsic(st, alice, "sudo_set_kappa", {"netuid": netuid, "kappa": 30000}), "kappa")
    print(
        json.dumps(
            {
                "netuid": netuid,
                "params": params,
                "alice": cold.ss58_address,
                "alice_free": st.get_balance(cold.ss58_address).rao,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
