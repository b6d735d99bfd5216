#!/usr/bin/env bash
# Size of the release front end in target/site/pkg: the wasm every page loads first
# (authlens.<hash>.wasm, its name from target/release/hash.txt) and all wasm files, the chunks
# split off for lazily loaded pages included.
#   scripts/wasm_size.sh          one line for people
#   scripts/wasm_size.sh --json   {"raw", "gzip", "all_raw", "all_gzip", "files"} for scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
gzipped() { gzip -9 -c "$1" | wc -c; }
hash=$(sed -n 's/^wasm: *//p' target/release/hash.txt 2>/dev/null || true)
first="$pkg/authlens${hash:+.$hash}.wasm"
raw=$(stat -c %s "$first")
gzip=$(gzipped "$first")
all_raw=0 all_gzip=0 files=0
for file in "$pkg"/*.wasm; do
  all_raw=$((all_raw + $(stat -c %s "$file")))
  all_gzip=$((all_gzip + $(gzipped "$file")))
  files=$((files + 1))
done
if [ "${1:-}" = --json ]; then
  echo "{\"raw\": $raw, \"gzip\": $gzip, \"all_raw\": $all_raw, \"all_gzip\": $all_gzip, \"files\": $files}"
else
  echo "release wasm loaded first: $raw bytes, $gzip bytes gzip; all $files wasm files: $all_raw bytes, $all_gzip bytes gzip"
fi
