//! Builds a topology's subnets and neurons on a running chain through real extrinsics: Alice
//! creates each subnet, starts it and sets its hyperparameters through sudo; every neuron's
//! coldkey is funded, registers its hotkey with `burned_register`, and stakes.
//!
//! Order decides uids: subnets as declared, then in each subnet validators before miners, then
//! replicas by index (see `Topology::instances`); uid 0 is the subnet owner's hotkey.

use super::keys::{NeuronKeys, alice};
use super::{DevnetError, chain};
use crate::topology::{Instance, Role, Subnet, Topology};
use localtensor_client::{Client, Value};

/// TAO (in rao) each coldkey gets beyond its stake and registration burn, for fees.
const FEE_MARGIN: u64 = 10_000_000_000;

/// One neuron as set up on the chain.
#[derive(Clone)]
pub struct NeuronSetup {
    /// Instance name from the topology.
    pub name: String,
    /// Validator or miner.
    pub role: Role,
    /// Its keys.
    pub keys: NeuronKeys,
    /// Its uid.
    pub uid: u16,
    /// The instance it was built from.
    pub instance: Instance,
}

/// One subnet as set up on the chain.
#[derive(Clone)]
pub struct SubnetSetup {
    /// Name from the topology.
    pub name: String,
    /// Netuid.
    pub netuid: u16,
    /// Tempo.
    pub tempo: u16,
    /// The owner's keys (coldkey is the creator's; the hotkey is uid 0).
    pub owner: NeuronKeys,
    /// Neurons in uid order (uid 0, the owner, not included).
    pub neurons: Vec<NeuronSetup>,
}

/// Everything set up.
#[derive(Clone)]
pub struct DevnetSetup {
    /// Subnets in netuid order.
    pub subnets: Vec<SubnetSetup>,
}

/// Applies the topology's hyperparameters to `netuid` through sudo.
async fn hyperparameters(client: &Client, subnet: &Subnet, netuid: u16) -> Result<(), DevnetError> {
    let sudo = alice()?;
    let h = &subnet.hyperparameters;
    // Order matters where bounds depend on each other: uids before validators, liquid alpha
    // before its bounds, burn bounds before the burn itself is used.
    let values: Vec<(&str, Value)> = vec![
        ("tempo", Value::u128(h.tempo.into())),
        ("kappa", Value::u128(h.kappa.into())),
        ("immunity_period", Value::u128(h.immunity_period.into())),
        (
            "min_allowed_weights",
            Value::u128(h.min_allowed_weights.into()),
        ),
        ("max_allowed_uids", Value::u128(h.max_allowed_uids.into())),
        (
            "max_allowed_validators",
            Value::u128(h.max_allowed_validators.into()),
        ),
        (
            "weights_set_rate_limit",
            Value::u128(h.weights_rate_limit.into()),
        ),
        ("activity_cutoff", Value::u128(h.activity_cutoff.into())),
        (
            "bonds_moving_average",
            Value::u128(h.bonds_moving_average.into()),
        ),
        ("bonds_penalty", Value::u128(h.bonds_penalty.into())),
        ("liquid_alpha_enabled", Value::bool(h.liquid_alpha)),
        (
            "commit_reveal_weights_enabled",
            Value::bool(h.commit_reveal),
        ),
        (
            "network_registration_allowed",
            Value::bool(h.registration_allowed),
        ),
        ("max_burn", Value::u128(h.max_burn.rao.into())),
        ("min_burn", Value::u128(h.min_burn.rao.into())),
    ];
    for (name, value) in values {
        client
            .sudo_set_hyperparameter(&sudo, name, netuid, value)
            .await
            .map_err(chain(format!(
                "setting {name} of subnet {:?}",
                subnet.name.value
            )))?;
    }
    if h.liquid_alpha {
        let call = localtensor_client::Call::new(
            "AdminUtils",
            "sudo_set_alpha_values",
            [
                Value::u128(netuid.into()),
                Value::u128(h.alpha_low.into()),
                Value::u128(h.alpha_high.into()),
            ],
        );
        client.sudo(&sudo, &call).await.map_err(chain(format!(
            "setting the alpha values of subnet {:?}",
            subnet.name.value
        )))?;
    }
    Ok(())
}

/// Creates one subnet, owned by Alice, and checks it got the declared netuid.
async fn create_subnet(
    client: &Client,
    seed: u64,
    subnet: &Subnet,
) -> Result<NeuronKeys, DevnetError> {
    let name = &subnet.name.value;
    let owner = NeuronKeys::derive(seed, name, "owner")?;
    let creator = alice()?;
    let outcome = client
        .register_network(&creator, &owner.hotkey_account())
        .await
        .map_err(chain(format!("creating subnet {name:?}")))?;
    let got = outcome
        .events
        .iter()
        .find(|e| e.is("SubtensorModule", "NetworkAdded"))
        .and_then(|e| e.field(0))
        .and_then(|v| v.as_u128())
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or(0);
    if got != subnet.netuid.value {
        return Err(DevnetError::NetuidMismatch {
            name: name.clone(),
            want: subnet.netuid.value,
            got,
        });
    }
    client
        .start_call(&creator, got)
        .await
        .map_err(chain(format!("starting subnet {name:?}")))?;
    Ok(owner)
}

/// Sets up every subnet and neuron of `topology`; `progress` is told each step.
pub async fn setup(
    client: &Client,
    topology: &Topology,
    mut progress: impl FnMut(&str),
) -> Result<DevnetSetup, DevnetError> {
    let funder = alice()?;
    let instances = topology.instances();
    let mut subnets = Vec::new();
    for subnet in &topology.subnets {
        let name = subnet.name.value.clone();
        progress(&format!(
            "creating subnet {name} (netuid {})",
            subnet.netuid.value
        ));
        let owner = create_subnet(client, topology.seed, subnet).await?;
        let netuid = subnet.netuid.value;
        hyperparameters(client, subnet, netuid).await?;
        let mut neurons = Vec::new();
        for instance in instances.iter().filter(|i| i.netuid == netuid) {
            let keys = NeuronKeys::derive(topology.seed, &name, &instance.name)?;
            let what = |step: &str| format!("{step} {} on subnet {name:?}", instance.name);
            let burn = client
                .burn(netuid)
                .await
                .map_err(chain(what("reading the burn for")))?;
            let funds = instance
                .stake
                .rao
                .saturating_add(burn.saturating_mul(2))
                .saturating_add(FEE_MARGIN);
            client
                .transfer(&funder, &keys.coldkey_account(), funds)
                .await
                .map_err(chain(what("funding")))?;
            client
                .burned_register(&keys.coldkey, netuid, &keys.hotkey_account())
                .await
                .map_err(chain(what("registering")))?;
            if instance.stake.rao > 0 {
                client
                    .add_stake(
                        &keys.coldkey,
                        &keys.hotkey_account(),
                        netuid,
                        instance.stake.rao,
                    )
                    .await
                    .map_err(chain(what("staking")))?;
            }
            let uid = client
                .uid(netuid, &keys.hotkey_account())
                .await
                .map_err(chain(what("reading the uid of")))?
                .unwrap_or(u16::MAX);
            neurons.push(NeuronSetup {
                name: instance.name.clone(),
                role: instance.role,
                keys,
                uid,
                instance: instance.clone(),
            });
        }
        progress(&format!(
            "subnet {name}: {} neurons registered",
            neurons.len()
        ));
        subnets.push(SubnetSetup {
            name,
            netuid,
            tempo: subnet.hyperparameters.tempo,
            owner,
            neurons,
        });
    }
    Ok(DevnetSetup { subnets })
}
