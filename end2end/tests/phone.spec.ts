import { test, expect } from "@playwright/test";
import { open, clickFor, experimentCard, runExperiment } from "./helpers";

const SESSION_COLUMN = { en: "Session + cookie (stateful)", ko: "세션 + 쿠키 (상태 유지)" };
const LOG_IN = { en: "Log in", ko: "로그인" };

// On a 390 × 844 phone no page scrolls sideways, in either language: wide tables scroll inside
// their own box, long tokens and ids wrap.
test.use({ viewport: { width: 390, height: 844 } });

for (const lang of ["en", "ko"] as const) {
  for (const path of ["/", "/inspect", "/lab", "/cost"]) {
    test(`${path} fits a 390 px phone (${lang})`, async ({ page }) => {
      await open(page, `${path}?lang=${lang}`);
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      if (path === "/") {
        // With a login and its wire row open, where the longest values are.
        const column = page.getByRole("region", { name: SESSION_COLUMN[lang], exact: true });
        await clickFor(page, column, LOG_IN[lang], "/api/session/login");
        await column.locator(".wire-rows details summary").first().click();
      }
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
      expect(widths.page, `the page is ${widths.page} px wide in a ${widths.view} px window`).toBeLessThanOrEqual(widths.view);
    });
  }
}

test("on a phone, experiment 9's attacker page shows both result frames whole, and experiment 3's Run button comes before its code", async ({ page }) => {
  await open(page);
  await runExperiment(page, 9, 6);
  const inner = await page.frameLocator("iframe.attacker-frame").locator("body").evaluate(() =>
    [...document.querySelectorAll("iframe")].map((frame) => ({ bottom: frame.getBoundingClientRect().bottom, height: window.innerHeight })),
  );
  expect(inner).toHaveLength(2);
  for (const frame of inner) expect(frame.bottom, `a result frame ends at ${frame.bottom} px of ${frame.height}`).toBeLessThanOrEqual(frame.height);
  const card = experimentCard(page, 3);
  const run = await card.getByRole("button", { name: "Run experiment 3", exact: true }).boundingBox();
  const code = await card.locator("pre.payload").boundingBox();
  expect(run!.y).toBeLessThan(code!.y);
});
