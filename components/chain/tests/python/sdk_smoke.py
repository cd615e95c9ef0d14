"""bittensor 10.5 (async-substrate-interface + cyscale) against a running localtensor-chain.

Usage: python sdk_smoke.py ws://127.0.0.1:PORT
Connects, reads the current block and balances, then builds, signs and submits a transfer
through the SDK's substrate layer, waits for finalization and checks the events and balances;
then uses the high-level API (constants, multi-key and paged map reads, a wallet and
Subtensor.transfer).
Prints one JSON line with the results; exits non-zero on any failure.
"""
import json
import sys

import tempfile

import bittensor as bt
from bittensor_wallet import Keypair, Wallet


def main(url: str) -> None:
    st = bt.Subtensor(network=url)
    block = st.get_current_block()
    alice = Keypair.create_from_uri("//Alice")
    bob = Keypair.create_from_uri("//Bob")
    assert alice.ss58_address == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", alice.ss58_address
    bob_before = st.get_balance(bob.ss58_address).rao

    substrate = st.substrate
    amount = 1_000_000_000
    call = substrate.compose_call(
        call_module="Balances",
        call_function="transfer_keep_alive",
        call_params={"dest": bob.ss58_address, "value": amount},
    )
    # Fee estimate through TransactionPaymentApi_query_info (decoded with our V15 runtime API types).
    payment = substrate.get_payment_info(call=call, keypair=alice)
    estimated_fee = payment["partial_fee"]
    assert estimated_fee > 0, payment
    ext = substrate.create_signed_extrinsic(call=call, keypair=alice)
    receipt = substrate.submit_extrinsic(ext, wait_for_inclusion=True, wait_for_finalization=True)
    success = receipt.is_success
    if not success:
        raise SystemExit(f"transfer failed: {receipt.error_message}")
    names = [f"{e['event']['module_id']}.{e['event']['event_id']}" for e in receipt.triggered_events]
    fee = receipt.total_fee_amount
    bob_after = st.get_balance(bob.ss58_address).rao
    assert bob_after == bob_before + amount, (bob_before, bob_after)

    # The high-level API a user calls: constants, multi-key and paged map reads, a wallet, and
    # Subtensor.transfer (mortal era, fee estimate, wait for inclusion).
    existential_deposit = st.get_existential_deposit().rao
    balances = {k: v.rao for k, v in st.get_balances(alice.ss58_address, bob.ss58_address).items()}
    accounts = sum(1 for _ in substrate.query_map("System", "Account", page_size=2))
    wallet = Wallet(name="alice", hotkey="default", path=tempfile.mkdtemp())
    wallet.set_coldkey(keypair=alice, encrypt=False, overwrite=True)
    wallet.set_coldkeypub(keypair=alice, overwrite=True)
    wallet.set_hotkey(keypair=alice, encrypt=False, overwrite=True)
    transfer_fee = st.get_transfer_fee(
        wallet=wallet, destination_ss58=bob.ss58_address, amount=bt.Balance.from_tao(1)
    ).rao
    response = st.transfer(
        wallet=wallet,
        destination_ss58=bob.ss58_address,
        amount=bt.Balance.from_tao(2),
        mev_protection=False,
        wait_for_finalization=True,
    )
    if not response.success:
        raise SystemExit(f"Subtensor.transfer failed: {response.message}")
    bob_final = st.get_balance(bob.ss58_address).rao
    print(
        json.dumps(
            {
                "block": block,
                "events": names,
                "fee": fee,
                "estimated_fee": estimated_fee,
                "bob_after": bob_after,
                "existential_deposit": existential_deposit,
                "balances_before_high_level": balances,
                "accounts": accounts,
                "transfer_fee": transfer_fee,
                "bob_final": bob_final,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
