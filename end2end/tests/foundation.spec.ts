import { test, expect } from "@playwright/test";
import { open, sessionColumn, jwtColumn, clickFor, jwtPart } from "./helpers";

test("both logins work, survive a reload, and log out", async ({ page, context }) => {
  await open(page);
  const session = sessionColumn(page);
  const jwt = jwtColumn(page);

  // Session login: the server sets an HttpOnly cookie that scripts cannot see.
  const sessionLogin = await clickFor(page, session, "Log in", "/api/session/login");
  expect(sessionLogin.status()).toBe(200);
  await expect(session.getByRole("status")).toHaveText("Signed in as Alice");
  // On http://127.0.0.1 (a secure context) the cookie is Secure, so it carries the __Host-
  // prefix, and Chromium kept it: no sibling subdomain or plain-http page could set one.
  const sid = (await context.cookies()).find((c) => c.name === "__Host-authlens_sid");
  expect(sid).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: true });
  expect((await context.cookies()).find((c) => c.name === "authlens_sid")).toBeUndefined();
  expect((await context.cookies()).find((c) => c.name === "__Host-authlens_visitor")).toMatchObject({ secure: true, path: "/" });
  expect(sid!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(await page.evaluate(() => document.cookie)).not.toContain("authlens_sid");
  await expect(session.getByTestId("document-cookie")).toHaveText('""');
  // Beside it, the cookie as the server set it (shortened id), attribute by attribute.
  const asSet = session.getByTestId("cookie-as-set");
  await expect(asSet).toContainText(`Set-Cookie: __Host-authlens_sid=${sid!.value.slice(0, 6)}…`);
  await expect(asSet).toContainText("HttpOnly");
  await expect(asSet).not.toContainText(sid!.value);

  // JWT login: the page stores the access token in localStorage.
  const jwtLogin = await clickFor(page, jwt, "Log in", "/api/jwt/login");
  expect(jwtLogin.status()).toBe(200);
  expect(jwtLogin.headers()["set-cookie"]).toBeUndefined();
  const token = await page.evaluate(() => localStorage.getItem("authlens.access_token"));
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(jwtPart(token!, 0)).toEqual({ typ: "at+jwt", alg: "HS256" });
  expect(jwtPart(token!, 1)).toMatchObject({ sub: "alice", iss: "authlens" });
  await expect(jwt.getByTestId("stored-access-token")).toHaveText(token!);

  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(jwt.getByTestId("stored-access-token")).toHaveText(token!);

  // /me on the session side: the browser attached the cookie by itself, no Authorization.
  const [sessionMeRequest, sessionMe] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith("/api/session/me")),
    clickFor(page, session, "Call /me", "/api/session/me"),
  ]);
  const sentBySession = await sessionMeRequest.allHeaders();
  expect(sentBySession["cookie"]).toContain(`__Host-authlens_sid=${sid!.value}`);
  expect(sentBySession["authorization"]).toBeUndefined();
  expect(sessionMe.status()).toBe(200);
  expect(await sessionMe.json()).toMatchObject({ user: { username: "alice" } });
  await expect(session.getByRole("status")).toHaveText("Signed in as Alice");

  // /me on the JWT side: the page's code attached the token as a Bearer header.
  const [jwtMeRequest, jwtMe] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith("/api/jwt/me")),
    clickFor(page, jwt, "Call /me", "/api/jwt/me"),
  ]);
  expect((await jwtMeRequest.allHeaders())["authorization"]).toBe(`Bearer ${token}`);
  expect(jwtMe.status()).toBe(200);
  expect(await jwtMe.json()).toMatchObject({ user: { username: "alice" }, claims: { sub: "alice" } });
  await expect(jwt.getByRole("status")).toHaveText(/^Signed in as Alice · access token valid 0:\d\d$/);

  // Logging out: the session record and cookie go; the tokens leave localStorage.
  expect((await clickFor(page, session, "Log out", "/api/session/logout")).status()).toBe(200);
  await expect(session.getByRole("status")).toHaveText("Signed out");
  await expect(session.getByTestId("cookie-as-set")).toContainText("Max-Age=0");
  expect((await context.cookies()).find((c) => c.name === "__Host-authlens_sid")).toBeUndefined();
  expect((await clickFor(page, jwt, "Log out", "/api/jwt/logout")).status()).toBe(200);
  await expect(jwt.getByRole("status")).toHaveText("Signed out");
  expect(await page.evaluate(() => localStorage.getItem("authlens.access_token"))).toBeNull();
  await expect(jwt.getByTestId("stored-access-token")).toHaveText("(empty)");

  // And /me now fails on both sides.
  expect((await clickFor(page, session, "Call /me", "/api/session/me")).status()).toBe(401);
  const jwtMeAfter = await clickFor(page, jwt, "Call /me", "/api/jwt/me");
  expect(jwtMeAfter.status()).toBe(401);
  expect(jwtMeAfter.headers()["www-authenticate"]).toContain("Bearer");
});

test("a wrong password is refused with the same message for both flows", async ({ page }) => {
  await open(page);
  const columns = [
    { column: sessionColumn(page), path: "/api/session/login" },
    { column: jwtColumn(page), path: "/api/jwt/login" },
  ];
  for (const { column, path } of columns) {
    await column.getByLabel("Password").fill("not-the-password");
    const response = await clickFor(page, column, "Log in", path);
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid_credentials", message: "Wrong username or password." });
    await expect(column.getByTestId("status")).toHaveText("401");
    await expect(column.getByRole("status")).toHaveText("Signed out");
  }
});

test("the page speaks Korean on request and remembers it", async ({ page }) => {
  await open(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { name: "세션 + 쿠키 (상태 유지)" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("region", { name: "JWT + localStorage (무상태)", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(sessionColumn(page)).toBeVisible();
});

test("the whole flow works from the keyboard alone", async ({ page }) => {
  await open(page);
  const session = sessionColumn(page);
  await session.getByLabel("Password").focus();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/session/login")),
    page.keyboard.press("Enter"),
  ]);
  expect(response.status()).toBe(200);
  await page.keyboard.press("Tab"); // the form's submit button
  await page.keyboard.press("Tab"); // "Call /me"
  await expect(session.getByRole("button", { name: "Call /me" })).toBeFocused();
  const [me] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/session/me")),
    page.keyboard.press("Enter"),
  ]);
  expect(me.status()).toBe(200);
});

test("every page works under its strict Content-Security-Policy, with no violation reported", async ({ page }) => {
  // Registered before any page script runs, so a violation during hydration is caught too.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  for (const path of ["/", "/inspect", "/lab", "/cost"]) {
    const response = await page.goto(path);
    const policy = response!.headers()["content-security-policy"];
    expect(policy).toContain("script-src 'self' 'nonce-");
    expect(policy).not.toContain("unsafe-inline");
    expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
    // Hydration ran: the wasm was allowed to load and compile.
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  }
  // A script the page did not send is refused.
  const injected = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injectedRan = true";
    document.body.append(script);
    return (window as unknown as { injectedRan?: boolean }).injectedRan ?? false;
  });
  expect(injected).toBe(false);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))
    .toEqual(["script-src-elem inline"]);
});

test("a cookie the server does not know, as after a restart of a memory store, is explained", async ({ page, context, baseURL }) => {
  await open(page);
  // Well-formed, but no session has this id: what a browser holds after the server lost its memory.
  // Set as the server would (host-only, Secure, Path=/): through CDP, since a __Host- cookie
  // may carry no Domain, which Playwright's addCookies always sets.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCookie", { name: "__Host-authlens_sid", value: "A".repeat(43), url: baseURL!, path: "/", httpOnly: true, secure: true });
  const session = sessionColumn(page);
  const me = await clickFor(page, session, "Call /me", "/api/session/me");
  expect(me.status()).toBe(401);
  expect((await me.json()).error).toBe("invalid_session");
  await expect(session.getByRole("status")).toContainText("lost when a server keeping sessions in memory restarted");
  await page.getByRole("button", { name: "한국어" }).click();
  const koreanSession = page.getByRole("region", { name: "세션 + 쿠키 (상태 유지)", exact: true });
  await expect(koreanSession.getByRole("status")).toContainText("재시작");
});
