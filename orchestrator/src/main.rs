//! `localtensor`: the devnet orchestrator's command line.
fn main() {}
