//! Running the node inside another program (tests, the orchestrator): start it on a free port,
//! talk to it over its URL or directly through [`Node`], and stop it by dropping the handle.

use crate::genesis::GenesisConfig;
use crate::node::{Node, Sealing};
use crate::rpc::{RpcError, serve};
use jsonrpsee::server::ServerHandle;
use std::net::SocketAddr;
use std::sync::Arc;

/// A node serving JSON-RPC in this process; stopped when dropped. Must be started inside a
/// tokio runtime.
pub struct Devnet {
    node: Arc<Node>,
    handle: ServerHandle,
    addr: SocketAddr,
}

impl Devnet {
    /// Starts a node with `genesis` and `sealing` on `127.0.0.1` and a port the OS picks.
    pub async fn start(genesis: GenesisConfig, sealing: Sealing) -> Result<Devnet, RpcError> {
        Devnet::start_on(genesis, sealing, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a node listening on `addr`.
    pub async fn start_on(
        genesis: GenesisConfig,
        sealing: Sealing,
        addr: SocketAddr,
    ) -> Result<Devnet, RpcError> {
        let node = Node::new(genesis, sealing);
        let (handle, addr) = serve(node.clone(), addr).await?;
        node.spawn_sealer();
        Ok(Devnet { node, handle, addr })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://…` URL.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// `http://…` URL.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The node itself (seal blocks, take snapshots, read the chain).
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        // Already stopped is fine.
        let _ = self.handle.stop();
    }
}
