import { defineConfig, devices } from "@playwright/test";

// The server is started by scripts/e2e.sh on a free port and passed in BASE_URL.
// Debian's Chromium is used: Playwright's own browser download does not work on these machines.
export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    ...devices["Desktop Chrome"],
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        // A public name for this loopback server (experiments 9 and 15 as a remote visitor sees them).
        "--host-resolver-rules=MAP authlens.test 127.0.0.1",
      ],
    },
  },
});
