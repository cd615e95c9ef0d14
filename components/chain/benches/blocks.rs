//! Block production speed with manual sealing: empty blocks, and blocks of 256 signed transfers
//! (each from its own account; the time includes re-validating every signature at inclusion).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use localtensor_chain::builder::{SigningParams, sign};
use localtensor_chain::chain::{Chain, SealOutcome};
use localtensor_chain::genesis::{GenesisConfig, TAO};
use localtensor_chain::keys::{dev_account, dev_keypair};
use localtensor_chain::primitives::MultiAddress;
use localtensor_chain::runtime::RuntimeCall;
use localtensor_chain::runtime::pallets::balances;

fn main() {
    divan::main();
}

const SENDERS: usize = 256;

fn genesis_with_senders() -> GenesisConfig {
    let mut g = GenesisConfig::dev().unwrap();
    for i in 0..SENDERS {
        g.balances
            .push((dev_account(&format!("bench{i}")).unwrap(), 1_000 * TAO));
    }
    g
}

#[divan::bench(sample_count = 20, sample_size = 50)]
fn empty_block(bencher: divan::Bencher) {
    let mut chain = Chain::new(GenesisConfig::dev().unwrap());
    bencher.bench_local(|| {
        let mut out = SealOutcome::default();
        chain.seal(&mut out);
        out
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn block_with_256_transfers(bencher: divan::Bencher) {
    let genesis = genesis_with_senders();
    let keys: Vec<_> = (0..SENDERS)
        .map(|i| dev_keypair(&format!("bench{i}")).unwrap())
        .collect();
    let bob = dev_account("Bob").unwrap();
    let call = RuntimeCall::Balances(balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(bob),
        value: TAO,
    });
    let probe = Chain::new(genesis.clone());
    let params = SigningParams::immortal(probe.genesis_hash(), 0);
    let txs: Vec<Vec<u8>> = keys.iter().map(|k| sign(&call, k, &params)).collect();
    bencher
        .with_inputs(|| {
            let mut chain = Chain::new(genesis.clone());
            for tx in &txs {
                chain.submit(tx, None).unwrap();
            }
            chain
        })
        .bench_local_values(|mut chain| {
            let mut out = SealOutcome::default();
            chain.seal(&mut out);
            assert_eq!(chain.best().extrinsics.len(), SENDERS + 1);
            chain
        });
}
