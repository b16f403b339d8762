// A completed run's results: the key metrics as cards, the equity and
// drawdown chart with the buy-and-hold benchmark, the price chart with
// zones and trade markers, monthly returns as a heat map, the trades and
// zones tables and the run's details.
import { can } from "../account";
import { request } from "../api";
import { priceChart, type Candle, type Marker, type PriceChart, type TradeFacts, type Zone } from "../charts/price_chart";
import { addDrawdown, addLines, legend, whenShown } from "../charts/time_chart";
import { el, heat, linkButton, message, wordsOf } from "../dom";
import { formatNumber, monthName } from "../format";
import { formatMetric } from "../metrics";
import { tradesTable, type Trade } from "./trades_table";

export interface RunDoc {
  run_id: string; status: string; symbol: string; timeframe: string; start: string; end: string;
  strategy: { name: string; version: string }; params: Record<string, unknown>; execution: Record<string, unknown>;
  priority: string; config_hash: string; data_checksum: string | null; engine_version: string | null;
  attempts: number; worker_id: string | null; created_at: string; started_at: string | null; finished_at: string | null;
  duration_ms: number | null; metrics: Record<string, number | string | null> | null;
}
interface ChartDoc {
  candles: Candle[]; zones: Zone[]; markers: Marker[];
  equity: { time: string; equity: number }[]; drawdown: { time: string; drawdown_pct: number }[];
  benchmark: { kind: string; points: { time: string; equity: number }[] } | null;
  monthly_returns: { year: number; month: number; return_pct: number }[];
}

const cardKeys = ["net_profit", "total_return_pct", "win_rate", "profit_factor", "sharpe_ratio", "sortino_ratio", "max_drawdown_pct", "avg_r_multiple", "total_trades"];

function metricCards(m: Record<string, unknown>): HTMLElement {
  const label: Record<string, string> = { net_profit: "Net profit", total_return_pct: "Return", win_rate: "Win rate", profit_factor: "Profit factor", sharpe_ratio: "Sharpe", sortino_ratio: "Sortino", max_drawdown_pct: "Max drawdown", avg_r_multiple: "Average R", total_trades: "Trades" };
  return el("section", { class: "cards", "aria-label": "Key metrics" },
    ...cardKeys.map((key) => el("div", { class: "metric", "data-metric": key },
      el("span", { class: "label" }, label[key]), el("span", { class: "value" }, formatMetric(key, m[key])))));
}

function equitySection(run: RunDoc, c: ChartDoc): HTMLElement {
  const box = el("section", { class: "card", "aria-label": "Equity and drawdown" }, el("h2", {}, "Equity and drawdown"));
  if (!c.equity.length) {
    box.append(el("p", { class: "empty" }, "No equity points: the run had no bars in its range."));
    return box;
  }
  if (run.metrics && run.metrics.total_trades === 0)
    box.append(el("p", { class: "empty" }, "No trades: the strategy found no entry in this range, so the equity stays flat at the initial capital."));
  const lines = [{ title: "equity", color: "#2f6fde", points: c.equity.map((p) => ({ time: p.time, value: p.equity })) }];
  if (c.benchmark?.points.length)
    lines.push({ title: "buy and hold", color: "#868e96", points: c.benchmark.points.map((p) => ({ time: p.time, value: p.equity })), dashed: true } as typeof lines[0]);
  const holder = el("div", { class: "chart", "data-chart": "equity" });
  box.append(legend([...lines, { title: "drawdown %", color: "#b42318" }]), holder);
  whenShown(holder, (chart) => {
    addLines(chart, lines);
    addDrawdown(chart, c.drawdown);
  });
  return box;
}

function monthlySection(c: ChartDoc): HTMLElement {
  const box = el("section", { class: "card", "aria-label": "Monthly returns" }, el("h2", {}, "Monthly returns (%)"), el("p", { class: "help" }, "Each month's return on the equity at the end of the month before, to 2 decimals (hover for the exact figure)."));
  if (!c.monthly_returns.length) {
    box.append(el("p", { class: "empty" }, "No whole month in this run."));
    return box;
  }
  const years = [...new Set(c.monthly_returns.map((m) => m.year))];
  const most = Math.max(1e-9, ...c.monthly_returns.map((m) => Math.abs(m.return_pct)));
  const at = new Map(c.monthly_returns.map((m) => [`${m.year}-${m.month}`, m.return_pct]));
  const table = el("table", { class: "heatmap", "data-table": "monthly" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Year"), ...Array.from({ length: 12 }, (_, i) => el("th", { scope: "col" }, monthName(i + 1))))),
    el("tbody", {}, ...years.map((y) => el("tr", {}, el("th", { scope: "row" }, String(y)),
      ...Array.from({ length: 12 }, (_, i) => {
        const v = at.get(`${y}-${i + 1}`);
        return v === undefined ? el("td", { class: "number none" }, "")
          : el("td", { class: "number", style: `background:${heat(v / most)}`, title: `${monthName(i + 1)} ${y}: ${formatNumber(v)} %` }, v.toFixed(2));
      })))));
  box.append(el("div", { class: "scroll" }, table));
  return box;
}

function zonesSection(zones: Zone[]): HTMLElement {
  const box = el("section", { class: "card", "aria-label": "Zones" }, el("h2", {}, `Zones (${formatNumber(zones.length)})`));
  if (!zones.length) {
    box.append(el("p", { class: "empty" }, "This strategy draws no zones, or found none in this range."));
    return box;
  }
  const size = 50;
  let offset = 0;
  const table = el("table", { class: "data", "data-table": "zones" });
  const note = el("span", { class: "note" });
  const prev = el("button", { type: "button", class: "secondary" }, "Previous");
  const next = el("button", { type: "button", class: "secondary" }, "Next");
  const draw = () => {
    table.replaceChildren(
      el("thead", {}, el("tr", {}, ...["#", "Type", "Created (UTC)", "Top", "Bottom", "Strength (ATR)", "Touches", "Status", "Ended (UTC)"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...zones.slice(offset, offset + size).map((z) => el("tr", {},
        el("td", { class: "number" }, String(z.id)), el("td", { class: z.type }, z.type), el("td", {}, z.created_at),
        el("td", { class: "number" }, formatNumber(z.top)), el("td", { class: "number" }, formatNumber(z.bottom)),
        el("td", { class: "number" }, formatNumber(z.strength)), el("td", { class: "number" }, formatNumber(z.touches)),
        el("td", {}, z.status), el("td", {}, z.ended_at ?? "—")))));
    note.textContent = `Zones ${formatNumber(offset + 1)}–${formatNumber(Math.min(offset + size, zones.length))} of ${formatNumber(zones.length)}`;
    prev.disabled = offset === 0;
    next.disabled = offset + size >= zones.length;
  };
  prev.addEventListener("click", () => { offset = Math.max(0, offset - size); draw(); });
  next.addEventListener("click", () => { offset += size; draw(); });
  draw();
  box.append(el("div", { class: "actions" }, prev, next, note), el("div", { class: "scroll" }, table));
  return box;
}

function detailsSection(run: RunDoc): HTMLElement {
  const row = (label: string, value: string) => [el("dt", {}, label), el("dd", {}, value)];
  const values = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(", ") : typeof v === "number" ? formatNumber(v) : String(v)}`).join("; ");
  return el("section", { class: "card", "aria-label": "Run details" }, el("h2", {}, "Run details"),
    el("dl", { class: "figures details" },
      ...row("Strategy", `${run.strategy.name} ${run.strategy.version}`),
      ...row("Data", `${run.symbol} ${run.timeframe}, ${run.start} to ${run.end}`),
      ...row("Parameters", values(run.params)),
      ...row("Execution", values(run.execution)),
      ...row("Priority", run.priority),
      ...row("Config hash", run.config_hash),
      ...row("Data checksum", run.data_checksum ?? "—"),
      ...row("Engine version", run.engine_version ?? "—"),
      ...row("Attempts", formatNumber(run.attempts)),
      ...row("Worker", run.worker_id ?? "—"),
      ...row("Queued", run.created_at), ...row("Started", run.started_at ?? "—"), ...row("Finished", run.finished_at ?? "—"),
      ...row("Duration", run.duration_ms !== null ? `${formatNumber(run.duration_ms)} ms` : "—")));
}

/** Everything of a completed run; `loaded` is told when the price chart is drawn. */
export async function runResults(run: RunDoc, loaded: () => void): Promise<HTMLElement> {
  const view = el("div", { class: "results" });
  const actions = el("div", { class: "actions" });
  if (can("runs:write")) actions.append(linkButton(`#/new?from=${run.run_id}`, "Run again"), linkButton(`#/runs/${run.run_id}/monte-carlo`, "Monte Carlo"));
  view.append(actions, metricCards(run.metrics ?? {}));
  let c: ChartDoc;
  try {
    c = await request<ChartDoc>("GET", `/v1/backtest/${run.run_id}/chart?max_points=100000`);
  } catch (err) {
    view.append(message(wordsOf(err)));
    return view;
  }
  const facts = new Map<number, TradeFacts>();
  const priceBox = el("section", { class: "card", "aria-label": "Price chart" }, el("h2", {}, "Price, zones and trades"),
    el("p", { class: "help" }, "Drag to pan, scroll or pinch to zoom. Arrows mark entries (blue long, orange short), circles exits; green boxes are demand zones, red supply zones."));
  const holder = el("div", { class: "chart price", "data-chart": "price" });
  const tooltip = el("div", { class: "tooltip", role: "tooltip", hidden: true });
  priceBox.append(el("div", { class: "chart-wrap" }, holder, tooltip));
  let chart: PriceChart | null = null;
  const trades = tradesTable(run.run_id, (t) => chart?.showTrade(t.entry_time, t.exit_time));
  view.append(equitySection(run, c), priceBox, monthlySection(c), trades, zonesSection(c.zones), detailsSection(run));
  const draw = (): void => {
    if (!holder.isConnected) {
      requestAnimationFrame(draw);
      return;
    }
    chart = priceChart(holder, tooltip, c.candles, c.zones, c.markers, (id) => facts.get(id));
    requestAnimationFrame(() => loaded());
  };
  requestAnimationFrame(draw);
  // Every trade's facts for the tooltips, a page of 1,000 at a time.
  void (async () => {
    for (let offset = 0; ; offset += 1000) {
      const page = await request<{ total: number; trades: Trade[] }>("GET", `/v1/backtest/${run.run_id}/trades?limit=1000&offset=${offset}`).catch(() => null);
      if (!page) return;
      for (const t of page.trades) facts.set(t.trade_id, t);
      if (offset + 1000 >= page.total) return;
    }
  })();
  return view;
}
