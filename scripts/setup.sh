#!/usr/bin/env bash
# Installs everything authlens needs to build and test, skipping what is already there.
# Safe to run again and again; `make run` and `make test` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# Root on CI and these machines; sudo elsewhere.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Rust: the wasm target -------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Build tools need not be fast, only built fast: cargo-leptos's own release profile
# (fat LTO, one codegen unit) takes 21 minutes on 2 cores, this about 12.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}

# --- cargo-leptos (0.3.11 needs a newer rustc than 1.95) --------------------
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores, once)"
  quick_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# --- wasm-bindgen CLI: exactly the version in Cargo.lock --------------------
# cargo-leptos runs whichever wasm-bindgen is on PATH without checking, and a
# mismatch with the library breaks the build, so the version is checked here.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: cannot find wasm-bindgen's version in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked fails here: a dependency pinned in its lockfile is missing from the registry.
  quick_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# --- wasm-opt for release builds (Debian's binaryen 108 produced broken output) ---
if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION) from npm"
  npm install --global --no-fund --no-audit "binaryen@$BINARYEN_VERSION"
fi

# --- Debian packages: the browser and its fonts for the e2e tests, Redis for the store tests,
# HAProxy and openssl for the hosted-deployment test ---
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v curl >/dev/null || missing+=(curl)
command -v wrk >/dev/null || missing+=(wrk)  # the load generator of scripts/bench.sh
# The hosted-deployment test: HAProxy terminating TLS in front of two authlens, with a
# certificate the test makes with openssl.
command -v haproxy >/dev/null || missing+=(haproxy)
command -v openssl >/dev/null || missing+=(openssl)
# Korean glyphs for the browser (screenshots and what the Korean tests see rendered).
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# --- Playwright (its own browser download cannot work here; Debian's Chromium is used) ---
if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the end-to-end test dependencies"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-fund --no-audit)
fi

say "ready"
