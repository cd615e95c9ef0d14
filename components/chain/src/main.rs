//! The `localtensor-chain` binary (the node's command line lives in `localtensor_chain::cli`).

fn main() -> anyhow::Result<()> {
    localtensor_chain::cli::main_with_args(std::env::args_os())
}
