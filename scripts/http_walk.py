#!/usr/bin/env python3
"""The README's HTTP walk (session flow, JWT flow, experiment helpers, the scaling lab), made
against a running authlens, printed as one line per call: method, path, status, error code and
the credential headers (Set-Cookie names and attributes, WWW-Authenticate, the lab's node),
with every random value masked. Two runs of it diff to nothing when a change kept what crosses
the wire. Used by scripts/http_walk.sh; loopback only, a bounded list of calls.

    scripts/http_walk.py http://127.0.0.1:3000
"""

import http.client
import json
import re
import sys
import urllib.parse

LOGIN = {"username": "alice", "password": "wonderland"}


class Visitor:
    """One curl cookie jar: every cookie the server set, sent back on every call (as curl
    does on loopback, Secure or not)."""

    def __init__(self, base):
        self.base = urllib.parse.urlsplit(base)
        self.jar = {}

    def call(self, method, path, body=None, headers=None, jar=True, label=None, raw=None):
        connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=30)
        sent = {"Accept": "*/*"}
        if body is not None or raw is not None:
            sent["Content-Type"] = "application/json"
            body = raw if raw is not None else json.dumps(body)
        if jar and self.jar:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        set_cookies = response.headers.get_all("set-cookie") or []
        if jar:
            for line in set_cookies:
                name, _, rest = line.partition("=")
                value = rest.split(";", 1)[0]
                if re.search(r"(?i)max-age=0\b", line):
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = value
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        shown = [f"{method} {label or mask_path(path)}", str(response.status)]
        if isinstance(answer, dict) and "error" in answer:
            shown.append(answer["error"])
        for line in sorted(set_cookies):
            shown.append("set-cookie: " + mask_cookie(line))
        for name in ("www-authenticate", "x-authlens-node", "retry-after"):
            value = response.headers.get(name)
            if value is not None:
                shown.append(f"{name}: {mask(value)}")
        print(" | ".join(shown))
        return answer


def mask(text):
    """Tokens, ids and numbers that change from run to run."""
    text = re.sub(r"eyJ[\w-]+\.[\w-]+\.[\w-]*", "<jwt>", text)
    text = re.sub(r"\b[0-9a-f]{16,}\b", "<id>", text)
    text = re.sub(r"\b[\w-]{32,}\b", "<id>", text)
    return text


def mask_path(path):
    return mask(re.sub(r"nonce=[^&]+", "nonce=<nonce>", path))


def mask_cookie(line):
    """A Set-Cookie line with its value masked and its attributes as sent."""
    name, _, rest = line.partition("=")
    value, _, attributes = rest.partition(";")
    attributes = re.sub(r"(?i)(expires=)[^;]*", r"\1<date>", attributes)
    return f"{name}={'<value>' if value else ''};{attributes}"


def walk(base):
    # Session flow.
    browser = Visitor(base)
    browser.call("POST", "/api/session/login", LOGIN)
    browser.call("GET", "/api/session/me")
    browser.call("POST", "/api/session/cart", {"item": "apple"})
    browser.call("GET", "/api/session/store")
    old = dict(browser.jar)
    browser.call("POST", "/api/session/logout")
    browser.jar = old
    browser.call("GET", "/api/session/me", label="/api/session/me (the cookie copied before logout)")
    browser.call("POST", "/api/session/login", {"username": "alice", "password": "nope"})
    browser.call("POST", "/api/session/login", raw="{", label="/api/session/login (malformed JSON)")

    # JWT flow: no cookie jar (each curl is a visitor of its own).
    def curl():
        return Visitor(base)

    tokens = curl().call("POST", "/api/jwt/login", LOGIN, jar=False)
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    curl().call("GET", "/api/jwt/me", headers=bearer, jar=False)
    curl().call("POST", "/api/jwt/cart", {"item": "apple"}, headers=bearer, jar=False)
    curl().call("GET", "/api/jwt/refresh-store", jar=False)
    curl().call("POST", "/api/jwt/logout", {"refresh_token": refresh}, jar=False)
    curl().call("GET", "/api/jwt/me", headers=bearer, jar=False, label="/api/jwt/me (after logout)")
    curl().call("POST", "/api/jwt/refresh", {"refresh_token": refresh}, jar=False)
    refresh = curl().call("POST", "/api/jwt/login", LOGIN, jar=False)["refresh_token"]
    curl().call("POST", "/api/jwt/refresh", {"refresh_token": refresh}, jar=False)
    curl().call("POST", "/api/jwt/refresh", {"refresh_token": refresh}, jar=False, label="/api/jwt/refresh (reused)")
    curl().call("GET", "/api/jwt/me", headers={"Authorization": "Bearer garbage"}, jar=False, label="/api/jwt/me (garbage)")
    curl().call("GET", "/api/jwt/me", jar=False, label="/api/jwt/me (no token)")
    curl().call("GET", "/.well-known/jwks.json", jar=False)

    # Experiment helpers.
    helper = Visitor(base)
    helper.call("POST", "/api/lab/bulk", {"kind": "sessions", "count": 100})
    helper.call("POST", "/api/lab/bulk", {"kind": "tokens", "count": 100})
    helper.call("GET", "/api/lab/attacker")
    helper.call("GET", "/api/lab/attacker", headers={"Host": "authlens.example"}, label="/api/lab/attacker (Host: authlens.example)")
    helper.call("POST", "/api/session/login", LOGIN)
    nonce = helper.call("POST", "/api/lab/csrf-probes")["nonce"]
    helper.call("POST", f"/api/lab/csrf-probe?flow=session&nonce={nonce}")
    curl().call("POST", f"/api/lab/csrf-probe?flow=session&nonce={nonce}", jar=False)
    helper.call("GET", "/api/lab/csrf-probes")
    helper.call("POST", "/api/lab/samesite/cookies")
    helper.call("GET", "/api/lab/samesite/cookies")
    helper.call("POST", "/api/session/cart", {"item": "x"}, headers={"Sec-Fetch-Site": "cross-site"}, label="/api/session/cart (Sec-Fetch-Site: cross-site)")
    helper.call("GET", "/api/nowhere")
    helper.call("DELETE", "/api/session/me")

    # The scaling lab.
    lab = Visitor(base)
    for storage in ("local", "replicated", "central"):
        lab.call("POST", "/api/lab/cluster", {"nodes": 3, "strategy": "round_robin", "storage": storage}, label=f"/api/lab/cluster ({storage})")
        lab.call("POST", "/lb/api/session/login", LOGIN)
        for _ in range(3):
            lab.call("GET", "/lb/api/session/me")
    lab.call("POST", "/api/lab/cluster", {"nodes": 3, "strategy": "sticky", "storage": "local"}, label="/api/lab/cluster (sticky)")
    lab.call("POST", "/lb/api/session/login", LOGIN)
    lab.call("GET", "/lb/api/session/me")
    lab.call("POST", "/api/lab/cluster/nodes/1/kill")
    lab.call("GET", "/lb/api/session/me")
    lab.call("POST", "/api/lab/cluster/nodes/1/revive")
    lab.call("POST", "/api/lab/cluster", {"nodes": 9, "strategy": "sticky", "storage": "local"}, label="/api/lab/cluster (9 nodes)")
    lab.call("DELETE", "/api/lab/cluster")
    curl().call("POST", "/api/lab/cluster/nodes/1/kill", jar=False)


if __name__ == "__main__":
    walk(sys.argv[1])
