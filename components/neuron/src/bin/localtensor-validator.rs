//! `localtensor-validator`: the validator neuron (see `localtensor_neuron::validator`).

use anyhow::Context as _;
use clap::Parser as _;
use localtensor_neuron::runtime::{init_logging, shutdown_signal, stop_pair};
use localtensor_neuron::validator::{ValidatorArgs, run};

fn main() -> anyhow::Result<()> {
    let args = ValidatorArgs::parse();
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
            run(args, stop).await.context("validator failed")
        })?;
    tracing::info!("validator stopped");
    Ok(())
}
