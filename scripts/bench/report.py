#!/usr/bin/env python3
"""Turns one scripts/bench.sh run into bench/results.json and a printed table with the budgets.

The JSON is what the app's /cost page reads (types in app/src/api/bench.rs); names are ids the
page translates, every number comes from the run.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

THROUGHPUT = ["hello_world", "hello_world_headers", "health", "session_memory_me", "session_redis_me", "jwt_hs256_me", "jwt_eddsa_me"]


def read(folder, name):
    return json.loads((folder / f"{name}.json").read_text())


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def cpu_us_per_request(run):
    return run["server_cpu_s"] * 1e6 / max(run["requests"], 1)


def across_rounds(folder, name, rounds):
    """One endpoint's runs, interleaved with the others', as one row: each figure the median
    of the rounds (a run slowed by a neighbour on the machine does not decide it), requests
    and errors summed."""
    runs = [read(folder, f"{name}.{round_}") for round_ in range(1, rounds + 1)]
    return {
        "requests": sum(run["requests"] for run in runs),
        "rps": round(median(run["rps"] for run in runs), 1),
        "p50_us": round(median(run["p50_us"] for run in runs)),
        "p99_us": round(median(run["p99_us"] for run in runs)),
        "errors": sum(run["errors"] for run in runs),
        "server_cpu_us": round(median(cpu_us_per_request(run) for run in runs), 2),
    }


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1), "os": f"{platform.system()} {platform.release()}"}


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    for flag in ["connections", "seconds", "rounds", "sessions", "tokens"]:
        parser.add_argument(f"--{flag}", type=int, required=True)
    args = parser.parse_args()
    folder = args.folder

    runs = {name: across_rounds(folder, name, args.rounds) for name in THROUGHPUT}
    # Ratios to the plain axum hello-world: what authlens's stack and each flow cost on top.
    limit = runs["hello_world"]["rps"]
    throughput = [{"id": name, **run, "ratio": round(run["rps"] / limit, 3)} for name, run in runs.items()]

    quiet = runs["session_memory_me"]
    flooded = read(folder, "session_memory_me_under_login_flood")
    flood = read(folder, "login_flood")
    login_flood = {
        "me_p99_us_without": quiet["p99_us"],
        "me_p99_us_with": flooded["p99_us"],
        "me_rps_with": flooded["rps"],
        "logins_per_s": flood["rps"],
        "errors": flooded["errors"] + flood["errors"],
    }

    sessions = read(folder, "memory_sessions")
    tokens = read(folder, "memory_tokens")
    # Growth while the batch is held (the server removes it right after measuring).
    session_growth = sessions["resident_bytes_held"] - sessions["resident_bytes_before"]
    token_growth = tokens["resident_bytes_held"] - tokens["resident_bytes_before"]
    memory = {
        "sessions": args.sessions,
        "session_rows_after": sessions["your_session_rows_held"],
        "session_rss_before": sessions["resident_bytes_before"],
        "session_rss_after": sessions["resident_bytes_held"],
        "bytes_per_session": round(session_growth / args.sessions, 1),
        "tokens": args.tokens,
        "token_rows_after": tokens["your_session_rows_held"] + tokens["your_refresh_rows_held"],
        "token_rss_before": tokens["resident_bytes_before"],
        "token_rss_after": tokens["resident_bytes_held"],
        "bytes_per_token": round(max(token_growth, 0) / args.tokens, 2),
        "token_wire_bytes": round(tokens["token_bytes_total"] / args.tokens),
    }

    wasm = read(folder, "wasm")
    interactive = read(folder, "interactive")
    front_end = {"wasm_raw": wasm["raw"], "wasm_gzip": wasm["gzip"],
                 "wasm_all_raw": wasm["all_raw"], "wasm_all_gzip": wasm["all_gzip"], "wasm_files": wasm["files"],
                 "interactive_ms": interactive["median_ms"], "interactive_runs_ms": interactive["runs_ms"],
                 "home_wire_bytes": interactive["home_wire_bytes"],
                 "interactive_10mbit_ms": interactive["slow_median_ms"], "interactive_10mbit_runs_ms": interactive["slow_runs_ms"]}

    # The flows' budgets are against authlens's own /api/health (the same stack, no work).
    health = runs["health"]["rps"]
    ratio = {name: round(run["rps"] / health, 3) for name, run in runs.items()}
    wire_kib = round(front_end["home_wire_bytes"] / 1024, 1)
    # (id, measured, limit, held): the budgets. "0 growth" per JWT allows less than one
    # byte per token, i.e. under one 4 KiB page per 4096 tokens: the RSS counter's own noise.
    budgets = [
        ("health_ratio", round(health / limit, 3), 0.95, health >= 0.95 * limit),
        ("session_memory_me_ratio", ratio["session_memory_me"], 0.9, ratio["session_memory_me"] >= 0.9),
        ("jwt_hs256_me_ratio", ratio["jwt_hs256_me"], 0.9, ratio["jwt_hs256_me"] >= 0.9),
        ("session_redis_me_ratio", ratio["session_redis_me"], 0.5, ratio["session_redis_me"] >= 0.5),
        ("bytes_per_session", memory["bytes_per_session"], 300, memory["bytes_per_session"] <= 300),
        ("bytes_per_token", memory["bytes_per_token"], 0, memory["bytes_per_token"] < 1 and memory["token_rows_after"] == 0),
        ("login_flood_p99", round(login_flood["me_p99_us_with"] / max(login_flood["me_p99_us_without"], 1), 2), 2.0,
         login_flood["me_p99_us_with"] <= 2 * login_flood["me_p99_us_without"]),
        ("wasm_gzip_bytes", front_end["wasm_gzip"], 300_000, front_end["wasm_gzip"] <= 300_000),
        ("interactive_ms", front_end["interactive_ms"], 1000, front_end["interactive_ms"] < 1000),
        ("home_wire_kib", wire_kib, 350, wire_kib <= 350),
        ("interactive_10mbit_ms", front_end["interactive_10mbit_ms"], 600, front_end["interactive_10mbit_ms"] < 600),
    ]
    errors = sum(run["errors"] for run in throughput) + login_flood["errors"]

    results = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit(),
        "machine": machine(),
        "load": {"tool": "wrk", "connections": args.connections, "seconds": args.seconds, "server_cpus": 1, "client_cpus": 1,
                 "rounds": args.rounds},
        "throughput": throughput,
        "login_flood": login_flood,
        "memory": memory,
        "front_end": front_end,
        "errors": errors,
        "budgets": [{"id": i, "measured": m, "limit": l, "held": h} for i, m, l, h in budgets],
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")

    print(f"medians of {args.rounds} interleaved rounds of {args.seconds} s at {args.connections} connections")
    print(f"{'endpoint':<22} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'× axum':>7} {'CPU µs/req':>11} {'errors':>7}")
    for run in throughput:
        print(f"{run['id']:<22} {run['rps']:>10.0f} {run['p50_us'] / 1000:>8.2f} {run['p99_us'] / 1000:>8.2f} "
              f"{run['ratio']:>7.2f} {run['server_cpu_us']:>11.2f} {run['errors']:>7}")
    print(f"\n/me p99 without / with a login flood: {login_flood['me_p99_us_without'] / 1000:.2f} ms / "
          f"{login_flood['me_p99_us_with'] / 1000:.2f} ms ({login_flood['logins_per_s']:.1f} logins/s)")
    print(f"memory: {memory['bytes_per_session']} B per session at {args.sessions} sessions; "
          f"{memory['bytes_per_token']} B per JWT at {args.tokens} JWTs ({memory['token_wire_bytes']} B each on the wire)")
    print(f"front end: {front_end['wasm_raw']} B wasm loaded first, {front_end['wasm_gzip']} B gzip "
          f"({front_end['wasm_files']} files, {front_end['wasm_all_gzip']} B gzip in all); interactive in {front_end['interactive_ms']} ms (median)")
    print(f"home page on the wire: {wire_kib} KiB; interactive in {front_end['interactive_10mbit_ms']} ms at 10 Mbit/s, 40 ms (median)")
    print("\nbudget                      measured      limit   ")
    for budget_id, measured, limit, held in budgets:
        print(f"{budget_id:<26} {measured:>10} {limit:>10}   {'held' if held else 'MISSED'}")
    missed = [b[0] for b in budgets if not b[3]]
    print(f"\nwrote {args.out}; " + (f"budgets missed: {', '.join(missed)}" if missed else "every budget held"))


if __name__ == "__main__":
    main()
