//! The `localtensor-gpu-mock` binary (the command line lives in `localtensor_gpu_mock::cli`).

fn main() -> anyhow::Result<()> {
    localtensor_gpu_mock::cli::main_with_args(std::env::args_os())
}
