"""bittensor 10.5 decoding every subtensor runtime API the devnet serves.

Usage: python runtime_apis.py ws://127.0.0.1:PORT NETUID COLDKEY_SS58 HOTKEY_SS58
Calls the high-level SDK methods that go through NeuronInfoRuntimeApi, SubnetInfoRuntimeApi,
StakeInfoRuntimeApi, DelegateInfoRuntimeApi, SwapRuntimeApi and SubnetRegistrationRuntimeApi
(the SDK decodes each result with the types of our V15 metadata), plus a few raw runtime calls
for methods the high-level API does not reach, and prints one JSON line with what it decoded.
Exits non-zero on any failure.
"""
import json
import sys

import bittensor as bt


def raw(st, api: str, method: str, params: list):
    """A runtime call through async-substrate-interface, decoded with our V15 metadata."""
    result = st.substrate.runtime_call(api, method, params)
    return getattr(result, "value", result)


def neuron_lite(n) -> dict:
    return {
        "uid": n.uid,
        "hotkey": n.hotkey,
        "coldkey": n.coldkey,
        "stake": n.total_stake.rao,
        "incentive": n.incentive,
        "dividends": n.dividends,
        "consensus": n.consensus,
        "emission": n.emission,
        "validator_permit": n.validator_permit,
        "active": n.active,
        "last_update": n.last_update,
    }


def main(url: str, netuid: int, coldkey: str, hotkey: str) -> None:
    st = bt.Subtensor(network=url)
    out: dict = {"block": st.get_current_block()}

    # NeuronInfoRuntimeApi
    out["neurons_lite"] = [neuron_lite(n) for n in st.neurons_lite(netuid)]
    neurons = st.neurons(netuid)
    out["neurons"] = [
        {"uid": n.uid, "hotkey": n.hotkey, "weights": n.weights, "bonds": n.bonds}
        for n in neurons
    ]
    one = st.neuron_for_uid(1, netuid)
    out["neuron_for_uid"] = {"uid": one.uid, "hotkey": one.hotkey, "is_null": one.is_null}
    out["neuron_missing_is_null"] = st.neuron_for_uid(999, netuid).is_null
    raw_lite = raw(st, "NeuronInfoRuntimeApi", "get_neuron_lite", [netuid, 1])
    out["raw_neuron_lite_uid"] = raw_lite["uid"]

    # SubnetInfoRuntimeApi: metagraphs (selective mechagraph, subnet state, neurons).
    mg = st.metagraph(netuid)
    out["metagraph"] = {
        "n": int(mg.n),
        "hotkeys": list(mg.hotkeys),
        "coldkeys": list(mg.coldkeys),
        "alpha_stake": [float(x) for x in mg.AS],
        "total_stake": [float(x) for x in mg.S],
        "incentive": [float(x) for x in mg.I],
        "dividends": [float(x) for x in mg.D],
        "emission": [float(x) for x in mg.E],
        "validator_permit": [bool(x) for x in mg.validator_permit],
        "tempo": mg.tempo,
        "block": int(mg.block),
    }
    full = st.metagraph(netuid, lite=False)
    out["metagraph_full"] = {"weights": [[float(w) for w in row] for row in full.W]}
    info = st.get_metagraph_info(netuid)
    out["metagraph_info"] = {
        "netuid": info.netuid,
        "num_uids": info.num_uids,
        "tempo": info.tempo,
        "last_step": info.last_step,
        "moving_price": info.moving_price.tao,
        "hotkeys": info.hotkeys,
        "validators": info.validators,
    }
    partial = st.get_metagraph_info(netuid, selected_indices=[8, 52])
    out["selective"] = {"tempo": partial.tempo, "hotkeys": partial.hotkeys, "name": partial.name}
    out["all_metagraphs"] = [m.netuid for m in st.get_all_metagraphs_info()]
    state = raw(st, "SubnetInfoRuntimeApi", "get_subnet_state", [netuid])
    out["subnet_state_hotkeys"] = len(state["hotkeys"])
    raw_mg = raw(st, "SubnetInfoRuntimeApi", "get_metagraph", [netuid])
    out["raw_metagraph_num_uids"] = raw_mg["num_uids"]

    # SubnetInfoRuntimeApi: hyperparameters, subnet info, dynamic info.
    hp = st.get_subnet_hyperparameters(netuid)
    out["hyperparameters"] = {
        "tempo": hp.tempo,
        "weights_rate_limit": hp.weights_rate_limit,
        "min_allowed_weights": hp.min_allowed_weights,
        "commit_reveal_weights_enabled": hp.commit_reveal_weights_enabled,
        "yuma_version": hp.yuma_version,
        "subnet_is_active": hp.subnet_is_active,
    }
    raw_hp = raw(st, "SubnetInfoRuntimeApi", "get_subnet_hyperparams", [netuid])
    out["raw_hyperparams_tempo"] = raw_hp["tempo"]
    out["subnets_info"] = [s.netuid for s in st.get_all_subnets_info()]
    sub = st.get_subnet_info(netuid)
    out["subnet_info"] = {"netuid": sub.netuid, "subnetwork_n": sub.subnetwork_n, "tempo": sub.tempo}
    raw_infos = raw(st, "SubnetInfoRuntimeApi", "get_subnets_info", [])
    out["raw_subnets_info"] = [s["netuid"] for s in raw_infos if s is not None]
    out["all_subnets"] = [d.netuid for d in st.all_subnets()]
    dyn = st.subnet(netuid)
    out["dynamic_info"] = {
        "netuid": dyn.netuid,
        "tempo": dyn.tempo,
        "tao_in": dyn.tao_in.rao,
        "alpha_out": dyn.alpha_out.rao,
        "moving_price": dyn.moving_price,
        "owner_hotkey": dyn.owner_hotkey,
        "price": dyn.price.rao,
    }
    out["all_subnets_prices"] = {str(d.netuid): d.price.rao for d in st.all_subnets()}
    out["missing_subnet"] = st.subnet(999) is None

    # StakeInfoRuntimeApi
    pair = st.get_stake_for_coldkey_and_hotkey(coldkey, hotkey, netuids=[netuid])
    out["stake_for_coldkey_and_hotkey"] = pair[netuid].stake.rao
    out["get_stake"] = st.get_stake(coldkey, hotkey, netuid).rao
    out["get_stake_unknown_subnet"] = st.get_stake(coldkey, hotkey, 999).rao
    out["stake_info_for_coldkey"] = [
        {"hotkey": s.hotkey_ss58, "netuid": s.netuid, "stake": s.stake.rao, "registered": s.is_registered}
        for s in st.get_stake_info_for_coldkey(coldkey)
    ]
    many = st.get_stake_info_for_coldkeys([coldkey])
    out["stake_info_for_coldkeys"] = {k: len(v) for k, v in many.items()}
    out["stake_add_fee"] = st.get_stake_add_fee(bt.Balance.from_tao(1), netuid).rao

    # DelegateInfoRuntimeApi
    out["delegates"] = len(st.get_delegates())
    out["delegate"] = st.get_delegate_by_hotkey(hotkey) is None
    out["delegated"] = len(st.get_delegated(coldkey))

    # SwapRuntimeApi
    out["price"] = st.get_subnet_price(netuid).rao
    swap = st.sim_swap(0, netuid, bt.Balance.from_tao(2))
    out["sim_swap"] = {"alpha_amount": swap.alpha_amount.rao, "tao_fee": swap.tao_fee.rao}

    # SubnetRegistrationRuntimeApi
    out["burn_cost"] = st.get_subnet_burn_cost().rao

    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
