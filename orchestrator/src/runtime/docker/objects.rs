//! Listing the containers and networks that carry a label: the teardown, the sweep, and tests
//! that check nothing is left all ask the engine the same question.

use super::DockerError;
use super::naming::label_filter;
use bollard::Docker;
use bollard::query_parameters::{ListContainersOptionsBuilder, ListNetworksOptionsBuilder};
use std::collections::HashMap;

/// A container or network, as the engine lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerObject {
    /// The engine's id.
    pub id: String,
    /// The name, without the leading `/` the engine gives container names.
    pub name: String,
    /// Its labels.
    pub labels: HashMap<String, String>,
}

/// The containers (running or not) and the networks labelled `key=value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelledObjects {
    /// Containers, in the engine's order.
    pub containers: Vec<DockerObject>,
    /// Networks, in the engine's order.
    pub networks: Vec<DockerObject>,
}

impl LabelledObjects {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty()
    }
}

/// Lists the containers and networks labelled `key=value` (for example
/// [`super::LABEL_DEVNET`] and a devnet id).
pub async fn objects_labelled(
    docker: &Docker,
    key: &str,
    value: &str,
) -> Result<LabelledObjects, DockerError> {
    let filter = label_filter(key, value);
    let containers = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filter)
                .build(),
        ))
        .await
        .map_err(DockerError::api(format!(
            "list containers labelled {key}={value}"
        )))?
        .into_iter()
        .filter_map(|c| {
            Some(DockerObject {
                id: c.id?,
                name: c
                    .names
                    .and_then(|n| n.into_iter().next())
                    .map(|n| n.trim_start_matches('/').to_owned())
                    .unwrap_or_default(),
                labels: c.labels.unwrap_or_default(),
            })
        })
        .collect();
    let networks = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filter)
                .build(),
        ))
        .await
        .map_err(DockerError::api(format!(
            "list networks labelled {key}={value}"
        )))?
        .into_iter()
        .filter_map(|n| {
            Some(DockerObject {
                id: n.id?,
                name: n.name.unwrap_or_default(),
                labels: n.labels.unwrap_or_default(),
            })
        })
        .collect();
    Ok(LabelledObjects {
        containers,
        networks,
    })
}
