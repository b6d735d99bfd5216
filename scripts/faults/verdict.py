"""The verdicts of scripts/faults.sh, one subcommand per scenario; each prints PASS/FAIL lines.

  verdict.py outage REPORT KILLED_AT RESTARTED_AT    (seconds since the load started)
  verdict.py restart STORE SESSION_ME JWT_ME JWT_REFRESH    (HTTP statuses after the restart)
  verdict.py drain OPEN_CONNECTIONS EXIT_STATUS TERMINATED_AT STOPPED_AT AFTER_STATUS LOGIN_OUT...
"""
import json
import math
import sys

# While Redis is down, a session request must get its 503 within this long (the store call
# times out after --redis-timeout 1s; the rest is slack for a loaded two-core machine).
OUTAGE_ANSWER_BOUND_MS = 3000


def check(label, passed, figure):
    print(f"  {'PASS' if passed else 'FAIL'}  {label}: {figure}")


def outage(report_path, killed_at, restarted_at):
    report = json.load(open(report_path))
    killed_at, restarted_at = float(killed_at), float(restarted_at)
    timeline = report["timeline"]
    # Whole seconds well inside the outage. The load generator's clock starts a little after
    # the script's, and a request sent just before the restart may be answered just after it
    # (by a Redis that is back, and empty: a 401), so the second before the restart is left out.
    down = [s for s in timeline if killed_at + 1 <= s["second"] <= restarted_at - 2]
    before = [s for s in timeline if s["second"] < math.floor(killed_at)]
    # Redis needs a moment to start and the connection manager to reconnect.
    after = [s for s in timeline if s["second"] > math.ceil(restarted_at) + 1]
    total = lambda seconds, key: sum(s[key] for s in seconds)
    statuses = {}
    for figures in report["steps"].values():
        for status, count in figures["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    print(f"Redis killed at {killed_at:.1f} s, restarted at {restarted_at:.1f} s, under "
          f"{report['connections']} connections ({report['requests']:,} requests, statuses {statuses})")
    for name, seconds in (("before", before), ("down", down), ("after", after)):
        print(f"  {name:<7} session ok {total(seconds, 'session_ok'):>6,}  503 {total(seconds, 'session_503'):>6,}  "
              f"401 {total(seconds, 'session_401'):>3}  "
              f"other {total(seconds, 'session_other'):>3}  max {max((s['session_max_ms'] for s in seconds), default=0):7.1f} ms"
              f" | jwt /me ok {total(seconds, 'jwt_ok'):>6,}  other {total(seconds, 'jwt_other'):>3}  "
              f"max {max((s['jwt_max_ms'] for s in seconds), default=0):6.1f} ms")
    check("sessions worked before the kill", total(before, "session_ok") > 0, total(before, "session_ok"))
    check("while Redis is down, session routes answer 503", total(down, "session_503") > 0
          and total(down, "session_ok") + total(down, "session_401") + total(down, "session_other") == 0,
          f"{total(down, 'session_503'):,} × 503, {total(down, 'session_ok') + total(down, 'session_401') + total(down, 'session_other')} other")
    slowest = max((s["session_max_ms"] for s in down), default=0)
    check(f"each within {OUTAGE_ANSWER_BOUND_MS} ms (no hang)", slowest <= OUTAGE_ANSWER_BOUND_MS, f"slowest {slowest:.0f} ms")
    check("every error has a JSON {error, message} body", report["errors_without_json_body"] == 0,
          report["errors_without_json_body"])
    check("no dropped connection, no timeout", report["dropped"] == 0 and report["timed_out"] == 0,
          f"{report['dropped']} dropped, {report['timed_out']} timed out")
    check("JWT verification unaffected while Redis is down", total(down, "jwt_other") == 0 and total(down, "jwt_ok") > 0,
          f"{total(down, 'jwt_ok'):,} ok, {total(down, 'jwt_other')} other")
    # Redis restarts empty (no persistence here): each user's first call after it is a 401, a
    # new login follows, and from then on /me works again.
    check("sessions work again after the restart, authlens untouched", total(after, "session_ok") > 0,
          f"{total(after, 'session_ok'):,} ok, {total(after, 'session_401')} × 401 (sessions lost with Redis's memory)")


def restart(store, session_me, jwt_me, jwt_refresh):
    survives = store == "redis"
    print(f"authlens restarted with its {store} store: session /me {session_me}, "
          f"JWT /me {jwt_me}, refresh {jwt_refresh}")
    check(f"sessions {'survive' if survives else 'are gone'}", session_me == ("200" if survives else "401"), session_me)
    check("the access token still verifies (it lives in the browser; same key)", jwt_me == "200", jwt_me)
    check(f"refresh families {'survive' if survives else 'are gone'} with their store",
          jwt_refresh == ("200" if survives else "401"), jwt_refresh)


def drain(open_connections, exit_status, terminated, stopped, after_status, *login_outputs):
    terminated, stopped = float(terminated), float(stopped)
    logins = [open(path).read().split() for path in login_outputs]
    statuses = [status for status, _ in logins]
    answered_after_term = sum(1 for _, at in logins if float(at) > terminated)
    print(f"SIGTERM with {open_connections} connections open and {len(logins)} logins sent; "
          f"{answered_after_term} were answered after it; the server exited {exit_status} "
          f"{stopped - terminated:.2f} s after the signal")
    check("logins were still in flight at SIGTERM", answered_after_term > 0, answered_after_term)
    check("every login in flight got its answer", all(s == "200" for s in statuses),
          ", ".join(f"{statuses.count(s)}×{s}" for s in sorted(set(statuses))))
    check("the server exited cleanly", exit_status == "0", exit_status)
    check("and then accepts no new connection", after_status == "000", after_status)


{"outage": outage, "restart": restart, "drain": drain}[sys.argv[1]](*sys.argv[2:])
