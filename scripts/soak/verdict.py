"""Reads one loadgen report plus memory readings and prints the soak's verdict.

usage: verdict.py REPORT NAME RSS_BEFORE_KIB RSS_PEAK_KIB RSS_AFTER_KIB [REDIS_PORT]
Exit status 1 if any check fails.
"""
import json
import subprocess
import sys

# Memory is "flat" when, after the purge, it is within this much of the post-warm-up reading.
FLAT_TOLERANCE = 0.10

report_path, name, before, peak, after = sys.argv[1:6]
redis_port = sys.argv[6] if len(sys.argv) > 6 else ""
before, peak, after = int(before), int(peak), int(after)
report = json.load(open(report_path))

checks = [
    ("no 5xx", report["server_errors_5xx"] == 0, report["server_errors_5xx"]),
    ("no dropped connection", report["dropped"] == 0, report["dropped"]),
    ("no timeout", report["timed_out"] == 0, report["timed_out"]),
    ("every answer the expected one", report["unexpected"] == 0, report["unexpected"]),
    (
        "memory flat after the purge",
        after <= before * (1 + FLAT_TOLERANCE),
        f"{before / 1024:.1f} MiB → peak {peak / 1024:.1f} MiB → {after / 1024:.1f} MiB",
    ),
]
if redis_port:
    def redis(*args):
        return subprocess.run(["redis-cli", "-p", redis_port, *args], capture_output=True, text=True).stdout
    rows = [key for key in redis("--scan", "--pattern", "*").split() if not key.endswith(":index")]
    used = next(line for line in redis("info", "memory").splitlines() if line.startswith("used_memory_human:"))
    checks.append(("Redis holds no session or family rows", not rows, f"{len(rows)} rows, {used.split(':')[1]}"))

print(f"{name}: {report['requests']:,} requests in {report['seconds']:.0f} s "
      f"({report['requests_per_second']:,.0f}/s) at {report['connections']} connections")
for step, figures in report["steps"].items():
    statuses = ", ".join(f"{status}×{count:,}" for status, count in figures["statuses"].items())
    print(f"  {step:<24} {statuses:<28} p50 {figures['p50_ms']:.2f} ms  p99 {figures['p99_ms']:.2f} ms  max {figures['max_ms']:.1f} ms")
ok = True
for label, passed, figure in checks:
    ok &= passed
    print(f"  {'PASS' if passed else 'FAIL'}  {label}: {figure}")
sys.exit(0 if ok else 1)
