// The student's path, walked as a new student would: from "start here", through every claim
// by its "next" link, to the end of the lab; the progress counts each claim run.
import { test, expect, Page } from "@playwright/test";
import { open } from "./helpers";

const RUN = {
  en: (n: number) => (n === 10 ? "Create 10,000 sessions" : `Run experiment ${n}`),
  ko: (n: number) => (n === 10 ? "세션 10,000개 만들기" : `실험 ${n} 실행`),
};
const START_HERE = { en: "Start here", ko: "여기서 시작하세요" };
const PROGRESS = {
  en: (done: number) => new RegExp(`^You have run ${done} of 16 claims; \\d+ came out as claimed\\.$`),
  ko: (done: number) => new RegExp(`^주장 16개 중 ${done}개를 돌렸고, 그중 \\d+개가 주장대로 나왔습니다\\.$`),
};
const ORDER = [1, 2, 4, 5, 6, 8, 7, 10, 3, 9, 15, 11, 12, 13, 14, 16];

const card = (page: Page, n: number) => page.locator(`article#claim-${n}`);

for (const lang of ["en", "ko"] as const) {
  test(`a new student follows the path from "start here" to the end of the lab (${lang})`, async ({ page }) => {
    test.setTimeout(300_000);
    await open(page, `/?lang=${lang}`);
    const start = page.getByRole("region", { name: START_HERE[lang] });
    await expect(start).toBeVisible();
    // The words are defined once, at the start; the notes are named by what they say.
    await expect(start.locator("dt")).toHaveCount(5);
    await expect(page.getByTestId("path-progress")).toHaveText(PROGRESS[lang](0));
    await expect(page.getByTestId("path").getByRole("listitem")).toHaveCount(16);

    await page.getByTestId("path-continue").click();
    for (const [index, n] of ORDER.entries()) {
      const here = card(page, n);
      await expect(here, `claim ${n} is where "next" led`).toBeInViewport();
      await here.getByRole("button", { name: RUN[lang](n), exact: true }).click();
      // The run is done when it has said whether the claim held.
      await expect(here.locator(".result-lines li.passed, .result-lines li.failed").first()).toBeVisible({ timeout: 60_000 });
      await expect(here.locator(".result-lines li.failed")).toHaveCount(0);
      if (index < ORDER.length - 1) await here.getByTestId("next-on-path").click();
    }
    // The last card leads back to the progress: every claim run, each as claimed.
    await card(page, 16).getByTestId("next-on-path").click();
    await expect(page.getByTestId("path-progress")).toHaveText(PROGRESS[lang](16));
    const statuses = page.getByTestId("path").getByTestId("path-status");
    await expect(statuses).toHaveText(Array(16).fill(lang === "en" ? "✓ as claimed" : "✓ 주장대로"));
  });
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the path is plain links in reading order, to every claim on its page", async ({ page }) => {
    await page.goto("/");
    const links = page.getByTestId("path").getByRole("link");
    await expect(links).toHaveCount(16);
    const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")));
    expect(hrefs).toEqual(ORDER.map((n) => (n <= 10 || n === 15 ? `/#claim-${n}` : `/lab#claim-${n}`)));
    // Each card's "next" is a link too, in the same order.
    await expect(card(page, 2).getByTestId("next-on-path")).toHaveAttribute("href", "/#claim-4");
    await expect(card(page, 15).getByTestId("next-on-path")).toHaveAttribute("href", "/lab#claim-11");
  });
});

test("the home page's cards come in the path's order and fill every row of the grid", async ({ page }) => {
  await open(page);
  const ids = await page.locator(".experiment-grid > article").evaluateAll((cards) => cards.map((card) => card.id));
  expect(ids).toEqual(ORDER.filter((n) => n <= 10 || n === 15).map((n) => `claim-${n}`));
  for (const width of [1280, 900, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const rows = await page.locator(".experiment-grid").evaluate((grid) => {
      const gridWidth = grid.getBoundingClientRect().width;
      const byTop = new Map<number, number>();
      for (const card of grid.querySelectorAll(":scope > article")) {
        const box = card.getBoundingClientRect();
        byTop.set(Math.round(box.top), (byTop.get(Math.round(box.top)) ?? 0) + box.width);
      }
      return [...byTop.values()].map((filled) => filled / gridWidth);
    });
    // Each row's cards (with the gaps between them) take the grid's whole width.
    for (const filled of rows) expect(filled, `a row at ${width} px is ${Math.round(filled * 100)}% full`).toBeGreaterThan(0.9);
  }
});
