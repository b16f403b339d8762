// The web application in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a real `backtestd serve` with its embedded
// PostgreSQL. Sign in (a wrong key refused in words), upload a CSV with an
// invalid row through the file picker (refused whole, the row and its reason
// in words), then the file without it, and read its report (imported rows,
// the gap with its range), see the dataset listed; on New backtest, the
// form generated from the strategy schema: a value out of range caught
// beside its field, the server's 422 beside the field it names, then a run
// queued; the run page following it to its metric cards (the API's
// figures) and its equity chart drawn, and another run id "not found".
// Then, on 17,520 bars of MGC: the first load of a zones run's page timed
// (under 2 s), its candles, zones and markers drawn, the monthly heat map,
// zones and details; trades filtered by side, sorted by P&L, exported as
// CSV (its rows checked against the filter and order) and one shown on the
// chart; a Monte Carlo matching the API's figures for the same seed; "Run
// again" with one value changed; three runs compared from the history
// (the differing parameter highlighted, ordered by Sharpe); a sweep with
// its count before submitting, heat map, overfitting figures and its best
// configuration run as a backtest; a walk-forward with its windows, folds
// and out-of-sample equity; an evaluation program created in its editor,
// a cycle run and its scorecard ranked as the API's and sorted by a
// column; a program's 35 paper deployments (the dashboard timed, an
// override seen live in another tab, the decision history, a replay);
// the data's volatility regimes against the
// API's; the run page on a 390-pixel phone. A viewer's
// key is offered no action its role lacks. With runs slowed (a restart
// with BACKTESTD_FAULTS), live progress of a running run and a queued run
// cancelled from its page. Back on Data, delete the dataset after the
// confirmation, see the empty state, the layout on a 390-pixel phone, sign
// out (the key leaves sessionStorage). Each page's screenshot is written
// to the output folder, and the failing page's as failure.png.
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
// The pro tier: the journey queues more than the free tier's 10 submissions an hour.
const keyFor = (role) => execFileSync(binary, ["keys", "create", "--user", "webber", "--role", role, "--tier", "pro", "--data-dir", dataDir], {
  stdio: ["ignore", "pipe", "ignore"],
}).toString().trim();
const key = keyFor("trader"), viewerKey = keyFor("viewer");
const otherKey = execFileSync(binary, ["keys", "create", "--user", "other", "--data-dir", dataDir], {
  stdio: ["ignore", "pipe", "ignore"],
}).toString().trim();
// A CSV with a gap (a missing trading hour), and the same with one invalid row.
const csvPath = path.join(dir, "gc.csv"), badPath = path.join(dir, "gc-bad.csv");
execFileSync(binary, ["gen-data", "--symbol", "GC", "--bars", "300", "--seed", "7", "--out", csvPath]);
const lines = fs.readFileSync(csvPath, "utf8").trim().split("\n");
lines.splice(101, 1); // drop one bar inside trading hours: a gap
fs.writeFileSync(csvPath, lines.join("\n") + "\n");
fs.writeFileSync(badPath, [...lines, "2024-01-03T00:00:00Z,1,2,0.5,not-a-price,10"].join("\n") + "\n");

// Two years of 1-hour bars (17,520) of MGC for the results, sweep,
// walk-forward and Monte Carlo pages.
const mgcPath = path.join(dir, "mgc.csv");
execFileSync(binary, ["gen-data", "--symbol", "MGC", "--bars", "17520", "--seed", "11", "--out", mgcPath]);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const serverLog = fs.openSync(path.join(outDir, "server.log"), "w");
let server;
async function startServer(env = {}) {
  // The program pass (deployments, replays) every second.
  server = spawn(binary, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--workers", "1", "--program-interval-ms", "1000"], {
    stdio: ["ignore", "ignore", serverLog], env: { ...process.env, ...env },
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(base + "/healthz")).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not start");
}
async function stopServer() {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
}
await startServer();
const api = async (method, p, body, type = "application/json") => {
  const r = await fetch(base + p, { method, headers: { "X-API-Key": key, ...(body ? { "Content-Type": type } : {}) }, body });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
};
const waitRun = async (id) => {
  for (let i = 0; i < 600; i++) {
    const r = await api("GET", `/v1/backtest/${id}`);
    if (!["queued", "running"].includes(r.status)) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`run ${id} did not finish`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
const shot = (name) => page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
const formatted = (n) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 }).format(n);
const noSideScroll = async (what) => {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no horizontal scrolling at 390 px on ${what} (overflow ${overflow} px)`);
};

// The results of a 17,520-bar run, compare, sweep, walk-forward, Monte
// Carlo and "Run again", on MGC data and runs queued through the API.
async function resultsJourney() {
  const up = await api("POST", "/v1/market-data?symbol=MGC&timeframe=1h", fs.readFileSync(mgcPath), "text/csv");
  const span = { symbol: "MGC", timeframe: "1h", start: up.range.from, end: up.range.to };
  const sma = [];
  for (const fast of [10, 20, 30])
    sma.push((await api("POST", "/v1/backtest", JSON.stringify({ ...span, strategy: "dual_sma", params: { fast_period: fast, slow_period: 60 } }))).run_id);
  const zonesRun = (await api("POST", "/v1/backtest", JSON.stringify({ ...span, strategy: "supply_demand_zones", params: {} }))).run_id;
  for (const id of [...sma, zonesRun]) assert((await waitRun(id)).status === "completed", `run ${id} completed`);

  // First load of the run page: a fresh navigation, until the price chart is drawn.
  await page.goto("about:blank");
  const wall = Date.now();
  await page.goto(`${base}/#/runs/${zonesRun}`);
  await page.locator(".page[data-loaded-ms]").waitFor({ timeout: 20000 });
  const loadedMs = Number(await page.locator(".page").getAttribute("data-loaded-ms"));
  console.log(`first load of a 17,520-bar run page: ${loadedMs} ms from navigation to the price chart drawn (${Date.now() - wall} ms in the test)`);
  assert(loadedMs < 2000, `the run page loads in under 2 s (${loadedMs} ms)`);
  const chartDoc = await api("GET", `/v1/backtest/${zonesRun}/chart?max_points=100000`);
  const price = page.locator('[data-chart="price"]');
  assert(Number(await price.getAttribute("data-candles")) === 17520, "17,520 candles drawn");
  assert(Number(await price.getAttribute("data-markers")) === chartDoc.markers.length && chartDoc.markers.length > 0,
    `every entry and exit marked (${chartDoc.markers.length})`);
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="price"]')?.getAttribute("data-zones-drawn")) > 0);
  await page.locator('[data-chart="equity"] canvas').first().waitFor();
  assert(await page.getByRole("region", { name: "Equity and drawdown" }).getByText("buy and hold").isVisible(), "the benchmark in the legend");
  const months = await page.locator('[data-table="monthly"] tbody td[title]').count();
  assert(months === chartDoc.monthly_returns.length, `every month in the heat map (${months} of ${chartDoc.monthly_returns.length})`);
  assert((await page.locator('[data-table="zones"] tbody tr').count()) === Math.min(50, chartDoc.zones.length), "a page of zones");
  const run = await api("GET", `/v1/backtest/${zonesRun}`);
  assert((await page.getByRole("region", { name: "Run details" }).textContent()).includes(run.config_hash), "the config hash in the details");
  await shot("run-results");

  // Trades: filter, sort by P&L, export what is filtered, show one on the chart.
  const tradesBox = page.getByRole("region", { name: "Trades" });
  const summary = tradesBox.locator('[role="status"]');
  const all = await api("GET", `/v1/backtest/${zonesRun}/trades?limit=1`);
  await page.waitForFunction((t) => document.querySelector('.trades [role="status"]')?.textContent?.endsWith(`of ${t}`), formatted(all.total));
  await page.locator("#trades-side").selectOption("long");
  const longs = await api("GET", `/v1/backtest/${zonesRun}/trades?side=long&sort=pnl&order=desc&limit=50`);
  await page.waitForFunction((t) => document.querySelector('.trades [role="status"]')?.textContent?.endsWith(`of ${t}`), formatted(longs.total));
  await tradesBox.locator('button[data-sort="pnl"]').click();
  await tradesBox.locator('th[aria-sort="descending"] button[data-sort="pnl"]').waitFor();
  await page.waitForFunction((id) => document.querySelector(".trades tbody tr")?.getAttribute("data-trade") === id, String(longs.trades[0].trade_id));
  const sides = await tradesBox.locator("tbody tr td:nth-child(2)").allTextContents();
  assert(sides.length === Math.min(50, longs.total) && sides.every((x) => x === "long"), `only long trades listed (${sides.length})`);
  const pnl = (await tradesBox.locator("tbody tr td:nth-child(8)").allTextContents()).map((x) => Number(x.replace(/,/g, "")));
  assert(pnl.every((v, i) => i === 0 || v <= pnl[i - 1]), "P&L descending");
  console.log(`trades: ${await summary.textContent()}, sorted by P&L`);
  const [file] = await Promise.all([page.waitForEvent("download"), tradesBox.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = fs.readFileSync(await file.path(), "utf8").trim().split("\n");
  const header = csv[0].split(","), sideAt = header.indexOf("side");
  assert(csv.length === longs.total + 1, `the CSV holds the ${longs.total} filtered trades (${csv.length - 1})`);
  assert(sideAt >= 0 && csv.slice(1).every((line) => line.split(",")[sideAt] === "long"), "every exported trade is long");
  assert(Number(csv[1].split(",")[header.indexOf("trade_id")]) === longs.trades[0].trade_id, "exported in the table's order");
  await tradesBox.locator("tbody tr").first().getByRole("button").click();
  await page.waitForFunction(() => document.querySelector('[data-chart="price"]')?.hasAttribute("data-shown-from"));

  // Monte Carlo from the run page: the same seed gives the API's figures.
  await page.getByRole("link", { name: "Monte Carlo" }).click();
  await page.getByRole("heading", { name: "Monte Carlo" }).waitFor();
  await page.locator("#mc-simulations").fill("500");
  await page.locator("#mc-seed").fill("7");
  await page.getByRole("button", { name: "Simulate" }).click();
  await page.locator('svg[data-chart="fan"]').waitFor();
  assert((await page.locator('svg[data-chart="histogram"]').count()) === 2, "two histograms");
  assert((await page.locator('[data-table="percentiles"] tbody tr').count()) === 4, "the percentile table");
  const mc = await api("POST", `/v1/backtest/${zonesRun}/monte-carlo`, JSON.stringify({ seed: 7, simulations: 500 }));
  const ruin = (await page.locator('[data-metric="probability_of_ruin"] .value').textContent()).trim();
  const expected = `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 }).format(mc.monte_carlo.probability_of_ruin * 100)} %`;
  assert(ruin === expected, `probability of ruin ${expected}, shown ${ruin}`);
  await shot("monte-carlo");

  // Run again: the form filled from the run, one value changed.
  await page.goto(`${base}/#/runs/${zonesRun}`);
  await page.getByRole("link", { name: "Run again" }).click();
  await page.getByRole("heading", { name: "New backtest (from a run)" }).waitFor();
  await page.waitForFunction(() => document.querySelector("#field-params-atr_period")?.value === "14");
  assert((await page.locator("#strategy").inputValue()) === "supply_demand_zones", "the run's strategy chosen");
  await page.locator("#field-params-atr_period").fill("20");
  await page.getByRole("button", { name: "Run backtest" }).click();
  await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
  const again = page.url().split("/").pop();
  assert(again !== zonesRun, "a new run");
  await page.getByText("Completed.").waitFor({ timeout: 60000 });
  assert((await api("GET", `/v1/backtest/${again}`)).params.atr_period === 20, "run again with atr_period 20");

  // History: select the three SMA runs and compare them.
  await page.getByRole("link", { name: "Runs" }).click();
  for (const id of sma) await page.locator(`tr[data-run="${id}"] input[type="checkbox"]`).check();
  await page.getByRole("button", { name: "Compare selected" }).click();
  await page.getByRole("heading", { name: "Compare 3 runs" }).waitFor();
  assert(await page.locator('[data-table="params"] tr[data-param="fast_period"]').evaluate((r) => r.classList.contains("differs")), "fast_period highlighted");
  assert(!(await page.locator('[data-table="params"] tr[data-param="slow_period"]').evaluate((r) => r.classList.contains("differs"))), "slow_period the same");
  const cmp = await api("GET", `/v1/backtest/compare?ids=${sma.join(",")}`);
  const bestSharpe = sma.reduce((a, b) => (cmp.metrics[b].sharpe_ratio > cmp.metrics[a].sharpe_ratio ? b : a));
  const sharpeRow = page.locator('[data-table="metrics"] tr[data-metric="sharpe_ratio"]');
  assert((await sharpeRow.locator("td.best").count()) === 1, "the best Sharpe marked");
  await sharpeRow.getByRole("button").click();
  assert((await page.locator('[data-table="metrics"] thead th a').first().textContent()) === bestSharpe.slice(0, 8), "ordered by Sharpe, best first");
  await page.locator('[data-chart="compare-equity"] canvas').first().waitFor();
  await shot("compare");

  // A sweep from the schema (fast 5..25 by 5, slow 30..60 by 10: 20), its heat map and overfitting.
  await page.getByRole("link", { name: "Sweeps" }).click();
  await page.getByRole("heading", { name: "New sweep" }).waitFor();
  await page.locator("#r-dataset").selectOption({ label: "MGC 1h (17,520 bars)" });
  await page.getByText(/^20 configurations/).waitFor();
  await page.locator("#sweep-fast_period").uncheck();
  await page.locator("#sweep-slow_period").uncheck();
  await page.getByText("Fix: sweep at least one parameter").waitFor();
  await page.locator("#sweep-fast_period").check();
  await page.locator("#sweep-slow_period").check();
  await page.getByRole("button", { name: "Run sweep" }).click();
  await page.waitForURL(/#\/sweeps\/[0-9a-f-]{36}$/);
  await page.getByText(/^Completed: 20 of 20/).waitFor({ timeout: 60000 });
  await page.locator('[data-table="heatmap"]').waitFor();
  assert((await page.locator('[data-table="heatmap"] tbody td').count()) === 20, "a 4 x 5 heat map");
  assert(/%|not available/.test(await page.locator('[data-figure="dsr"]').textContent()), "the deflated Sharpe ratio");
  assert(/%|not available/.test(await page.locator('[data-figure="pbo"]').textContent()), "the PBO");
  const bestRow = page.locator('[data-table="sweep-results"] tbody tr').first();
  const bestFast = Number(await bestRow.locator("td:nth-child(2)").textContent());
  await shot("sweep");
  await bestRow.getByRole("button", { name: "Run as backtest" }).click();
  await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
  await page.getByText("Completed.").waitFor({ timeout: 60000 });
  assert((await api("GET", `/v1/backtest/${page.url().split("/").pop()}`)).params.fast_period === bestFast, "the configuration run as a backtest");

  // A walk-forward: its windows, folds and stitched out-of-sample equity.
  await page.getByRole("link", { name: "Walk-forward" }).click();
  await page.getByRole("heading", { name: "New walk-forward" }).waitFor();
  await page.locator("#r-dataset").selectOption({ label: "MGC 1h (17,520 bars)" });
  await page.getByRole("button", { name: "Run walk-forward" }).click();
  await page.waitForURL(/#\/walk-forwards\/[0-9a-f-]{36}$/);
  await page.getByText(/^Completed: /).waitFor({ timeout: 90000 });
  const wf = await api("GET", `/v1/walk-forwards/${page.url().split("/").pop()}`);
  assert((await page.locator('[data-table="folds"] tbody tr').count()) === wf.result.folds.length, "a row per fold");
  assert((await page.locator('svg[data-chart="windows"] rect').count()) === 2 * wf.result.folds.length, "each fold's two windows drawn");
  await page.locator('[data-chart="oos-equity"] canvas').first().waitFor();
  await shot("walk-forward");

  // An evaluation program: 60 Latin-hypercube configurations, a cycle of
  // walk-forwards, the scorecard ranked and sorted by a column.
  await page.getByRole("link", { name: "Programs" }).click();
  await page.getByRole("heading", { name: "New program" }).waitFor();
  await page.locator("#p-name").fill("MGC crossovers");
  await page.locator("#p-dataset").selectOption({ label: "MGC 1h (17,520 bars)" });
  await page.locator("#p-lookback").fill("400");
  await page.locator("#p-mode").selectOption("manual"); // a trader deploys its candidates
  await page.locator("#p-drawdown").fill("25");
  await page.getByText(/^60 configurations a cycle$/).waitFor();
  await page.getByRole("button", { name: "Create program" }).click();
  await page.waitForURL(/#\/programs\/[0-9a-f-]{36}$/);
  const programId = page.url().split("/").pop();
  const spec = (await api("GET", `/v1/programs/${programId}`)).specification;
  assert(spec.deployment.mode === "manual" && spec.risk.drawdown_pct === 25 && spec.gate.top_pct === 10, `the editor's settings stored: ${JSON.stringify(spec)}`);
  await page.getByRole("button", { name: "Run a cycle now" }).click();
  await page.locator('[data-table="scorecard"] tbody tr').first().waitFor({ timeout: 120000 });
  const card = await api("GET", `/v1/programs/${programId}/scorecards/1`);
  assert((await page.locator('[data-table="scorecard"] tbody tr').count()) === card.entries.length && card.entries.length === 60, "60 configurations scored");
  assert((await page.locator('[data-table="scorecard"] tbody tr').first().getAttribute("data-index")) === String(card.entries[0].index), "ranked as the API ranks");
  await page.getByRole("button", { name: "OOS Sharpe" }).click(); // a metric sorts highest first
  const topSharpe = card.entries.reduce((a, b) => ((b.oos.sharpe_ratio ?? -1e9) > (a.oos.sharpe_ratio ?? -1e9) ? b : a));
  assert((await page.locator('[data-table="scorecard"] tbody tr').first().getAttribute("data-index")) === String(topSharpe.index), "sorted by OOS Sharpe");
  // Its trades by regime, as the API counts them.
  const topRegimes = Object.entries(card.entries.find((e) => e.index === topSharpe.index).by_regime);
  const regimeCell = await page.locator('[data-table="scorecard"] tbody tr').first().locator("td.by-regime").textContent();
  assert(topRegimes.length > 0 && topRegimes.every(([regime, r]) => regimeCell.includes(`${regime}: ${formatted(r.trades)} (`)),
    `the trades by regime shown: "${regimeCell}"`);
  await shot("program");

  // A program on two symbols: the editor offers the other data of the timeframe.
  await page.getByRole("link", { name: "Programs" }).click();
  await page.getByRole("heading", { name: "New program" }).waitFor();
  await page.locator("#p-name").fill("two metals");
  await page.locator("#p-dataset").selectOption({ label: "MGC 1h (17,520 bars)" });
  await page.locator("#p-also-GC").check();
  await page.getByRole("button", { name: "Create program" }).click();
  await page.waitForURL(/#\/programs\/[0-9a-f-]{36}$/);
  const twoId = page.url().split("/").pop();
  const twoSpec = (await api("GET", `/v1/programs/${twoId}`)).specification;
  assert(JSON.stringify(twoSpec.symbols) === JSON.stringify(["MGC", "GC"]), `both symbols stored: ${JSON.stringify(twoSpec)}`);
  await api("DELETE", `/v1/programs/${twoId}`);

  // The data's volatility regimes: the current one as the API says, the timeline drawn.
  await page.getByRole("link", { name: "Data" }).click();
  await page.locator('tr[data-dataset="MGC/1h"]').getByRole("button", { name: "Regimes" }).click();
  await page.locator('svg[data-chart="regimes"]').waitFor();
  const regimes = await api("GET", "/v1/regimes?symbol=MGC&timeframe=1h");
  assert((await page.locator(".current-regime").getAttribute("data-regime")) === regimes.current.regime,
    `the current regime is the API's ${regimes.current.regime}`);
  assert((await page.locator('svg[data-chart="regimes"] rect').count()) === regimes.series.filter((d) => d.regime).length, "a strip per classified day");
  await shot("regimes");

  // A phone: the run page fits 390 pixels.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/#/runs/${zonesRun}`);
  await page.locator(".page[data-loaded-ms]").waitFor({ timeout: 20000 });
  await noSideScroll("the run page");
  await shot("run-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
}

// Paper deployments: a program that deploys itself (120 grid
// configurations, the top half of two cycles promoted, 35 at most) on its
// own data; the dashboard's first load with 35 deployments timed (under
// 2 s, table and correlation heat map), its figures and heat map as the
// API's; an override from a deployment's page with its reason, seen live
// by another tab over the deployments' stream; the decision history; a
// replay with its survival rate as the API's.
let deployProgram = "";
async function deploymentsJourney() {
  const dplPath = path.join(dir, "dpl.csv");
  execFileSync(binary, ["gen-data", "--symbol", "DPL", "--bars", "8000", "--seed", "5", "--out", dplPath]);
  const rows = fs.readFileSync(dplPath, "utf8").trim().split("\n");
  const upload = (n) => api("POST", "/v1/market-data?symbol=DPL&timeframe=1h", rows.slice(0, n + 1).join("\n") + "\n", "text/csv");
  await upload(7950);
  deployProgram = (await api("POST", "/v1/programs", JSON.stringify({
    name: "DPL deployments", symbol: "DPL",
    templates: [{ strategy: "dual_sma", params: {}, space: { fast_period: { from: 5, to: 40, step: 5 }, slow_period: { from: 60, to: 200, step: 10 } } }],
    generator: { method: "grid" }, windows: { train: 2000, test: 1000 }, lookback_days: 400,
    gate: { top_pct: 50, days: 1, max_allocation_pct: 2 }, capital: 1000000,
    deployment: { mode: "automatic", max_active: 35, max_type_pct: 100, max_correlation: 1 },
  }))).program_id;
  const cycle = async (n) => {
    await api("POST", `/v1/programs/${deployProgram}/cycles`);
    for (let i = 0; i < 1200; i++) {
      if ((await api("GET", `/v1/programs/${deployProgram}/scorecards/${n}`)).status === "completed") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`cycle ${n} did not finish`);
  };
  await cycle(1);
  await upload(8000); // two more days: the grid again on new data, its top promoted
  await cycle(2);
  const doc = await api("GET", `/v1/programs/${deployProgram}/deployments`);
  assert(doc.active === 35, `35 active deployments (${doc.active})`);

  // The dashboard's first load, timed: 35 rows and the 35 x 35 heat map.
  const t0 = Date.now();
  await page.goto(`${base}/#/programs/${deployProgram}/deployments`);
  await page.locator('[data-table="deployments"] tbody tr').nth(34).waitFor();
  await page.locator('[data-table="correlations"] td.cell').nth(35 * 35 - 1).waitFor();
  const loadMs = Date.now() - t0;
  console.log(`deployments dashboard, 35 deployments: ${loadMs} ms`);
  assert(loadMs < 2000, `the deployments dashboard loads in under 2 s (${loadMs} ms)`);
  const first = doc.items[0];
  const row = page.locator(`tr[data-deployment="${first.deployment_id}"]`);
  assert((await row.locator('td[data-field="equity"]').textContent()) === formatted(first.summary.equity), "equity as the API's");
  const corr = await api("GET", `/v1/programs/${deployProgram}/correlations`);
  const cell = await page.locator('[data-table="correlations"] td[data-row="0"][data-col="1"]').textContent();
  assert(cell === (corr.matrix[0][1] === null ? "" : corr.matrix[0][1].toFixed(2)), `the heat map's cell as the API's (${cell})`);
  await shot("deployments");

  // Another tab follows the stream while this one overrides a deployment.
  const watcher = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await watcher.goto(base + "/");
  await watcher.evaluate((k) => sessionStorage.setItem("backtestd.apiKey", k), key);
  await watcher.goto(`${base}/#/programs/${deployProgram}/deployments`);
  await watcher.locator(`tr[data-deployment="${first.deployment_id}"][data-status="active"]`).waitFor();
  await row.getByRole("link").click();
  await page.getByRole("heading", { name: "Equity against its benchmark" }).waitFor();
  await page.locator('[data-chart="deployment-equity"] canvas').first().waitFor();
  await shot("deployment");
  await page.locator("#override-reason").fill("desk limit reached");
  await page.getByRole("button", { name: "Deactivate" }).click();
  await page.waitForURL(/\/deployments$/);
  await watcher.locator(`tr[data-deployment="${first.deployment_id}"][data-status="deactivated"]`).waitFor({ timeout: 10000 });
  await watcher.close();
  const after = await api("GET", `/v1/programs/${deployProgram}/deployments/${first.deployment_id}`);
  assert(after.status === "deactivated" && after.end_reason.includes("desk limit reached"), "deactivated with its reason");

  // The decision history: every promotion and the override, from the audit log.
  await page.getByRole("link", { name: "Decision history" }).click();
  await page.locator('[data-table="decisions"] tr[data-action="deployment.deactivated"]').waitFor();
  assert((await page.locator('[data-table="decisions"] tr[data-action="deployment.promoted"]').count()) === 35, "35 promotions in the history");
  assert((await page.locator('[data-table="decisions"] tr[data-action="deployment.deactivated"] td.details').textContent()).includes("desk limit reached"), "the override's reason");
  await shot("decisions");

  // A replay of the promotion process from its page.
  await page.getByRole("link", { name: "Replays" }).click();
  await page.locator("#replay-from").fill("2023-06-05");
  await page.getByRole("button", { name: "Replay" }).click();
  await page.locator('[data-table="replays"] tbody tr').first().getByRole("button", { name: "Result" }).waitFor({ timeout: 120000 });
  await page.locator('[data-table="replays"] tbody tr').first().getByRole("button", { name: "Result" }).click();
  const survival = await page.locator("p.survival").textContent();
  const replays = await api("GET", `/v1/programs/${deployProgram}/replays`);
  const result = (await api("GET", `/v1/programs/${deployProgram}/replays/${replays.items[0].replay_id}`)).result;
  assert(survival.includes(`${result.promotions} in all`) || survival.startsWith(`${result.promotions} promotions`), `the replay's promotions as the API's: "${survival}"`);
  assert((await page.locator('[data-table="replay-cycles"] tbody tr').count()) === result.cycles.length, "a row per replayed cycle");
  await shot("replay");
}

// Cancel from the run page: with runs slowed to about 3 s and one worker,
// the second run waits in the queue while the first shows live progress.
async function cancelJourney() {
  await stopServer();
  await startServer({ BACKTESTD_FAULTS: "slow_ms_per_pct=30" });
  const span = { symbol: "MGC", timeframe: "1h", start: "2023-01-02T00:00:00Z", end: "2023-12-29", strategy: "dual_sma" };
  const busy = (await api("POST", "/v1/backtest", JSON.stringify({ ...span, params: { fast_period: 11 } }))).run_id;
  const waiting = (await api("POST", "/v1/backtest", JSON.stringify({ ...span, params: { fast_period: 12 } }))).run_id;
  await page.goto(`${base}/#/runs/${busy}`);
  await page.getByText(/^Running: /).waitFor({ timeout: 20000 });
  await page.waitForFunction(() => Number(document.querySelector("progress")?.value) > 0, null, { timeout: 20000 });
  console.log(`live: "${await page.locator(".status").textContent()}"`);
  await page.goto(`${base}/#/runs/${waiting}`);
  await page.getByText(/^Queued, position 1/).waitFor();
  await shot("run-queued");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByText("Cancelled.").waitFor();
  assert((await api("GET", `/v1/backtest/${waiting}`)).status === "cancelled", "the run is cancelled");
  await waitRun(busy);
  await api("DELETE", "/v1/market-data/MGC/1h");
  await api("DELETE", "/v1/market-data/DPL/1h");
  await stopServer();
  await startServer();
  await page.goto(`${base}/#/data`);
}

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
  const apiMetrics = await api("GET", `/v1/backtest/${runId}/metrics`);
  assert(trades === String(apiMetrics.total_trades ?? "—"), `the trades card shows the API's ${apiMetrics.total_trades}, got ${trades}`);
  await page.locator('[data-chart="equity"] canvas').first().waitFor();
  await page.screenshot({ path: path.join(outDir, "run.png"), fullPage: true });
  // Another user's run, or no run: "not found", never its data.
  await page.goto(base + "/#/runs/00000000-0000-4000-8000-000000000000");
  await page.getByText("Run not found: it does not exist, or it is not yours.").waitFor();
  const asOther = { "X-API-Key": otherKey, "Content-Type": "text/csv" };
  assert((await fetch(`${base}/v1/market-data?symbol=GC&timeframe=1h`, { method: "POST", headers: asOther, body: fs.readFileSync(csvPath) })).ok, "the other user's upload");
  const theirs = await (await fetch(`${base}/v1/backtest`, { method: "POST", headers: { ...asOther, "Content-Type": "application/json" },
    body: JSON.stringify({ strategy: "dual_sma", symbol: "GC", timeframe: "1h", start: "2023-01-02T00:00:00Z", end: "2023-01-10", params: {} }) })).json();
  assert(theirs.run_id, `the other user's run queued: ${JSON.stringify(theirs)}`);
  await page.goto(`${base}/#/runs/${theirs.run_id}`);
  await page.getByText("Run not found: it does not exist, or it is not yours.").waitFor();
  assert((await page.locator('[role="region"][aria-label="Key metrics"]').count()) === 0, "none of their results shown");

  await resultsJourney();
  await deploymentsJourney();

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
  // Deployments: seen, never changed.
  await page.goto(`${base}/#/programs/${deployProgram}/deployments`);
  await page.locator('[data-table="deployments"] tbody tr').first().waitFor();
  await page.locator('[data-table="candidates"], section[aria-label="Candidates"] p.empty').first().waitFor();
  assert((await page.getByRole("button", { name: "Deploy" }).count()) === 0, "no Deploy for a viewer");
  await page.locator('[data-table="deployments"] tbody tr[data-status="active"]').first().getByRole("link").click();
  await page.getByRole("heading", { name: "Equity against its benchmark" }).waitFor();
  assert((await page.locator("#override-reason").count()) === 0, "no override for a viewer");
  await page.goto(base + "/#/data");
  await signInAs(key);
  await page.getByText("webber (trader)").waitFor();

  await cancelJourney();

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
  console.error("at " + page.url());
} finally {
  await browser.close();
  await stopServer();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
