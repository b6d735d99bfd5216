import { test, expect, Browser, Page } from "@playwright/test";
import { experimentCard, open, runExperiment } from "./helpers";
import { calls, nodeBox, setUp } from "../lab/helpers";

// Two visitors (two browser contexts, as two people in one class) use the same server at the
// same moment: every verdict holds for both, and neither sees the other's rows, cluster or probes.

async function twoVisitors(browser: Browser): Promise<[Page, Page]> {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  return (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
}

/** A JSON API call made from the page, so it carries that visitor's own cookies. */
async function api(page: Page, path: string, method = "GET") {
  return page.evaluate(
    async ([path, method]) => {
      const response = await fetch(path, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    },
    [path, method],
  );
}

async function experiments(page: Page) {
  await open(page);
  const verdicts = [];
  for (const [n, lines] of [[1, 3], [3, 8], [4, 3], [6, 4], [9, 6], [15, 7]] as const) {
    verdicts.push(await runExperiment(page, n, lines));
  }
  const [bulk] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/lab/bulk"), { timeout: 45_000 }),
    experimentCard(page, 10).getByRole("button", { name: "Create 10,000 sessions" }).click(),
  ]);
  // scripts/e2e.sh allows as many bulk runs at once as its two workers can start.
  expect(bulk.status()).toBe(200);
  const sessions = page.getByTestId("experiment-10-sessions");
  await expect(sessions.getByRole("listitem")).toHaveCount(3);
  verdicts.push(sessions);
  for (const result of verdicts) {
    await expect(result).toContainText("✓ as claimed");
    await expect(result).not.toContainText("✗");
  }
}

test("two visitors at once: every experiment holds for each, and each sees only their own rows and probes", async ({ browser }) => {
  test.setTimeout(120_000);
  const [a, b] = await twoVisitors(browser);
  await Promise.all([experiments(a), experiments(b)]);

  const visitorCookie = async (page: Page) => (await page.context().cookies()).find((cookie) => cookie.name === "__Host-authlens_visitor");
  const [cookieA, cookieB] = await Promise.all([visitorCookie(a), visitorCookie(b)]);
  expect(cookieA).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(cookieA!.value).not.toBe(cookieB!.value);
  await expect(a.getByTestId("visitor-cookie-note")).toContainText("authlens_visitor");

  const [listingA, listingB] = await Promise.all([api(a, "/api/session/store"), api(b, "/api/session/store")]);
  const ids = (listing: { sessions: { id: string }[] }) => listing.sessions.map((row) => row.id);
  expect(ids(listingA).length).toBe(listingA.yours);
  expect(ids(listingA).filter((id) => ids(listingB).includes(id))).toEqual([]);
  // The bulk rows are gone again; what is left is a visitor's own logins.
  expect(listingA.yours).toBeLessThan(10);
  // The page says which rows are yours and what the server holds for everyone.
  await expect(a.getByTestId("session-store-count")).toContainText(`${listingA.yours} yours`);
  await expect(a.getByTestId("session-store-count")).toContainText("on the server, every visitor's");

  const [probesA, probesB] = await Promise.all([api(a, "/api/lab/csrf-probes"), api(b, "/api/lab/csrf-probes")]);
  const nonces = (probes: { nonce: string }[]) => new Set(probes.map((probe) => probe.nonce));
  expect(probesA.length).toBeGreaterThanOrEqual(3);
  expect([...nonces(probesA)].filter((nonce) => nonces(probesB).has(nonce))).toEqual([]);
});

test("two visitors at once each get a lab cluster of their own", async ({ browser }) => {
  test.setTimeout(90_000);
  const [a, b] = await twoVisitors(browser);
  await Promise.all([setUp(a, 11), setUp(b, 11)]);
  await Promise.all([calls(a, "session", "Log in", 1), calls(b, "session", "Log in", 1)]);
  const [clusterA, clusterB] = await Promise.all([api(a, "/api/lab/cluster"), api(b, "/api/lab/cluster")]);
  const ports = (cluster: { nodes: { port: number }[] }) => cluster.nodes.map((node) => node.port);
  expect(ports(clusterA).filter((port) => ports(clusterB).includes(port))).toEqual([]);

  await nodeBox(a, 1).getByRole("button", { name: "Kill Node 1" }).click();
  await expect(nodeBox(a, 1)).toContainText("down");
  const afterKill = await api(b, "/api/lab/cluster");
  expect(afterKill.nodes[0].up).toBe(true);
  await expect(nodeBox(b, 1)).not.toContainText("down");
  // B stopping "the" cluster stops only B's.
  await api(b, "/api/lab/cluster", "DELETE");
  const stillA = await api(a, "/api/lab/cluster");
  expect(stillA.running).toBe(true);
});
