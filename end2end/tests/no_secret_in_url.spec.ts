import { test, expect } from "@playwright/test";

// No secret in a URL, ever: before the page's code runs (JavaScript off, or a click before the
// wasm has loaded) the login forms cannot be sent, and they are POST forms besides.
test("with JavaScript off, neither login form can put the password in a URL", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const urls: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  await page.goto(`${baseURL}/`);
  for (const name of ["Session + cookie (stateful)", "JWT + localStorage (stateless)"]) {
    const form = page.getByRole("region", { name, exact: true }).locator("form.login");
    await expect(form).toHaveAttribute("method", "post");
    const button = form.getByRole("button", { name: "Loading…" });
    await expect(button).toBeDisabled();
    // Enter in the password field is how a form is sent without a click: nothing is sent.
    await form.locator('input[type="password"]').press("Enter");
    await button.click({ force: true });
  }
  await page.waitForLoadState("networkidle");
  expect(page.url()).toBe(`${baseURL}/`);
  expect(urls.filter((url) => url.includes("wonderland") || url.includes("password="))).toEqual([]);
  await context.close();
});

test("once hydrated the button says what it does and logs in", async ({ page }) => {
  await page.goto("/");
  const session = page.getByRole("region", { name: "Session + cookie (stateful)", exact: true });
  await expect(session.getByRole("button", { name: "Log in", exact: true })).toBeEnabled();
});
