//! Removing the containers, networks and firewall rules (loss, latency) of devnets whose
//! orchestrator died (`kill -9`, power loss) without tearing down: they outlive their
//! orchestrator, unlike processes.

use super::naming::{self, LABEL_DEVNET, LABEL_MANAGED};
use super::{DockerError, firewall, force_remove};
use crate::runtime::{RuntimeError, procfs};
use bollard::Docker;
use std::collections::{BTreeSet, HashMap};

/// What [`sweep_docker_leftovers`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DockerSweepReport {
    /// Devnets whose orchestrator is gone, whose objects were removed.
    pub swept_devnets: Vec<String>,
    /// Names of the removed containers.
    pub removed_containers: Vec<String>,
    /// Names of the removed networks.
    pub removed_networks: Vec<String>,
    /// Devnets whose loss or latency rules were removed from the host's firewall (one entry
    /// per rule).
    pub removed_firewall_rules: Vec<String>,
    /// Devnets whose orchestrator is alive (left alone).
    pub live_devnets: Vec<String>,
    /// Objects left alone because their orchestrator labels are missing or unreadable.
    pub skipped: Vec<String>,
    /// Networks of dead devnets the engine refused to remove, with its answer. Docker 20.10
    /// can lose updates of a network's endpoint count, which then answers "has active
    /// endpoints" with none listed until dockerd restarts; such a network blocks nothing but
    /// its subnet, so the sweep goes on.
    pub stuck_networks: Vec<(String, String)>,
}

/// Removes every container and network labelled by a localtensor devnet whose orchestrator
/// (pid **and** start time, from the labels) is no longer running, and the host's loss and
/// latency rules such an orchestrator made (named in their comments; skipped where iptables
/// cannot be used). Images stay. Call it before starting a devnet; run directories are swept by
/// [`crate::runtime::sweep_leftovers`].
pub async fn sweep_docker_leftovers(docker: &Docker) -> Result<DockerSweepReport, RuntimeError> {
    let objects = super::objects_labelled(docker, LABEL_MANAGED, "true").await?;
    let mut report = DockerSweepReport::default();
    let mut dead = BTreeSet::new();
    let mut live = BTreeSet::new();
    let mut classify = |labels: &HashMap<String, String>, what: String| -> Option<String> {
        let devnet = labels.get(LABEL_DEVNET)?.clone();
        match naming::orchestrator_of(labels) {
            Some(o) if procfs::is_same_live_process(o.pid, o.start_time) => {
                live.insert(devnet);
                None
            }
            Some(_) => {
                dead.insert(devnet.clone());
                Some(devnet)
            }
            None => {
                report.skipped.push(what);
                None
            }
        }
    };
    let mut doomed = |objects: Vec<super::DockerObject>, kind: &str| -> Vec<(String, String)> {
        objects
            .into_iter()
            .filter(|o| classify(&o.labels, format!("{kind} {}", o.name)).is_some())
            .map(|o| (o.id, o.name))
            .collect()
    };
    let doomed_containers = doomed(objects.containers, "container");
    let doomed_networks = doomed(objects.networks, "network");
    // Containers first: a network with endpoints cannot be removed.
    for (id, name) in doomed_containers {
        match docker.remove_container(&id, Some(force_remove())).await {
            Ok(()) => report.removed_containers.push(name),
            Err(e) if super::error::is_not_found(&e) => {}
            Err(e) => return Err(DockerError::api(format!("remove container {name}"))(e).into()),
        }
    }
    for (id, name) in doomed_networks {
        match super::remove_network_when_empty(docker, &id).await {
            Ok(()) => report.removed_networks.push(name),
            Err(e) if super::error::is_not_found(&e) => {}
            Err(e) => report.stuck_networks.push((name, e.to_string())),
        }
    }
    for rule in firewall::listed().await {
        match rule.owner {
            Some(o) if procfs::is_same_live_process(o.pid, o.start_time) => {
                live.insert(rule.devnet);
            }
            Some(_) => {
                firewall::delete_listed(&rule)
                    .await
                    .map_err(|reason| DockerError::Firewall {
                        action: format!("remove a firewall rule of devnet {}", rule.devnet),
                        reason,
                    })?;
                report.removed_firewall_rules.push(rule.devnet.clone());
                dead.insert(rule.devnet);
            }
            None => report
                .skipped
                .push(format!("firewall rule of devnet {}", rule.devnet)),
        }
    }
    report.swept_devnets = dead.into_iter().collect();
    report.live_devnets = live.into_iter().collect();
    Ok(report)
}
