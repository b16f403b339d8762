// The web application in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a real `backtestd serve` with its embedded
// PostgreSQL. Sign in (a wrong key refused in words), upload a CSV with an
// invalid row through the file picker (refused whole, the row and its reason
// in words), then the file without it, and read its report (imported rows,
// the gap with its range), see the dataset listed; on New backtest, the
// form generated from the strategy schema: a value out of range caught
// beside its field, the server's 422 beside the field it names, then a run
// queued; the run page following it live to its metric cards (the API's
// figures) and its equity chart drawn, and another run id "not found";
// back on Data, delete the dataset after the
// confirmation, see the empty state, the layout on a 390-pixel phone,
// sign out (the key leaves sessionStorage). A screenshot of the page is
// written to the output folder on failure.
//
//   node tests/web/journey.mjs BINARY OUTPUT_DIR
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../web/package.json"));
const { chromium } = require("playwright-core");

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error("usage: node journey.mjs BINARY OUTPUT_DIR");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

function assert(condition, what) {
  if (!condition) throw new Error("expected: " + what);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bt_web_"));
fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user
const dataDir = path.join(dir, "var");
const keyFor = (role) => execFileSync(binary, ["keys", "create", "--user", "webber", "--role", role, "--data-dir", dataDir], {
  stdio: ["ignore", "pipe", "ignore"],
}).toString().trim();
const key = keyFor("trader"), viewerKey = keyFor("viewer");
// A CSV with a gap (a missing trading hour), and the same with one invalid row.
const csvPath = path.join(dir, "gc.csv"), badPath = path.join(dir, "gc-bad.csv");
execFileSync(binary, ["gen-data", "--symbol", "GC", "--bars", "300", "--seed", "7", "--out", csvPath]);
const lines = fs.readFileSync(csvPath, "utf8").trim().split("\n");
lines.splice(101, 1); // drop one bar inside trading hours: a gap
fs.writeFileSync(csvPath, lines.join("\n") + "\n");
fs.writeFileSync(badPath, [...lines, "2024-01-03T00:00:00Z,1,2,0.5,not-a-price,10"].join("\n") + "\n");

const port = await freePort();
const server = spawn(binary, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--workers", "1"], {
  stdio: ["ignore", "ignore", fs.openSync(path.join(outDir, "server.log"), "w")],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 600; i++) {
  try {
    if ((await fetch(base + "/healthz")).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
let failed = false;
try {
  const started = Date.now();
  await page.goto(base + "/");
  await page.getByLabel("API key").waitFor();
  // A key that is not one is refused in words, never raw JSON.
  await page.getByLabel("API key").fill("bt_" + "0".repeat(64));
  await page.getByRole("button", { name: "Sign in" }).click();
  const refusal = await page.getByRole("alert").textContent();
  assert(/unknown or revoked/.test(refusal) && !refusal.includes("{"), `a refusal in words, got "${refusal}"`);
  assert((await page.evaluate(() => sessionStorage.length)) === 0, "a refused key is not kept");

  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Market data" }).waitFor();
  assert((await page.evaluate(() => localStorage.length)) === 0, "nothing in localStorage");
  assert((await page.evaluate(() => sessionStorage.getItem("backtestd.apiKey"))) === key, "the key in sessionStorage");
  await page.getByText("No data yet").waitFor();
  console.log(`signed in and on the Data page in ${Date.now() - started} ms`);

  await page.getByLabel("Symbol").fill("GC");
  // A file with an invalid row is refused whole: the row and why, in words.
  await page.locator("#file").setInputFiles(badPath);
  await page.getByRole("button", { name: "Upload" }).click();
  const refused = page.getByRole("alert");
  await refused.waitFor();
  const refusedText = await refused.textContent();
  assert(/row 300/.test(refusedText) && !refusedText.includes("{"),
    `the refused row in words, got "${refusedText}"`);
  await page.locator("#file").setInputFiles(csvPath);
  await page.getByRole("button", { name: "Upload" }).click();
  const report = page.getByRole("region", { name: "Upload report" });
  await report.waitFor();
  const figure = async (name) => (await report.locator(`[data-figure="${name}"]`).textContent()).trim();
  assert((await figure("rows")) === "299", `299 rows received, got ${await figure("rows")}`);
  assert((await figure("imported")) === "299", `299 imported, got ${await figure("imported")}`);
  assert((await figure("rejected")) === "0", `0 rejected, got ${await figure("rejected")}`);
  const gapsText = await report.locator("table.gaps").textContent();
  assert(/Gaps in trading hours \(1\)/.test(gapsText) && /T\d\d:00:00Z/.test(gapsText),
    `one gap listed with its range, got "${gapsText}"`);
  const row = page.locator('tr[data-dataset="GC/1h"]');
  await row.waitFor();
  assert((await row.textContent()).includes("299"), "the dataset lists 299 bars");
  await page.screenshot({ path: path.join(outDir, "data-page.png"), fullPage: true });

  // New backtest: the form comes from the strategy schema; a value out of
  // range is caught beside its field before anything is sent, one only the
  // server can judge comes back as its 422 beside the field it names.
  await page.getByRole("link", { name: "New backtest" }).click();
  await page.getByRole("heading", { name: "New backtest" }).waitFor();
  await page.getByLabel("Strategy").selectOption("dual_sma");
  const fast = page.locator("#field-params-fast_period");
  assert((await fast.inputValue()) === "10", "fast_period starts at its default, 10");
  assert((await page.locator("#start").inputValue()) === "2023-01-02", "the range starts at the data's first day");
  await fast.fill("1");
  await page.getByRole("button", { name: "Run backtest" }).click();
  const fastProblem = page.locator('[data-field="params.fast_period"] .problem');
  assert((await fastProblem.textContent()) === "at least 2", `the range error beside fast_period, got "${await fastProblem.textContent()}"`);
  await fast.fill("40");
  await page.locator("#field-params-slow_period").fill("20");
  await page.getByRole("button", { name: "Run backtest" }).click();
  const slowProblem = page.locator('[data-field="params.slow_period"] .problem');
  await page.waitForFunction(() =>
    document.querySelector('[data-field="params.slow_period"] .problem')?.textContent?.includes("greater than"));
  assert((await fastProblem.textContent()) === "", "fast_period's error is gone once fixed");
  console.log(`the server's 422 beside its field: "${await slowProblem.textContent()}"`);
  await page.locator("#field-params-slow_period").fill("60");
  await page.getByRole("button", { name: "Run backtest" }).click();
  // The run page: live status, then the metric cards and the equity chart.
  await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").pop();
  await page.getByText("Completed.").waitFor({ timeout: 60000 });
  const cards = page.getByRole("region", { name: "Key metrics" });
  await cards.waitFor();
  const trades = (await cards.locator('[data-metric="total_trades"] .value').textContent()).trim();
  const api = await (await fetch(`${base}/v1/backtest/${runId}/metrics`, { headers: { "X-API-Key": key } })).json();
  assert(trades === String(api.total_trades ?? "—"), `the trades card shows the API's ${api.total_trades}, got ${trades}`);
  await page.locator('[data-chart="equity"] canvas').first().waitFor();
  await page.screenshot({ path: path.join(outDir, "run.png"), fullPage: true });
  // Another user's run, or no run: "not found", never its data.
  await page.goto(base + "/#/runs/00000000-0000-4000-8000-000000000000");
  await page.getByText("Run not found: it does not exist, or it is not yours.").waitFor();

  // A viewer's key (the same user): the data and the run are shown, no
  // action its role may not take is offered.
  const signInAs = async (k) => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").fill(k);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Market data" }).waitFor();
  };
  await signInAs(viewerKey);
  await page.getByText("webber (viewer)").waitFor();
  await page.locator('tr[data-dataset="GC/1h"]').waitFor();
  assert((await page.getByRole("link", { name: "New backtest" }).count()) === 0, "no New backtest for a viewer");
  assert((await page.getByRole("button", { name: "Upload" }).count()) === 0, "no upload for a viewer");
  assert((await page.getByRole("button", { name: "Delete" }).count()) === 0, "no delete for a viewer");
  await page.goto(base + `/#/runs/${runId}`);
  await page.getByText("Completed.").waitFor();
  assert(!(await page.getByRole("button", { name: "Cancel" }).isVisible()), "no cancel for a viewer");
  await page.goto(base + "/#/data");
  await signInAs(key);
  await page.getByText("webber (trader)").waitFor();

  // Delete, after the confirmation (dismissed once: nothing happens).
  page.once("dialog", (d) => d.dismiss());
  await row.getByRole("button", { name: "Delete" }).click();
  await page.waitForTimeout(300);
  assert(await row.isVisible(), "a dismissed confirmation deletes nothing");
  page.once("dialog", (d) => {
    assert(d.message().includes("Delete GC 1h and its 299 bars"), `the confirmation names it: ${d.message()}`);
    d.accept();
  });
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByText("Deleted GC 1h.").waitFor();
  await page.getByText("No data yet").waitFor();

  // A phone: the page fits 390 pixels without horizontal scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
  await page.screenshot({ path: path.join(outDir, "data-page-phone.png"), fullPage: true });

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API key").waitFor();
  assert((await page.evaluate(() => sessionStorage.length)) === 0, "sign-out clears the key");
  console.log("web journey: passed");
} catch (err) {
  failed = true;
  console.error("web journey: FAILED: " + err.message);
  await page.screenshot({ path: path.join(outDir, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
