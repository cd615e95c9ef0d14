//! The subnet developer's flow through the client against the in-process devnet chain: create a
//! subnet, configure it through sudo, fund, register and stake neurons, set weights, run epochs,
//! and check the metagraph runtime API against typed storage reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Wallet, id, key};
use localtensor_chain::node::Sealing;
use localtensor_client::{AxonEndpoint, ChainError, Client, TAO};
use std::net::{IpAddr, Ipv4Addr};

const TEMPO: u16 = 10;

/// Subnet created by Alice, started, tempo 10, weights rate limit 0, commit-reveal off; two
/// validators (staked 100 and 200 TAO) and three miners registered. Returns the netuid.
async fn subnet(client: &Client, validators: &[Wallet], miners: &[Wallet]) -> u16 {
    let alice = key("//Alice");
    let out = client
        .register_network(&alice, &id("//Alice//hot"))
        .await
        .unwrap();
    let netuid = out.netuid_added().expect("NetworkAdded event");
    assert!(client.subnet_exists(netuid).await.unwrap());
    client.start_call(&alice, netuid).await.unwrap();
    let out = client
        .sudo_set_hyperparameter(&alice, "tempo", netuid, TEMPO)
        .await
        .unwrap();
    assert!(out.find("Sudo", "Sudid").is_some());
    client
        .sudo_set_hyperparameter(&alice, "sudo_set_weights_set_rate_limit", netuid, 0u64)
        .await
        .unwrap();
    client
        .sudo_set_hyperparameter(&alice, "commit_reveal_weights_enabled", netuid, false)
        .await
        .unwrap();
    assert_eq!(client.tempo(netuid).await.unwrap(), TEMPO);
    assert_eq!(client.weights_rate_limit(netuid).await.unwrap(), 0);
    assert!(!client.commit_reveal_enabled(netuid).await.unwrap());

    for w in validators.iter().chain(miners) {
        client
            .transfer(&alice, &w.cold_id(), 1_000 * TAO)
            .await
            .unwrap();
        assert_eq!(client.balance(&w.cold_id()).await.unwrap(), 1_000 * TAO);
    }
    for w in validators.iter().chain(miners) {
        assert!(client.burn(netuid).await.unwrap() > 0);
        let out = client
            .burned_register(&w.cold, netuid, &w.hot_id())
            .await
            .unwrap();
        let uid = out.registered_uid().expect("NeuronRegistered event");
        assert_eq!(client.uid(netuid, &w.hot_id()).await.unwrap(), Some(uid));
        assert_eq!(client.hotkey(netuid, uid).await.unwrap(), Some(w.hot_id()));
        // The burn (which the chain adjusts block by block) was paid.
        assert!(client.balance(&w.cold_id()).await.unwrap() < 1_000 * TAO);
    }
    for (i, v) in validators.iter().enumerate() {
        let amount = 100 * TAO * (i as u64 + 1);
        client
            .add_stake(&v.cold, &v.hot_id(), netuid, amount)
            .await
            .unwrap();
        assert!(
            client
                .total_hotkey_alpha(&v.hot_id(), netuid)
                .await
                .unwrap()
                > 0
        );
    }
    netuid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subnet_flow_metagraph_matches_storage() {
    let node = common::start(Sealing::Instant).await;
    let client = &node.client;
    let validators: Vec<Wallet> = (1..=2)
        .map(|i| Wallet::new(&format!("Validator{i}")))
        .collect();
    let miners: Vec<Wallet> = (1..=3).map(|i| Wallet::new(&format!("Miner{i}"))).collect();
    let netuid = subnet(client, &validators, &miners).await;
    let n = client.subnetwork_n(netuid).await.unwrap();
    // The owner's hotkey holds uid 0.
    assert_eq!(usize::from(n), 1 + validators.len() + miners.len());

    // Permits are granted at the next epoch.
    let epoch = client.devnet().mine_to_epoch(netuid).await.unwrap();
    assert_eq!(client.block_number().await.unwrap(), epoch);
    assert_eq!(
        (epoch + u64::from(netuid) + 1) % u64::from(TEMPO + 1),
        u64::from(TEMPO)
    );
    // The epoch ran in that block.
    let at_epoch = client.latest().await.unwrap();
    let vals = at_epoch
        .get::<(u16,), u64>("SubtensorModule", "LastMechansimStepBlock", (netuid,))
        .await
        .unwrap();
    assert_eq!(vals, epoch);
    let permits = client.validator_permit(netuid).await.unwrap();
    assert_eq!(permits.len(), usize::from(n));

    let mut miner_uids = Vec::new();
    for m in &miners {
        miner_uids.push(client.uid(netuid, &m.hot_id()).await.unwrap().unwrap());
    }
    for (k, v) in validators.iter().enumerate() {
        let weights: Vec<u16> = (0..miners.len())
            .map(|j| (1 + j + k) as u16 * 100)
            .collect();
        let out = client
            .set_weights(&v.hot, netuid, &miner_uids, &weights, 0)
            .await
            .unwrap();
        assert!(out.find("SubtensorModule", "WeightsSet").is_some());
        let uid = client.uid(netuid, &v.hot_id()).await.unwrap().unwrap();
        let row = client.weights(netuid, uid).await.unwrap();
        assert_eq!(row.iter().map(|(d, _)| *d).collect::<Vec<_>>(), miner_uids);
        // Max-upscaled: the largest weight becomes u16::MAX.
        assert_eq!(row.iter().map(|(_, w)| *w).max(), Some(u16::MAX));
        let last = client.last_update(netuid).await.unwrap();
        assert_eq!(last[usize::from(uid)], out.block_number);
    }
    // A miner serves its axon.
    let axon = AxonEndpoint {
        ip: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)),
        port: 8091,
        version: 1,
        protocol: 4,
    };
    client
        .serve_axon(&miners[0].hot, netuid, axon)
        .await
        .unwrap();

    let dev = client.devnet();
    dev.mine_to_epoch(netuid).await.unwrap();
    dev.mine_to_epoch(netuid).await.unwrap();

    // Everything at one block.
    let at = client.latest().await.unwrap();
    let mg = at.metagraph(netuid).await.unwrap().expect("subnet exists");
    assert_eq!(mg.netuid, netuid);
    assert_eq!(mg.tempo, TEMPO);
    assert_eq!(mg.block, at.number());
    assert_eq!(mg.n, n);
    assert_eq!(mg.neurons.len(), usize::from(n));
    assert_eq!(mg.owner_hotkey, id("//Alice//hot"));
    assert_eq!(mg.owner_coldkey, id("//Alice"));
    let hotkeys = at.hotkeys(netuid).await.unwrap();
    let incentive = at.incentive(netuid).await.unwrap();
    let dividends = at.dividends(netuid).await.unwrap();
    let emission = at.emission(netuid).await.unwrap();
    let consensus = at.consensus(netuid).await.unwrap();
    let vtrust = at.validator_trust(netuid).await.unwrap();
    let permit = at.validator_permit(netuid).await.unwrap();
    let active = at.active(netuid).await.unwrap();
    let last_update = at.last_update(netuid).await.unwrap();
    for (i, neuron) in mg.neurons.iter().enumerate() {
        assert_eq!(usize::from(neuron.uid), i);
        assert_eq!(neuron.hotkey, hotkeys[i]);
        assert_eq!(neuron.incentive, incentive[i], "incentive {i}");
        assert_eq!(neuron.dividends, dividends[i], "dividends {i}");
        assert_eq!(neuron.emission, emission[i], "emission {i}");
        assert_eq!(neuron.consensus, consensus[i], "consensus {i}");
        assert_eq!(neuron.validator_trust, vtrust[i], "vtrust {i}");
        assert_eq!(neuron.validator_permit, permit[i], "permit {i}");
        assert_eq!(neuron.active, active[i], "active {i}");
        assert_eq!(neuron.last_update, last_update[i], "last_update {i}");
        assert_eq!(
            neuron.alpha_stake,
            at.total_hotkey_alpha(&neuron.hotkey, netuid).await.unwrap(),
            "alpha stake {i}"
        );
    }
    // Consensus ran: miners earn incentive, validators dividends, and the validators hold permits
    // and validator trust.
    assert!(
        incentive.iter().map(|x| u64::from(*x)).sum::<u64>() > 0,
        "{incentive:?}"
    );
    assert!(
        dividends.iter().map(|x| u64::from(*x)).sum::<u64>() > 0,
        "{dividends:?}"
    );
    for v in &validators {
        let nv = mg.by_hotkey(&v.hot_id()).unwrap();
        assert!(nv.validator_permit);
        assert!(nv.validator_trust > 0);
        assert!(nv.dividends > 0);
        assert_eq!(nv.coldkey, v.cold_id());
    }
    for m in &miners {
        let nm = mg.by_hotkey(&m.hot_id()).unwrap();
        assert!(nm.incentive > 0, "miner incentive");
        assert_eq!(nm.coldkey, m.cold_id());
    }
    let served = &mg.by_hotkey(&miners[0].hot_id()).unwrap().axon;
    assert_eq!(served.port, 8091);
    assert_eq!(served.ip_addr(), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));

    // The lite neuron list agrees.
    let lite = at.neurons_lite(netuid).await.unwrap();
    assert_eq!(lite.len(), usize::from(n));
    for (l, m) in lite.iter().zip(&mg.neurons) {
        assert_eq!(l.uid, m.uid);
        assert_eq!(l.hotkey, m.hotkey);
        assert_eq!(l.coldkey, m.coldkey);
        assert_eq!(l.incentive, m.incentive);
        assert_eq!(l.dividends, m.dividends);
        assert_eq!(l.validator_trust, m.validator_trust);
        assert_eq!(l.validator_permit, m.validator_permit);
    }
    assert!(client.metagraph(999).await.unwrap().is_none());

    // Rate limit restored: the second update inside the limit is refused by name.
    let alice = key("//Alice");
    client
        .sudo_set_hyperparameter(&alice, "weights_set_rate_limit", netuid, 5u64)
        .await
        .unwrap();
    dev.mine(5).await.unwrap();
    let v = &validators[0];
    client
        .set_weights(&v.hot, netuid, &miner_uids, &[1, 2, 3], 0)
        .await
        .unwrap();
    let err = client
        .set_weights(&v.hot, netuid, &miner_uids, &[1, 2, 3], 0)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ChainError::Module {
            pallet: "SubtensorModule".into(),
            error: "SettingWeightsTooFast".into()
        }
    );
    // Stake can be taken out again.
    let before = client
        .total_hotkey_alpha(&v.hot_id(), netuid)
        .await
        .unwrap();
    client
        .remove_stake(&v.cold, &v.hot_id(), netuid, before / 2)
        .await
        .unwrap();
    assert!(
        client
            .total_hotkey_alpha(&v.hot_id(), netuid)
            .await
            .unwrap()
            < before
    );
}
