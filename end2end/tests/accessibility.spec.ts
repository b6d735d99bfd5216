import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { open, clickFor, experimentCard } from "./helpers";

// axe-core (pinned in package.json) finds no accessibility violation on any page, in either
// language, after the main interactions. It is injected through the DevTools protocol, which the
// page's strict Content-Security-Policy does not govern, so the policy stays as it is served.

const SESSION_COLUMN = { en: "Session + cookie (stateful)", ko: "세션 + 쿠키 (상태 유지)" };
const JWT_COLUMN = { en: "JWT + localStorage (stateless)", ko: "JWT + localStorage (무상태)" };
const LOG_IN = { en: "Log in", ko: "로그인" };

async function expectNoViolations(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}\n    ${v.nodes.slice(0, 12).map((n) => n.target.join(" ")).join("\n    ")}`);
  expect(found, `${where}:\n  ${found.join("\n  ")}`).toEqual([]);
}

for (const lang of ["en", "ko"] as const) {
  test(`the home page has no violation after logging in, running an experiment and opening a wire row (${lang})`, async ({ page }) => {
    await open(page, `/?lang=${lang}`);
    await expectNoViolations(page, `/ (${lang}) as loaded`);
    const session = page.getByRole("region", { name: SESSION_COLUMN[lang], exact: true });
    const jwt = page.getByRole("region", { name: JWT_COLUMN[lang], exact: true });
    await clickFor(page, session, LOG_IN[lang], "/api/session/login");
    await clickFor(page, jwt, LOG_IN[lang], "/api/jwt/login");
    await session.locator(".wire-rows details summary").first().click();
    const experiment = page.getByTestId("experiment-2-result");
    await experimentCard(page, 2).getByRole("button", { name: lang === "en" ? "Run experiment 2" : "실험 2 실행" }).click();
    await expect(experiment.getByRole("listitem").first()).toBeVisible();
    await expectNoViolations(page, `/ (${lang}) after the interactions`);
  });

  for (const path of ["/inspect", "/lab", "/cost"]) {
    test(`${path} has no violation (${lang})`, async ({ page }) => {
      await open(page, `${path}?lang=${lang}`);
      await expectNoViolations(page, `${path} (${lang})`);
    });
  }
}
