// No word, number, unit, date or path is split across lines in a verdict, a table cell or a
// status: each word's Range.getClientRects() is one box. Long tokens and ids (no spaces, longer
// than a line could ever need to hold whole) may still wrap.
import { test, expect, Page } from "@playwright/test";
import { open, runExperiment } from "./helpers";

/** Where figures are read: verdict lines, table cells, statuses and pills. */
const READ_HERE = ".result-lines li, td, th, [role=status], .sign-in, .wire-rows summary, .hops li";

/** The words under READ_HERE that the browser laid out on more than one line. */
async function splitWords(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const split: string[] = [];
    for (const element of document.querySelectorAll(selector)) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        // A word with its trailing hyphen: "code-supplied" may break after "code-", as
        // print does, but neither part inside itself.
        for (const match of text.matchAll(/[^\s-]+-?|-/g)) {
          // A token, a signature or a full URL is one long run with nothing to break at.
          if (match[0].length > 28) continue;
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) split.push(`${match[0]} (in ${element.tagName.toLowerCase()}: ${element.textContent?.slice(0, 60)})`);
        }
      }
    }
    return split;
  }, READ_HERE);
}

for (const lang of ["en", "ko"] as const) {
  for (const width of [1280, 390]) {
    test(`no figure or word is split across lines after the experiments run (${lang}, ${width} px)`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.setViewportSize({ width, height: 900 });
      await open(page, lang === "ko" ? "/?lang=ko" : "/");
      for (const [n, lines] of [[1, 3], [2, 3], [4, 3], [6, 4], [8, 2]] as const) {
        await runExperiment(page, n, lines, lang);
      }
      expect(await splitWords(page)).toEqual([]);
      await open(page, lang === "ko" ? "/cost?lang=ko" : "/cost");
      expect(await splitWords(page)).toEqual([]);
    });
  }
}
