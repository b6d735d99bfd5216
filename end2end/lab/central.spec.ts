import { test, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { calls, login, nodeBox, setUp, watch } from "./helpers";

// Claim 14 stops the server's own Redis, which every other visitor's refresh tokens live in:
// lab.config.ts runs this file alone, after the other lab tests.
test("14: a central Redis survives node deaths; without it sessions answer 503 and JWTs 200", async ({ page }) => {
  test.skip(!process.env.REDIS_PIDFILE, "needs the private redis-server that scripts/e2e.sh starts");
  await setUp(page, 14);
  await expect(page.getByTestId("lab-central")).toContainText("Redis (real, from --redis-url)");
  const me = watch(page, "/api/session/me");
  const tokenMe = watch(page, "/api/jwt/me");
  await login(page, "session");
  await nodeBox(page, 2).getByRole("button", { name: "Kill Node 2" }).click();
  await expect(nodeBox(page, 2)).toContainText("down");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(200));
  await login(page, "jwt");

  // Stop the Redis by its PID, as a crash would.
  const pidfile = process.env.REDIS_PIDFILE!;
  process.kill(Number(readFileSync(pidfile, "utf8").trim()), "SIGKILL");
  await expect(page.getByTestId("lab-central")).toContainText("down");
  me.length = 0;
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(503));
  await expect(page.getByTestId("lab-session-calls")).toContainText("store_unavailable");
  await calls(page, "jwt", "Call /me 10 times", 10);
  expect(tokenMe.map((call) => call.status)).toEqual(Array(10).fill(200));
  // Until the access token needs renewing: the refresh token lives in the store.
  const [refresh] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/lb/api/jwt/refresh")),
    calls(page, "jwt", "Refresh the token", 1),
  ]);
  expect(refresh.status()).toBe(503);
  await expect(page.getByTestId("lab-jwt-calls")).toContainText("store_unavailable");

  // Start it again on the same port (empty: no persistence); authlens reconnects by itself.
  const revived = spawn("redis-server", ["--bind", "127.0.0.1", "--port", process.env.REDIS_PORT!, "--save", "", "--appendonly", "no", "--pidfile", pidfile], { detached: true, stdio: "ignore" });
  revived.unref();
  await expect(page.getByTestId("lab-central")).toContainText("up");
  me.length = 0;
  await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(200));
});

