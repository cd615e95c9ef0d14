//! A devnet described by a topology, on a running chain: deterministic keys, setup through real
//! extrinsics, and the driver that mines through epochs and takes snapshots.
//!
//! Starting and stopping components is the runtime's job (`crate::runtime`); [`handle::Devnet`]
//! drives any runtime through its trait and talks to the chain through `localtensor-client`, so
//! a run goes the same on every runtime.

pub mod batch;
pub mod components;
pub mod control;
pub mod driver;
pub mod handle;
pub mod keys;
pub mod setup;
pub mod wallet;

/// What can go wrong while setting up or driving a devnet.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// A chain call or read failed.
    #[error("{what}: {source}")]
    Chain {
        /// What was being done.
        what: String,
        /// The client's error.
        #[source]
        source: localtensor_client::ChainError,
    },
    /// The chain gave a subnet another netuid than the topology declares.
    #[error(
        "subnet {name:?} was created as netuid {got}, but the topology declares netuid {want}; \
         declare subnets in netuid order starting at 1"
    )]
    NetuidMismatch {
        /// Subnet name.
        name: String,
        /// Declared netuid.
        want: u16,
        /// Netuid the chain assigned.
        got: u16,
    },
    /// A runtime operation failed (starting, stopping or signalling a component).
    #[error(transparent)]
    Runtime(#[from] crate::runtime::RuntimeError),
    /// The components cannot be launched.
    #[error("{0}")]
    Launcher(String),
    /// The topology schedules a fault the runtime cannot apply (checked before anything starts).
    #[error(
        "fault {index} of the topology ({action} of `{target}`) needs the Docker runtime; the \
         {runtime} runtime cannot cut or degrade a component's network (use `--runtime docker` or \
         `runtime: docker`)"
    )]
    UnsupportedFault {
        /// 1-based position in the topology's `faults`.
        index: usize,
        /// The action as written.
        action: &'static str,
        /// Its target.
        target: String,
        /// The runtime asked to run it.
        runtime: &'static str,
    },
    /// The topology schedules a fault this host cannot apply (checked before anything starts).
    #[error("fault {index} of the topology ({action} of `{target}`) cannot run here: {reason}")]
    FaultUnavailable {
        /// 1-based position in the topology's `faults`.
        index: usize,
        /// The action as written.
        action: &'static str,
        /// Its target.
        target: String,
        /// Why not.
        reason: String,
    },
    /// A fault names a component or group the devnet does not have.
    #[error("no component or neuron group named `{target}`; the devnet has: {known}")]
    UnknownTarget {
        /// The name asked for.
        target: String,
        /// The components there are.
        known: String,
    },
    /// A fault that cannot be applied to this target.
    #[error("cannot {action} `{target}`: {reason}")]
    FaultRefused {
        /// The action as written.
        action: &'static str,
        /// Its target.
        target: String,
        /// Why.
        reason: String,
    },
    /// A neuron did not report a block done.
    #[error("neuron {name:?} did not report block {block} done: {message}")]
    BlockNotDone {
        /// The neuron.
        name: String,
        /// The block.
        block: u64,
        /// What happened.
        message: String,
    },
    /// A GPU mock refused a request.
    #[error("GPU mock {name:?}: {message}")]
    Gpu {
        /// The mock.
        name: String,
        /// What happened.
        message: String,
    },
    /// A neuron was not registered after setup.
    #[error("neuron {name:?} is not registered on subnet {subnet:?} after setup")]
    NotRegistered {
        /// Instance name.
        name: String,
        /// Subnet name.
        subnet: String,
    },
    /// Something that cannot happen did.
    #[error("internal error: {0}")]
    Internal(String),
    /// A key could not be derived.
    #[error("deriving the key {uri:?}: {message}")]
    Key {
        /// The derivation URI.
        uri: String,
        /// Why it failed.
        message: String,
    },
}

/// Wraps a client error with what was being done.
pub(crate) fn chain(
    what: impl Into<String>,
) -> impl FnOnce(localtensor_client::ChainError) -> DevnetError {
    let what = what.into();
    move |source| DevnetError::Chain { what, source }
}

pub use components::Launcher;
pub use handle::{Devnet, check_faults_supported};
