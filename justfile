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

# Run the tests with cargo-nextest and the CI profile (JUnit in target/nextest/ci/junit.xml).
nextest:
    cargo nextest run --workspace --profile ci

# Start the devnet chain (ws://127.0.0.1:9944, one block per transaction).
chain:
    cargo run -p localtensor-chain -- --dev

# Compare two snapshots.
diff a b:
    cargo run -q -p localtensor -- diff {{a}} {{b}}
