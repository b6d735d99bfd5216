// The home page in headless Chromium, cold (a fresh browser context each run, nothing cached):
// the time from navigation start until the app marks <html data-hydrated="true"> (set once
// hydration has attached every handler), first on loopback as it is, then on an emulated
// 10 Mbit/s link with 40 ms latency; and the bytes the page moved on the wire until the network
// went quiet, as Chromium counted them (compressed bodies and headers). Prints one JSON line.
import { chromium } from "@playwright/test";

const runs = Number(process.env.RUNS ?? 7);
const TEN_MBIT = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

/** One cold load: milliseconds until interactive, and the bytes moved. */
async function load(conditions) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (conditions) await cdp.send("Network.emulateNetworkConditions", conditions);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
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
  await page.goto(process.env.BASE_URL, { waitUntil: "networkidle" });
  await page.waitForFunction(() => window.__interactiveAt !== undefined);
  const ms = await page.evaluate(() => Math.round(window.__interactiveAt));
  await context.close();
  return { ms, bytes };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fast = [];
const slow = [];
const wire = [];
for (let run = 0; run < runs; run++) {
  const { ms, bytes } = await load(null);
  fast.push(ms);
  wire.push(bytes);
}
for (let run = 0; run < runs; run++) {
  slow.push((await load(TEN_MBIT)).ms);
}
await browser.close();
console.log(
  JSON.stringify({
    median_ms: median(fast),
    runs_ms: fast,
    slow_median_ms: median(slow),
    slow_runs_ms: slow,
    home_wire_bytes: median(wire),
  }),
);
