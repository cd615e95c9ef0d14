//! `localtensor-miner`: the miner neuron (see `localtensor_neuron::miner`).

use anyhow::Context as _;
use clap::Parser as _;
use localtensor_neuron::miner::{MinerArgs, run};
use localtensor_neuron::runtime::{init_logging, shutdown_signal, stop_pair};

fn main() -> anyhow::Result<()> {
    let args = MinerArgs::parse();
    init_logging(args.common.log_format);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(async {
            let signal = shutdown_signal().context("cannot handle signals")?;
            let (handle, stop) = stop_pair();
            tokio::spawn(async move {
                signal.await;
                handle.stop();
            });
            run(args, stop).await.context("miner failed")
        })?;
    tracing::info!("miner stopped");
    Ok(())
}
