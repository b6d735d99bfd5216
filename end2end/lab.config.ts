import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The lab is one cluster per server, and claim 14 stops the server's Redis: one test at a time.
export default defineConfig({
  ...base,
  testDir: "./lab",
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
});
