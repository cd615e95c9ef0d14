//! `localtensor-miner`: the miner neuron (see `localtensor_neuron::miner`).

fn main() -> anyhow::Result<()> {
    localtensor_neuron::entry::miner_main(std::env::args_os())
}
