// Time until the home page is interactive in headless Chromium: from navigation start until the
// app marks <html data-hydrated="true"> (set once hydration has attached every handler).
// Each run is a fresh browser context, so nothing is cached. Prints one JSON line.
import { chromium } from "@playwright/test";

const runs = Number(process.env.RUNS ?? 7);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const times = [];
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Observes the attribute from the first byte of the document (before <html> exists, hence the
  // whole document), so no polling delay is added.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.documentElement?.dataset.hydrated === "true") {
        window.__interactiveAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  await page.goto(process.env.BASE_URL);
  await page.waitForFunction(() => window.__interactiveAt !== undefined);
  times.push(await page.evaluate(() => Math.round(window.__interactiveAt)));
  await context.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({ median_ms: sorted[Math.floor(sorted.length / 2)], runs_ms: times }));
