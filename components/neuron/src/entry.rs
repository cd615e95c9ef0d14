//! The binaries' entry points, taking any argument list, so that `localtensor` can run a neuron
//! from its own binary (`localtensor __component miner ...`) exactly as `localtensor-miner` does.

use crate::NeuronError;
use crate::cli::LogFormat;
use crate::runtime::{Stop, init_logging, shutdown_signal, stop_pair};
use crate::{miner, validator};
use anyhow::Context as _;
use clap::Parser as _;
use std::ffi::OsString;
use std::future::Future;

/// Runs the miner with command-line arguments `args` (the first is the program name) until
/// SIGTERM or Ctrl-C. Bad arguments print clap's message and exit the process with code 2.
pub fn miner_main<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = miner::MinerArgs::parse_from(args);
    let format = args.common.log_format;
    serve(format, "miner", |stop| miner::run(args, stop))
}

/// Runs the validator with command-line arguments `args`, like [`miner_main`].
pub fn validator_main<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = validator::ValidatorArgs::parse_from(args);
    let format = args.common.log_format;
    serve(format, "validator", |stop| validator::run(args, stop))
}

/// Runs a neuron on a multi-threaded runtime, stopping it on the first SIGTERM or Ctrl-C.
fn serve<F, Fut>(log_format: LogFormat, what: &'static str, neuron: F) -> anyhow::Result<()>
where
    F: FnOnce(Stop) -> Fut,
    Fut: Future<Output = Result<(), NeuronError>>,
{
    init_logging(log_format);
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
            neuron(stop).await.with_context(|| format!("{what} failed"))
        })?;
    tracing::info!("{what} stopped");
    Ok(())
}
