"""bittensor 10.5 driving a subnet on localtensor-chain, as a subnet developer would.

Usage: python sdk_subnet.py ws://127.0.0.1:PORT
Alice creates a subnet and starts it, sets tempo and disables commit-reveal through sudo; two
validator and four miner wallets are funded and burned_register; the validators add stake and
set weights; the script mines through epochs with devnet_mine, then checks that metagraph()
(lite and full) agrees with the chain's storage and that get_subnet_hyperparameters returns what
was set. Prints one JSON line with what it read; exits non-zero on any failure.
"""
import json
import sys
import tempfile

import bittensor as bt
from bittensor.core.extrinsics.utils import sudo_call_extrinsic
from bittensor_wallet import Keypair, Wallet

TEMPO = 10


def wallet(name: str, cold_uri: str, hot_uri: str) -> Wallet:
    w = Wallet(name=name, hotkey="default", path=tempfile.mkdtemp())
    cold = Keypair.create_from_uri(cold_uri)
    w.set_coldkey(keypair=cold, encrypt=False, overwrite=True)
    w.set_coldkeypub(keypair=cold, overwrite=True)
    w.set_hotkey(keypair=Keypair.create_from_uri(hot_uri), encrypt=False, overwrite=True)
    return w


def ok(response, what: str) -> None:
    if not response.success:
        raise SystemExit(f"{what} failed: {response.message}")


def mine(st: bt.Subtensor, n: int) -> None:
    st.substrate.rpc_request("devnet_mine", [n])


def mine_to_epoch(st: bt.Subtensor, netuid: int) -> int:
    """Mines until the block after the subnet's next epoch; returns the epoch block."""
    block = st.get_current_block()
    # Legacy schedule: an epoch runs at a block b with (b + netuid + 1) % (tempo + 1) == tempo.
    wait = TEMPO - ((block + 1 + netuid + 1) % (TEMPO + 1))
    mine(st, wait + 1)
    return block + wait + 1


def storage(st: bt.Subtensor, item: str, *keys):
    return st.substrate.query("SubtensorModule", item, list(keys)).value


def main(url: str) -> None:
    st = bt.Subtensor(network=url)
    alice = wallet("alice", "//Alice", "//Alice//hot")
    validators = [wallet(f"v{i}", f"//Validator{i}", f"//Validator{i}//hot") for i in (1, 2)]
    miners = [wallet(f"m{i}", f"//Miner{i}", f"//Miner{i}//hot") for i in (1, 2, 3, 4)]

    ok(st.register_subnet(alice, mev_protection=False), "register_subnet")
    netuid = max(n for n in st.get_all_subnets_netuid())
    ok(st.start_call(alice, netuid, mev_protection=False, wait_for_finalization=True), "start_call")
    for fn, params in [
        ("sudo_set_tempo", {"netuid": netuid, "tempo": TEMPO}),
        ("sudo_set_commit_reveal_weights_enabled", {"netuid": netuid, "enabled": False}),
    ]:
        ok(sudo_call_extrinsic(st, alice, fn, params), fn)

    for w in validators + miners:
        ok(
            st.transfer(alice, w.coldkeypub.ss58_address, bt.Balance.from_tao(1000), mev_protection=False),
            "transfer",
        )
    for w in validators + miners:
        ok(st.burned_register(w, netuid, mev_protection=False), f"burned_register {w.name}")
    for i, v in enumerate(validators):
        ok(
            st.add_stake(
                v, netuid, v.hotkey.ss58_address, bt.Balance.from_tao(100 * (i + 1)), mev_protection=False
            ),
            "add_stake",
        )

    # Validator permits are granted by the next epoch; the weights rate limit (100 blocks since
    # registration) must also have passed.
    mine(st, 100)
    mine_to_epoch(st, netuid)
    uids = {w.name: st.get_uid_for_hotkey_on_subnet(w.hotkey.ss58_address, netuid) for w in validators + miners}
    miner_uids = [uids[m.name] for m in miners]
    for k, v in enumerate(validators):
        weights = [1.0 + j + k for j in range(len(miners))]
        ok(
            st.set_weights(v, netuid, miner_uids, weights, mev_protection=False, wait_for_finalization=True),
            f"set_weights {v.name}",
        )
    mine_to_epoch(st, netuid)
    mine_to_epoch(st, netuid)

    lite = st.metagraph(netuid)
    full = st.metagraph(netuid, lite=False)
    n = storage(st, "SubnetworkN", netuid)
    assert lite.n.item() == n == len(uids) + 1, (lite.n, n)
    chain = {
        "incentive": storage(st, "Incentive", netuid),
        "dividends": storage(st, "Dividends", netuid),
        "consensus": storage(st, "Consensus", netuid),
        "emission": storage(st, "Emission", netuid),
        "validator_permit": storage(st, "ValidatorPermit", netuid),
    }
    hotkeys = [storage(st, "Keys", netuid, uid) for uid in range(n)]
    stakes = [storage(st, "TotalHotkeyAlpha", hk, netuid) for hk in hotkeys]
    for mg in (lite, full):
        assert list(mg.hotkeys) == hotkeys, (mg.hotkeys, hotkeys)
        for uid in range(n):
            assert round(float(mg.I[uid]) * 65535) == chain["incentive"][uid], ("I", uid)
            assert round(float(mg.D[uid]) * 65535) == chain["dividends"][uid], ("D", uid)
            assert round(float(mg.C[uid]) * 65535) == chain["consensus"][uid], ("C", uid)
            assert bool(mg.validator_permit[uid]) == chain["validator_permit"][uid], ("permit", uid)
            # The metagraph holds float32 TAO: equal to 7 significant digits.
            assert abs(float(mg.alpha_stake[uid]) - stakes[uid] / 1e9) <= 1e-6 * max(1.0, stakes[uid] / 1e9), (
                "stake",
                uid,
            )
    assert sum(chain["incentive"]) > 0 and sum(chain["dividends"]) > 0, chain
    # Weights in the full metagraph equal the stored rows.
    for v in validators:
        uid = uids[v.name]
        row = storage(st, "Weights", netuid, uid)
        for dest, w in row:
            assert round(float(full.weights[uid][dest]) * 65535) == w or abs(float(full.weights[uid][dest]) - w / sum(x for _, x in row)) < 1e-6, (uid, dest)
    hp = st.get_subnet_hyperparameters(netuid)
    assert hp.tempo == TEMPO, hp
    assert hp.commit_reveal_weights_enabled is False, hp
    print(
        json.dumps(
            {
                "netuid": netuid,
                "uids": uids,
                "hotkeys": hotkeys,
                "stakes": stakes,
                "chain": chain,
                "metagraph_incentive": [float(x) for x in lite.I],
                "hyperparameters": {"tempo": hp.tempo, "commit_reveal": hp.commit_reveal_weights_enabled},
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
