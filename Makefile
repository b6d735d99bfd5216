# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh).

.PHONY: run test setup build lint e2e hosted screenshots bench soak faults fuzz abuse

## Build the release site and serve it on http://127.0.0.1:3000 (in-memory stores, keys made at start).
run: setup
	cargo leptos build --release --precompress --split
	target/release/authlens

## Every test: cargo tests and the Playwright suite in Chromium.
test:
	scripts/test.sh

setup:
	scripts/setup.sh

## Release build without serving.
build: setup
	cargo leptos build --release --precompress --split

## Clippy with warnings as errors, for the server build and the wasm build.
lint: setup
	scripts/lint.sh

## Only the browser tests, against the last debug build.
e2e:
	scripts/e2e.sh

## Only the hosted-deployment test (HAProxy + TLS + two authlens + Redis), against the last debug build.
hosted:
	scripts/hosted.sh

## Retake the README's screenshots (English and Korean) from a real run in headless Chromium.
screenshots:
	cargo leptos build --split
	scripts/screenshot.sh

## Load, memory and front-end benchmarks; writes bench/results.json (shown on /cost).
bench:
	scripts/bench.sh

## 60 s of users on both flows at 64 connections, memory and Redis stores: no 5xx, memory flat.
soak:
	scripts/soak.sh

## Redis killed under load, authlens restarted, graceful shutdown: each with a verdict.
faults:
	scripts/faults.sh

## Hostile clients beside normal visitors for 60 s (loopback only): memory, latency, wrong answers.
abuse:
	scripts/abuse.sh

## cargo-fuzz on the JWT inspector and the server's credential handling, 120 s per target.
fuzz:
	scripts/fuzz.sh
