// The front-end's own logic, without a browser: how numbers, shares and
// metrics are written, which run is best per metric, how many
// configurations a grid makes, the heat map's colours, and errors in words.
// Bundled by esbuild (Vite's own) and run by Node's test runner (CTest
// web_unit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorOf } from "../src/api";
import { heat } from "../src/dom";
import { formatDuration, formatNumber, formatShare, monthName } from "../src/format";
import { bestIndex, formatMetric } from "../src/metrics";
import { gridCount } from "../src/pages/space_builder";

test("numbers keep the API's precision with thousands separators", () => {
  assert.equal(formatNumber(1234567), "1,234,567");
  assert.equal(formatNumber(-20865), "-20,865");
  assert.equal(formatNumber(29.8642533937), "29.86425339"); // 8 decimals, as the API
  assert.equal(formatNumber(0.1 + 0.2), "0.3");
  assert.equal(formatShare(0.51), "51 %");
  assert.equal(formatShare(0.99092294), "99.0923 %");
  assert.equal(formatDuration(3725), "1 h 2 min");
  assert.equal(monthName(12), "Dec");
});

test("metrics carry their units and an absent value is a dash", () => {
  assert.equal(formatMetric("total_return_pct", -41.73), "-41.73 %");
  assert.equal(formatMetric("avg_holding_bars", 5.5), "5.5 bars");
  assert.equal(formatMetric("net_profit", 258555), "258,555");
  assert.equal(formatMetric("avg_r_multiple", null), "—");
});

test("the best run per metric: highest, or lowest for drawdown; none for counts", () => {
  assert.equal(bestIndex("sharpe_ratio", [0.9, 1.35, null]), 1);
  assert.equal(bestIndex("max_drawdown_pct", [41.7, 82.9, 46.6]), 0);
  assert.equal(bestIndex("total_trades", [221, 626]), null);
  assert.equal(bestIndex("avg_r_multiple", [null, null]), null);
});

test("a grid's count matches the server's from..to by step, ends included", () => {
  assert.equal(gridCount(5, 25, 5), 5);
  assert.equal(gridCount(30, 60, 10), 4);
  assert.equal(gridCount(0.5, 1.5, 0.1), 11); // no lost value to binary fractions
  assert.equal(gridCount(10, 10, 1), 1);
  assert.equal(gridCount(10, 5, 1), 0);
  assert.equal(gridCount(1, 5, 0), 0);
});

test("heat map colours run from red through white to green", () => {
  assert.equal(heat(0), "rgb(255, 255, 255)");
  assert.equal(heat(1), "rgb(55, 165, 55)");
  assert.equal(heat(-1), "rgb(220, 55, 55)");
  assert.equal(heat(7), heat(1)); // clamped
});

test("every error is put into words, even when the body is not JSON", () => {
  const e = errorOf(422, JSON.stringify({ error: { message: "invalid configuration", details: [{ field: "params.slow_period", reason: "must be greater than fast_period (40)" }] } }));
  assert.equal(e.words(), "invalid configuration (params.slow_period: must be greater than fast_period (40))");
  assert.equal(errorOf(502, "<html>bad gateway</html>").words(), "the server answered 502");
  assert.equal(errorOf(401, "").words(), "the API key is missing, unknown or revoked");
  assert.equal(errorOf(400, JSON.stringify({ error: { message: "invalid CSV", details: [{ row: 300, reason: "close is not a number" }] } })).words(),
    "invalid CSV (row 300: close is not a number)");
});
