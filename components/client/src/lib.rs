//! `localtensor-client`: a Rust client for subtensor's Substrate interface.
//!
//! Built on subxt's *dynamic* API: pallets, calls, storage items and runtime APIs are addressed by
//! name and encoded/decoded against the metadata the node serves, so the same client drives the
//! localtensor devnet chain and a real node-subtensor. Only the [`devnet`] module uses
//! localtensor-specific RPCs (`devnet_mine`, snapshots, balances).
//!
//! - [`Client::connect`] opens one WebSocket connection;
//! - reads: [`Client::block_number`], [`Client::subscribe_blocks`], typed storage reads
//!   ([`Client::tempo`], [`Client::weights`], ...; or all at one block through [`Client::latest`]),
//!   runtime APIs ([`Client::metagraph`], [`Client::neurons_lite`]);
//! - writes: signed with an sr25519 [`Keypair`] ([`keypair_from_uri`]), one method per subtensor
//!   call ([`Client::burned_register`], [`Client::set_weights`], ...) or any [`Call`] through
//!   [`Client::execute`] / [`Client::sudo`]. Each waits for the transaction to be finalized and
//!   returns its events; a failed dispatch becomes [`ChainError::Module`] with the pallet and error
//!   names from metadata.
//!
//! Transactions from one signer are serialized inside a client (nonce read from the node's
//! `system_accountNextIndex`, which counts pooled transactions, then signed and submitted under a
//! per-signer lock), so concurrent calls from one key do not collide.

mod blocks;
pub mod calls;
pub mod devnet;
mod error;
mod keys;
mod metagraph;
#[cfg(test)]
mod reference_tests;
mod storage;
mod tx;

pub use blocks::{BlockInfo, BlockStream};

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use error::{ChainError, Result};
pub use keys::{AccountId, Keypair, account_id, keypair_from_seed, keypair_from_uri};
pub use metagraph::{AxonInfo, Metagraph, NeuronInfoLite, NeuronMetagraph};
pub use storage::BlockView;
pub use subxt::dynamic::Value;
pub use tx::{AxonEndpoint, Call, ChainEvent, PendingTx, TxOutcome};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use subxt::rpcs::RpcClient;
use subxt::{OnlineClient, PolkadotConfig};

/// One TAO in rao (the chain's balance unit).
pub const TAO: u64 = 1_000_000_000;

type Api = OnlineClient<PolkadotConfig>;

/// A connection to a subtensor-compatible node. Cheap to clone (clones share the connection and
/// the per-signer locks).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    api: Api,
    rpc: RpcClient,
    signers: Mutex<HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `url` (`ws://` or `wss://`), fetching the genesis hash; metadata is fetched on
    /// first use.
    pub async fn connect(url: &str) -> Result<Client> {
        let connect_err = |reason: String| ChainError::Connect {
            url: url.to_string(),
            reason,
        };
        let rpc = RpcClient::from_insecure_url(url)
            .await
            .map_err(|e| connect_err(e.to_string()))?;
        let api =
            Api::from_rpc_client(rpc.clone())
                .await
                .map_err(|e| match ChainError::from(e) {
                    ChainError::Disconnected(reason) => connect_err(reason),
                    other => other,
                })?;
        let client = Client {
            inner: Arc::new(Inner {
                url: url.to_string(),
                api,
                rpc,
                signers: Mutex::new(HashMap::new()),
            }),
        };
        // Fail now, not on first use, if the node does not serve usable metadata.
        client.latest().await?;
        Ok(client)
    }

    /// The URL this client connected to.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The underlying subxt client, for anything this API does not cover.
    pub fn subxt(&self) -> &OnlineClient<PolkadotConfig> {
        &self.inner.api
    }

    /// The raw JSON-RPC client (shares the connection).
    pub fn rpc(&self) -> &RpcClient {
        &self.inner.rpc
    }

    /// localtensor devnet control (`devnet_*` RPCs; not served by node-subtensor).
    pub fn devnet(&self) -> devnet::Devnet<'_> {
        devnet::Devnet::new(self)
    }

    /// A view of the latest finalized block, for several reads at one consistent state.
    pub async fn latest(&self) -> Result<BlockView> {
        let at = self.inner.api.at_current_block().await?;
        Ok(BlockView::new(at))
    }

    /// A view of the block with this number.
    pub async fn at_block(&self, number: u64) -> Result<BlockView> {
        let at = self.inner.api.at_block(number).await?;
        Ok(BlockView::new(at))
    }

    /// Number of the best block (`chain_getHeader`).
    pub async fn block_number(&self) -> Result<u64> {
        blocks::best_number(&self.inner.rpc).await
    }

    /// Number of the latest finalized block.
    pub async fn finalized_number(&self) -> Result<u64> {
        Ok(self.latest().await?.number())
    }

    /// A stream of finalized blocks: the current one, then every later one in order (none
    /// skipped). It ends when the connection closes.
    pub async fn subscribe_blocks(&self) -> Result<BlockStream> {
        blocks::subscribe_finalized(&self.inner.api, &self.inner.rpc).await
    }

    /// Waits until block `number` is finalized (returns at once if it already is); returns that
    /// block. Neurons use this to follow a devnet whose blocks the orchestrator makes.
    pub async fn wait_for_block(&self, number: u64) -> Result<BlockInfo> {
        let mut blocks = self.subscribe_blocks().await?;
        while let Some(block) = blocks.next().await {
            let block = block?;
            if block.number >= number {
                return Ok(block);
            }
        }
        Err(ChainError::Disconnected(format!(
            "block stream ended before block {number}"
        )))
    }

    /// Makes a raw JSON-RPC request with positional parameters.
    pub async fn request<R: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: Vec<serde_json::Value>,
    ) -> Result<R> {
        let mut p = subxt::rpcs::client::RpcParams::new();
        for v in params {
            p.push(v)
                .map_err(|e| ChainError::InvalidArgument(e.to_string()))?;
        }
        Ok(self.inner.rpc.request(method, p).await?)
    }

    fn signer_lock(&self, who: [u8; 32]) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.inner.signers.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(who).or_default().clone()
    }
}

/// Read methods on [`Client`] that read the latest finalized block (see [`BlockView`] for docs).
macro_rules! latest_reads {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                /// Reads the latest finalized block.
                pub async fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
                    self.latest().await?.$name($($arg),*).await
                }
            )*
        }
    };
}

latest_reads! {
    /// Free balance of `account` in rao (`System.Account`).
    fn balance(account: &AccountId) -> u64;
    /// Whether the subnet exists (`NetworksAdded`).
    fn subnet_exists(netuid: u16) -> bool;
    /// Number of subnets (`TotalNetworks`).
    fn total_networks() -> u16;
    /// The subnet's tempo (`Tempo`).
    fn tempo(netuid: u16) -> u16;
    /// Number of uids on the subnet (`SubnetworkN`).
    fn subnetwork_n(netuid: u16) -> u16;
    /// The uid of `hotkey` on the subnet, if registered (`Uids`).
    fn uid(netuid: u16, hotkey: &AccountId) -> Option<u16>;
    /// The hotkey of `uid`, if the uid exists (`Keys`).
    fn hotkey(netuid: u16, uid: u16) -> Option<AccountId>;
    /// Hotkeys of every uid, in uid order.
    fn hotkeys(netuid: u16) -> Vec<AccountId>;
    /// The weights row `uid` set: `(dest uid, weight)` (`Weights`).
    fn weights(netuid: u16, uid: u16) -> Vec<(u16, u16)>;
    /// Incentive per uid, u16-normalised (`Incentive`).
    fn incentive(netuid: u16) -> Vec<u16>;
    /// Dividends per uid, u16-normalised (`Dividends`).
    fn dividends(netuid: u16) -> Vec<u16>;
    /// Emission per uid at the last epoch, in alpha rao (`Emission`).
    fn emission(netuid: u16) -> Vec<u64>;
    /// Consensus per uid, u16-normalised (`Consensus`).
    fn consensus(netuid: u16) -> Vec<u16>;
    /// Validator trust per uid, u16-normalised (`ValidatorTrust`).
    fn validator_trust(netuid: u16) -> Vec<u16>;
    /// Validator permit per uid (`ValidatorPermit`).
    fn validator_permit(netuid: u16) -> Vec<bool>;
    /// Active flag per uid (`Active`).
    fn active(netuid: u16) -> Vec<bool>;
    /// Block of each uid's last weights update (`LastUpdate`).
    fn last_update(netuid: u16) -> Vec<u64>;
    /// Alpha staked to `hotkey` on the subnet, in rao (`TotalHotkeyAlpha`).
    fn total_hotkey_alpha(hotkey: &AccountId, netuid: u16) -> u64;
    /// Whether commit-reveal weights are enabled (`CommitRevealWeightsEnabled`).
    fn commit_reveal_enabled(netuid: u16) -> bool;
    /// Blocks between two weight updates of one uid (`WeightsSetRateLimit`).
    fn weights_rate_limit(netuid: u16) -> u64;
    /// Current burn registration cost in rao (`Burn`).
    fn burn(netuid: u16) -> u64;
    /// The metagraph from `SubnetInfoRuntimeApi.get_metagraph`, `None` if the subnet does not
    /// exist.
    fn metagraph(netuid: u16) -> Option<Metagraph>;
    /// Every neuron from `NeuronInfoRuntimeApi.get_neurons_lite`.
    fn neurons_lite(netuid: u16) -> Vec<NeuronInfoLite>;
}

#[cfg(test)]
mod send_tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The client and its futures can move between tokio tasks (compile-time check).
    #[allow(dead_code)]
    fn futures_are_send(c: Client, k: Keypair, a: AccountId, call: Call) {
        assert_send(&c);
        assert_send(&c.metagraph(1));
        assert_send(&c.neurons_lite(1));
        assert_send(&c.hotkeys(1));
        assert_send(&c.set_weights(&k, 1, &[0], &[1], 0));
        assert_send(&c.execute(&k, &call));
        assert_send(&c.sudo_set_hyperparameter(&k, "tempo", 1, 1u16));
        assert_send(&c.transfer(&k, &a, 1));
        assert_send(&c.subscribe_blocks());
        assert_send(&c.wait_for_block(1));
        assert_send(&c.devnet().mine_to_epoch(1));
    }

    #[test]
    fn client_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Client>();
        check::<ChainError>();
    }
}
