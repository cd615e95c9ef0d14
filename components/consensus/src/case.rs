//! The epoch case: a subnet's state at an epoch (input) and what the epoch produces (output).
//!
//! This is the format of `shared/vectors/epoch-cases.jsonl` and of `localtensor consensus epoch`.
//! Omitted parameters take the values subtensor gives a new subnet (`init_new_network`).

use serde::{Deserialize, Serialize};

/// One subnet's state immediately before an epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochCase {
    /// Current block number.
    pub block: u64,
    /// Subnet tempo (blocks between epochs).
    pub tempo: u64,
    /// Block of the previous epoch's emission step (`LastMechansimStepBlock`); 0 = never.
    #[serde(default)]
    pub last_step_block: u64,
    /// Alpha (rao) distributed by this epoch.
    pub emission: u64,
    /// The subnet owner's uid, if the owner hotkey is registered.
    #[serde(default)]
    pub owner_uid: Option<u16>,
    /// Hyperparameters.
    #[serde(default)]
    pub params: EpochParams,
    /// Neurons; the list index is the uid.
    pub neurons: Vec<NeuronState>,
}

/// The subnet hyperparameters the epoch reads, in their stored units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EpochParams {
    /// Consensus majority as a u16 proportion (32767 ≈ 0.5).
    pub kappa: u16,
    /// Bonds penalty as a u16 proportion (65535 = 1.0).
    pub bonds_penalty: u16,
    /// Bonds moving average, per million (900 000 ⇒ EMA alpha 0.1).
    pub bonds_moving_average: u64,
    /// Yuma3 bonds instead of classic Yuma bonds.
    pub yuma3: bool,
    /// Liquid alpha (per-cell sigmoid EMA alphas; used by Yuma3 only).
    pub liquid_alpha: bool,
    /// Lower liquid-alpha bound, u16 proportion.
    pub alpha_low: u16,
    /// Upper liquid-alpha bound, u16 proportion.
    pub alpha_high: u16,
    /// Liquid-alpha sigmoid steepness.
    pub alpha_sigmoid_steepness: i16,
    /// Maximum number of validator permits.
    pub max_allowed_validators: u16,
    /// Blocks without a weight update after which a neuron is inactive.
    pub activity_cutoff: u64,
    /// Minimum stake (rao) for a validator's stake to count; the owner is exempt.
    pub stake_threshold: u64,
}

impl Default for EpochParams {
    fn default() -> Self {
        Self {
            kappa: 32_767,
            bonds_penalty: 65_535,
            bonds_moving_average: 900_000,
            yuma3: true,
            liquid_alpha: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1_000,
            max_allowed_validators: 64,
            activity_cutoff: 5_000,
            stake_threshold: 0,
        }
    }
}

/// One neuron's state as stored on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronState {
    /// Stake weight in rao (alpha plus root stake times the TAO weight).
    pub stake: u64,
    /// Block of the most recent registration of this uid.
    pub registered_at: u64,
    /// Block of the last weight update (or registration).
    pub last_update: u64,
    /// Validator permit from the previous epoch.
    #[serde(default)]
    pub validator_permit: bool,
    /// Stored weights row: `(uid, u16)`, max-upscaled as `set_weights` stores it.
    #[serde(default)]
    pub weights: Vec<(u16, u16)>,
    /// Stored bonds row: `(uid, u16)`.
    #[serde(default)]
    pub bonds: Vec<(u16, u16)>,
}

/// What an epoch produces, per uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochResult {
    /// One entry per uid, in uid order.
    pub neurons: Vec<NeuronResult>,
}

/// One neuron's epoch outputs, in the units subtensor stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronResult {
    /// The uid.
    pub uid: u16,
    /// Whether the neuron updated within the activity cutoff.
    pub active: bool,
    /// The new validator permit.
    pub validator_permit: bool,
    /// Normalised stake (u16 proportion).
    pub stake_weight: u16,
    /// Consensus weight for this uid (u16 proportion).
    pub consensus: u16,
    /// Miner incentive (u16 proportion).
    pub incentive: u16,
    /// Validator dividends (u16 proportion).
    pub dividends: u16,
    /// Validator trust (u16 proportion).
    pub validator_trust: u16,
    /// Miner emission in rao.
    pub server_emission: u64,
    /// Validator emission in rao.
    pub validator_emission: u64,
    /// Combined emission in rao (what `Emission` stores).
    pub emission: u64,
    /// The stored bonds row after the epoch (unchanged rows repeat the input).
    pub bonds: Vec<(u16, u16)>,
}

/// Why a case cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Uids are u16: a subnet holds at most 65 535 neurons.
    #[error("neurons: {count} neurons, but uids are u16, so at most 65535 are allowed")]
    TooManyNeurons {
        /// Number of neurons given.
        count: usize,
    },
    /// The owner uid does not name a neuron.
    #[error("owner_uid: {owner_uid} is not a uid of this case (it has {count} neurons)")]
    OwnerOutOfRange {
        /// The owner uid given.
        owner_uid: u16,
        /// Number of neurons.
        count: usize,
    },
}

impl EpochCase {
    /// Carries an epoch's stored outputs into the state, as subtensor persists them: the new
    /// validator permits and the bond rows. Everything else (weights, stake, blocks) is the
    /// caller's to change between epochs.
    pub fn apply(&mut self, result: &EpochResult) {
        for (neuron, out) in self.neurons.iter_mut().zip(&result.neurons) {
            neuron.validator_permit = out.validator_permit;
            neuron.bonds.clone_from(&out.bonds);
        }
    }

    /// Checks what the format alone cannot: the neuron count and the owner uid.
    ///
    /// Weights and bonds naming uids beyond the neuron list are accepted: subtensor ignores them,
    /// and so does the engine.
    pub fn validate(&self) -> Result<(), CaseError> {
        let count = self.neurons.len();
        if count > u16::MAX as usize {
            return Err(CaseError::TooManyNeurons { count });
        }
        if let Some(owner_uid) = self.owner_uid
            && owner_uid as usize >= count
        {
            return Err(CaseError::OwnerOutOfRange { owner_uid, count });
        }
        Ok(())
    }
}
