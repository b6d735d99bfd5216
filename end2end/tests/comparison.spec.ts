import { test, expect, Page } from "@playwright/test";
import { open, sessionColumn, jwtColumn, clickFor } from "./helpers";

/** The comparison table's cell for `aspect` in column 1 (session) or 2 (JWT). */
const cell = (page: Page, aspect: string, column: 1 | 2) =>
  page.getByTestId("comparison").getByRole("row").filter({ has: page.getByRole("rowheader", { name: aspect }) }).getByRole("cell").nth(column - 1);

test.beforeEach(async ({ page }) => {
  await open(page);
});

test("the comparison table starts with hints, then shows the credential bytes that crossed the wire", async ({ page }) => {
  const bytes = "Credentials carried by each request";
  await expect(cell(page, bytes, 1)).toHaveText("not measured yet: call /me in the session column");
  await expect(cell(page, bytes, 2)).toHaveText("not measured yet: call /me in the JWT column");

  await clickFor(page, sessionColumn(page), "Log in", "/api/session/login");
  const [sessionMe] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith("/api/session/me")),
    clickFor(page, sessionColumn(page), "Call /me", "/api/session/me"),
  ]);
  // The server counts a header as `name: value`, leaving out the demo's visitor cookie.
  const cookie = (await sessionMe.allHeaders())["cookie"]
    .split("; ")
    .filter((pair) => !/^(__Host-)?authlens_visitor=/.test(pair))
    .join("; ");
  expect(cookie).toMatch(/^__Host-authlens_sid=/);
  await expect(cell(page, bytes, 1)).toHaveText(
    `measured ${"cookie: ".length + cookie.length} bytes in the Cookie header, the visitor cookie left out (last request)`,
  );

  await clickFor(page, jwtColumn(page), "Log in", "/api/jwt/login");
  const [jwtMe] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith("/api/jwt/me")),
    clickFor(page, jwtColumn(page), "Call /me", "/api/jwt/me"),
  ]);
  const authorization = (await jwtMe.allHeaders())["authorization"];
  await expect(cell(page, bytes, 2)).toHaveText(
    `measured ${"authorization: ".length + authorization.length} bytes in the Authorization header (last request)`,
  );
  // A token is several times the size of a session id.
  expect(authorization.length).toBeGreaterThan(3 * cookie.length);
});

test("the records row follows the server's store listings", async ({ page }) => {
  const records = "Records the server holds now";
  // Every listing the page read, in order; the table shows the last one.
  const counts: number[] = [];
  page.on("response", async (response) => {
    if (response.url().endsWith("/api/session/store")) counts.push((await response.json()).yours);
  });
  await clickFor(page, sessionColumn(page), "Log in", "/api/session/login");
  await expect.poll(() => counts.at(-1) ?? 0).toBeGreaterThan(0);
  await expect(cell(page, records, 1)).toHaveText(`measured session rows: ${counts.at(-1)}`);
  await expect(cell(page, records, 2)).toContainText(/refresh-token families: \d+, and no row for any access token/);
});

test("experiment 4 fills in how soon a session dies after logout", async ({ page }) => {
  const revocation = "Revocation after logout";
  await expect(cell(page, revocation, 1)).toHaveText("not measured yet: run experiment 4");
  await page.getByRole("article").filter({ has: page.getByRole("heading", { name: /^4\. / }) }).getByRole("button", { name: "Run" }).click();
  await expect(page.getByTestId("experiment-4-result").getByRole("listitem")).toHaveCount(3);
  await expect(cell(page, revocation, 1)).toHaveText(/^measured the very next request, \d+ ms after logout, was refused$/);
  await expect(cell(page, revocation, 2)).toHaveText("not measured yet: run experiment 5");
});

test("the comparison table speaks Korean", async ({ page }) => {
  await page.getByRole("button", { name: "한국어" }).click();
  const table = page.getByRole("table", { name: "두 방식 비교 (이번 방문에서 측정한 수치)" });
  await expect(table.getByRole("rowheader", { name: "로그아웃 후 무효화" })).toBeVisible();
  await expect(table).toContainText("아직 측정 전: 실험 4를 실행해 보세요");
});
