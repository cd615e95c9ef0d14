//! Network faults on a Docker devnet: a partition is the engine's network disconnect; loss
//! and latency are rules in the host's firewall ([`super::firewall`]), latency with a delay
//! line holding the packets ([`super::delay`]). Pause/resume and kill/restart are the
//! [`crate::runtime::Runtime`] trait's own.

use super::delay::DelayLine;
use super::firewall::{self, HostFault, HostRules};
use super::{DockerError, DockerRuntime};
use crate::runtime::RuntimeError;
use bollard::models::{
    EndpointIpamConfig, EndpointSettings, NetworkConnectRequest, NetworkDisconnectRequest,
};
use std::time::Duration;

/// The longest delay the latency fault takes, in ms.
pub const MAX_DELAY_MS: u32 = 60_000;

/// The loss and latency in effect on one component's links: firewall rules on the host (and,
/// for latency, the delay line holding its packets). They belong to the component's address,
/// so they outlast a restart; a heal or the teardown removes them.
#[derive(Debug, Default)]
pub(super) struct LinkFaults {
    loss: Option<HostRules>,
    delay: Option<(HostRules, DelayLine)>,
}

impl LinkFaults {
    /// Every rule pair in effect.
    pub(super) fn rules(&self) -> Vec<HostRules> {
        let delay = self.delay.as_ref().map(|(rules, _)| rules);
        self.loss.iter().chain(delay).cloned().collect()
    }

    pub(super) fn loss_percent(&self) -> Option<f64> {
        match self.loss.as_ref()?.fault {
            HostFault::Loss { percent } => Some(percent),
            HostFault::Delay { .. } => None,
        }
    }

    pub(super) fn latency_ms(&self) -> Option<u32> {
        match self.delay.as_ref()?.0.fault {
            HostFault::Delay { ms, .. } => Some(ms),
            HostFault::Loss { .. } => None,
        }
    }

    /// Puts `rules` in the place of its kind (a delay comes with its line, a loss without);
    /// returns the old ones.
    fn replace(
        &mut self,
        rules: HostRules,
        line: Option<DelayLine>,
    ) -> Option<(HostRules, Option<DelayLine>)> {
        match line {
            Some(line) => self.delay.replace((rules, line)).map(|(r, l)| (r, Some(l))),
            None => self.loss.replace(rules).map(|r| (r, None)),
        }
    }

    /// Forgets the rules of `fault`'s kind (their insertion failed).
    fn clear(&mut self, fault: &HostFault) {
        match fault {
            HostFault::Loss { .. } => self.loss = None,
            HostFault::Delay { .. } => self.delay = None,
        }
    }
}

fn link_unavailable(name: &str, fault: &'static str, reason: String) -> RuntimeError {
    DockerError::FaultUnavailable {
        name: name.to_owned(),
        fault,
        reason,
    }
    .into()
}

impl DockerRuntime {
    /// Cuts a component off the devnet network: nobody (the host included) reaches it and it
    /// reaches nobody, while it keeps running. Its address is kept for
    /// [`crate::runtime::Runtime::heal`]. Peers that look it up by name get a lookup failure
    /// (the engine's DNS forgets it).
    pub(super) async fn disconnect(&mut self, name: &str) -> Result<(), RuntimeError> {
        let container = self.live_container(name)?;
        let network = {
            let mut state = self.lock();
            let c = state.component(name)?;
            if c.partitioned {
                return Err(DockerError::FaultState {
                    name: name.to_owned(),
                    state: "already partitioned",
                }
                .into());
            }
            state.network.clone()
        };
        self.docker
            .disconnect_network(
                &network,
                NetworkDisconnectRequest {
                    container: container.id.clone(),
                    force: Some(true),
                },
            )
            .await
            .map_err(DockerError::api(format!(
                "disconnect {} from {network}",
                container.name
            )))?;
        let mut state = self.lock();
        state.component(name)?.partitioned = true;
        state.write_manifest()?;
        Ok(())
    }

    /// Undoes [`Self::disconnect`], [`Self::make_lossy`] and [`Self::make_slow`], whichever are
    /// in effect: removes the firewall rules first (then stops the delay line), then
    /// reconnects.
    pub(super) async fn restore_network(&mut self, name: &str) -> Result<(), RuntimeError> {
        let (partitioned, links) = {
            let mut state = self.lock();
            let partitioned = state.component(name)?.partitioned;
            let links = state
                .links
                .get(name)
                .map(LinkFaults::rules)
                .unwrap_or_default();
            (partitioned, links)
        };
        if !partitioned && links.is_empty() {
            return Err(DockerError::FaultState {
                name: name.to_owned(),
                state: "not partitioned, lossy or delayed",
            }
            .into());
        }
        for rules in &links {
            firewall::remove(rules)
                .await
                .map_err(|reason| DockerError::Firewall {
                    action: format!("remove the loss or latency of {name}"),
                    reason,
                })?;
        }
        if !links.is_empty() {
            let removed = {
                let mut state = self.lock();
                let removed = state.links.remove(name);
                state.write_manifest()?;
                removed
            };
            // Its delay line (if any) stops here, outside the lock: it lets held packets go.
            drop(removed);
        }
        if partitioned {
            self.reconnect(name).await?;
        }
        Ok(())
    }

    /// Drops `percent` % of the packets a component sends to, and receives from, the other
    /// containers of the devnet, at random, with rules on the host (see [`firewall`]). A
    /// second call replaces the rate. Traffic between the host and the container is not
    /// affected.
    pub(super) async fn make_lossy(
        &mut self,
        name: &str,
        percent: f64,
    ) -> Result<(), RuntimeError> {
        if !(percent > 0.0 && percent <= 100.0) {
            return Err(link_unavailable(
                name,
                "loss",
                format!(
                    "{percent} is not a loss rate; give a percentage greater than 0 and at most 100"
                ),
            ));
        }
        self.check_link_fault(name, "loss").await?;
        self.set_link_fault(name, HostFault::Loss { percent }, None)
            .await
    }

    /// Delays every packet a component sends to, and receives from, the other containers of
    /// the devnet by `delay_ms` (1 to [`MAX_DELAY_MS`]): the host's firewall queues them to a
    /// delay line of this process ([`super::delay`]), which holds each for the delay. A second
    /// call replaces the delay. Traffic between the host and the container is not affected.
    pub(super) async fn make_slow(
        &mut self,
        name: &str,
        delay_ms: u32,
    ) -> Result<(), RuntimeError> {
        if !(1..=MAX_DELAY_MS).contains(&delay_ms) {
            return Err(link_unavailable(
                name,
                "latency",
                format!("{delay_ms} ms is not a delay; give 1 to {MAX_DELAY_MS} ms"),
            ));
        }
        self.check_link_fault(name, "latency").await?;
        let line = DelayLine::start(Duration::from_millis(u64::from(delay_ms)))
            .map_err(|reason| link_unavailable(name, "latency", reason))?;
        let fault = HostFault::Delay {
            ms: delay_ms,
            queue: line.queue(),
        };
        self.set_link_fault(name, fault, Some(line)).await
    }

    /// Whether loss or latency (`what`) can be put on component `name`: it runs, and the host
    /// lets this process change its traffic.
    async fn check_link_fault(&self, name: &str, what: &'static str) -> Result<(), RuntimeError> {
        self.live_container(name)?;
        match firewall::unavailable().await {
            Some(reason) => Err(link_unavailable(name, what, reason)),
            None => Ok(()),
        }
    }

    /// Puts `fault`'s rules in place of the same kind's old ones (and `line` in place of the
    /// old delay line), once [`Self::check_link_fault`] has passed.
    async fn set_link_fault(
        &mut self,
        name: &str,
        fault: HostFault,
        line: Option<DelayLine>,
    ) -> Result<(), RuntimeError> {
        let what = match fault {
            HostFault::Loss { .. } => "loss",
            HostFault::Delay { .. } => "latency",
        };
        let (rules, old) = {
            let mut state = self.lock();
            if state.torn_down {
                return Err(RuntimeError::TornDown(state.id.clone()));
            }
            let rules = HostRules {
                devnet: state.id.clone(),
                component: name.to_owned(),
                owner: state.orchestrator,
                ip: state.address_for(name)?,
                fault,
            };
            // Recorded before the rules exist, so a teardown that starts meanwhile removes them.
            let links = state.links.entry(name.to_owned()).or_default();
            let old = links.replace(rules.clone(), line);
            (rules, old)
        };
        let changed = async {
            if let Some(old) = &old {
                firewall::remove(&old.0).await?;
            }
            firewall::insert(&rules).await
        }
        .await;
        // The old delay line (if any) stops now that its rules are gone, outside the lock.
        drop(old);
        let mut state = self.lock();
        if let Err(reason) = changed {
            if let Some(links) = state.links.get_mut(name) {
                links.clear(&rules.fault);
            }
            state.write_manifest()?;
            return Err(link_unavailable(name, what, reason));
        }
        state.write_manifest()
    }

    /// The loss rate set by [`crate::runtime::Runtime::add_loss`] on a component, in percent.
    pub fn loss_percent(&self, name: &str) -> Result<Option<f64>, RuntimeError> {
        let mut state = self.lock();
        state.component(name)?;
        Ok(state.links.get(name).and_then(LinkFaults::loss_percent))
    }

    /// The delay set by [`crate::runtime::Runtime::add_latency`] on a component, in ms.
    pub fn latency_ms(&self, name: &str) -> Result<Option<u32>, RuntimeError> {
        let mut state = self.lock();
        state.component(name)?;
        Ok(state.links.get(name).and_then(LinkFaults::latency_ms))
    }

    /// Reconnects a partitioned component with its old address and alias, so the endpoints
    /// everyone holds work again.
    async fn reconnect(&mut self, name: &str) -> Result<(), RuntimeError> {
        let container = self.live_container(name)?;
        let network = self.lock().network.clone();
        let endpoint = EndpointSettings {
            aliases: Some(vec![name.to_owned()]),
            ipam_config: container.ip.map(|ip| EndpointIpamConfig {
                ipv4_address: Some(ip.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.docker
            .connect_network(
                &network,
                NetworkConnectRequest {
                    container: container.id.clone(),
                    endpoint_config: Some(endpoint),
                },
            )
            .await
            .map_err(DockerError::api(format!(
                "reconnect {} to {network}",
                container.name
            )))?;
        let mut state = self.lock();
        state.component(name)?.partitioned = false;
        state.write_manifest()?;
        Ok(())
    }

    /// Whether a component is cut off by [`crate::runtime::Runtime::partition`].
    pub fn is_partitioned(&self, name: &str) -> Result<bool, RuntimeError> {
        Ok(self.lock().component(name)?.partitioned)
    }
}
