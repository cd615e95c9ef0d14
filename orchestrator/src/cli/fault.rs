//! `localtensor fault ACTION TARGET [--percent N] [--delay-ms MS]`: apply a fault to a devnet
//! started by `localtensor up`, through its control socket. The orchestrator applies it before its next block and answers
//! with the block; a target it does not have, or an action its runtime cannot do, is refused
//! and changes nothing.

use super::up::{Target, select};
use super::{Outcome, UserError};
use localtensor::devnet::control::{self, CONTROL_SOCKET, ControlRequest};

/// Arguments of `localtensor fault`.
#[derive(Debug, clap::Args)]
pub(crate) struct FaultArgs {
    /// kill, restart, pause, resume, partition, loss, latency, heal (those four on the Docker
    /// runtime) or gpu_clear.
    action: String,
    /// A component (`chain`, a GPU mock, a neuron instance) or a neuron group (all instances).
    target: String,
    /// For `loss`: the share of the target's packets to drop each way, in percent (more than
    /// 0, at most 100).
    #[arg(long)]
    percent: Option<f64>,
    /// For `latency`: the delay to add to every packet of the target, each way, in
    /// milliseconds (1 to 60000).
    #[arg(long)]
    delay_ms: Option<u32>,
    #[command(flatten)]
    devnet: Target,
}

pub(crate) fn run(args: FaultArgs) -> Result<Outcome, UserError> {
    let request = ControlRequest {
        action: args.action,
        target: args.target,
        percent: args.percent,
        delay_ms: args.delay_ms,
    };
    request.checked_action().map_err(UserError::bad_input)?;
    let manifest = select(&args.devnet)?;
    let socket = manifest.run_dir.join(CONTROL_SOCKET);
    if !socket.exists() {
        return Err(UserError::bad_input(format!(
            "devnet {} takes no faults: it has no control socket (only `localtensor up` opens one)",
            manifest.devnet_id
        )));
    }
    let reply = control::send(&socket, &request).map_err(anyhow::Error::new)?;
    if reply.ok {
        println!("devnet {}: {}", manifest.devnet_id, reply.message);
        Ok(Outcome::Ok)
    } else {
        Err(UserError::bad_input(format!(
            "devnet {}: {}",
            manifest.devnet_id, reply.message
        )))
    }
}
