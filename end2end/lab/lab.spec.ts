import { test, expect, Page, Response } from "@playwright/test";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { open } from "../tests/helpers";

const sessionSide = (page: Page) => page.getByRole("region", { name: "Session + cookie, through the balancer" });
const jwtSide = (page: Page) => page.getByRole("region", { name: "JWT, through the balancer" });
const nodeBox = (page: Page, n: number | string) => page.getByTestId(`lab-node-${n}`);

/** Every response that came back through the balancer for `path`: (node, status). */
function watch(page: Page, path: string) {
  const seen: { node: string; status: number }[] = [];
  page.on("response", (response: Response) => {
    if (new URL(response.url()).pathname === `/lb${path}`) {
      seen.push({ node: response.headers()["x-authlens-node"] ?? "", status: response.status() });
    }
  });
  return seen;
}

/** Sets up claim `n`'s cluster from its card and waits for its nodes to show. */
async function setUp(page: Page, n: number) {
  await open(page, "/lab");
  const card = page.getByRole("article").filter({ has: page.getByRole("heading", { name: new RegExp(`^${n}\\. `) }) });
  const [started] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/lab/cluster") && r.request().method() === "POST"),
    card.getByRole("button", { name: "Set up this experiment" }).click(),
  ]);
  expect(started.status()).toBe(200);
  await expect(nodeBox(page, 3)).toBeVisible();
}

/** Clicks a side's button and waits until it lists `count` calls. */
async function calls(page: Page, side: "session" | "jwt", button: string, count: number) {
  const scope = side === "session" ? sessionSide(page) : jwtSide(page);
  await scope.getByRole("button", { name: button, exact: true }).click();
  await expect(page.getByTestId(`lab-${side}-calls`).getByRole("listitem")).toHaveCount(count);
  await expect(scope.getByRole("button", { name: button, exact: true })).toBeEnabled();
}

async function login(page: Page, side: "session" | "jwt"): Promise<string> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/lb/api/${side}/login`)),
    calls(page, side, "Log in", 1),
  ]);
  expect(response.status()).toBe(200);
  return response.headers()["x-authlens-node"];
}

test("11: round-robin forgets node-local sessions; a JWT works on every node", async ({ page }) => {
  await setUp(page, 11);
  const me = watch(page, "/api/session/me");
  const home = await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me).toHaveLength(10);
  for (const { node, status } of me) expect(status).toBe(node === home ? 200 : 401);
  expect(new Set(me.map((call) => call.node)).size).toBe(3);
  const ok = me.filter((call) => call.status === 200).length;
  await expect(page.getByTestId("lab-session-summary")).toHaveText(`${ok} of 10 answered 200`);
  await expect(nodeBox(page, home)).toContainText("sessions held here: 1");

  const tokenMe = watch(page, "/api/jwt/me");
  await login(page, "jwt");
  await calls(page, "jwt", "Call /me 10 times", 10);
  expect(tokenMe.map((call) => call.status)).toEqual(Array(10).fill(200));
  expect(new Set(tokenMe.map((call) => call.node)).size).toBe(3);
  await expect(page.getByTestId("lab-jwt-summary")).toHaveText("10 of 10 answered 200");
});

test("12: sticky sessions work until the node dies, and load unevenly", async ({ page, context }) => {
  await setUp(page, 12);
  const me = watch(page, "/api/session/me");
  const home = await login(page, "session");
  expect((await context.cookies()).find((cookie) => cookie.name === "authlens_lb")).toMatchObject({ value: home, httpOnly: true });
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me).toEqual(Array(10).fill({ node: home, status: 200 }));

  await nodeBox(page, home).getByRole("button", { name: `Kill Node ${home}` }).click();
  await expect(nodeBox(page, home)).toContainText("down");
  me.length = 0;
  await calls(page, "session", "Call /me 10 times", 10);
  const movedTo = me[0].node;
  expect(movedTo).not.toBe(home);
  expect(me).toEqual(Array(10).fill({ node: movedTo, status: 401 }));
  await expect(page.getByTestId("lab-session-summary")).toHaveText("0 of 10 answered 200");
  // Uneven: all of this visitor's load went to two nodes, the third served nothing.
  await expect(page.getByTestId(`lab-node-${home}-requests`)).toHaveText("requests served: 11");
  await expect(page.getByTestId(`lab-node-${movedTo}-requests`)).toHaveText("requests served: 10");
  const third = ["1", "2", "3"].find((node) => node !== home && node !== movedTo)!;
  await expect(page.getByTestId(`lab-node-${third}-requests`)).toHaveText("requests served: 0");
});

test("13: replication survives a node death, at N-1 messages per write", async ({ page }) => {
  await setUp(page, 13);
  const me = watch(page, "/api/session/me");
  await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(200));
  expect(new Set(me.map((call) => call.node)).size).toBe(3);
  // 11 writes (the login and ten /me that refresh the idle deadline), each to 2 other nodes.
  await expect(page.getByTestId("lab-replication")).toContainText("22 messages between nodes so far");
  await expect(page.getByTestId("lab-replication")).toContainText("0 failed");

  await nodeBox(page, 2).getByRole("button", { name: "Kill Node 2" }).click();
  await expect(nodeBox(page, 2)).toContainText("down");
  me.length = 0;
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(200));
  expect(me.map((call) => call.node)).not.toContain("2");
  await expect(page.getByTestId("lab-replication")).toContainText("10 failed");
});

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

  // Start it again on the same port (empty: no persistence); authlens reconnects by itself.
  const revived = spawn("redis-server", ["--bind", "127.0.0.1", "--port", process.env.REDIS_PORT!, "--save", "", "--appendonly", "no", "--pidfile", pidfile], { detached: true, stdio: "ignore" });
  revived.unref();
  await expect(page.getByTestId("lab-central")).toContainText("up");
  me.length = 0;
  await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me.map((call) => call.status)).toEqual(Array(10).fill(200));
});

test("the lab speaks Korean", async ({ page }) => {
  await open(page, "/lab");
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("확장 실험실: 로드 밸런서 뒤의 세션");
  await expect(page.getByRole("button", { name: "이 실험 준비" })).toHaveCount(4);
});
