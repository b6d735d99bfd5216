// Every sentence true to what is on the screen: the texts around the verdicts, read after the
// experiments have run, against what the page shows beside them.
import { test, expect, Page } from "@playwright/test";
import { clickFor, jwtColumn, open, runExperiment, sessionColumn } from "./helpers";

/** A column's wire rows made by experiment `n`. */
const experimentRows = (page: Page, column: "session" | "jwt", n: number) =>
  page.getByTestId(`${column}-wire`).locator(`li[data-testid=experiment-row][data-experiment="${n}"]`);

test.beforeEach(async ({ page }) => {
  await open(page);
});

test("the experiments' requests show in the columns' wires, each labelled with its experiment", async ({ page }) => {
  await runExperiment(page, 2, 3);
  // Experiment 2: a session login and /me on the left, a token login and two /me on the right.
  const session = experimentRows(page, "session", 2);
  await expect(session).toHaveCount(2);
  await expect(session.first()).toContainText("experiment 2");
  await expect(session.first()).toContainText("GET /api/session/me → 200");
  const tokens = experimentRows(page, "jwt", 2);
  await expect(tokens).toHaveCount(3);
  await expect(tokens.first()).toContainText("GET /api/jwt/me → 200");
  // A row opens like the column's own: the headers the browser added are there.
  await tokens.first().locator("summary").click();
  await expect(tokens.first().getByTestId("headers-set-by-page")).toContainText("authorization");

  // Experiment 3's attacker requests are in the wire too, marked as the attacker's, with
  // the headers they really carried (no cookie of this page).
  await runExperiment(page, 3, 8);
  const attacker = experimentRows(page, "jwt", 3).filter({ hasText: "the attacker" });
  // It mints a pair from the stolen refresh token, uses it, and is refused once the family dies.
  await expect(attacker).toHaveCount(3);
  const minted = attacker.filter({ hasText: "POST /api/jwt/refresh → 200" });
  await minted.locator("summary").click();
  await expect(minted.getByTestId("headers-set-by-browser")).not.toContainText("cookie");
  await expect(experimentRows(page, "session", 3).filter({ hasText: "POST /api/session/cart → 200" })).toHaveCount(1);
});

test("after an experiment logs the session in, the cookie box shows the Set-Cookie behind the pill", async ({ page }) => {
  const column = sessionColumn(page);
  await runExperiment(page, 1, 3);
  await expect(column.getByRole("status")).toHaveText("Signed in as Alice");
  await expect(column.getByText("No Set-Cookie since this page loaded")).toHaveCount(0);
  await expect(column.getByTestId("cookie-as-set")).toContainText(/^Set-Cookie: __Host-authlens_sid=.*HttpOnly/);
});

test("the sentence under document.cookie holds when document.cookie shows a cookie", async ({ page }) => {
  // The language switch keeps the choice in a cookie page code can read.
  await page.getByRole("button", { name: "한국어" }).click();
  await page.getByRole("button", { name: "English" }).click();
  const column = sessionColumn(page);
  await clickFor(page, column, "Log in", "/api/session/login");
  const shown = column.getByTestId("document-cookie");
  await expect(shown).toContainText("lang=en");
  await expect(shown).not.toContainText("authlens_sid");
  const sentence = column.getByText(/HttpOnly, so this page's JavaScript cannot read it/);
  await expect(sentence).toBeVisible();
  await expect(sentence).not.toContainText("shows nothing");
});

test("the token column says what the server remembers of it: no access token, one refresh family", async ({ page }) => {
  const column = jwtColumn(page);
  await clickFor(page, column, "Log in", "/api/jwt/login");
  await expect(column.getByTestId("refresh-store-count")).toContainText("Refresh families: 1 yours");
  const blurb = column.locator(".blurb");
  await expect(blurb).not.toContainText("remembers nothing");
  await expect(blurb).toContainText("refresh family");
});

test("experiment 9's second layer explains the 401 its forms got", async ({ page }) => {
  const result = await runExperiment(page, 9, 6);
  await expect(result.getByRole("listitem").nth(1)).toContainText("→ 401");
  const secondLayer = result.getByRole("listitem").nth(2);
  await expect(secondLayer).toContainText("403 cross_site_request");
  await expect(secondLayer).toContainText("got 401 above");
});

test("the comparison's credential row is measured by the experiments too", async ({ page }) => {
  await runExperiment(page, 2, 3);
  const comparison = page.getByTestId("comparison");
  await expect(comparison).not.toContainText("not measured yet: call /me");
  await expect(comparison).toContainText(/measured \d+ bytes in the Authorization header/);
});

test("in Korean, experiment 3's payload is commented in Korean and the JWT pill names the user without a template particle", async ({ page }) => {
  await page.getByRole("button", { name: "한국어" }).click();
  const payload = page.locator("pre.payload");
  await expect(payload).toContainText("// 1. 페이지 스크립트가 읽을 수 있는 것을 읽는다");
  await expect(payload).not.toContainText("read what page scripts can read");
  const jwt = page.getByRole("region", { name: "JWT + localStorage (무상태)", exact: true });
  await clickFor(page, jwt, "로그인", "/api/jwt/login");
  const pill = jwt.getByTestId("jwt-login-state");
  await expect(pill).toHaveText(/^로그인한 사용자 Alice · 액세스 토큰 0:\d\d 남음/);
  await expect(pill).not.toContainText("(으)");
});

test("the lab's cards, verdicts and calls panel count the same calls, and every line of claims 12 and 14 is a verdict", async ({ page }) => {
  test.setTimeout(60_000);
  await open(page, "/lab");
  const claim = (n: number) => page.locator(`article#claim-${n}`);
  await claim(11).getByRole("button", { name: "Run experiment 11", exact: true }).click();
  const eleven = page.getByTestId("claim-11-result");
  await expect(eleven.getByRole("listitem")).toHaveCount(2, { timeout: 20_000 });
  await expect(claim(11)).toContainText("call /me 10 times");
  await expect(eleven.getByRole("listitem").first()).toContainText(/ of 10 \/me calls answered 200/);
  // The panel lists the run's calls: its login, then the ten /me.
  await expect(page.getByTestId("lab-session-summary")).toHaveText(/ of the 11 calls listed answered 200$/);

  await claim(12).getByRole("button", { name: "Run experiment 12", exact: true }).click();
  const twelve = page.getByTestId("claim-12-result");
  await expect(twelve.getByRole("listitem")).toHaveCount(3, { timeout: 20_000 });
  await expect(twelve.getByRole("listitem").nth(1)).toContainText("✓ as claimed: Uneven load: only the pinned node served you");

  await claim(14).getByRole("button", { name: "Run experiment 14", exact: true }).click();
  const fourteen = page.getByTestId("claim-14-result");
  await expect(fourteen.getByRole("listitem")).toHaveCount(5, { timeout: 30_000 });
  for (const result of [twelve, fourteen]) {
    for (const line of await result.getByRole("listitem").all()) {
      await expect(line).toHaveClass(/passed|failed/);
    }
  }
  await expect(fourteen).not.toContainText("✗");
});
