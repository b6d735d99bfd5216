import { test, expect } from "@playwright/test";
import { open } from "./helpers";

// The cost page draws bench/results.json (written by scripts/bench.sh) as the server serves it
// at /api/bench: every figure on the page must be one from that file.

test("the cost page shows the last benchmark run's figures and budgets", async ({ page }) => {
  const results = await (await page.request.get("/api/bench")).json();
  const [served] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/api/bench"),
    open(page, "/cost"),
  ]);
  expect(served.status()).toBe(200);

  await expect(page.getByRole("heading", { name: "What each approach costs" })).toBeVisible();
  await expect(page.getByTestId("cost-source")).toContainText(`commit ${results.commit}`);
  await expect(page.getByTestId("cost-source")).toContainText(`${results.machine.cores} cores`);

  const throughput = page.getByTestId("cost-throughput");
  await expect(throughput).toContainText(`the median of ${results.load.rounds} interleaved rounds`);
  for (const [id, label] of [
    ["hello_world", "Plain axum hello-world, no layers: the limit"],
    ["hello_world_headers", "The same with authlens's security headers: the same bytes on the wire, no layers"],
    ["health", "authlens /api/health: every layer, no work"],
    ["session_memory_me", "Session /me, memory store"],
    ["jwt_hs256_me", "JWT /me, HS256"],
  ]) {
    const run = results.throughput.find((row: { id: string }) => row.id === id);
    const row = throughput.getByRole("row", { name: new RegExp(label.replace(/[()/]/g, "\\$&")) });
    const shown = Number(await row.getByRole("cell").first().textContent());
    expect(Math.abs(shown - run.rps)).toBeLessThanOrEqual(0.5); // whole requests/s, as measured
    await expect(row).toContainText(`${run.ratio.toFixed(2)}×`);
    await expect(row).toContainText(`${run.server_cpu_us.toFixed(1)} µs`);
  }

  const memory = page.getByTestId("cost-memory");
  await expect(memory.getByRole("row", { name: /per live session/ })).toContainText(`${Math.round(results.memory.bytes_per_session)} B`);

  const budgets = page.getByTestId("cost-budgets");
  const held = results.budgets.filter((budget: { held: boolean }) => budget.held).length;
  await expect(budgets.getByRole("cell", { name: "✓ held" })).toHaveCount(held);
  await expect(budgets.getByRole("cell", { name: "not met yet" })).toHaveCount(results.budgets.length - held);
  // Targets, not verdicts: the section says whose they are, and no row reads as a failure.
  await expect(page.getByRole("heading", { name: "The project's engineering targets" })).toBeVisible();
  await expect(budgets).not.toContainText("✗");
  await expect(page.getByTestId("cost-front-end")).toContainText(`${results.front_end.interactive_ms} ms`);
  // The wire and the slow link, as Chromium measured them in scripts/bench.sh.
  await expect(page.getByTestId("cost-wire")).toContainText(`${Math.round(results.front_end.home_wire_bytes / 1024)} KiB`);
  await expect(page.getByTestId("cost-wire")).toContainText(`${results.front_end.interactive_10mbit_ms} ms`);
});

test("the cost page opens with what to take away, from the run's own figures", async ({ page }) => {
  const results = await (await page.request.get("/api/bench")).json();
  await open(page, "/cost");
  const rps = (id: string) => results.throughput.find((row: { id: string }) => row.id === id).rps;
  const grouped = (value: number) => Math.round(value).toLocaleString("en-US");
  const takeaway = page.getByTestId("cost-takeaway");
  // The first thing under the heading.
  await expect(page.locator(".cost > h2 + p")).toHaveAttribute("data-testid", "cost-takeaway");
  const [session, jwt] = [grouped(rps("session_memory_me")), grouped(rps("jwt_hs256_me"))];
  const faster = rps("session_memory_me") >= rps("jwt_hs256_me") ? `a session /me answered ${session} requests/s and a JWT /me ${jwt}/s` : `a JWT /me answered ${jwt} requests/s and a session /me ${session}/s`;
  await expect(takeaway).toContainText(`What to take away: here ${faster}`);
  await expect(takeaway).toContainText(`${Math.round(results.memory.bytes_per_session)} B per live session`);
  await expect(takeaway).toContainText(`${results.memory.token_wire_bytes} B`);
});

test("the cost page speaks Korean", async ({ page }) => {
  await open(page, "/cost");
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { name: "각 방식의 비용" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "프로젝트의 엔지니어링 목표" })).toBeVisible();
  await expect(page.getByTestId("cost-takeaway")).toContainText("여기서 가져갈 것");
  await expect(page.getByTestId("cost-budgets")).toContainText("살아 있는 세션 하나당 서버 메모리 ≤ 300바이트");
});
