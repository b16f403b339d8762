// A run's trades, paginated by the server: filters by side, zone type,
// outcome and entry date, sorting by any column (the server sorts; absent
// values last), a CSV export of exactly the filtered trades, and a button
// per trade that shows it on the price chart.
import { ApiError, download, request } from "../api";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";
import type { TradeFacts } from "../charts/price_chart";

export interface Trade extends TradeFacts {
  quantity: number; pnl_pct: number; mae: number; mfe: number; holding_bars: number;
  zone_type: string | null; commission: number; stop_price: number | null; target_price: number | null;
}

const columns: [keyof Trade, string, boolean][] = [
  ["trade_id", "#", true], ["side", "Side", false], ["entry_time", "Entry (UTC)", false], ["exit_time", "Exit (UTC)", false],
  ["entry_price", "Entry", true], ["exit_price", "Exit", true], ["quantity", "Qty", true], ["pnl", "P&L", true],
  ["pnl_pct", "P&L %", true], ["r_multiple", "R", true], ["mae", "MAE", true], ["mfe", "MFE", true],
  ["holding_bars", "Bars", true], ["exit_reason", "Exit reason", false], ["zone_type", "Zone", false],
];

const pageSize = 50;

export function tradesTable(runId: string, onShow: (t: Trade) => void): HTMLElement {
  const box = el("section", { class: "card trades", "aria-label": "Trades" }, el("h2", {}, "Trades"));
  const choose = (name: string, label: string, options: string[]) => {
    const select = el("select", { id: `trades-${name}`, name }, el("option", { value: "" }, "any"),
      ...options.map((o) => el("option", { value: o }, o)));
    return el("span", { class: "pair" }, el("label", { for: select.id }, label), " ", select);
  };
  const sidePair = choose("side", "Side", ["long", "short"]);
  const zonePair = choose("zone_type", "Zone type", ["supply", "demand"]);
  const outcomePair = choose("outcome", "Outcome", ["win", "loss"]);
  const [side, zone, outcome] = [sidePair, zonePair, outcomePair].map((p) => p.querySelector("select")!);
  const from = el("input", { type: "date", id: "trades-from", name: "from" });
  const to = el("input", { type: "date", id: "trades-to", name: "to" });
  const filters = el("form", { class: "filters", "aria-label": "Filter trades" },
    sidePair, zonePair, outcomePair,
    el("span", { class: "pair" }, el("label", { for: from.id }, "Entered from"), " ", from), el("span", { class: "pair" }, el("label", { for: to.id }, "to"), " ", to));
  const summary = el("p", { class: "note", role: "status" });
  const feedback = el("div");
  const table = el("table", { class: "data" });
  const prev = el("button", { type: "button", class: "secondary" }, "Previous");
  const next = el("button", { type: "button", class: "secondary" }, "Next");
  const exportButton = el("button", { type: "button", class: "secondary" }, "Export CSV");
  box.append(filters, el("div", { class: "actions" }, exportButton, prev, next, summary), feedback, el("div", { class: "scroll" }, table));

  let sort: keyof Trade = "entry_time", descending = false, offset = 0, total = 0;
  const query = (all: boolean) => {
    const q = new URLSearchParams();
    for (const s of [side, zone, outcome]) if (s.value) q.set(s.name, s.value);
    if (from.value) q.set("from", from.value);
    if (to.value) q.set("to", to.value); // a date alone: its whole day
    q.set("sort", sort);
    q.set("order", descending ? "desc" : "asc");
    if (!all) {
      q.set("limit", String(pageSize));
      q.set("offset", String(offset));
    }
    return q;
  };
  const header = () => el("tr", {}, ...columns.map(([key, label]) => {
    const here = key === sort;
    return el("th", { scope: "col", "aria-sort": here ? (descending ? "descending" : "ascending") : "none" },
      el("button", {
        type: "button", class: "sort", "data-sort": key,
        onClick: () => {
          descending = here ? !descending : key === "pnl" || key === "r_multiple";
          sort = key;
          offset = 0;
          void load();
        },
      }, label, here ? (descending ? " ▼" : " ▲") : ""));
  }));
  const cell = (t: Trade, key: keyof Trade, numeric: boolean) => {
    const v = t[key];
    if (key === "trade_id")
      return el("td", { class: "number" }, el("button", { type: "button", class: "link", title: "Show on the price chart", onClick: () => onShow(t) }, `#${t.trade_id}`));
    return el("td", numeric ? { class: "number" + (key === "pnl" ? (t.pnl > 0 ? " up" : t.pnl < 0 ? " down" : "") : "") } : {},
      v === null || v === undefined ? "—" : typeof v === "number" ? formatNumber(v) : String(v));
  };
  const load = async () => {
    feedback.replaceChildren();
    try {
      const page = await request<{ total: number; trades: Trade[] }>("GET", `/v1/backtest/${runId}/trades?${query(false)}`);
      total = page.total;
      table.replaceChildren(el("thead", {}, header()), el("tbody", {}, ...page.trades.map((t) =>
        el("tr", { "data-trade": String(t.trade_id) }, ...columns.map(([key, , numeric]) => cell(t, key, numeric))))));
      if (!page.trades.length)
        table.append(el("caption", {}, total === 0 && offset === 0 ? "No trades match these filters." : "No trades on this page."));
      summary.textContent = total ? `Trades ${formatNumber(offset + 1)}–${formatNumber(Math.min(offset + pageSize, total))} of ${formatNumber(total)}` : "0 trades";
      prev.disabled = offset === 0;
      next.disabled = offset + pageSize >= total;
    } catch (err) {
      feedback.append(message(wordsOf(err)));
    }
  };
  filters.addEventListener("change", () => {
    offset = 0;
    void load();
  });
  filters.addEventListener("submit", (e) => e.preventDefault());
  prev.addEventListener("click", () => {
    offset = Math.max(0, offset - pageSize);
    void load();
  });
  next.addEventListener("click", () => {
    offset += pageSize;
    void load();
  });
  exportButton.addEventListener("click", async () => {
    feedback.replaceChildren();
    try {
      await download(`/v1/backtest/${runId}/trades?format=csv&${query(true)}`, `trades-${runId}.csv`);
    } catch (err) {
      feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
    }
  });
  void load();
  return box;
}
