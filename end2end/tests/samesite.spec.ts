import { test, expect } from "@playwright/test";
import { open, experimentCard } from "./helpers";

// Claim 15, measured in this Chromium: which of four test cookies it stores, and which cross
// sites when the attacker site posts a form from a frame and from a tab of its own. Source
// note 003 says SameSite=Lax needs Secure and cross-site use needs Lax; the page says plainly
// that both are wrong, because the browser shows it.

test("15: only SameSite=None with Secure crosses sites; None without Secure is refused; no SameSite acts as Lax", async ({ page, context }) => {
  test.setTimeout(45_000);
  await open(page);
  const tabOpened = context.waitForEvent("page");
  await experimentCard(page, 15).getByRole("button", { name: "Run experiment 15" }).click();
  const tab = await tabOpened;
  const result = page.getByTestId("experiment-15-result");
  const lines = result.getByRole("listitem");
  await expect(lines).toHaveCount(7, { timeout: 30_000 });
  await expect(result).not.toContainText("✗");

  // What the browser stored, as Playwright reads its jar: all but None-without-Secure.
  const stored = (await context.cookies()).filter((cookie) => cookie.name.startsWith("authlens_test_"));
  expect(stored.map((cookie) => cookie.name).sort()).toEqual(["authlens_test_lax", "authlens_test_none_secure", "authlens_test_unset"]);
  expect(stored.find((cookie) => cookie.name === "authlens_test_unset")?.sameSite).not.toBe("None");
  await expect(lines.nth(2).locator("code")).toHaveText("authlens_test_none");

  // From the frame and from the tab, the Lax cookie and the one without SameSite stayed home.
  for (const n of [3, 4]) {
    await expect(lines.nth(n).locator("code")).not.toContainText("authlens_test_lax");
  }
  await expect(lines.nth(3).locator("code")).not.toContainText("authlens_test_unset");
  await expect(lines.nth(4).locator("code")).toContainText("authlens_test_none_secure");
  // A frame that carried nothing says why: not SameSite (the tab carried None; Secure), but the
  // browser keeping third-party cookies out of another site's frame.
  if ((await lines.nth(3).locator("code").textContent()) === "—") {
    await expect(lines.nth(3)).toContainText("this browser keeps third-party cookies out of it");
  }
  // The tab shows what arrived, in the probe's own words.
  await expect(tab.getByText("This cross-site request carried")).toBeVisible();
  // The cookie without SameSite on the top-level post: whatever this browser did, the page
  // says the same as the probe saw.
  const topCarried = (await lines.nth(4).locator("code").textContent()) ?? "";
  await expect(lines.nth(5)).toContainText(topCarried.includes("authlens_test_unset") ? "Lax+POST" : "treated as Lax");
  await expect(lines.nth(6)).toContainText("The cookie note, corrected");
  // Never "only None crossed": a cookie without SameSite may ride the top-level post (above).
  await expect(lines.nth(6)).not.toContainText("only SameSite=None");
  await expect(experimentCard(page, 15).locator("p").first()).toContainText("first two minutes");
  await tab.close();
});

test("15 speaks Korean, and names the note's mistake", async ({ page }) => {
  await open(page, "/?lang=ko");
  await expect(experimentCard(page, 15)).toContainText("학습 노트는 Lax에 Secure가 필요하고");
});
