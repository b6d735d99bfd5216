import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The hosted deployment (scripts/hosted.sh): https://authlens.test and https://attacker.test,
// both mapped to 127.0.0.1 where HAProxy terminates TLS (its certificate is made by the
// script, hence ignoreHTTPSErrors) in front of two authlens processes and one Redis.
// The home page's experiments and the lab's claims run first, as they do on loopback;
// claim 14 stops the Redis, so it runs once they are done; hosted.spec.ts stops one
// authlens process, so it runs last.
const launchOptions = base.use!.launchOptions!;
export default defineConfig({
  ...base,
  testDir: ".",
  timeout: 60_000,
  workers: 2,
  use: {
    ...base.use,
    ignoreHTTPSErrors: true,
    launchOptions: {
      ...launchOptions,
      args: [
        ...(launchOptions.args ?? []).filter((arg) => !arg.startsWith("--host-resolver-rules=")),
        "--host-resolver-rules=MAP authlens.test 127.0.0.1, MAP attacker.test 127.0.0.1",
      ],
    },
  },
  projects: [
    // Every home-page experiment; not the loopback server's "no attacker origin" case, which this
    // deployment (it has one) cannot show.
    {
      name: "home",
      testMatch: /tests[\\/](experiments|lessons|samesite|visitors)\.spec\.ts$/,
      grepInvert: /with no attacker origin set/,
    },
    { name: "lab", testMatch: /lab[\\/]lab\.spec\.ts$/ },
    { name: "lab-central", testMatch: /lab[\\/]central\.spec\.ts$/, dependencies: ["home", "lab"] },
    { name: "hosted", testMatch: /hosted[\\/]hosted\.spec\.ts$/, dependencies: ["lab-central"] },
  ],
});
