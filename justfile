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

# Run a topology headless: `just run topologies/basic.yaml` writes out/snapshot.yaml and out/report.md.
run topology:
    cargo run -q -p localtensor -- run {{topology}} --out out

# A devnet with live progress until Ctrl-C, e.g. `just up topologies/demo.yaml`.
up topology="topologies/demo.yaml":
    cargo run -q -p localtensor -- up {{topology}}

# Compare every lock-step topology with its golden file (`just check --update` to accept changes).
check *args:
    cargo run -q -p localtensor -- check {{args}}

# Benchmarks (consensus epoch sizes, GPU mock jobs, chain blocks, whole devnets).
bench:
    cargo bench -p localtensor-consensus
    cargo bench -p localtensor-gpu-mock
    cargo bench -p localtensor-chain
    cargo bench -p localtensor --bench devnet

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
