// History: the user's runs with filters (status, symbol, strategy, date
// queued) and sorting by a metric (the server sorts and pages), and a
// multi-select to compare (2 to 10 completed runs) or delete.
import { can } from "../account";
import { request } from "../api";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";
import { formatMetric } from "../metrics";

interface RunItem {
  run_id: string; status: string; symbol: string; timeframe: string; start: string; end: string;
  strategy: { name: string }; created_at: string; finished_at: string | null;
  metrics: Record<string, number | null> | null;
}

const sorts: [string, string][] = [["created_at", "Queued"], ["sharpe_ratio", "Sharpe"], ["net_profit", "Net profit"], ["total_return_pct", "Return"],
  ["max_drawdown_pct", "Max drawdown"], ["win_rate", "Win rate"], ["profit_factor", "Profit factor"], ["total_trades", "Trades"]];
const pageSize = 25;

export function historyPage(go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page history" }, el("h1", {}, "Runs"));
  // A label and its input wrap as one.
  const field = (id: string, label: string, input: HTMLElement) => [el("span", { class: "pair" }, el("label", { for: id }, label), " ", input)];
  const status = el("select", { id: "h-status", name: "status" }, el("option", { value: "" }, "any"),
    ...["queued", "running", "completed", "failed", "cancelled"].map((s) => el("option", { value: s }, s)));
  const symbol = el("input", { id: "h-symbol", name: "symbol", size: "8", placeholder: "GC" });
  const strategy = el("select", { id: "h-strategy", name: "strategy" }, el("option", { value: "" }, "any"),
    el("option", { value: "dual_sma" }, "dual_sma"), el("option", { value: "supply_demand_zones" }, "supply_demand_zones"));
  const from = el("input", { id: "h-from", name: "from", type: "date" });
  const to = el("input", { id: "h-to", name: "to", type: "date" });
  const sort = el("select", { id: "h-sort", name: "sort" }, ...sorts.map(([k, l]) => el("option", { value: k }, l)));
  const order = el("select", { id: "h-order", name: "order" }, el("option", { value: "desc" }, "highest first"), el("option", { value: "asc" }, "lowest first"));
  const filters = el("form", { class: "filters card", "aria-label": "Filter runs" },
    ...field(status.id, "Status", status), ...field(symbol.id, "Symbol", symbol), ...field(strategy.id, "Strategy", strategy),
    ...field(from.id, "Queued from", from), ...field(to.id, "to", to), ...field(sort.id, "Sort by", sort), ...field(order.id, "Order", order));
  const feedback = el("div");
  const table = el("table", { class: "data", "data-table": "runs" });
  const summary = el("span", { class: "note", role: "status" });
  const prev = el("button", { type: "button", class: "secondary" }, "Previous");
  const next = el("button", { type: "button", class: "secondary" }, "Next");
  const compare = el("button", { type: "button" }, "Compare selected");
  const remove = el("button", { type: "button", class: "danger" }, "Delete selected");
  const selected = new Set<string>();
  const actions = el("div", { class: "actions" }, compare, can("runs:write") ? remove : null, prev, next, summary);
  page.append(filters, actions, feedback, el("div", { class: "card scroll" }, table));
  let offset = 0;
  let items: RunItem[] = [];

  const refreshActions = () => {
    const done = items.filter((r) => selected.has(r.run_id) && r.status === "completed").length;
    compare.disabled = selected.size < 2 || selected.size > 10 || done !== selected.size;
    compare.title = compare.disabled ? "Choose 2 to 10 completed runs" : "";
    remove.disabled = selected.size === 0;
  };
  const load = async () => {
    feedback.replaceChildren();
    const q = new URLSearchParams({ sort: sort.value, order: order.value, limit: String(pageSize), offset: String(offset) });
    for (const input of [status, symbol, strategy, from, to]) if (input.value.trim()) q.set(input.name, input.value.trim());
    try {
      const r = await request<{ total: number; items: RunItem[] }>("GET", `/v1/backtest?${q}`);
      items = r.items;
      for (const id of [...selected]) if (!items.some((i) => i.run_id === id)) selected.delete(id);
      table.replaceChildren(
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Select")),
          ...["Run", "Status", "Strategy", "Data", "Queued (UTC)", "Net profit", "Return", "Sharpe", "Max drawdown", "Win rate", "Trades"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...items.map((run) => {
          const box = el("input", { type: "checkbox", "aria-label": `Select run ${run.run_id}`, checked: selected.has(run.run_id),
            onChange: (e: Event) => {
              if ((e.target as HTMLInputElement).checked) selected.add(run.run_id);
              else selected.delete(run.run_id);
              refreshActions();
            } });
          const m = run.metrics ?? {};
          return el("tr", { "data-run": run.run_id }, el("td", {}, box),
            el("td", {}, el("a", { href: `#/runs/${run.run_id}` }, run.run_id.slice(0, 8))),
            el("td", {}, run.status), el("td", {}, run.strategy.name),
            el("td", {}, `${run.symbol} ${run.timeframe}`), el("td", {}, run.created_at),
            ...["net_profit", "total_return_pct", "sharpe_ratio", "max_drawdown_pct", "win_rate", "total_trades"].map((k) => el("td", { class: "number" }, formatMetric(k, m[k]))));
        })));
      if (!items.length) table.append(el("caption", {}, offset === 0 ? "No runs match. Runs you queue on New backtest are listed here." : "No runs on this page."));
      summary.textContent = r.total ? `Runs ${formatNumber(offset + 1)}–${formatNumber(Math.min(offset + pageSize, r.total))} of ${formatNumber(r.total)}` : "";
      prev.disabled = offset === 0;
      next.disabled = offset + pageSize >= r.total;
      refreshActions();
    } catch (err) {
      feedback.append(message(wordsOf(err)));
    }
  };
  filters.addEventListener("change", () => { offset = 0; void load(); });
  filters.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; void load(); });
  prev.addEventListener("click", () => { offset = Math.max(0, offset - pageSize); void load(); });
  next.addEventListener("click", () => { offset += pageSize; void load(); });
  compare.addEventListener("click", () => go(`#/compare?ids=${[...selected].join(",")}`));
  remove.addEventListener("click", async () => {
    if (!confirm(`Delete ${selected.size} run(s) and their results? This cannot be undone.`)) return;
    feedback.replaceChildren();
    const failed: string[] = [];
    for (const id of [...selected]) {
      try {
        await request("DELETE", `/v1/backtest/${id}`);
        selected.delete(id);
      } catch (err) {
        failed.push(`${id.slice(0, 8)}: ${wordsOf(err)}`);
      }
    }
    await load();
    if (failed.length) feedback.append(message(`Not deleted: ${failed.join("; ")}`));
  });
  void load();
  return page;
}
