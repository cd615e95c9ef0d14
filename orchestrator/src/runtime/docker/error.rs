//! The Docker runtime's typed error (carried by [`super::super::RuntimeError::Docker`]).

use std::path::PathBuf;

/// What can go wrong talking to the Docker engine, building images or injecting faults.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// No Docker engine answers on the socket.
    #[error(
        "no Docker engine reachable at {socket}: {reason} (is the daemon running, and may this \
         user use the socket? set DOCKER_HOST=unix:///path to use another one)"
    )]
    Unavailable {
        /// The socket path that was tried.
        socket: String,
        /// Why the connection failed.
        reason: String,
    },
    /// An engine API call failed.
    #[error("Docker: cannot {action}: {source}")]
    Api {
        /// What was attempted ("create the network localtensor-x", ...).
        action: String,
        /// The engine's answer.
        source: bollard::errors::Error,
    },
    /// A component's program cannot be packaged into an image.
    #[error("cannot package {} into an image: {reason}", binary.display())]
    Package {
        /// The binary.
        binary: PathBuf,
        /// What is wrong (not a file, `ldd` failed, unreadable library, ...).
        reason: String,
    },
    /// The engine refused or failed the image build.
    #[error("building image {tag} failed: {reason}")]
    Build {
        /// The image tag.
        tag: String,
        /// The builder's error message.
        reason: String,
    },
    /// A network of this name exists already (another devnet with the same id?).
    #[error("network {network} already exists (is a devnet with the same id running?)")]
    NetworkExists {
        /// The network name.
        network: String,
    },
    /// No free subnet for the devnet's network was found.
    #[error("no free subnet for network {network}: {reason}")]
    NoSubnet {
        /// The network name.
        network: String,
        /// The engine's last answer.
        reason: String,
    },
    /// The kernel's neighbour table is too small for the devnet's traffic.
    #[error(
        "this devnet needs about {peers} neighbour (ARP) entries, but the kernel keeps at most \
         {limit} for all containers (net.ipv4.neigh.default.gc_thresh3); past that, packets \
         between containers are dropped and neurons look unreachable. Raise it first, as root: \
         sysctl -w net.ipv4.neigh.default.gc_thresh3={suggested} \
         net.ipv4.neigh.default.gc_thresh2={} net.ipv4.neigh.default.gc_thresh1={}",
        suggested / 2,
        suggested / 4
    )]
    NeighbourTable {
        /// (component, peer) pairs of the devnet.
        peers: u64,
        /// The kernel's limit.
        limit: u64,
        /// A limit that fits.
        suggested: u64,
    },
    /// Every address of the devnet's network is given to a component.
    #[error("network {network} has no free address left (1021 components at most)")]
    AddressesExhausted {
        /// The network name.
        network: String,
    },
    /// A network fault that this component's container cannot take.
    #[error("component `{name}`: {fault} is not available: {reason}")]
    FaultUnavailable {
        /// The component.
        name: String,
        /// The fault ("loss", "latency").
        fault: &'static str,
        /// Why (for example: the image has no `tc`).
        reason: String,
    },
    /// A rule of the host's firewall (packet loss) could not be changed.
    #[error("cannot {action}: {reason}")]
    Firewall {
        /// What was attempted.
        action: String,
        /// iptables' answer.
        reason: String,
    },
    /// The component's container is not attached (or not detached) as the fault needs.
    #[error("component `{name}` is {state}")]
    FaultState {
        /// The component.
        name: String,
        /// Its network state ("already partitioned", "not partitioned", ...).
        state: &'static str,
    },
}

impl DockerError {
    /// An API error with what was attempted.
    pub(crate) fn api(action: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> Self {
        let action = action.into();
        move |source| Self::Api { action, source }
    }
}

/// Whether an engine error is a 404 (no such container, image or network).
pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// Whether an engine error is a 304 (already started, already stopped).
pub(crate) fn is_not_modified(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 304,
            ..
        }
    )
}
