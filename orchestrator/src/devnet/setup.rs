//! Builds a topology's subnets and neurons on a running chain through real extrinsics: Alice
//! creates each subnet, starts it and sets its hyperparameters through sudo; every neuron's
//! coldkey is funded, registers its hotkey with `burned_register`, and stakes.
//!
//! Order decides uids: subnets as declared, then in each subnet validators before miners, then
//! replicas by index (see `Topology::instances`); uid 0 is the subnet owner's hotkey.

use super::batch::{self, Batch};
use super::keys::{NeuronKeys, alice};
use super::{DevnetError, chain};
use crate::topology::{Instance, Role, Subnet, Topology};
use localtensor_client::{Call, Client, Value, calls};

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

/// The hyperparameter calls for `subnet`, in the order they must apply (bounds that depend on
/// each other: uids before validators, liquid alpha before its bounds, burn bounds).
fn hyperparameter_calls(subnet: &Subnet, netuid: u16) -> Vec<(&'static str, Call)> {
    let h = &subnet.hyperparameters;
    let n = |v: u64| Value::u128(v.into());
    let mut calls: Vec<(&'static str, Call)> = [
        ("tempo", n(h.tempo.into())),
        ("kappa", n(h.kappa.into())),
        ("immunity_period", n(h.immunity_period.into())),
        ("min_allowed_weights", n(h.min_allowed_weights.into())),
        ("max_allowed_uids", n(h.max_allowed_uids.into())),
        ("max_allowed_validators", n(h.max_allowed_validators.into())),
        ("weights_set_rate_limit", n(h.weights_rate_limit)),
        ("activity_cutoff", n(h.activity_cutoff.into())),
        ("bonds_moving_average", n(h.bonds_moving_average)),
        ("bonds_penalty", n(h.bonds_penalty.into())),
        ("liquid_alpha_enabled", Value::bool(h.liquid_alpha)),
        (
            "commit_reveal_weights_enabled",
            Value::bool(h.commit_reveal),
        ),
        (
            "network_registration_allowed",
            Value::bool(h.registration_allowed),
        ),
        ("max_burn", n(h.max_burn.rao)),
        ("min_burn", n(h.min_burn.rao)),
    ]
    .into_iter()
    .map(|(name, value)| {
        (
            name,
            calls::sudo(&calls::set_hyperparameter(name, netuid, value)),
        )
    })
    .collect();
    if h.liquid_alpha {
        let alpha = Call::new(
            "AdminUtils",
            "sudo_set_alpha_values",
            [
                n(netuid.into()),
                n(h.alpha_low.into()),
                n(h.alpha_high.into()),
            ],
        );
        calls.push(("alpha_values", calls::sudo(&alpha)));
    }
    calls
}

/// Creates one subnet, owned by Alice, starts it, and checks it got the declared netuid.
async fn create_subnet(
    client: &Client,
    seed: u64,
    subnet: &Subnet,
) -> Result<NeuronKeys, DevnetError> {
    let name = &subnet.name.value;
    let owner = NeuronKeys::derive(seed, name, "owner")?;
    let creator = alice()?;
    let outcome = batch::one(
        client,
        format!("creating subnet {name:?}"),
        &creator,
        &calls::register_network(&owner.hotkey_account()),
    )
    .await?;
    let got = outcome.netuid_added().unwrap_or(0);
    if got != subnet.netuid.value {
        return Err(DevnetError::NetuidMismatch {
            name: name.clone(),
            want: subnet.netuid.value,
            got,
        });
    }
    batch::one(
        client,
        format!("starting subnet {name:?}"),
        &creator,
        &calls::start_call(got),
    )
    .await?;
    Ok(owner)
}

/// Sets up every subnet and neuron of `topology` through real extrinsics, sealing each step's
/// transactions together: each subnet's creation and start (two blocks each), then one block
/// each for all hyperparameters, funding, registrations and stakes. The block count depends
/// on the topology only. `progress` is told each step.
pub async fn setup(
    client: &Client,
    topology: &Topology,
    mut progress: impl FnMut(&str),
) -> Result<DevnetSetup, DevnetError> {
    let alice = alice()?;
    let mut owners = Vec::new();
    for subnet in &topology.subnets {
        progress(&format!(
            "creating subnet {} (netuid {})",
            subnet.name.value, subnet.netuid.value
        ));
        owners.push(create_subnet(client, topology.seed, subnet).await?);
    }

    let mut batch = Batch::new(client);
    for subnet in &topology.subnets {
        for (name, call) in hyperparameter_calls(subnet, subnet.netuid.value) {
            let what = format!("setting {name} of subnet {:?}", subnet.name.value);
            batch.add(what, &alice, &call).await?;
        }
    }
    batch.seal().await?;

    let instances = topology.instances();
    let mut keys = Vec::with_capacity(instances.len());
    for instance in &instances {
        keys.push(NeuronKeys::derive(
            topology.seed,
            &instance.subnet,
            &instance.name,
        )?);
    }
    let what = |step: &str, i: &Instance| format!("{step} {} on subnet {:?}", i.name, i.subnet);

    progress(&format!("funding {} neurons", instances.len()));
    let mut batch = Batch::new(client);
    for (instance, k) in instances.iter().zip(&keys) {
        // Registrations in one block raise the burn one after another (up to the subnet's
        // max_burn), so each coldkey gets the cap.
        let max_burn = topology
            .subnets
            .iter()
            .find(|s| s.netuid.value == instance.netuid)
            .map_or(0, |s| s.hyperparameters.max_burn.rao);
        let funds = instance
            .stake
            .rao
            .saturating_add(max_burn)
            .saturating_add(FEE_MARGIN);
        let call = calls::transfer(&k.coldkey_account(), funds);
        batch.add(what("funding", instance), &alice, &call).await?;
    }
    batch.seal().await?;

    progress(&format!("registering {} neurons", instances.len()));
    let mut batch = Batch::new(client);
    for (instance, k) in instances.iter().zip(&keys) {
        let call = calls::burned_register(instance.netuid, &k.hotkey_account());
        batch
            .add(what("registering", instance), &k.coldkey, &call)
            .await?;
    }
    batch.seal().await?;

    let mut batch = Batch::new(client);
    for (instance, k) in instances.iter().zip(&keys) {
        if instance.stake.rao > 0 {
            let call = calls::add_stake(&k.hotkey_account(), instance.netuid, instance.stake.rao);
            batch
                .add(what("staking", instance), &k.coldkey, &call)
                .await?;
        }
    }
    batch.seal().await?;

    let view = client
        .latest()
        .await
        .map_err(chain("reading the chain after setup"))?;
    let mut subnets: Vec<SubnetSetup> = topology
        .subnets
        .iter()
        .zip(owners)
        .map(|(subnet, owner)| SubnetSetup {
            name: subnet.name.value.clone(),
            netuid: subnet.netuid.value,
            tempo: subnet.hyperparameters.tempo,
            owner,
            neurons: Vec::new(),
        })
        .collect();
    for (instance, k) in instances.into_iter().zip(keys) {
        let uid = view
            .uid(instance.netuid, &k.hotkey_account())
            .await
            .map_err(chain(what("reading the uid of", &instance)))?
            .ok_or_else(|| DevnetError::NotRegistered {
                name: instance.name.clone(),
                subnet: instance.subnet.clone(),
            })?;
        if let Some(subnet) = subnets.iter_mut().find(|s| s.netuid == instance.netuid) {
            subnet.neurons.push(NeuronSetup {
                name: instance.name.clone(),
                role: instance.role,
                keys: k,
                uid,
                instance,
            });
        }
    }
    for subnet in &mut subnets {
        subnet.neurons.sort_by_key(|n| n.uid);
        progress(&format!(
            "subnet {}: {} neurons registered",
            subnet.name,
            subnet.neurons.len()
        ));
    }
    Ok(DevnetSetup { subnets })
}
