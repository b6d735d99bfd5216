import { expect, Page, Locator } from "@playwright/test";

/** Opens a page and waits until the app marks itself hydrated (clicks before that are lost). */
export async function open(page: Page, path = "/") {
  await page.goto(path);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}

export const sessionColumn = (page: Page): Locator =>
  page.getByRole("region", { name: "Session + cookie (stateful)", exact: true });

export const jwtColumn = (page: Page): Locator =>
  page.getByRole("region", { name: "JWT + localStorage (stateless)", exact: true });

/** Clicks a button in `scope` and returns the API response it caused. */
export async function clickFor(page: Page, scope: Locator, button: string, path: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === path),
    scope.getByRole("button", { name: button, exact: true }).click(),
  ]);
  return response;
}

/** Decodes one base64url part of a JWT. */
export function jwtPart(token: string, index: number): Record<string, unknown> {
  const part = token.split(".")[index].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(Buffer.from(part, "base64").toString("utf8"));
}

/** The card of experiment `n` on the home page, found by its heading. */
export const experimentCard = (page: Page, n: number): Locator =>
  page.getByRole("article").filter({ has: page.getByRole("heading", { name: new RegExp(`^${n}\\. `) }) });

/** Runs experiment `n` and returns its result list once it has `lines` lines. */
export async function runExperiment(page: Page, n: number, lines: number, lang: "en" | "ko" = "en") {
  const name = lang === "en" ? `Run experiment ${n}` : `실험 ${n} 실행`;
  await experimentCard(page, n).getByRole("button", { name, exact: true }).click();
  const result = page.getByTestId(`experiment-${n}-result`);
  await expect(result.getByRole("listitem")).toHaveCount(lines);
  return result;
}
