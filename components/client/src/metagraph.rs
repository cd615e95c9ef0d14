//! The metagraph (`SubnetInfoRuntimeApi.get_metagraph`) and `NeuronInfoLite`
//! (`NeuronInfoRuntimeApi.get_neurons_lite`), decoded by field name into plain structs.

use crate::error::{ChainError, Result};
use crate::keys::AccountId;
use crate::storage::BlockView;
use subxt::ext::scale_decode::{self, DecodeAsType};

/// An axon as stored on chain (`AxonInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "scale_decode")]
pub struct AxonInfo {
    /// Block of the last update (0: never served).
    pub block: u64,
    /// Axon version.
    pub version: u32,
    /// IP address (IPv4 in the low 32 bits when `ip_type` is 4).
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol.
    pub protocol: u8,
}

impl AxonInfo {
    /// The IP address, if `ip_type` is 4 or 6 and the value fits.
    pub fn ip_addr(&self) -> Option<std::net::IpAddr> {
        match self.ip_type {
            4 => u32::try_from(self.ip)
                .ok()
                .map(|v| std::net::IpAddr::V4(v.into())),
            6 => Some(std::net::IpAddr::V6(self.ip.into())),
            _ => None,
        }
    }
}

/// Per-neuron fields of the runtime's `NeuronInfoLite`.
#[derive(Clone, Debug, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "scale_decode")]
pub struct NeuronInfoLite {
    /// Hotkey.
    pub hotkey: AccountId,
    /// Owning coldkey.
    pub coldkey: AccountId,
    /// Uid.
    pub uid: u16,
    /// Subnet.
    pub netuid: u16,
    /// Active at the last epoch.
    pub active: bool,
    /// Served axon.
    pub axon_info: AxonInfo,
    /// Stake per coldkey, in alpha rao.
    pub stake: Vec<(AccountId, u64)>,
    /// Rank (u16-normalised).
    pub rank: u16,
    /// Emission at the last epoch (alpha rao).
    pub emission: u64,
    /// Incentive (u16-normalised).
    pub incentive: u16,
    /// Consensus (u16-normalised).
    pub consensus: u16,
    /// Trust (u16-normalised).
    pub trust: u16,
    /// Validator trust (u16-normalised).
    pub validator_trust: u16,
    /// Dividends (u16-normalised).
    pub dividends: u16,
    /// Block of the last weights update.
    pub last_update: u64,
    /// Validator permit.
    pub validator_permit: bool,
    /// Pruning score.
    pub pruning_score: u16,
}

/// The fields of the runtime's `Metagraph` this client uses (decoded by name; others skipped).
#[derive(DecodeAsType)]
#[decode_as_type(crate_path = "scale_decode")]
pub(crate) struct RawMetagraph {
    netuid: u16,
    block: u64,
    tempo: u16,
    owner_hotkey: AccountId,
    owner_coldkey: AccountId,
    hotkeys: Vec<AccountId>,
    coldkeys: Vec<AccountId>,
    axons: Vec<AxonInfo>,
    active: Vec<bool>,
    validator_permit: Vec<bool>,
    last_update: Vec<u64>,
    emission: Vec<u64>,
    dividends: Vec<u16>,
    incentives: Vec<u16>,
    consensus: Vec<u16>,
    trust: Vec<u16>,
    rank: Vec<u16>,
    block_at_registration: Vec<u64>,
    alpha_stake: Vec<u64>,
    tao_stake: Vec<u64>,
    total_stake: Vec<u64>,
}

/// One neuron of a [`Metagraph`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeuronMetagraph {
    /// Uid.
    pub uid: u16,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Owning coldkey.
    pub coldkey: AccountId,
    /// Alpha stake (rao).
    pub alpha_stake: u64,
    /// TAO stake (root stake, rao).
    pub tao_stake: u64,
    /// Total stake weight (alpha + weighted TAO, rao): what the SDK's `S` holds.
    pub stake: u64,
    /// Incentive (u16-normalised).
    pub incentive: u16,
    /// Dividends (u16-normalised).
    pub dividends: u16,
    /// Emission at the last epoch (alpha rao).
    pub emission: u64,
    /// Consensus (u16-normalised).
    pub consensus: u16,
    /// Trust (u16-normalised).
    pub trust: u16,
    /// Rank (u16-normalised).
    pub rank: u16,
    /// Validator trust (u16-normalised; from `ValidatorTrust` at the same block, which the
    /// runtime's metagraph does not carry).
    pub validator_trust: u16,
    /// Validator permit.
    pub validator_permit: bool,
    /// Active at the last epoch.
    pub active: bool,
    /// Block of the last weights update.
    pub last_update: u64,
    /// Registration block.
    pub block_at_registration: u64,
    /// Served axon.
    pub axon: AxonInfo,
}

/// A subnet's metagraph at one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metagraph {
    /// Subnet.
    pub netuid: u16,
    /// Block the metagraph was read at.
    pub block: u64,
    /// Tempo.
    pub tempo: u16,
    /// Number of neurons.
    pub n: u16,
    /// Owner hotkey.
    pub owner_hotkey: AccountId,
    /// Owner coldkey.
    pub owner_coldkey: AccountId,
    /// Neurons in uid order.
    pub neurons: Vec<NeuronMetagraph>,
}

impl Metagraph {
    /// The neuron with `uid`.
    pub fn neuron(&self, uid: u16) -> Option<&NeuronMetagraph> {
        self.neurons.get(usize::from(uid))
    }

    /// The neuron registered with `hotkey`.
    pub fn by_hotkey(&self, hotkey: &AccountId) -> Option<&NeuronMetagraph> {
        self.neurons.iter().find(|n| &n.hotkey == hotkey)
    }
}

fn column<T: Clone>(name: &str, v: &[T], i: usize) -> Result<T> {
    v.get(i).cloned().ok_or_else(|| {
        ChainError::Decode(format!("metagraph column {name} is shorter than hotkeys"))
    })
}

impl RawMetagraph {
    pub(crate) fn into_metagraph(self, validator_trust: &[u16]) -> Result<Metagraph> {
        let n = self.hotkeys.len();
        let mut neurons = Vec::with_capacity(n);
        for i in 0..n {
            let uid = u16::try_from(i)
                .map_err(|_| ChainError::Decode(format!("metagraph has {n} neurons")))?;
            neurons.push(NeuronMetagraph {
                uid,
                hotkey: column("hotkeys", &self.hotkeys, i)?,
                coldkey: column("coldkeys", &self.coldkeys, i)?,
                alpha_stake: column("alpha_stake", &self.alpha_stake, i)?,
                tao_stake: column("tao_stake", &self.tao_stake, i)?,
                stake: column("total_stake", &self.total_stake, i)?,
                incentive: column("incentives", &self.incentives, i)?,
                dividends: column("dividends", &self.dividends, i)?,
                emission: column("emission", &self.emission, i)?,
                consensus: column("consensus", &self.consensus, i)?,
                trust: column("trust", &self.trust, i)?,
                rank: column("rank", &self.rank, i)?,
                validator_trust: validator_trust.get(i).copied().unwrap_or(0),
                validator_permit: column("validator_permit", &self.validator_permit, i)?,
                active: column("active", &self.active, i)?,
                last_update: column("last_update", &self.last_update, i)?,
                block_at_registration: column(
                    "block_at_registration",
                    &self.block_at_registration,
                    i,
                )?,
                axon: column("axons", &self.axons, i)?,
            });
        }
        Ok(Metagraph {
            netuid: self.netuid,
            block: self.block,
            tempo: self.tempo,
            n: u16::try_from(n).map_err(|_| ChainError::Decode(format!("{n} neurons")))?,
            owner_hotkey: self.owner_hotkey,
            owner_coldkey: self.owner_coldkey,
            neurons,
        })
    }
}

impl BlockView {
    /// The metagraph from `SubnetInfoRuntimeApi.get_metagraph(netuid)`, `None` if the subnet does
    /// not exist. Validator trust comes from `ValidatorTrust` at the same block.
    pub async fn metagraph(&self, netuid: u16) -> Result<Option<Metagraph>> {
        let raw: Option<RawMetagraph> = self
            .runtime_api("SubnetInfoRuntimeApi", "get_metagraph", (netuid,))
            .await?;
        let Some(raw) = raw else {
            return Ok(None);
        };
        let vtrust = self.validator_trust(netuid).await?;
        raw.into_metagraph(&vtrust).map(Some)
    }

    /// Every neuron of the subnet from `NeuronInfoRuntimeApi.get_neurons_lite(netuid)` (empty if
    /// the subnet does not exist).
    pub async fn neurons_lite(&self, netuid: u16) -> Result<Vec<NeuronInfoLite>> {
        self.runtime_api("NeuronInfoRuntimeApi", "get_neurons_lite", (netuid,))
            .await
    }
}
