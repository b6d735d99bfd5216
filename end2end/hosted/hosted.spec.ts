import { test, expect, Page, Browser, request as apiRequest } from "@playwright/test";
import { open, sessionColumn, jwtColumn, clickFor } from "../tests/helpers";
import { calls, nodeBox, setUp } from "../lab/helpers";

// The hosted deployment as a class meets it (scripts/hosted.sh): https under a public name,
// HAProxy in front of two authlens processes sharing one Redis. The home page's experiments
// and the lab's claims ran before this file in the same deployment (end2end/hosted.config.ts);
// here: what https changes, and what happens when one authlens process stops.

const pids = (process.env.AUTHLENS_PIDS ?? "").split(",").map(Number);
const backends = (process.env.AUTHLENS_BACKENDS ?? "").split(",");

async function twoVisitors(browser: Browser): Promise<[Page, Page]> {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  return (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
}

/** A JSON call from the page, carrying that visitor's cookies (and a bearer token if given). */
async function api(page: Page, path: string, init: { method?: string; body?: unknown; bearer?: string } = {}) {
  return page.evaluate(
    async ([path, method, body, bearer]) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (bearer) headers["authorization"] = `Bearer ${bearer}`;
      const response = await fetch(path, { method, headers, body: body === null ? undefined : JSON.stringify(body) });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    [path, init.method ?? "GET", init.body ?? null, init.bearer ?? ""] as const,
  );
}

async function logInBoth(page: Page) {
  const response = await page.goto("/");
  // Over https (as the proxy says), every answer tells the browser to stay on https.
  expect(response!.headers()["strict-transport-security"]).toBe("max-age=63072000");
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  expect((await clickFor(page, sessionColumn(page), "Log in", "/api/session/login")).status()).toBe(200);
  expect((await clickFor(page, jwtColumn(page), "Log in", "/api/jwt/login")).status()).toBe(200);
  // Chromium's own jar: Secure cookies, under the __Host- names a plain-http page could not set.
  const cookies = await page.context().cookies();
  expect(cookies.find((cookie) => cookie.name === "__Host-authlens_sid")).toMatchObject({ secure: true, httpOnly: true, path: "/" });
  expect(cookies.find((cookie) => cookie.name === "__Host-authlens_visitor")).toMatchObject({ secure: true, httpOnly: true, path: "/" });
  expect(cookies.find((cookie) => cookie.name === "authlens_sid")).toBeUndefined();
}

/** Both logins of `page` still work: the session's cookie, and the refresh token then its new access token. */
async function stillSignedIn(page: Page) {
  expect((await api(page, "/api/session/me")).status).toBe(200);
  const refreshToken = await page.evaluate(() => localStorage.getItem("authlens.refresh_token"));
  const refreshed = await api(page, "/api/jwt/refresh", { method: "POST", body: { refresh_token: refreshToken } });
  expect(refreshed.status).toBe(200);
  expect((await api(page, "/api/jwt/me", { bearer: refreshed.body.access_token })).status).toBe(200);
}

/** The authlens process (by index) that runs the visitor's lab cluster, asked directly. */
async function clusterOwner(page: Page): Promise<number> {
  const visitor = (await page.context().cookies()).find((cookie) => cookie.name === "__Host-authlens_visitor")!;
  const direct = await apiRequest.newContext();
  try {
    for (const [index, backend] of backends.entries()) {
      const view = await direct.get(`${backend}/api/lab/cluster`, { headers: { cookie: `__Host-authlens_visitor=${visitor.value}` } });
      if ((await view.json()).running) return index;
    }
  } finally {
    await direct.dispose();
  }
  throw new Error("no process runs the cluster");
}

/** Waits until `backend` refuses connections: the process is gone. */
async function gone(backend: string) {
  const direct = await apiRequest.newContext();
  await expect
    .poll(async () => direct.get(`${backend}/api/health`, { timeout: 1_000 }).then(() => "answering", () => "gone"))
    .toBe("gone");
  await direct.dispose();
}

test("hosted: two visitors over https on two processes; when one stops, logins go on and the lab says where its cluster was", async ({ browser }) => {
  test.setTimeout(120_000);
  expect(pids).toHaveLength(2);
  const [a, b] = await twoVisitors(browser);
  await Promise.all([logInBoth(a), logInBoth(b)]);
  await setUp(a, 11);
  const stopped = await clusterOwner(a);

  process.kill(pids[stopped], "SIGKILL");
  await gone(backends[stopped]);

  // Both visitors go on, through the other process: the sessions and refresh families are in Redis,
  // and every process verifies with the same key.
  await Promise.all([stillSignedIn(a), stillSignedIn(b)]);

  // The lab's next call lands on the other process, which says where the cluster was.
  await open(a, "/lab");
  await expect(a.getByTestId("lab-cluster-gone")).toContainText("Your cluster is not here: it ran on another authlens server process, which your requests no longer reach");
  const [again] = await Promise.all([
    a.waitForResponse((r) => r.url().endsWith("/api/lab/cluster") && r.request().method() === "POST"),
    a.getByRole("button", { name: "Set it up again" }).click(),
  ]);
  expect(again.status()).toBe(200);
  await expect(nodeBox(a, 3)).toBeVisible();
  await calls(a, "session", "Log in", 1);
  await expect(a.getByTestId("lab-session-calls")).toContainText("→ 200");
});
