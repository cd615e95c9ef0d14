//! Command-line parsing and dispatch. Each subcommand lives in its own module.

mod check;
mod component;
mod consensus;
mod diff;
mod fault;
mod images;
mod run;
mod spawn_for_tests;
mod up;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// localtensor: a fast, deterministic local Bittensor devnet and test harness.
#[derive(Debug, Parser)]
#[command(name = "localtensor", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run subtensor's consensus math offline: epochs and emission.
    #[command(subcommand)]
    Consensus(consensus::ConsensusCommand),
    /// Compare two snapshots: every difference per epoch, subnet and neuron; exit 1 if any.
    Diff(diff::DiffArgs),
    /// Run a topology headless: its epochs, then `snapshot.yaml` and `report.md` in --out; exit 1
    /// if an expectation fails.
    Run(run::RunArgs),
    /// Check a topology file: print a summary (or the resolved topology); exit 2 listing every error.
    Validate(validate::ValidateArgs),
    /// Run topologies and compare their snapshots with the golden files; exit 1 on a difference.
    Check(check::CheckArgs),
    /// Start a devnet and keep producing blocks until Ctrl-C (`--detach`: in the background).
    Up(up::UpArgs),
    /// Show the devnets started by `up` and their components.
    Status(up::Target),
    /// Print a component's log (`-f` to follow).
    Logs(up::LogsArgs),
    /// Stop a devnet started by `up --detach` and remove everything it created.
    Down(up::Target),
    /// Apply a fault to a devnet started by `up`: kill, restart, pause, resume, partition, loss,
    /// latency, heal, gpu_clear.
    Fault(fault::FaultArgs),
    /// List the Docker images localtensor built (`--prune`: keep the newest per binary).
    Images(images::ImagesArgs),
    /// Run one devnet component (chain, GPU mock) from this binary.
    #[command(name = "__component", hide = true)]
    Component(component::ComponentArgs),
    /// For the runtime's tests: start a devnet with one chain and wait for a signal.
    #[command(name = "__spawn-devnet-for-tests", hide = true)]
    SpawnDevnetForTests(spawn_for_tests::SpawnArgs),
}

/// How a command ended, mapped to the process exit code.
pub(crate) enum Outcome {
    /// Success (0).
    Ok,
    /// The command ran but what it checked did not hold (1).
    CheckFailed,
}

/// Exit code for bad input (a file or argument the user must fix), as clap uses for usage errors.
pub(crate) const EXIT_BAD_INPUT: u8 = 2;

/// An error for the user: printed on stderr, with the exit code it maps to.
pub(crate) struct UserError {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl UserError {
    /// Bad input: exit code 2.
    pub(crate) fn bad_input(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: EXIT_BAD_INPUT,
        }
    }
}

impl From<anyhow::Error> for UserError {
    fn from(e: anyhow::Error) -> Self {
        Self {
            message: format!("{e:#}"),
            code: 1,
        }
    }
}

/// Parses the arguments, runs the command and maps the result to an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Up(args) => up::up(args),
        Command::Status(args) => up::status(args),
        Command::Logs(args) => up::logs(args),
        Command::Down(args) => up::down(args),
        Command::Fault(args) => fault::run(args),
        Command::Images(args) => images::run(args),
        Command::Component(args) => component::run(args),
        Command::Consensus(cmd) => consensus::run(cmd),
        Command::Diff(args) => diff::run(args),
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::SpawnDevnetForTests(args) => spawn_for_tests::run(args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
