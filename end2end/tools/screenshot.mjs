// Logs in on both columns, calls /me on both, and saves a full-page screenshot per language.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL;
const outDir = process.env.OUT_DIR;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

for (const [lang, file, labels] of [
  ["en", "screenshot.png", { login: "Log in", me: "Call /me", columns: ["Session + cookie (stateful)", "JWT + localStorage (stateless)"] }],
  ["ko", "screenshot-ko.png", { login: "로그인", me: "/me 호출", columns: ["세션 + 쿠키 (상태 유지)", "JWT + localStorage (무상태)"] }],
]) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: lang });
  const page = await context.newPage();
  await page.goto(base);
  await page.locator("html[data-hydrated=true]").waitFor();
  if (lang === "ko") await page.getByRole("button", { name: "한국어" }).click();
  for (const name of labels.columns) {
    const column = page.getByRole("region", { name });
    await clickAndWait(page, column.getByRole("button", { name: labels.login, exact: true }), "/login");
    await clickAndWait(page, column.getByRole("button", { name: labels.me, exact: true }), "/me");
  }
  await page.screenshot({ path: `${outDir}/${file}`, fullPage: true });
  console.log(`wrote ${outDir}/${file}`);
  await context.close();
}
await browser.close();

async function clickAndWait(page, button, pathEnd) {
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(pathEnd)),
    button.click(),
  ]);
}
