//! Starts the devnet chain in this process and connects a client to it.

#![allow(dead_code)]

use localtensor_chain::devnet::Devnet;
use localtensor_chain::genesis::GenesisConfig;
use localtensor_chain::node::Sealing;
use localtensor_client::{AccountId, Client, Keypair, account_id, keypair_from_uri};

pub struct Node {
    pub devnet: Devnet,
    pub client: Client,
}

pub async fn start(sealing: Sealing) -> Node {
    let devnet = Devnet::start(GenesisConfig::dev().unwrap(), sealing)
        .await
        .unwrap();
    let client = Client::connect(&devnet.ws_url()).await.unwrap();
    Node { devnet, client }
}

pub fn key(uri: &str) -> Keypair {
    keypair_from_uri(uri).unwrap()
}

pub fn id(uri: &str) -> AccountId {
    account_id(&key(uri))
}

/// A neuron's coldkey and hotkey.
pub struct Wallet {
    pub cold: Keypair,
    pub hot: Keypair,
}

impl Wallet {
    pub fn new(name: &str) -> Wallet {
        Wallet {
            cold: key(&format!("//{name}")),
            hot: key(&format!("//{name}//hot")),
        }
    }
    pub fn cold_id(&self) -> AccountId {
        account_id(&self.cold)
    }
    pub fn hot_id(&self) -> AccountId {
        account_id(&self.hot)
    }
}
