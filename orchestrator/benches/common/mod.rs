//! Helpers shared by the benchmarks.

use localtensor::topology::{self, Topology};
use std::path::Path;

/// A two-worker tokio runtime, as the CLI uses on the 2-core machine.
pub fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// An example topology from `topologies/`.
pub fn load(name: &str) -> Topology {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../topologies")
        .join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    topology::parse(&text, &path.display().to_string()).unwrap()
}
