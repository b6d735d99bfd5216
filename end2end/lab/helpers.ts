import { expect, Page, Response } from "@playwright/test";
import { open } from "../tests/helpers";

// What the lab tests share: each test runs as its own visitor (its own browser context), so
// each has a cluster of its own and the tests may run at the same time.

export const sessionSide = (page: Page) => page.getByRole("region", { name: "Session + cookie, through the balancer" });
export const jwtSide = (page: Page) => page.getByRole("region", { name: "JWT, through the balancer" });
export const nodeBox = (page: Page, n: number | string) => page.getByTestId(`lab-node-${n}`);

/** Every response that came back through the balancer for `path`: (node, status). */
export function watch(page: Page, path: string) {
  const seen: { node: string; status: number }[] = [];
  page.on("response", (response: Response) => {
    if (new URL(response.url()).pathname === `/lb${path}`) {
      seen.push({ node: response.headers()["x-authlens-node"] ?? "", status: response.status() });
    }
  });
  return seen;
}

/** Sets up claim `n`'s cluster from its card and waits for its nodes to show. */
export async function setUp(page: Page, n: number) {
  await open(page, "/lab");
  const card = page.getByRole("article").filter({ has: page.getByRole("heading", { name: new RegExp(`^${n}\\. `) }) });
  const [started] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/lab/cluster") && r.request().method() === "POST"),
    card.getByRole("button", { name: "Set up this experiment" }).click(),
  ]);
  expect(started.status()).toBe(200);
  await expect(nodeBox(page, 3)).toBeVisible();
}

/** Clicks a side's button and waits until it lists `count` calls. */
export async function calls(page: Page, side: "session" | "jwt", button: string, count: number) {
  const scope = side === "session" ? sessionSide(page) : jwtSide(page);
  await scope.getByRole("button", { name: button, exact: true }).click();
  await expect(page.getByTestId(`lab-${side}-calls`).getByRole("listitem")).toHaveCount(count);
  await expect(scope.getByRole("button", { name: button, exact: true })).toBeEnabled();
}

export async function login(page: Page, side: "session" | "jwt"): Promise<string> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/lb/api/${side}/login`)),
    calls(page, side, "Log in", 1),
  ]);
  expect(response.status()).toBe(200);
  return response.headers()["x-authlens-node"];
}

