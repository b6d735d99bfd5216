import { test, expect, type Page } from "@playwright/test";
import { open, sessionColumn, jwtColumn, clickFor, runExperiment } from "./helpers";

// The lessons told whole: the hybrid refresh in the JWT column, what an XSS payload can and
// cannot do, and a wire view that says who set each header.

const pill = (page: Page) => jwtColumn(page).getByTestId("jwt-login-state");
const renewEarly = (page: Page) => jwtColumn(page).getByRole("checkbox", { name: /^Renew the access token shortly before it expires/ });

test("by default the JWT column renews its access token shortly before it expires, in a row of its own", async ({ page }) => {
  // 10 s access tokens here: renewed in their last sixth (from 1 s before exp).
  test.setTimeout(40_000);
  await open(page);
  const jwt = jwtColumn(page);
  await expect(renewEarly(page)).toBeChecked();
  const states: string[] = [];
  await page.exposeFunction("pillSaid", (text: string) => states.push(text));
  await clickFor(page, jwt, "Log in", "/api/jwt/login");
  await page.evaluate(() => {
    const pill = document.querySelector("[data-testid=jwt-login-state]")!;
    new MutationObserver(() => (window as any).pillSaid(pill.textContent)).observe(pill, { childList: true, subtree: true, characterData: true });
  });
  const firstAccess = await page.evaluate(() => localStorage.getItem("authlens.access_token"));
  const renewal = jwt.getByTestId("early-renewal-row");
  await expect(renewal).toHaveCount(1, { timeout: 15_000 });
  await expect(renewal).toContainText("renewed before expiry");
  await expect(renewal).toContainText("POST /api/jwt/refresh → 200");
  expect(await page.evaluate(() => localStorage.getItem("authlens.access_token"))).not.toBe(firstAccess);
  await expect(pill(page)).toHaveText(/^Signed in as Alice · access token valid 0:(0\d|10) · refreshed \d+ s ago$/);
  // The pill never said the access token had expired: the renewal came first.
  expect(states.length).toBeGreaterThan(3);
  expect(states.filter((text) => text.startsWith("Access token expired"))).toEqual([]);
  // No expiry 401 was needed.
  await expect(jwt.getByTestId("automatic-refresh-row")).toHaveCount(0);
});

test("the JWT column refreshes by itself when its access token has expired, in a wire row of its own", async ({ page }) => {
  // The suite's access tokens live 10 s (scripts/lib/server.sh); the refresh token 10 min.
  test.setTimeout(40_000);
  await open(page);
  const jwt = jwtColumn(page);
  // The expiry path: renewing before expiry (the default) turned off.
  await renewEarly(page).uncheck();
  await clickFor(page, jwt, "Log in", "/api/jwt/login");
  await expect(pill(page)).toHaveText(/^Signed in as Alice · access token valid 0:(0\d|10)$/);
  const firstRefresh = await page.evaluate(() => localStorage.getItem("authlens.refresh_token"));

  // The pill says what the client knows: the access token is dead, the refresh token is not.
  await expect(pill(page)).toHaveText(/^Access token expired · refresh token valid (9|10):\d\d$/, { timeout: 15_000 });

  // Calling /me now: refused as expired, refreshed by the client itself, called again.
  const answers: string[] = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path === "/api/jwt/me" || path === "/api/jwt/refresh") answers.push(`${path} ${response.status()}`);
  });
  const retried = page.waitForResponse((r) => r.url().endsWith("/api/jwt/me") && r.status() === 200);
  await jwt.getByRole("button", { name: "Call /me", exact: true }).click();
  await retried;
  expect(answers.slice(0, 3)).toEqual(["/api/jwt/me 401", "/api/jwt/refresh 200", "/api/jwt/me 200"]);

  const automatic = jwt.getByTestId("automatic-refresh-row");
  await expect(automatic).toHaveCount(1);
  await expect(automatic).toContainText("automatic refresh");
  await expect(automatic).toContainText("POST /api/jwt/refresh → 200");
  await expect(pill(page)).toHaveText(/^Signed in as Alice · access token valid 0:(0\d|10) · refreshed \d+ s ago$/);
  const secondRefresh = await page.evaluate(() => localStorage.getItem("authlens.refresh_token"));
  expect(secondRefresh).not.toBe(firstRefresh);
  // The family was rotated once and is still active.
  const families = jwt.getByRole("table", { name: /Refresh-token families/ });
  await expect(families.getByRole("row").nth(1)).toContainText("active");
  await expect(families.getByRole("row").nth(1).getByRole("cell").last()).toHaveText("1");

  // The Refresh button does the same by hand: a row the visitor made, not an automatic one.
  await clickFor(page, jwt, "Refresh", "/api/jwt/refresh");
  await expect(automatic).toHaveCount(1);
  await expect(families.getByRole("row").nth(1).getByRole("cell").last()).toHaveText("2");
});

test("experiment 3: the payload steals both tokens, rides the HttpOnly cookie, and the CSP stops the loot", async ({ page, context }) => {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  const refreshes: Promise<Record<string, string>>[] = [];
  context.on("request", (request) => {
    if (request.url().endsWith("/api/jwt/refresh")) refreshes.push(request.allHeaders());
  });
  await open(page);
  const result = await runExperiment(page, 3, 8);
  await expect(result).not.toContainText("✗");
  const lines = result.getByRole("listitem");
  // The cookie stays unread, but both tokens are read.
  const sid = (await context.cookies()).find((cookie) => cookie.name === "__Host-authlens_sid");
  expect(sid?.httpOnly).toBe(true);
  await expect(result).not.toContainText(sid!.value);
  await expect(lines.nth(1)).toContainText(/access token \d+ bytes, refresh token \d+ bytes/);
  // The payload's own request carried the cookie it could not read, and acted.
  await expect(lines.nth(2)).toContainText("POST /api/session/cart 200");
  // Read as the browser would (its jar, its name resolution: the hosted run maps names in Chromium).
  const me = await page.evaluate(() => fetch("/api/session/me").then((response) => response.json()));
  expect(me.cart).toContain("added by the XSS payload");
  // The loot never left: the page's CSP refused the connection, and the browser said so.
  await expect(lines.nth(3).locator("code")).toHaveText(/^connect-src · https:\/\/evil\.example/);
  expect(consoleErrors.some((text) => text.includes("evil.example") && text.includes("connect-src"))).toBe(true);
  // The attacker, with no cookie, minted a new pair from the stolen refresh token and used it.
  await expect(lines.nth(4)).toContainText("POST /api/jwt/refresh 200");
  await expect(lines.nth(5)).toContainText("GET /api/jwt/me 200 → Alice");
  const refreshHeaders = await Promise.all(refreshes);
  expect(refreshHeaders[0]["cookie"]).toBeUndefined();
  // The victim's next refresh hit reuse detection; the family died for both.
  await expect(lines.nth(6)).toContainText("401 refresh_token_reused");
  await expect(lines.nth(7)).toContainText("401 refresh_token_revoked");
  // The columns follow: the session column is signed in (the payload's victim), the JWT
  // column's client, refused, forgot its tokens.
  await expect(sessionColumn(page).getByRole("status")).toHaveText("Signed in as Alice");
  await expect(pill(page)).toHaveText("Signed out");
  // The whole truth in a table.
  await expect(page.getByRole("table", { name: "What an XSS payload can do with each" })).toContainText("uses it while the page is open");
});

test("the wire says who set each header, and its credential bytes are the comparison table's", async ({ page }) => {
  await open(page);
  const session = sessionColumn(page);
  const jwt = jwtColumn(page);
  await clickFor(page, session, "Log in", "/api/session/login");
  await clickFor(page, jwt, "Log in", "/api/jwt/login");
  await clickFor(page, session, "Call /me", "/api/session/me");
  await clickFor(page, jwt, "Call /me", "/api/jwt/me");

  // The JWT /me: Authorization is the page's code's, the cookie and Sec-Fetch-* the browser's.
  // Found by what it is: the column may add a row of its own meanwhile (a renewal before expiry).
  const jwtMe = jwt.getByTestId("jwt-wire").locator(":scope > li").filter({ hasText: "GET /api/jwt/me" }).first();
  await jwtMe.locator("summary").click();
  const byPage = jwtMe.getByTestId("headers-set-by-page");
  const byBrowser = jwtMe.getByTestId("headers-set-by-browser");
  await expect(byPage).toContainText("authorization");
  await expect(byBrowser).toContainText("sec-fetch-site");
  await expect(byBrowser).toContainText("cookie");
  await expect(jwtMe.getByTestId("cookie-rode-along")).toContainText("The JWT routes ignore it");
  // Never, on any row of either column, is Authorization listed as added by the browser
  // (a row lays out its headers once opened: every row is opened).
  for (const summary of await page.locator(".wire-rows details:not([open]) summary").all()) await summary.click();
  for (const column of [session, jwt]) {
    await expect(column.getByTestId("headers-set-by-browser").first()).toBeAttached();
    await expect(column.getByTestId("headers-set-by-browser").locator("dt", { hasText: "authorization" })).toHaveCount(0);
  }
  await expect(jwt.getByTestId("headers-set-by-page").locator("dt", { hasText: "authorization" })).toHaveCount(1);

  // Each column counts its own credential; the wire and the table agree to the byte.
  const bytesOf = async (row: ReturnType<typeof jwt.getByRole>) => Number(await row.getAttribute("data-credential-bytes"));
  const jwtBytes = await bytesOf(jwtMe);
  const sessionBytes = await bytesOf(session.getByTestId("session-wire").locator(":scope > li").filter({ hasText: "GET /api/session/me" }).first());
  const comparison = page.getByTestId("comparison");
  await expect(comparison).toContainText(`measured ${jwtBytes} bytes in the Authorization header`);
  await expect(comparison).toContainText(`measured ${sessionBytes} bytes in the Cookie header`);
  await expect(jwtMe.locator("summary")).toContainText(`credentials ${jwtBytes} B`);
  expect(jwtBytes).toBeGreaterThan(3 * sessionBytes);
});

test("the session pill follows experiments that log its cookie in and out", async ({ page }) => {
  await open(page);
  const status = sessionColumn(page).getByRole("status");
  await expect(status).toHaveText("Not checked yet");
  await runExperiment(page, 1, 3);
  await expect(status).toHaveText("Signed in as Alice");
  await runExperiment(page, 4, 3);
  // Experiment 4 ends with a real logout: the column is signed out, and says so.
  await expect(status).toHaveText("Signed out");
});

test("the session cookie's Max-Age is explained against the idle expiry", async ({ page }) => {
  await open(page);
  await clickFor(page, sessionColumn(page), "Log in", "/api/session/login");
  const attributes = sessionColumn(page).locator(".holds .cookie-attributes");
  await expect(attributes).toContainText("Max-Age=28800 — The browser keeps it 8 h at most");
  await expect(attributes).toContainText("idle expiry, 15 min by default");
});
