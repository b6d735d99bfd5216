import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Each test is its own visitor with its own cluster, so the lab tests run at the same time.
// Claim 14 stops the server's Redis (every visitor's refresh families live there too): it runs
// alone, once the others are done.
export default defineConfig({
  ...base,
  testDir: "./lab",
  fullyParallel: true,
  workers: 2,
  timeout: 60_000,
  projects: [
    { name: "lab", testIgnore: /central\.spec\.ts/ },
    { name: "lab-central", testMatch: /central\.spec\.ts/, dependencies: ["lab"] },
  ],
});
