# Developer shortcuts (https://github.com/casey/just). Every recipe is a plain command you can
# also type yourself.

# Lint and run every test, as CI does.
test:
    ci/test

# Run one epoch case, e.g. `just epoch examples/consensus/tv4-clipping.yaml`.
epoch case:
    cargo run -q -p localtensor -- consensus epoch {{case}}

# Validate a topology file.
validate topology:
    cargo run -q -p localtensor -- validate {{topology}}

# Benchmarks (consensus epoch sizes, GPU mock jobs).
bench:
    cargo bench -p localtensor-consensus
    cargo bench -p localtensor-gpu-mock

# Format and lint.
lint:
    cargo fmt --all
    cargo clippy --workspace --all-targets -- -D warnings
