import { test, expect, type Page } from "@playwright/test";
import { open } from "./helpers";

// The server renders the visitor's language: the HTML itself is in it, before any script runs,
// so there is no flip at hydration and a visitor without JavaScript gets it too.

const KOREAN_SESSION = "세션 + 쿠키 (상태 유지)";
const ENGLISH_SESSION = "Session + cookie (stateful)";

/** Opens `path` and answers the `<html lang>` of the document exactly as the server sent it. */
async function servedLang(page: Page, path: string): Promise<string | undefined> {
  const response = await page.goto(path);
  return /<html lang="([a-z]+)"/.exec((await response?.text()) ?? "")?.[1];
}

test.describe("a browser set to Korean", () => {
  test.use({ locale: "ko-KR" });

  test("gets every page in Korean from the server, and hydration keeps it", async ({ page }) => {
    for (const path of ["/", "/inspect", "/lab", "/cost"]) {
      expect(await servedLang(page, path), path).toBe("ko");
    }
    // Record every value <html lang> takes while the page loads and hydrates: never English.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { langSeen: string[] }).langSeen = seen;
      new MutationObserver(() => seen.push(document.documentElement.lang)).observe(document, {
        subtree: true,
        attributes: true,
        attributeFilter: ["lang"],
      });
    });
    await open(page);
    await expect(page.getByRole("region", { name: KOREAN_SESSION, exact: true })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "ko");
    expect(await page.evaluate(() => (window as unknown as { langSeen: string[] }).langSeen)).not.toContain("en");
  });
});

test.describe("without JavaScript", () => {
  test("a Korean browser reads Korean, and the switch still works", async ({ browser }) => {
    const korean = await browser.newContext({ javaScriptEnabled: false, locale: "ko-KR" });
    const page = await korean.newPage();
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "ko");
    await expect(page.getByRole("heading", { name: KOREAN_SESSION })).toBeVisible();
    // The switch is a form: without scripts it asks the server for the page in English,
    // which remembers the choice in the lang cookie.
    await page.getByRole("button", { name: "English" }).click();
    await expect(page).toHaveURL(/[?&]lang=en/);
    await expect(page.getByRole("heading", { name: ENGLISH_SESSION })).toBeVisible();
    await page.goto("/lab");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    expect((await korean.cookies()).find((c) => c.name === "lang")).toMatchObject({ value: "en", path: "/", sameSite: "Lax" });
    await korean.close();
  });
});

test("a ?lang=ko link gives an English browser the page in Korean, and it stays Korean", async ({ page, context }) => {
  await open(page, "/cost?lang=ko");
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  expect((await context.cookies()).find((c) => c.name === "lang")?.value).toBe("ko");
  await open(page, "/");
  await expect(page.getByRole("region", { name: KOREAN_SESSION, exact: true })).toBeVisible();
  // The switch, once hydrated, changes the page in place and remembers the choice.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("region", { name: ENGLISH_SESSION, exact: true })).toBeVisible();
  await expect(page).not.toHaveURL(/lang=/);
  // document.cookie reaches the browser's cookie store a moment after the page writes it.
  await expect.poll(async () => (await context.cookies()).find((c) => c.name === "lang")?.value).toBe("en");
  expect(await servedLang(page, "/")).toBe("en");
});

test("the Korean page leaves no English behind in what it measured", async ({ page }) => {
  await open(page, "/?lang=ko");
  const session = page.getByRole("region", { name: KOREAN_SESSION, exact: true });
  await session.getByRole("button", { name: "로그인", exact: true }).click();
  const holds = session.getByRole("region", { name: /^서버가 가진 것/ });
  await expect(holds).toContainText("(메모리)");
  await expect(holds).not.toContainText("(memory)");
  await expect(holds.getByRole("columnheader", { name: "ID", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "실험 3 실행" })).toBeVisible();
});
