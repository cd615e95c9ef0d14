//! [`ChainError`]: every failure the client reports, with subxt's nested errors sorted into a few
//! kinds a caller can act on (connection lost, node refused the request, transaction invalid,
//! dispatch failed with a named pallet error, metadata or decoding mismatch).

use subxt::error::{
    BackendError, BlocksError, EventsError, ExtrinsicError, OnlineClientAtBlockError,
    OnlineClientError, RpcError, RuntimeApiError, StorageError, StorageValueError,
    TransactionEventsError, TransactionProgressError, TransactionStatusError,
};
use subxt::ext::jsonrpsee::core::client::Error as JsonrpseeError;

/// Result alias of this crate.
pub type Result<T, E = ChainError> = std::result::Result<T, E>;

/// An error talking to the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The node could not be reached at connect time.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The URL tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The connection to the node was lost (or a subscription ended with it).
    #[error("connection to the node lost: {0}")]
    Disconnected(String),
    /// The node did not answer in time.
    #[error("request timed out")]
    Timeout,
    /// The node answered a request with a JSON-RPC error.
    #[error("RPC error {code}: {message}{}", data.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rpc {
        /// JSON-RPC error code.
        code: i32,
        /// Error message.
        message: String,
        /// Extra data, as JSON text.
        data: Option<String>,
    },
    /// The node refused a transaction as invalid (JSON-RPC 1010/1011: bad nonce, cannot pay
    /// fees, bad signature, `Custom error: N`, ...).
    #[error("invalid transaction: {reason}")]
    InvalidTransaction {
        /// JSON-RPC error code (1010 invalid, 1011 unknown validity).
        code: i32,
        /// The node's reason, e.g. `Inability to pay some fees (e.g. account balance too low)`.
        reason: String,
    },
    /// The transaction pool refused a transaction (already imported, priority too low, full).
    #[error("transaction pool refused the transaction ({code}): {message}")]
    Pool {
        /// JSON-RPC error code (1012..=1016).
        code: i32,
        /// The node's message.
        message: String,
    },
    /// After submission the node reported the transaction invalid, dropped or failed.
    #[error("transaction {status}: {message}")]
    TransactionDropped {
        /// `invalid`, `dropped` or `error`.
        status: String,
        /// The node's message.
        message: String,
    },
    /// The extrinsic (or the call dispatched by `Sudo.sudo`) failed with a pallet error, named
    /// from the chain's metadata.
    #[error("{pallet}::{error}")]
    Module {
        /// Pallet name, e.g. `SubtensorModule`.
        pallet: String,
        /// Error name, e.g. `SettingWeightsTooFast`.
        error: String,
    },
    /// The extrinsic failed with a dispatch error other than a pallet error.
    #[error("dispatch error: {kind}{}", if detail.is_empty() { String::new() } else { format!("({detail})") })]
    Dispatch {
        /// `DispatchError` variant, e.g. `BadOrigin`, `Token`, `Arithmetic`.
        kind: String,
        /// The variant's contents, if any (e.g. `FundsUnavailable`).
        detail: String,
    },
    /// Something the client needs is not in the chain's metadata (pallet, call, storage item,
    /// runtime API).
    #[error("not in the chain's metadata: {0}")]
    Metadata(String),
    /// A value could not be encoded or decoded against the chain's types.
    #[error("decode error: {0}")]
    Decode(String),
    /// A key URI or seed is not usable.
    #[error("invalid key: {0}")]
    Key(String),
    /// A caller-supplied argument is invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Any other failure inside the client library.
    #[error("{0}")]
    Other(String),
}

impl ChainError {
    /// `(pallet, error)` if this is a pallet error.
    pub fn module_error(&self) -> Option<(&str, &str)> {
        match self {
            ChainError::Module { pallet, error } => Some((pallet, error)),
            _ => None,
        }
    }

    /// True if this is the pallet error `pallet::error`.
    pub fn is_module(&self, pallet: &str, error: &str) -> bool {
        self.module_error() == Some((pallet, error))
    }

    /// True if the node could not be reached or the connection was lost.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            ChainError::Connect { .. } | ChainError::Disconnected(_) | ChainError::Timeout
        )
    }

    pub(crate) fn module(pallet: &str, error: &str) -> ChainError {
        ChainError::Module {
            pallet: pallet.to_string(),
            error: error.to_string(),
        }
    }
}

/// A JSON-RPC error object from the node, sorted by Substrate's author error codes.
pub(crate) fn from_rpc_error(code: i32, message: &str, data: Option<String>) -> ChainError {
    // Substrate puts the reason in `data` as a JSON string.
    let data_text = data.map(|d| match serde_json::from_str::<String>(&d) {
        Ok(s) => s,
        Err(_) => d,
    });
    match code {
        1010 | 1011 => ChainError::InvalidTransaction {
            code,
            reason: data_text.unwrap_or_else(|| message.to_string()),
        },
        1012..=1016 => ChainError::Pool {
            code,
            message: match data_text {
                Some(d) => format!("{message}: {d}"),
                None => message.to_string(),
            },
        },
        _ => ChainError::Rpc {
            code,
            message: message.to_string(),
            data: data_text,
        },
    }
}

impl From<&subxt::rpcs::Error> for ChainError {
    fn from(e: &subxt::rpcs::Error) -> Self {
        use subxt::rpcs::Error as E;
        match e {
            E::User(u) => from_rpc_error(
                u.code,
                &u.message,
                u.data.as_ref().map(|d| d.get().to_string()),
            ),
            E::Client(inner) => match inner.downcast_ref::<JsonrpseeError>() {
                Some(JsonrpseeError::RequestTimeout) => ChainError::Timeout,
                Some(JsonrpseeError::Call(c)) => {
                    from_rpc_error(c.code(), c.message(), c.data().map(|d| d.get().to_string()))
                }
                Some(
                    JsonrpseeError::RestartNeeded(_)
                    | JsonrpseeError::Transport(_)
                    | JsonrpseeError::ServiceDisconnect,
                ) => ChainError::Disconnected(inner.to_string()),
                Some(other) => ChainError::Other(other.to_string()),
                // Not a jsonrpsee error: the only other clients are transports.
                None => ChainError::Disconnected(inner.to_string()),
            },
            E::DisconnectedWillReconnect(m) => ChainError::Disconnected(m.clone()),
            E::Serialization(_) | E::Deserialization(_) | E::Decode(_) => {
                ChainError::Decode(e.to_string())
            }
            E::InsecureUrl(_) => ChainError::InvalidArgument(e.to_string()),
            _ => ChainError::Other(e.to_string()),
        }
    }
}

impl From<subxt::rpcs::Error> for ChainError {
    fn from(e: subxt::rpcs::Error) -> Self {
        ChainError::from(&e)
    }
}

impl From<&BackendError> for ChainError {
    fn from(e: &BackendError) -> Self {
        match e {
            BackendError::Rpc(RpcError::ClientError(c)) => ChainError::from(c),
            BackendError::Rpc(RpcError::SubscriptionDropped) => {
                ChainError::Disconnected("subscription dropped".into())
            }
            other => ChainError::Other(other.to_string()),
        }
    }
}

impl From<BackendError> for ChainError {
    fn from(e: BackendError) -> Self {
        ChainError::from(&e)
    }
}

impl From<OnlineClientError> for ChainError {
    fn from(e: OnlineClientError) -> Self {
        match &e {
            OnlineClientError::RpcError(r) => ChainError::from(r),
            OnlineClientError::CannotGetGenesisHash(b) => ChainError::from(b),
            OnlineClientError::CannotBuildCombinedBackend(
                subxt::error::CombinedBackendError::CouldNotObtainRpcMethodList(r),
            ) => ChainError::from(r),
            _ => ChainError::Other(e.to_string()),
        }
    }
}

impl From<OnlineClientAtBlockError> for ChainError {
    fn from(e: OnlineClientAtBlockError) -> Self {
        use OnlineClientAtBlockError as E;
        match &e {
            E::CannotGetCurrentBlock { reason }
            | E::CannotGetBlockHash { reason, .. }
            | E::CannotGetBlockHeader { reason, .. }
            | E::CannotGetSpecVersion { reason, .. } => ChainError::from(reason),
            E::BlockNotFound { .. } | E::BlockHeaderNotFound { .. } => {
                ChainError::InvalidArgument(e.to_string())
            }
            _ => ChainError::Decode(e.to_string()),
        }
    }
}

impl From<BlocksError> for ChainError {
    fn from(e: BlocksError) -> Self {
        match e {
            BlocksError::CannotGetCurrentBlock(inner) => ChainError::from(inner),
            BlocksError::CannotGetBlockHeaderStream(b) | BlocksError::CannotGetBlockHeader(b) => {
                ChainError::from(&b)
            }
            other => ChainError::Other(other.to_string()),
        }
    }
}

impl From<StorageError> for ChainError {
    fn from(e: StorageError) -> Self {
        use StorageError as E;
        match &e {
            E::CannotFetchValue(b) | E::CannotIterateValues(b) | E::StreamFailure(b) => {
                ChainError::from(b)
            }
            E::PalletNameNotFound(_)
            | E::StorageEntryNotFound { .. }
            | E::StorageInfoError(_)
            | E::IncompatibleCodegen => ChainError::Metadata(e.to_string()),
            E::StorageKeyEncodeError(_)
            | E::WrongNumberOfKeyPartsProvidedForFetching { .. }
            | E::WrongNumberOfKeyPartsProvidedForIterating { .. } => {
                ChainError::InvalidArgument(e.to_string())
            }
            _ => ChainError::Decode(e.to_string()),
        }
    }
}

impl From<StorageValueError> for ChainError {
    fn from(e: StorageValueError) -> Self {
        ChainError::Decode(e.to_string())
    }
}

impl From<RuntimeApiError> for ChainError {
    fn from(e: RuntimeApiError) -> Self {
        use RuntimeApiError as E;
        match &e {
            E::CannotCallApi(b) => ChainError::from(b),
            E::TraitNotFound(_) | E::MethodNotFound { .. } => ChainError::Metadata(e.to_string()),
            E::CouldNotEncodeInputs(_) => ChainError::InvalidArgument(e.to_string()),
            _ => ChainError::Decode(e.to_string()),
        }
    }
}

impl From<EventsError> for ChainError {
    fn from(e: EventsError) -> Self {
        match &e {
            EventsError::CannotFetchEventBytes(b) => ChainError::from(b),
            _ => ChainError::Decode(e.to_string()),
        }
    }
}

fn status_error(s: &TransactionStatusError) -> ChainError {
    let (status, message) = match s {
        TransactionStatusError::Error(m) => ("error", m.clone()),
        TransactionStatusError::Invalid(m) => ("invalid", m.clone()),
        TransactionStatusError::Dropped(m) => ("dropped", m.clone()),
        other => ("error", other.to_string()),
    };
    ChainError::TransactionDropped {
        status: status.into(),
        message,
    }
}

impl From<ExtrinsicError> for ChainError {
    fn from(e: ExtrinsicError) -> Self {
        use ExtrinsicError as E;
        match &e {
            E::ErrorSubmittingTransaction(b)
            | E::TransactionStatusStreamError(b)
            | E::CannotGetBlockBody(b)
            | E::CannotGetFeeInfo(b)
            | E::CannotGetValidationInfo(b) => ChainError::from(b),
            E::TransactionStatusError(s) => status_error(s),
            E::UnexpectedEndOfTransactionStatusStream => ChainError::Disconnected(e.to_string()),
            E::PalletNameNotFound(_) | E::CallNameNotFound { .. } => {
                ChainError::Metadata(e.to_string())
            }
            E::EncodeError(_) | E::Params(_) => ChainError::InvalidArgument(e.to_string()),
            _ => ChainError::Other(e.to_string()),
        }
    }
}

impl From<TransactionProgressError> for ChainError {
    fn from(e: TransactionProgressError) -> Self {
        match &e {
            TransactionProgressError::CannotGetNextProgressUpdate(b) => ChainError::from(b),
            TransactionProgressError::TransactionStatusError(s) => status_error(s),
            _ => ChainError::Disconnected(e.to_string()),
        }
    }
}

impl From<TransactionEventsError> for ChainError {
    fn from(e: TransactionEventsError) -> Self {
        use TransactionEventsError as E;
        match e {
            E::CannotFetchBlockBody { error, .. } => ChainError::from(&error),
            E::CannotInstantiateClientAtBlock(inner) => ChainError::from(inner),
            E::CannotFetchEventsForTransaction { error, .. }
            | E::CannotDecodeEventInBlock { error, .. } => ChainError::from(error),
            other => ChainError::Decode(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_error_codes_are_sorted() {
        let e = from_rpc_error(
            1010,
            "Invalid Transaction",
            Some("\"Inability to pay some fees (e.g. account balance too low)\"".into()),
        );
        assert_eq!(
            e,
            ChainError::InvalidTransaction {
                code: 1010,
                reason: "Inability to pay some fees (e.g. account balance too low)".into()
            }
        );
        assert!(matches!(
            from_rpc_error(1014, "Priority is too low", None),
            ChainError::Pool { code: 1014, .. }
        ));
        assert!(matches!(
            from_rpc_error(-32601, "Method not found", None),
            ChainError::Rpc { code: -32601, .. }
        ));
    }

    #[test]
    fn module_helpers() {
        let e = ChainError::module("SubtensorModule", "SettingWeightsTooFast");
        assert!(e.is_module("SubtensorModule", "SettingWeightsTooFast"));
        assert!(!e.is_module("SubtensorModule", "SubnetNotExists"));
        assert_eq!(e.to_string(), "SubtensorModule::SettingWeightsTooFast");
        assert!(!e.is_connection());
        assert!(ChainError::Timeout.is_connection());
    }
}
