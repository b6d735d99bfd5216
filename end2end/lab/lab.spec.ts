import { test, expect } from "@playwright/test";
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

test("the lab speaks Korean", async ({ page }) => {
  await open(page, "/lab");
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("확장 실험실: 로드 밸런서 뒤의 세션");
  await expect(page.getByRole("button", { name: "이 실험 준비" })).toHaveCount(4);
});
