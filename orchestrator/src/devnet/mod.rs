//! A devnet described by a topology, on a running chain: deterministic keys, setup through real
//! extrinsics, and the driver that mines through epochs and takes snapshots.
//!
//! Starting and stopping processes is the runtime's job (`crate::runtime`); this module only
//! talks to the chain through `localtensor-client`, so it works the same on every runtime.

pub mod driver;
pub mod keys;
pub mod setup;

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
