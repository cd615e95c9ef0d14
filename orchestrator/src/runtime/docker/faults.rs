//! Network faults on a Docker devnet, beyond the [`crate::runtime::Runtime`] trait (which
//! already gives pause/resume and kill/restart).

use super::{DockerError, DockerRuntime, loss};
use crate::runtime::RuntimeError;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::{
    EndpointIpamConfig, EndpointSettings, NetworkConnectRequest, NetworkDisconnectRequest,
};
use futures_util::StreamExt;

impl DockerRuntime {
    /// Cuts a component off the devnet network: nobody (the host included) reaches it and it
    /// reaches nobody, while it keeps running. Its address is kept for [`crate::runtime::Runtime::heal`]. Peers
    /// that look it up by name get a lookup failure (the engine's DNS forgets it).
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

    /// Undoes [`Self::disconnect`] and [`Self::make_lossy`], whichever is in effect: removes
    /// the loss rules first, then reconnects.
    pub(super) async fn restore_network(&mut self, name: &str) -> Result<(), RuntimeError> {
        let (partitioned, lossy) = {
            let mut state = self.lock();
            let partitioned = state.component(name)?.partitioned;
            (partitioned, state.losses.get(name).cloned())
        };
        if !partitioned && lossy.is_none() {
            return Err(DockerError::FaultState {
                name: name.to_owned(),
                state: "neither partitioned nor lossy",
            }
            .into());
        }
        if let Some(rules) = lossy {
            loss::remove(&rules)
                .await
                .map_err(|reason| DockerError::Firewall {
                    action: format!("remove the packet loss of {name}"),
                    reason,
                })?;
            let mut state = self.lock();
            state.losses.remove(name);
            state.write_manifest()?;
        }
        if partitioned {
            self.reconnect(name).await?;
        }
        Ok(())
    }

    /// Drops `percent` % of the packets a component sends to, and receives from, the other
    /// containers of the devnet, at random, with rules on the host (see [`loss`]). A second
    /// call replaces the rate. Traffic between the host and the container is not affected.
    pub(super) async fn make_lossy(
        &mut self,
        name: &str,
        percent: f64,
    ) -> Result<(), RuntimeError> {
        let unavailable = |reason: String| -> RuntimeError {
            DockerError::FaultUnavailable {
                name: name.to_owned(),
                fault: "loss",
                reason,
            }
            .into()
        };
        if !(percent > 0.0 && percent <= 100.0) {
            return Err(unavailable(format!(
                "{percent} is not a loss rate; give a percentage greater than 0 and at most 100"
            )));
        }
        self.live_container(name)?;
        if let Some(reason) = loss::unavailable().await {
            return Err(unavailable(reason));
        }
        let (rules, old) = {
            let mut state = self.lock();
            if state.torn_down {
                return Err(RuntimeError::TornDown(state.id.clone()));
            }
            let ip = state.address_for(name)?;
            let rules = loss::LossRules::new(&state.id, name, state.orchestrator, ip, percent);
            // Recorded before the rules exist, so a teardown that starts meanwhile removes them.
            let old = state.losses.insert(name.to_owned(), rules.clone());
            (rules, old)
        };
        let changed = async {
            if let Some(old) = &old {
                loss::remove(old).await?;
            }
            loss::insert(&rules).await
        }
        .await;
        let mut state = self.lock();
        if let Err(reason) = changed {
            state.losses.remove(name);
            state.write_manifest()?;
            return Err(unavailable(reason));
        }
        state.write_manifest()
    }

    /// The loss rate set by [`crate::runtime::Runtime::add_loss`] on a component, in percent.
    pub fn loss_percent(&self, name: &str) -> Result<Option<f64>, RuntimeError> {
        let mut state = self.lock();
        state.component(name)?;
        Ok(state.losses.get(name).map(|l| l.percent))
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

    /// Adds `delay_ms` of latency and `loss_pct` % packet loss to a component's traffic with
    /// `tc netem`, run inside its container. Images built by [`super::ensure_image`] hold only
    /// the component's binary and its libraries, so they have no `tc`: this then fails with
    /// [`DockerError::FaultUnavailable`] instead of pretending. (A container also needs the
    /// `NET_ADMIN` capability for `tc`.)
    pub async fn add_latency(
        &mut self,
        name: &str,
        delay_ms: u32,
        loss_pct: f64,
    ) -> Result<(), RuntimeError> {
        let container = self.live_container(name)?;
        let unavailable = |reason: String| -> RuntimeError {
            DockerError::FaultUnavailable {
                name: name.to_owned(),
                fault: "latency",
                reason,
            }
            .into()
        };
        if !(0.0..=100.0).contains(&loss_pct) {
            return Err(unavailable(format!(
                "loss {loss_pct} % is not a percentage"
            )));
        }
        let command = vec![
            "tc".to_owned(),
            "qdisc".to_owned(),
            "replace".to_owned(),
            "dev".to_owned(),
            "eth0".to_owned(),
            "root".to_owned(),
            "netem".to_owned(),
            "delay".to_owned(),
            format!("{delay_ms}ms"),
            "loss".to_owned(),
            format!("{loss_pct}%"),
        ];
        let exec = self
            .docker
            .create_exec(
                &container.id,
                CreateExecOptions {
                    cmd: Some(command),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| unavailable(format!("cannot run tc in the container: {e}")))?;
        let mut output = String::new();
        match self.docker.start_exec(&exec.id, None).await {
            Ok(StartExecResults::Attached {
                output: mut out, ..
            }) => {
                while let Some(Ok(chunk)) = out.next().await {
                    output.push_str(&chunk.to_string());
                }
            }
            Ok(StartExecResults::Detached) => {}
            Err(e) => {
                return Err(unavailable(format!(
                    "the image has no tc (scratch images hold only the component's binary): {e}"
                )));
            }
        }
        let code = self
            .docker
            .inspect_exec(&exec.id)
            .await
            .ok()
            .and_then(|i| i.exit_code);
        match code {
            Some(0) => Ok(()),
            Some(126 | 127) | None => Err(unavailable(format!(
                "the image has no tc (scratch images hold only the component's binary): {}",
                output.trim()
            ))),
            Some(code) => Err(unavailable(format!(
                "tc failed with exit code {code} (does the container have NET_ADMIN?): {}",
                output.trim()
            ))),
        }
    }
}
