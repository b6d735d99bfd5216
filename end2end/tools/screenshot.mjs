// Takes the README's screenshots from a real run: both columns logged in (English and Korean),
// the experiments and the comparison table after running some of them, the inspector, and the lab.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL;
const outDir = process.env.OUT_DIR;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const viewport = { width: 1360, height: 1800 };

const languages = [
  { lang: "en", file: "screenshot.png", login: "Log in", me: "Call /me", run: "Run",
    columns: ["Session + cookie (stateful)", "JWT + localStorage (stateless)"] },
  { lang: "ko", file: "screenshot-ko.png", login: "로그인", me: "/me 호출", run: "실행",
    columns: ["세션 + 쿠키 (상태 유지)", "JWT + localStorage (무상태)"] },
];

for (const labels of languages) {
  const page = await openPage(labels.lang);
  for (const name of labels.columns) {
    const column = page.getByRole("region", { name, exact: true });
    await clickAndWait(page, column.getByRole("button", { name: labels.login, exact: true }), "/login");
    await clickAndWait(page, column.getByRole("button", { name: labels.me, exact: true }), "/me");
  }
  // Open the session column's newest wire row, as a visitor inspecting the exchange would.
  await page.getByTestId("session-wire").locator("summary").first().click();
  // The two columns from their top ("start here" sits above them; it has a picture of its own).
  await page.locator(".columns").evaluate((columns) => window.scrollTo(0, columns.offsetTop - 8));
  await save(page, labels.file);
  await page.context().close();

  // The same on a 390 px phone: one column under the other, nothing wider than the screen.
  const phone = await openPage(labels.lang, "/", { width: 390, height: 844 });
  const session = phone.getByRole("region", { name: labels.columns[0], exact: true });
  await clickAndWait(phone, session.getByRole("button", { name: labels.login, exact: true }), "/login");
  await phone.getByTestId("session-wire").locator("summary").first().click();
  await session.evaluate((column) => window.scrollTo(0, column.offsetTop - 8));
  await save(phone, labels.file.replace(".png", "-phone.png"));
  await phone.context().close();

  if (labels.lang === "en") {
    const page = await openPage("en");
    // Experiments that finish at once, then the section and the comparison table below it.
    for (const [n, lines] of [[3, 8], [4, 3], [8, 2], [9, 6], [15, 7]]) {
      const card = page.getByRole("article").filter({ has: page.getByRole("heading", { name: new RegExp(`^${n}\\. `) }) });
      await card.getByRole("button", { name: labels.run }).click();
      await page.getByTestId(`experiment-${n}-result`).getByRole("listitem").nth(lines - 1).waitFor({ timeout: 40_000 });
    }
    // The student's path after those five: their verdicts, the progress and what comes next.
    await page.getByRole("region", { name: "Start here" }).screenshot({ path: `${outDir}/path.png` });
    console.log(`wrote ${outDir}/path.png`);
    const experiments = page.getByRole("region", { name: "Experiments: each textbook claim, run live" });
    await experiments.screenshot({ path: `${outDir}/experiments.png` });
    console.log(`wrote ${outDir}/experiments.png`);
    await page.getByTestId("comparison").screenshot({ path: `${outDir}/comparison.png` });
    console.log(`wrote ${outDir}/comparison.png`);
    await page.context().close();

    // The hybrid: the access token expires (10 s in this run), /me is refused, the column
    // refreshes by itself and calls again; the automatic refresh is a wire row of its own.
    const hybrid = await openPage("en");
    const jwt = hybrid.getByRole("region", { name: labels.columns[1], exact: true });
    // The expiry path: the column's renewal before expiry (its default) turned off.
    await jwt.getByRole("checkbox", { name: /^Renew the access token shortly before it expires/ }).uncheck();
    await clickAndWait(hybrid, jwt.getByRole("button", { name: labels.login, exact: true }), "/login");
    await jwt.getByTestId("jwt-login-state").getByText("Access token expired").waitFor({ timeout: 40_000 });
    await clickAndWait(hybrid, jwt.getByRole("button", { name: labels.me, exact: true }), "/api/jwt/refresh");
    await jwt.getByTestId("automatic-refresh-row").locator("summary").click();
    await jwt.getByTestId("jwt-login-state").getByText("refreshed").waitFor();
    await jwt.screenshot({ path: `${outDir}/jwt-refresh.png` });
    console.log(`wrote ${outDir}/jwt-refresh.png`);
    await hybrid.context().close();
  }
}

// The inspector, in Korean, with a token from this server pasted and a wrong secret.
const page = await openPage("ko");
const login = await page.request.post(`${base}/api/jwt/login`, { data: { username: "alice", password: "wonderland" } });
const { access_token: token } = await login.json();
await page.goto(`${base}/inspect`);
await page.locator("html[data-hydrated=true]").waitFor();
await page.getByRole("textbox").first().fill(token);
await save(page, "inspect-ko.png");
await page.context().close();

// The scaling lab after claim 11: round-robin forgets the session on two of three nodes, while
// the token works everywhere.
const lab = await openPage("en", "/lab");
const card = lab.getByRole("article").filter({ has: lab.getByRole("heading", { name: /^11\. / }) });
await clickAndWait(lab, card.getByRole("button", { name: "Set up this experiment" }), "/api/lab/cluster");
await lab.getByTestId("lab-node-3").waitFor();
for (const [side, name] of [["session", "Session + cookie, through the balancer"], ["jwt", "JWT, through the balancer"]]) {
  const column = lab.getByRole("region", { name, exact: true });
  await clickAndWait(lab, column.getByRole("button", { name: "Log in", exact: true }), "/login");
  await column.getByRole("button", { name: "Call /me 10 times" }).click();
  await lab.getByTestId(`lab-${side}-calls`).getByRole("listitem").nth(9).waitFor();
}
// From the cluster down: the nodes, the balancer's hops and both columns' calls.
await lab.getByRole("heading", { name: "The cluster", exact: true }).evaluate((heading) => window.scrollTo(0, heading.offsetTop - 16));
await save(lab, "lab.png");

// Claim 16 run both ways: a node cut off during logout keeps the session, until a resync.
const claim16 = lab.getByRole("article").filter({ has: lab.getByRole("heading", { name: /^16\. / }) });
await claim16.getByRole("button", { name: "Run experiment 16" }).click();
await lab.getByTestId("claim-16-result").getByRole("listitem").nth(3).waitFor({ timeout: 60_000 });
await claim16.screenshot({ path: `${outDir}/lab-16.png` });
console.log(`wrote ${outDir}/lab-16.png`);
await lab.context().close();

// The cost page, drawn from bench/results.json.
const cost = await openPage("en", "/cost");
await cost.getByTestId("cost-budgets").waitFor();
await cost.getByRole("region", { name: "What each approach costs" }).screenshot({ path: `${outDir}/cost.png` });
console.log(`wrote ${outDir}/cost.png`);
await cost.context().close();
await browser.close();

// The server renders the browser's language (Accept-Language from the locale): no switch needed.
async function openPage(lang, path = "/", size = viewport) {
  const context = await browser.newContext({ viewport: size, locale: lang });
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  await page.locator("html[data-hydrated=true]").waitFor();
  return page;
}

async function save(page, file) {
  await page.screenshot({ path: `${outDir}/${file}` });
  console.log(`wrote ${outDir}/${file}`);
}

async function clickAndWait(page, button, pathEnd) {
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(pathEnd)),
    button.click(),
  ]);
}
