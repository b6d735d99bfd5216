#!/usr/bin/env bash
# Formatting and clippy with warnings as errors, for the server build and the wasm (hydrate) build.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown --locked -- -D warnings
