//! `localtensor-validator`: the validator neuron (see `localtensor_neuron::validator`).

fn main() -> anyhow::Result<()> {
    localtensor_neuron::entry::validator_main(std::env::args_os())
}
