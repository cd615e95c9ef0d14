//! `localtensor`: the devnet orchestrator's command line.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
