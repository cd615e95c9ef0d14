//! JSON-RPC 2.0 over WebSocket and HTTP on one port, with Substrate's method names, result
//! shapes, error codes and subscription notifications.

mod author;
mod chain;
mod devnet;
mod params;
mod state;
mod system;

use crate::node::Node;
use jsonrpsee::RpcModule;
use jsonrpsee::server::{
    BatchRequestConfig, RandomStringIdProvider, Server, ServerConfig, ServerHandle,
};
use jsonrpsee::types::ErrorObjectOwned;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request or response body (metadata alone is ~0.6 MB of hex; clients send batches).
pub const MAX_BODY_BYTES: u32 = 64 * 1024 * 1024;
/// Most calls in one batch request.
pub const MAX_BATCH_LEN: u32 = 1_000;

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Binding the port failed.
    #[error("cannot bind JSON-RPC server on {addr}: {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Two methods with the same name (a bug).
    #[error("registering RPC methods: {0}")]
    Register(#[from] jsonrpsee::core::RegisterMethodError),
}

pub(crate) type RpcResult<T> = Result<T, ErrorObjectOwned>;

pub(crate) fn invalid_params(msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        -32602,
        format!("Invalid params: {}", msg.into()),
        None::<()>,
    )
}

/// Every method of the node.
pub fn module(node: Arc<Node>) -> Result<RpcModule<Arc<Node>>, RpcError> {
    let mut m = RpcModule::new(node);
    system::register(&mut m)?;
    chain::register(&mut m)?;
    state::register(&mut m)?;
    author::register(&mut m)?;
    devnet::register(&mut m)?;
    devnet::register_state(&mut m)?;
    let mut names: Vec<&'static str> = m.method_names().collect();
    names.push("rpc_methods");
    names.sort_unstable();
    m.register_method(
        "rpc_methods",
        move |_, _, _| serde_json::json!({ "methods": names, "version": 1 }),
    )?;
    Ok(m)
}

/// Which browser origins may call the node (`--rpc-cors`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cors {
    /// No CORS headers: browsers only allow same-origin pages.
    Off,
    /// Any origin (`--rpc-cors all`).
    All,
    /// These origins (`--rpc-cors http://localhost:3000,https://polkadot.js.org`).
    Origins(Vec<String>),
}

/// A `--rpc-cors` value that is not `all` or a list of valid origins.
#[derive(Debug, thiserror::Error)]
#[error("invalid --rpc-cors origin {0:?}")]
pub struct CorsParseError(String);

impl std::str::FromStr for Cors {
    type Err = CorsParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" || s == "*" {
            return Ok(Cors::All);
        }
        let origins: Vec<String> = s.split(',').map(|o| o.trim().to_string()).collect();
        for o in &origins {
            if o.is_empty() || http::HeaderValue::from_str(o).is_err() {
                return Err(CorsParseError(o.clone()));
            }
        }
        Ok(Cors::Origins(origins))
    }
}

fn cors_layer(cors: &Cors) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    let base = CorsLayer::new()
        .allow_methods([http::Method::POST, http::Method::GET, http::Method::OPTIONS])
        .allow_headers(Any);
    match cors {
        Cors::Off => None,
        Cors::All => Some(base.allow_origin(Any)),
        Cors::Origins(list) => {
            let values = list
                .iter()
                .filter_map(|o| http::HeaderValue::from_str(o).ok());
            Some(base.allow_origin(AllowOrigin::list(values)))
        }
    }
}

/// Starts the server without CORS; returns its handle and the bound address.
pub async fn serve(
    node: Arc<Node>,
    addr: SocketAddr,
) -> Result<(ServerHandle, SocketAddr), RpcError> {
    serve_with_cors(node, addr, &Cors::Off).await
}

/// Starts the server; returns its handle and the bound address.
pub async fn serve_with_cors(
    node: Arc<Node>,
    addr: SocketAddr,
    cors: &Cors,
) -> Result<(ServerHandle, SocketAddr), RpcError> {
    let config = ServerConfig::builder()
        .max_request_body_size(MAX_BODY_BYTES)
        .max_response_body_size(MAX_BODY_BYTES)
        .set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH_LEN))
        .set_id_provider(RandomStringIdProvider::new(16))
        .max_connections(1_000)
        .build();
    let bind = |source| RpcError::Bind {
        addr: addr.to_string(),
        source,
    };
    let middleware = tower::ServiceBuilder::new().option_layer(cors_layer(cors));
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(middleware)
        .build(addr)
        .await
        .map_err(bind)?;
    let bound = server.local_addr().map_err(bind)?;
    let handle = server.start(module(node)?);
    Ok((handle, bound))
}
