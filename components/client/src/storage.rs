//! [`BlockView`]: typed reads of storage items and runtime APIs at one block.

use crate::Value;
use crate::error::{ChainError, Result};
use crate::keys::AccountId;
use subxt::PolkadotConfig;
use subxt::client::OnlineClientAtBlock;
use subxt::error::StorageError;
use subxt::ext::frame_decode::storage::{IntoEncodableValues, StorageTypeInfo};
use subxt::ext::futures::future::try_join_all;
use subxt::ext::scale_decode::DecodeAsType;

const SUBTENSOR: &str = "SubtensorModule";

/// Reads at one block (see [`crate::Client::latest`]); every read of one view sees the same
/// state.
pub struct BlockView {
    pub(crate) at: OnlineClientAtBlock<PolkadotConfig>,
}

impl std::fmt::Debug for BlockView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockView")
            .field("number", &self.number())
            .finish_non_exhaustive()
    }
}

impl BlockView {
    pub(crate) fn new(at: OnlineClientAtBlock<PolkadotConfig>) -> BlockView {
        BlockView { at }
    }

    /// The block number.
    pub fn number(&self) -> u64 {
        self.at.block_number()
    }

    /// The block hash.
    pub fn hash(&self) -> [u8; 32] {
        self.at.block_hash().0
    }

    /// The runtime's spec version at this block.
    pub fn spec_version(&self) -> u32 {
        self.at.spec_version()
    }

    /// Reads a storage item by name, falling back to its metadata default when absent.
    pub async fn get<K, V>(&self, pallet: &str, item: &str, keys: K) -> Result<V>
    where
        K: IntoEncodableValues + subxt::ext::frame_decode::storage::IntoDecodableValues,
        V: DecodeAsType,
    {
        let addr = subxt::dynamic::storage::<K, V>(pallet, item);
        let value = self.at.storage().fetch(addr, keys).await?;
        Ok(value.decode()?)
    }

    /// Reads a storage item by name; `None` when nothing is stored (defaults are not applied).
    pub async fn get_opt<K, V>(&self, pallet: &str, item: &str, keys: K) -> Result<Option<V>>
    where
        K: IntoEncodableValues + subxt::ext::frame_decode::storage::IntoDecodableValues,
        V: DecodeAsType,
    {
        let addr = subxt::dynamic::storage::<K, V>(pallet, item);
        let storage = self.at.storage();
        let key = storage.entry(addr)?.fetch_key(keys)?;
        let bytes = match storage.fetch_raw(key).await {
            Ok(bytes) => bytes,
            Err(StorageError::NoValueFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let metadata = self.at.metadata_ref();
        let info = metadata
            .storage_info(pallet, item)
            .map_err(|e| ChainError::Metadata(e.to_string()))?;
        let value = V::decode_as_type(&mut &bytes[..], info.value_id, metadata.types())
            .map_err(|e| ChainError::Decode(format!("{pallet}.{item}: {e}")))?;
        Ok(Some(value))
    }

    /// Reads any storage item as a dynamic [`Value`] (keys given as values).
    pub async fn get_value(&self, pallet: &str, item: &str, keys: Vec<Value>) -> Result<Value> {
        self.get::<Vec<Value>, Value>(pallet, item, keys).await
    }

    /// Free balance of `account` in rao (`System.Account`).
    pub async fn balance(&self, account: &AccountId) -> Result<u64> {
        use subxt::dynamic::At;
        let info: Value = self.get("System", "Account", (*account,)).await?;
        let free = info
            .at("data")
            .and_then(|d| d.at("free"))
            .and_then(|f| f.as_u128())
            .ok_or_else(|| ChainError::Decode("System.Account has no data.free".into()))?;
        u64::try_from(free).map_err(|_| ChainError::Decode(format!("balance {free} exceeds u64")))
    }

    /// Whether the subnet exists (`NetworksAdded`).
    pub async fn subnet_exists(&self, netuid: u16) -> Result<bool> {
        self.get(SUBTENSOR, "NetworksAdded", (netuid,)).await
    }

    /// Number of subnets (`TotalNetworks`).
    pub async fn total_networks(&self) -> Result<u16> {
        self.get(SUBTENSOR, "TotalNetworks", ()).await
    }

    /// The subnet's tempo (`Tempo`).
    pub async fn tempo(&self, netuid: u16) -> Result<u16> {
        self.get(SUBTENSOR, "Tempo", (netuid,)).await
    }

    /// Number of uids on the subnet (`SubnetworkN`).
    pub async fn subnetwork_n(&self, netuid: u16) -> Result<u16> {
        self.get(SUBTENSOR, "SubnetworkN", (netuid,)).await
    }

    /// The uid of `hotkey` on the subnet, if registered (`Uids`).
    pub async fn uid(&self, netuid: u16, hotkey: &AccountId) -> Result<Option<u16>> {
        self.get_opt(SUBTENSOR, "Uids", (netuid, *hotkey)).await
    }

    /// The hotkey of `uid`, if the uid exists (`Keys`).
    pub async fn hotkey(&self, netuid: u16, uid: u16) -> Result<Option<AccountId>> {
        self.get_opt(SUBTENSOR, "Keys", (netuid, uid)).await
    }

    /// Hotkeys of every uid, in uid order (`Keys` for uids below `SubnetworkN`).
    pub async fn hotkeys(&self, netuid: u16) -> Result<Vec<AccountId>> {
        let n = self.subnetwork_n(netuid).await?;
        try_join_all((0..n).map(|uid| self.get(SUBTENSOR, "Keys", (netuid, uid)))).await
    }

    /// The weights row `uid` set: `(dest uid, weight)`, max-upscaled (`Weights`).
    pub async fn weights(&self, netuid: u16, uid: u16) -> Result<Vec<(u16, u16)>> {
        self.get(SUBTENSOR, "Weights", (netuid, uid)).await
    }

    /// Incentive per uid, u16-normalised (`Incentive`).
    pub async fn incentive(&self, netuid: u16) -> Result<Vec<u16>> {
        self.get(SUBTENSOR, "Incentive", (netuid,)).await
    }

    /// Dividends per uid, u16-normalised (`Dividends`).
    pub async fn dividends(&self, netuid: u16) -> Result<Vec<u16>> {
        self.get(SUBTENSOR, "Dividends", (netuid,)).await
    }

    /// Emission per uid at the last epoch, in alpha rao (`Emission`).
    pub async fn emission(&self, netuid: u16) -> Result<Vec<u64>> {
        self.get(SUBTENSOR, "Emission", (netuid,)).await
    }

    /// Consensus per uid, u16-normalised (`Consensus`).
    pub async fn consensus(&self, netuid: u16) -> Result<Vec<u16>> {
        self.get(SUBTENSOR, "Consensus", (netuid,)).await
    }

    /// Validator trust per uid, u16-normalised (`ValidatorTrust`).
    pub async fn validator_trust(&self, netuid: u16) -> Result<Vec<u16>> {
        self.get(SUBTENSOR, "ValidatorTrust", (netuid,)).await
    }

    /// Validator permit per uid (`ValidatorPermit`).
    pub async fn validator_permit(&self, netuid: u16) -> Result<Vec<bool>> {
        self.get(SUBTENSOR, "ValidatorPermit", (netuid,)).await
    }

    /// Active flag per uid (`Active`).
    pub async fn active(&self, netuid: u16) -> Result<Vec<bool>> {
        self.get(SUBTENSOR, "Active", (netuid,)).await
    }

    /// Block of each uid's last weights update (`LastUpdate`).
    pub async fn last_update(&self, netuid: u16) -> Result<Vec<u64>> {
        self.get(SUBTENSOR, "LastUpdate", (netuid,)).await
    }

    /// Alpha staked to `hotkey` on the subnet, in rao (`TotalHotkeyAlpha`).
    pub async fn total_hotkey_alpha(&self, hotkey: &AccountId, netuid: u16) -> Result<u64> {
        self.get(SUBTENSOR, "TotalHotkeyAlpha", (*hotkey, netuid))
            .await
    }

    /// Whether commit-reveal weights are enabled (`CommitRevealWeightsEnabled`).
    pub async fn commit_reveal_enabled(&self, netuid: u16) -> Result<bool> {
        self.get(SUBTENSOR, "CommitRevealWeightsEnabled", (netuid,))
            .await
    }

    /// Blocks between two weight updates of one uid (`WeightsSetRateLimit`).
    pub async fn weights_rate_limit(&self, netuid: u16) -> Result<u64> {
        self.get(SUBTENSOR, "WeightsSetRateLimit", (netuid,)).await
    }

    /// Current burn registration cost in rao (`Burn`).
    pub async fn burn(&self, netuid: u16) -> Result<u64> {
        self.get(SUBTENSOR, "Burn", (netuid,)).await
    }

    /// Calls a runtime API method by name with SCALE-encodable arguments, decoding the result as
    /// `R` against the method's output type from metadata.
    pub async fn runtime_api<A, R>(&self, api: &str, method: &str, args: A) -> Result<R>
    where
        A: IntoEncodableValues,
        R: DecodeAsType,
    {
        let payload = subxt::dynamic::runtime_api_call::<A, R>(api, method, args);
        Ok(self.at.runtime_apis().call(payload).await?)
    }
}
