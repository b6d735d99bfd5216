#!/usr/bin/env python3
"""Hostile clients beside normal visitors against one authlens on loopback, for a bounded time.

Hostile (each from a loopback address of its own, 127.0.0.2…): bulk sessions and bulk EdDSA
tokens at 100 000 a call, bulk runs whose client hangs up after 0.12 s, lab clusters started and
killed in a loop (with and without a cookie jar), lab stops and replacing starts whose client
hangs up at once, probe posts with 190 KB headers, a probe-log flood (a new visitor per nonce),
a wrong-password login flood, a slow reader (2 KB of the wasm every 4 s), and a connection hog
that opens up to 1 500 idle connections and keeps reopening those the server closes. Normal
visitors (127.0.1.x, one login bucket each, as separate people would have) do full journeys on
both flows, and experiments 9 and 15's probe round trip, and check every answer; after the
hostile clients stop, one more visitor runs the probes again.

Prints the server's resident memory and listening sockets (start, peak, 10 s after the end),
with --redis-url its session keys and Redis clients too, the normal visitors' p50/p99 per
step, what the hostile clients were answered, and the wrong answers; exits 1 when a budget is
missed. Only ever talks to the loopback addresses it is given; stops by itself.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse

BUDGET_PEAK_MIB = 512
BUDGET_BACK_MIB = 64
BUDGET_ME_P99_MS = 50.0
ALICE = {"username": "alice", "password": "wonderland"}


class Client:
    """One keep-alive HTTP/1.1 connection from `source`, with a tiny cookie jar."""

    def __init__(self, base, source, jar=True):
        url = urlparse(base)
        assert url.hostname in ("127.0.0.1", "localhost"), "loopback only"
        self.host, self.port, self.source = url.hostname, url.port, source
        self.jar = {} if jar else None
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            body = json.dumps(body)
            headers["content-type"] = "application/json"
        if self.jar:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=30, source_address=(self.source, 0)
                )
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    return 0, {}, None, 0.0
        if self.jar is not None:
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    if "Max-Age=0" in value:
                        self.jar.pop(key, None)
                    else:
                        self.jar[key] = val
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, dict(response.getheaders()), parsed, elapsed


HOG_CONNECTIONS = 1500


def connection_hog(base, source, deadline, results):
    """Idle connections from one address, reopened as the server closes them; counts how many
    were held at most and what the refused ones read."""
    import socket

    url = urlparse(base)
    held, outcome, most = [], {}, 0
    while time.time() < deadline:
        while len(held) < HOG_CONNECTIONS and time.time() < deadline:
            sock = socket.socket()
            sock.settimeout(2)
            try:
                sock.bind((source, 0))
                sock.connect((url.hostname, url.port))
            except OSError:
                sock.close()
                outcome["connect failed"] = outcome.get("connect failed", 0) + 1
                break
            held.append(sock)
        most = max(most, len(held))
        # Whatever the server wrote (a 503 refusal) or closed (the idle timeout) is let go.
        time.sleep(0.5)
        still = []
        for sock in held:
            sock.setblocking(False)
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                still.append(sock)
                continue
            except OSError:
                data = b""
            key = "503" if data.startswith(b"HTTP/1.1 503") else "closed"
            outcome[key] = outcome.get(key, 0) + 1
            sock.close()
        held = still
    for sock in held:
        sock.close()
    outcome[f"held at most {most}"] = 1
    results.put(("hostile", "connection_hog", outcome))


def send_and_hang_up(base, source, method, path, body, after=0.0, cookie=None):
    """Sends one request (as a visitor with `cookie`, if given) on a fresh connection and closes
    it `after` seconds later, unread."""
    url = urlparse(base)
    payload = json.dumps(body).encode()
    cookie_line = f"cookie: {cookie}\r\n" if cookie else ""
    sock = socket.socket()
    try:
        sock.bind((source, 0))
        sock.connect((url.hostname, url.port))
        head = (f"{method} {path} HTTP/1.1\r\nhost: {url.hostname}:{url.port}\r\n{cookie_line}"
                f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n\r\n")
        sock.sendall(head.encode() + payload)
        time.sleep(after)
        return "sent, hung up"
    except OSError:
        return "connect failed"
    finally:
        sock.close()


def slow_reader(base, source, deadline, results):
    """Asks for the wasm and reads 2 KB of it every 4 s; notes how long the server kept it."""
    import re

    url = urlparse(base)
    outcome = {}
    page = http.client.HTTPConnection(url.hostname, url.port, timeout=10, source_address=(source, 0))
    page.request("GET", "/")
    html = page.getresponse().read().decode(errors="replace")
    page.close()
    found = re.search(r"/pkg/[^\"']+\.wasm", html)
    wasm = found.group(0) if found else "/pkg/authlens.wasm"
    while time.time() < deadline:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.bind((source, 0))
        sock.connect((url.hostname, url.port))
        sock.sendall(f"GET {wasm} HTTP/1.1\r\nhost: {url.hostname}\r\n\r\n".encode())
        opened, cut = time.time(), False
        try:
            while time.time() < deadline:
                if not sock.recv(2048):
                    cut = True
                    break
                time.sleep(4)
        except OSError:
            cut = True
        sock.close()
        kept = round(time.time() - opened)
        key = "cut by the server" if cut else "open at the end"
        outcome[key] = outcome.get(key, 0) + 1
        outcome["longest kept (s)"] = max(outcome.get("longest kept (s)", 0), kept)
    results.put(("hostile", "slow_reader", outcome))


HOSTILE_PAUSE_S = 0.02

FAT = "https://" + "a" * 190_000 + ".example"


def hostile(role, base, source, deadline, results):
    if role == "connection_hog":
        return connection_hog(base, source, deadline, results)
    if role == "slow_reader":
        return slow_reader(base, source, deadline, results)
    outcome = {}
    client = Client(base, source, jar=role in ("lab_jar", "lab_hang_up", "fat_probe"))
    while time.time() < deadline:
        if role == "bulk_sessions":
            status, *_ = client.request("POST", "/api/lab/bulk", {"kind": "sessions", "count": 100_000})
        elif role == "bulk_tokens":
            status, *_ = client.request("POST", "/api/lab/bulk", {"kind": "tokens", "count": 100_000})
        elif role == "login_flood":
            status, *_ = client.request("POST", "/api/session/login", {"username": "alice", "password": "guess"})
        elif role == "bulk_hang_up":
            status = send_and_hang_up(base, source, "POST", "/api/lab/bulk", {"kind": "sessions", "count": 100_000}, 0.12)
        elif role == "lab_hang_up":
            # A cluster of 8, then a replacing start and a stop, each hung up at once.
            client.request("POST", "/api/lab/cluster", {"nodes": 8, "strategy": "round_robin", "storage": "central"})
            cookie = "; ".join(f"{k}={v}" for k, v in client.jar.items())
            for method, body in (("POST", {"nodes": 8, "strategy": "round_robin", "storage": "central"}), ("DELETE", {})):
                send_and_hang_up(base, source, method, "/api/lab/cluster", body, cookie=cookie)
            status = "cycle"
        elif role == "fat_probe":
            nonce = (client.request("POST", "/api/lab/csrf-probes", {})[2] or {}).get("nonce", "")
            status, *_ = client.request("POST", f"/api/lab/csrf-probe?flow=session&nonce={nonce}", None,
                                        {"origin": FAT, "sec-fetch-site": FAT})
        elif role == "probe_flood":
            status, *_ = Client(base, source, jar=False).request("POST", "/api/lab/csrf-probes", {})
        elif role in ("lab_jar", "lab_strangers"):
            status, *_ = client.request("POST", "/api/lab/cluster", {"nodes": 3, "strategy": "round_robin", "storage": "replicated"})
            for path in ("/api/lab/cluster/nodes/1/kill", "/api/lab/cluster/nodes/1/revive"):
                client.request("POST", path, {})
            if role == "lab_jar":
                client.request("DELETE", "/api/lab/cluster")
        outcome[status] = outcome.get(status, 0) + 1
        if status in (503, 429):
            # A hostile client that honours nothing still gets its answer fast; no need to spin.
            time.sleep(0.05)
        else:
            # The clients share the server's two cores: unpaced, sixteen Python loops would
            # measure their own scheduling, not the server. 50 calls a second each is still
            # hundreds of times what a visitor sends.
            time.sleep(HOSTILE_PAUSE_S)
    results.put(("hostile", role, outcome))


def probe_round_trip(step, wrong):
    """Experiments 9 and 15 as the page runs them: a nonce, the cross-site post, the log."""
    nonce = step("exp 9 nonce", "POST", "/api/lab/csrf-probes", {}).get("nonce", "")
    step("exp 9 probe", "POST", f"/api/lab/csrf-probe?flow=jwt&nonce={nonce}", None, {"sec-fetch-site": "cross-site"})
    probes = step("exp 9 log", "GET", "/api/lab/csrf-probes")
    if not any(probe.get("nonce") == nonce for probe in probes or []):
        wrong.append(f"experiment 9: the probe of nonce {nonce} is not in the log")
    nonce = step("exp 15 cookies", "POST", "/api/lab/samesite/cookies", {}).get("nonce", "")
    step("exp 15 probe", "POST", f"/api/lab/samesite/probe?nonce={nonce}&via=top", None, {"sec-fetch-site": "cross-site"})
    probes = step("exp 15 log", "GET", "/api/lab/csrf-probes")
    if not any(probe.get("nonce") == nonce and probe.get("flow") == "samesite-top" for probe in probes or []):
        wrong.append(f"experiment 15: the probe of nonce {nonce} is not in the log")


def visitor_after(base, results):
    """One visitor once the hostile clients have stopped: experiments 9 and 15 still work."""
    timings, wrong = {}, []
    client = Client(base, "127.0.1.200")

    def step(name, method, path, body=None, headers=None, expect=200):
        status, _, parsed, ms = client.request(method, path, body, headers)
        if status != expect:
            wrong.append(f"after: {name}: {status} (expected {expect}) {parsed}")
        return parsed if parsed is not None else {}

    for _ in range(3):
        probe_round_trip(step, wrong)
    results.put(("visitor", "after", (timings, wrong)))


def visitor(n, base, deadline, results):
    """Full journeys on both flows; every answer checked, `/me` and friends timed."""
    timings, wrong = {}, []
    client = Client(base, f"127.0.1.{n + 1}")

    def step(name, method, path, body=None, headers=None, expect=200):
        status, _, parsed, ms = client.request(method, path, body, headers)
        timings.setdefault(name, []).append(ms)
        if status != expect:
            wrong.append(f"{name}: {status} (expected {expect}) {parsed}")
        return parsed if parsed is not None else {}

    next_journey = time.time()
    while time.time() < deadline:
        probe_round_trip(step, wrong)
        # One journey every 4.5 s keeps each visitor's two logins under the 30/min login limit.
        time.sleep(max(0.0, next_journey - time.time()))
        next_journey = time.time() + 4.5
        login = step("session login", "POST", "/api/session/login", ALICE)
        session_id = login.get("session", {}).get("id")
        for _ in range(20):
            step("session /me", "GET", "/api/session/me")
        step("session cart", "POST", "/api/session/cart", {"item": "tea"})
        listing = step("session store listing", "GET", "/api/session/store")
        if session_id not in [row["id"] for row in listing.get("sessions", [])]:
            wrong.append(f"own session {session_id} missing from the listing: {listing}")
        step("session logout", "POST", "/api/session/logout", {})
        step("session /me after logout", "GET", "/api/session/me", expect=401)

        tokens = step("jwt login", "POST", "/api/jwt/login", ALICE)
        bearer = {"authorization": f"Bearer {tokens.get('access_token', '')}"}
        for _ in range(20):
            step("jwt /me", "GET", "/api/jwt/me", headers=bearer)
        refreshed = step("jwt refresh", "POST", "/api/jwt/refresh", {"refresh_token": tokens.get("refresh_token", "")})
        families = step("jwt refresh-store listing", "GET", "/api/jwt/refresh-store")
        if families.get("yours", 0) < 1:
            wrong.append(f"own refresh family missing from the listing: {families}")
        step("jwt logout", "POST", "/api/jwt/logout", {"refresh_token": refreshed.get("refresh_token", "")})
        step("jwt refresh after logout", "POST", "/api/jwt/refresh", {"refresh_token": refreshed.get("refresh_token", "")}, expect=401)
    results.put(("visitor", n, (timings, wrong)))


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def listening_sockets(pid):
    """The server's listening TCP sockets: its socket inodes that /proc/net/tcp* list as LISTEN."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    count += 1
    return count


def redis_figures(port):
    """(session keys, connected clients) of the Redis on `port`, or None without one."""
    if not port:
        return None
    cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
    keys = subprocess.run(cli + ["--scan", "--pattern", "*session:*"], capture_output=True, text=True).stdout.split()
    info = subprocess.run(cli + ["info", "clients"], capture_output=True, text=True).stdout
    clients = next((int(line.split(":")[1]) for line in info.splitlines() if line.startswith("connected_clients:")), 0)
    # The clients figure leaves out the redis-cli asking.
    return len(keys), clients - 1


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--visitors", type=int, default=4)
    parser.add_argument("--redis-port", type=int, default=0)
    args = parser.parse_args()

    # One call that opens the server's store connections (Redis is connected on first use), so
    # the start figures are the idle server's, not the unconnected one's.
    Client(args.base, "127.0.1.250").request("GET", "/api/session/store")
    start_mib = resident_mib(args.pid)
    start_listeners = listening_sockets(args.pid)
    start_redis = redis_figures(args.redis_port)
    deadline = time.time() + args.seconds
    results = mp.Queue()
    roles = ["bulk_sessions", "bulk_sessions", "bulk_tokens", "bulk_tokens", "bulk_hang_up", "bulk_hang_up",
             "login_flood", "lab_jar", "lab_strangers", "lab_hang_up", "lab_hang_up", "fat_probe", "fat_probe",
             "probe_flood", "slow_reader", "connection_hog"]
    workers = [
        mp.Process(target=hostile, args=(role, args.base, f"127.0.0.{i + 2}", deadline, results))
        for i, role in enumerate(roles)
    ] + [mp.Process(target=visitor, args=(n, args.base, deadline, results)) for n in range(args.visitors)]
    for worker in workers:
        worker.start()
    peak_mib, peak_listeners, peak_redis = start_mib, start_listeners, start_redis
    samples = 0

    def sample():
        nonlocal peak_mib, peak_listeners, peak_redis, samples
        peak_mib = max(peak_mib, resident_mib(args.pid))
        peak_listeners = max(peak_listeners, listening_sockets(args.pid))
        samples += 1
        if start_redis is not None and samples % 8 == 0:
            keys, clients = redis_figures(args.redis_port)
            peak_redis = (max(peak_redis[0], keys), max(peak_redis[1], clients))

    while time.time() < deadline:
        sample()
        time.sleep(0.25)
    collected = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    ended = time.time()
    # Idle lab clusters stop after the abuse run's short --lab-idle; then one more visitor.
    while time.time() < ended + 10:
        sample()
        time.sleep(0.25)
    after_mib = resident_mib(args.pid)
    after_listeners = listening_sockets(args.pid)
    after_redis = redis_figures(args.redis_port)
    visitor_after(args.base, results)
    collected.append(results.get(timeout=60))

    timings, wrong = {}, []
    print(f"\nhostile clients ({args.seconds:.0f} s):")
    for kind, who, data in collected:
        if kind == "hostile":
            answers = ", ".join(f"{status}×{count}" for status, count in sorted(data.items(), key=str))
            print(f"  {who:<16} {answers}")
        else:
            for step, values in data[0].items():
                timings.setdefault(step, []).extend(values)
            wrong.extend(data[1])
    print(f"\nnormal visitors ({args.visitors}, full journeys on both flows):")
    print(f"  {'step':<28} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for step, values in timings.items():
        print(f"  {step:<28} {len(values):>6} {statistics.median(values):>8.2f} {percentile(values, 99):>8.2f} {max(values):>8.2f}")
    me = timings.get("session /me", []) + timings.get("jwt /me", [])
    me_p99 = percentile(me, 99) if me else float("inf")
    print(f"\nresident memory: start {start_mib:.1f} MiB, peak {peak_mib:.1f} MiB, 10 s after the end {after_mib:.1f} MiB")
    print(f"listening sockets: start {start_listeners}, peak {peak_listeners}, 10 s after the end {after_listeners}")
    if start_redis is not None:
        print(f"Redis session keys: start {start_redis[0]}, peak {peak_redis[0]}, 10 s after the end {after_redis[0]}")
        print(f"Redis clients: start {start_redis[1]}, peak {peak_redis[1]}, 10 s after the end {after_redis[1]}")
    print(f"wrong answers to normal visitors: {len(wrong)}")
    for line in wrong[:20]:
        print(f"  {line}")

    checks = [
        (f"peak ≤ {BUDGET_PEAK_MIB} MiB", peak_mib <= BUDGET_PEAK_MIB, f"{peak_mib:.1f} MiB"),
        (f"back within {BUDGET_BACK_MIB} MiB of the start", after_mib - start_mib <= BUDGET_BACK_MIB, f"{after_mib - start_mib:+.1f} MiB"),
        (f"normal /me p99 ≤ {BUDGET_ME_P99_MS:.0f} ms", me_p99 <= BUDGET_ME_P99_MS, f"{me_p99:.2f} ms over {len(me)} calls"),
        ("zero wrong answers (experiments 9 and 15 included, during and after)", not wrong, str(len(wrong))),
        ("listening sockets back to the start", after_listeners <= start_listeners, f"{start_listeners} → {after_listeners}"),
    ]
    if start_redis is not None:
        checks += [
            ("Redis session keys back to the start", after_redis[0] <= start_redis[0], f"{start_redis[0]} → {after_redis[0]}"),
            ("Redis clients back to the start", after_redis[1] <= start_redis[1], f"{start_redis[1]} → {after_redis[1]}"),
        ]
    print("\nbudgets:")
    for name, ok, figure in checks:
        print(f"  {'✓' if ok else '✗'} {name}: {figure}")
    sys.exit(0 if all(ok for _, ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
