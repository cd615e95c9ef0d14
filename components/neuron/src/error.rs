//! The library's error type.

use localtensor_client::ChainError;

/// Why a neuron could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum NeuronError {
    /// The chain could not be reached or answered with an error.
    #[error("cannot use the chain at {endpoint}: {error}")]
    Chain {
        /// The chain endpoint.
        endpoint: String,
        /// The client's error.
        error: ChainError,
    },
    /// Connecting to the chain took too long.
    #[error("chain at {endpoint}: no answer within {seconds} s")]
    ChainTimeout {
        /// The chain endpoint.
        endpoint: String,
        /// The timeout.
        seconds: u64,
    },
    /// A chain read or transaction failed while running.
    #[error(transparent)]
    ChainCall(#[from] ChainError),
    /// The block stream ended (the chain went away).
    #[error("the chain's block stream ended")]
    StreamEnded,
    /// The hotkey URI is not a valid secret URI.
    #[error("invalid hotkey URI: {0}")]
    Key(String),
    /// The HTTP listener could not be bound or served.
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        /// The address.
        addr: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A GPU mock could not be reached or answered unexpectedly at start.
    #[error("GPU mock {url}: {reason}")]
    Gpu {
        /// The GPU mock's base URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The ready line could not be written.
    #[error("cannot write the ready line: {0}")]
    Stdout(std::io::Error),
}
