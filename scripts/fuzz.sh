#!/usr/bin/env bash
# Fuzzes the JWT inspector and the server's handling of credentials it never issued (bearer
# tokens, Cookie headers, refresh tokens) with cargo-fuzz (libFuzzer), each for a bounded time.
#   scripts/fuzz.sh                      FUZZ_SECONDS=120 per target by default
#   scripts/fuzz.sh token_inspector      one target
# Needs cargo-fuzz (installed here if missing) and a nightly toolchain; without one, stable is
# used with RUSTC_BOOTSTRAP=1 and no sanitizer. Findings land in fuzz/artifacts/<target>/.
# Not part of make test: it runs as long as you let it.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-120}
sanitizer=()
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(token_inspector credentials)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if rustup toolchain list | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  echo "no nightly toolchain: stable with RUSTC_BOOTSTRAP=1, no sanitizer"
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
  sanitizer=(--sanitizer none)
fi

summary=target/fuzz-summary.txt
mkdir -p target
: >"$summary"
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  cp -n fuzz/seeds/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
  log="target/fuzz-$target.log"
  echo "== $target for ${SECONDS_PER_TARGET} s (log $log)"
  status=0
  (cd fuzz && "${fuzz[@]}" run "${sanitizer[@]}" "$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -print_final_stats=1) >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  if [ "$status" -eq 0 ]; then verdict=PASS; else verdict="FAIL (exit $status, see $log and fuzz/artifacts/$target)"; fi
  echo "$target: $verdict — ${runs:-no run count}, $coverage, corpus $corpus inputs" | tee -a "$summary"
done
! grep -q FAIL "$summary"
