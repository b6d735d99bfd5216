#!/usr/bin/env bash
# Every test: formatting and lints, the Rust tests (server over its router, client logic), the
# release front end (compiles, size), then one debug build the Playwright suites run against,
# on loopback and as hosted behind HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check and clippy (server build and wasm build)"
scripts/lint.sh

step "cargo test (server and app)"
cargo test --locked

# The micro benchmarks compile and run each case once (criterion's test mode); timing them is
# `cargo bench -p server`, and the load test is scripts/bench.sh, neither run here.
step "benchmarks build and run once"
cargo test --locked --benches -p server

# The release front end is what `make run` serves, and only a size-optimized build shows some
# compile errors (deep view types): build it and report its size.
step "release front end (what make run ships)"
cargo leptos build --release --precompress --frontend-only --split
scripts/wasm_size.sh

# Debug server and debug front end together: debug SSR adds view markers that only a debug
# hydrate build expects, so this build also replaces the release package above. Every build is
# split: lazy code (`#[lazy]`, lazy routes) imports the split loader, which only a split build
# provides (unsplit, the page fails on "__wasm_split_placeholder__" and never hydrates).
step "cargo leptos build (server + wasm front end)"
cargo leptos build --split

step "Playwright end-to-end tests"
scripts/e2e.sh

# The same debug build as hosted: HAProxy terminating TLS for two public names in front of two
# authlens processes and one Redis; one process is stopped midway.
step "hosted deployment (https, HAProxy, two processes, one Redis)"
scripts/hosted.sh
