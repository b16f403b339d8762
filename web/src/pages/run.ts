// A run: its status pushed over the WebSocket (queue position and ETA while
// queued; progress, the current bar time and the trades so far while it
// runs), cancel; once completed, the key metrics as cards and the equity
// and drawdown chart (lightweight-charts). Another user's run, or an id
// that is none, is "not found".
import { AreaSeries, LineSeries, createChart, type UTCTimestamp } from "lightweight-charts";
import { can } from "../account";
import { ApiError, request, storedKey } from "../api";
import { el, message } from "../dom";
import { formatNumber } from "../format";

interface RunStatus {
  run_id: string;
  status: string;
  progress?: number;
  queue_position?: number | null;
  eta_seconds?: number | null;
  current_bar_time?: string | null;
  trades_so_far?: number | null;
  error?: string | null;
}
type Metrics = Record<string, number | null>;

const cards: [string, string, (v: number) => string][] = [
  ["net_profit", "Net profit", (v) => formatNumber(v)],
  ["total_return_pct", "Return", (v) => `${formatNumber(v)} %`],
  ["win_rate", "Win rate", (v) => `${formatNumber(v)} %`],
  ["profit_factor", "Profit factor", (v) => formatNumber(v)],
  ["sharpe_ratio", "Sharpe", (v) => formatNumber(v)],
  ["sortino_ratio", "Sortino", (v) => formatNumber(v)],
  ["max_drawdown_pct", "Max drawdown", (v) => `${formatNumber(v)} %`],
  ["avg_r_multiple", "Average R", (v) => formatNumber(v)],
  ["total_trades", "Trades", (v) => formatNumber(v)],
];

function metricCards(m: Metrics): HTMLElement {
  return el("section", { class: "cards", "aria-label": "Key metrics" },
    ...cards.map(([key, label, show]) =>
      el("div", { class: "metric", "data-metric": key },
        el("span", { class: "label" }, label),
        el("span", { class: "value" }, m[key] === null || m[key] === undefined ? "—" : show(m[key] as number)))));
}

async function equityChart(runId: string): Promise<HTMLElement> {
  const box = el("section", { class: "card", "aria-label": "Equity and drawdown" }, el("h2", {}, "Equity and drawdown"));
  const { points } = await request<{ points: { time: string; equity: number; drawdown_pct: number }[] }>(
    "GET", `/v1/backtest/${runId}/equity?max_points=5000`);
  if (!points.length) {
    box.append(el("p", { class: "empty" }, "No equity points: the run had no bars in its range."));
    return box;
  }
  const holder = el("div", { class: "chart", "data-chart": "equity" });
  box.append(holder);
  // Drawn once the box is in the page (the chart measures its holder).
  requestAnimationFrame(() => {
    const chart = createChart(holder, { height: 320, autoSize: true, timeScale: { timeVisible: true } });
    const at = (t: string) => (Date.parse(t) / 1000) as UTCTimestamp;
    chart.addSeries(LineSeries, { color: "#2f6fde", lineWidth: 2, title: "equity" })
      .setData(points.map((p) => ({ time: at(p.time), value: p.equity })));
    chart.addSeries(AreaSeries, { priceScaleId: "drawdown", lineColor: "#b42318", topColor: "rgba(180,35,24,0.05)", bottomColor: "rgba(180,35,24,0.3)", title: "drawdown %" })
      .setData(points.map((p) => ({ time: at(p.time), value: -p.drawdown_pct })));
    chart.priceScale("drawdown").applyOptions({ scaleMargins: { top: 0.75, bottom: 0 } });
    chart.timeScale().fitContent();
  });
  return box;
}

export function runPage(runId: string): HTMLElement {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" }, "Loading…");
  const bar = el("progress", { max: "100", value: "0", "aria-label": "Progress" });
  const results = el("div");
  const feedback = el("div", { class: "feedback" });
  const cancel = el("button", {
    class: "danger", hidden: true,
    onClick: async () => {
      feedback.replaceChildren();
      try {
        await request("POST", `/v1/backtest/${runId}/cancel`);
      } catch (err) {
        feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
      }
    },
  }, "Cancel");
  const page = el("div", { class: "page run" }, el("h1", {}, "Run"), el("p", { class: "help" }, runId),
    el("section", { class: "card" }, status, bar, cancel), feedback, results);

  let finished = false; // results shown
  let ended = false; // completed, failed or cancelled: nothing more will come
  const show = async (s: RunStatus) => {
    ended = ["completed", "failed", "cancelled"].includes(s.status);
    const pct = s.progress ?? 0;
    bar.value = pct;
    cancel.hidden = !can("runs:write") || !(s.status === "queued" || s.status === "running");
    if (s.status === "queued")
      status.textContent = `Queued${s.queue_position ? `, position ${formatNumber(s.queue_position)}` : ""}` +
        (s.eta_seconds != null ? `, starting in about ${formatNumber(Math.round(s.eta_seconds))} s` : "");
    else if (s.status === "running")
      status.textContent = `Running: ${formatNumber(pct)} %` + (s.current_bar_time ? `, at ${s.current_bar_time}` : "") +
        (s.trades_so_far != null ? `, ${formatNumber(s.trades_so_far)} trades so far` : "");
    else if (s.status === "failed") status.textContent = `Failed: ${s.error ?? "no reason given"}`;
    else if (s.status === "cancelled") status.textContent = "Cancelled.";
    else if (s.status === "completed") status.textContent = "Completed.";
    if (s.status === "completed" && !finished) {
      finished = true;
      try {
        const m = await request<Metrics>("GET", `/v1/backtest/${runId}/metrics`);
        results.replaceChildren(metricCards(m), await equityChart(runId));
      } catch (err) {
        results.replaceChildren(message(err instanceof ApiError ? err.words() : String(err)));
      }
    }
  };

  void (async () => {
    try {
      await show(await request<RunStatus>("GET", `/v1/backtest/${runId}`));
    } catch (err) {
      status.textContent = "";
      bar.hidden = true;
      feedback.append(message(err instanceof ApiError && err.status === 404
        ? "Run not found: it does not exist, or it is not yours." : err instanceof ApiError ? err.words() : String(err)));
      return;
    }
    if (ended) return;
    // Progress pushed over the WebSocket; the key goes as a subprotocol
    // (browsers cannot set headers on a WebSocket).
    const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/backtest/${runId}/progress`,
      [`bt-key.${storedKey()}`]);
    ws.onmessage = (e) => {
      const event = JSON.parse(String(e.data)) as RunStatus & { event?: string };
      if (event.status || event.event === "progress") void show({ ...event, status: event.status ?? "running" } as RunStatus);
    };
    ws.onerror = () => feedback.append(message("The live connection failed; reload the page to see the latest state.", "note"));
  })();
  return page;
}
