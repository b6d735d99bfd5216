# Sourced first by the scripts that put a release authlens under load (soak.sh, faults.sh):
# installs what is missing, builds the release server and the load generator, loads the
# server/Redis/measurement helpers, and runs servers from that build with no login limit
# (every simulated user comes from 127.0.0.1).
scripts/setup.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "release build of the server and the load generator"
cargo build --release --locked -p server --bin authlens --example loadgen
compgen -G "target/site/pkg/*.wasm" >/dev/null || cargo leptos build --release --precompress --split
source scripts/lib/server.sh
source scripts/lib/redis.sh
source scripts/lib/measure.sh
export AUTHLENS_BIN=target/release/authlens RUST_LOG=warn AUTHLENS_LOGIN_BURST=0
