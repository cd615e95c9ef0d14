//! `localtensor __component NAME ARGS...`: runs one devnet component (the chain, a GPU
//! mock, a miner, a validator) from this binary, so a devnet needs nothing but `localtensor`
//! itself. Each component's own binary (`localtensor-chain`, ...) takes the same arguments.

use super::{Outcome, UserError};
use std::ffi::OsString;

/// Arguments of the hidden component subcommand.
#[derive(Debug, clap::Args)]
pub(crate) struct ComponentArgs {
    /// Which component.
    #[arg(value_enum)]
    component: Component,
    /// The component's own arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// The components this binary embeds.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Component {
    /// `localtensor-chain`.
    Chain,
    /// `localtensor-gpu-mock`.
    GpuMock,
    /// `localtensor-miner`.
    Miner,
    /// `localtensor-validator`.
    Validator,
}

impl Component {
    /// The standalone binary's name, shown as the program name in the component's messages.
    fn program(self) -> &'static str {
        match self {
            Component::Chain => "localtensor-chain",
            Component::GpuMock => "localtensor-gpu-mock",
            Component::Miner => "localtensor-miner",
            Component::Validator => "localtensor-validator",
        }
    }
}

pub(crate) fn run(args: ComponentArgs) -> Result<Outcome, UserError> {
    let argv = std::iter::once(OsString::from(args.component.program())).chain(args.args);
    let result = match args.component {
        Component::Chain => localtensor_chain::cli::main_with_args(argv),
        Component::GpuMock => localtensor_gpu_mock::cli::main_with_args(argv),
        Component::Miner => localtensor_neuron::entry::miner_main(argv),
        Component::Validator => localtensor_neuron::entry::validator_main(argv),
    };
    result.map(|()| Outcome::Ok).map_err(UserError::from)
}
