import { test, expect, type Page } from "@playwright/test";
import { open } from "../tests/helpers";
import { calls, login, nodeBox, setUp, watch } from "./helpers";

test("11: round-robin forgets node-local sessions; a JWT works on every node", async ({ page }) => {
  await setUp(page, 11);
  const me = watch(page, "/api/session/me");
  const home = await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  expect(me).toHaveLength(10);
  for (const { node, status } of me) expect(status).toBe(node === home ? 200 : 401);
  expect(new Set(me.map((call) => call.node)).size).toBe(3);
  const ok = me.filter((call) => call.status === 200).length;
  await expect(page.getByTestId("lab-session-summary")).toHaveText(`${ok} of the 10 calls listed answered 200`);
  await expect(nodeBox(page, home)).toContainText("sessions held here: 1");

  const tokenMe = watch(page, "/api/jwt/me");
  await login(page, "jwt");
  await calls(page, "jwt", "Call /me 10 times", 10);
  expect(tokenMe.map((call) => call.status)).toEqual(Array(10).fill(200));
  expect(new Set(tokenMe.map((call) => call.node)).size).toBe(3);
  await expect(page.getByTestId("lab-jwt-summary")).toHaveText("10 of the 10 calls listed answered 200");
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
  await expect(page.getByTestId("lab-session-summary")).toHaveText("0 of the 10 calls listed answered 200");
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

test("the lab speaks Korean", async ({ page }) => {
  await open(page, "/lab");
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("확장 실험실: 로드 밸런서 뒤의 세션");
  await expect(page.getByRole("button", { name: "이 실험 준비" })).toHaveCount(5);
});

const claimCard = (page: Page, n: number) =>
  page.getByRole("article").filter({ has: page.getByRole("heading", { name: new RegExp(`^${n}\\. `) }) });

test("setting up a claim says so, and starts the calls afresh", async ({ page }) => {
  await setUp(page, 11);
  await expect(page.getByTestId("claim-11-setup")).toHaveText(/^Ready: the cluster below runs this experiment's settings/);
  await login(page, "session");
  await expect(page.getByTestId("lab-session-calls").getByRole("listitem")).toHaveCount(1);
  await claimCard(page, 12).getByRole("button", { name: "Set up this experiment" }).click();
  await expect(page.getByTestId("claim-12-setup")).toHaveText(/^Ready/);
  await expect(page.getByTestId("lab-session-calls").getByRole("listitem")).toHaveCount(0);
  // The balancer's log is newest first, and numbered as the balancer counted.
  await login(page, "session");
  await calls(page, "session", "Call /me 10 times", 10);
  const hops = page.getByTestId("lab-hops");
  await expect(hops).toHaveAttribute("start", "11");
});

test("claims 11, 12 and 13 run by themselves and say, line by line, that they held", async ({ page }) => {
  test.setTimeout(60_000);
  await open(page, "/lab");
  for (const [n, lines] of [[11, 2], [12, 3], [13, 3]] as const) {
    await claimCard(page, n).getByRole("button", { name: `Run experiment ${n}` }).click();
    const result = page.getByTestId(`claim-${n}-result`);
    await expect(result.getByRole("listitem")).toHaveCount(lines, { timeout: 20_000 });
    await expect(result).not.toContainText("✗");
    await expect(result.getByRole("listitem").first()).toContainText("✓ as claimed");
  }
  await expect(page.getByTestId("claim-13-result")).toContainText("one more write (a /me) cost 2 messages");
});

test("16: a node cut off during logout still accepts the old cookie; healing alone does not fix it, a resync does", async ({ page }) => {
  test.setTimeout(60_000);
  // By hand first: the cut, as the node box shows it.
  await setUp(page, 16);
  const me = watch(page, "/api/session/me");
  const cut = await login(page, "session");
  await nodeBox(page, cut).getByRole("button", { name: `Cut node ${cut} off from replication` }).click();
  await expect(nodeBox(page, cut)).toContainText("cut off from replication");
  const [logout] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/lb/api/session/logout")),
    calls(page, "session", "Log out", 1),
  ]);
  expect(logout.headers()["x-authlens-node"]).not.toBe(cut);
  await nodeBox(page, cut).getByRole("button", { name: `Heal node ${cut}'s cut` }).click();
  await expect(nodeBox(page, cut)).not.toContainText("cut off from replication");

  // Then the run, both ways, with its figure.
  me.length = 0;
  await claimCard(page, 16).getByRole("button", { name: "Run experiment 16" }).click();
  const result = page.getByTestId("claim-16-result");
  await expect(result.getByRole("listitem")).toHaveCount(4, { timeout: 45_000 });
  await expect(result).not.toContainText("✗");
  // While cut, exactly one node said 200 to the logged-out cookie, and it was the cut one.
  await expect(result.getByRole("listitem").nth(0)).toContainText(/still accepts it; [1-3] of 3 answered 200/);
  await expect(result.getByRole("listitem").nth(3)).toContainText(/([1-9]|10) of 10 without resync → 0 of 10 with it/);
  await expect(page.getByTestId("lab-replication")).toContainText("Resyncs of a rejoining node: 1.");
});
