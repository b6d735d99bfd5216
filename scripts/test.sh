#!/usr/bin/env bash
# Every test: formatting and lints, the Rust tests (server over its router, client logic), then one
# debug build of the site that the Playwright suite runs against in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check and clippy (server build and wasm build)"
scripts/lint.sh

step "cargo test (server and app)"
cargo test --locked

step "cargo leptos build (server + wasm front end)"
cargo leptos build

step "Playwright end-to-end tests"
scripts/e2e.sh
