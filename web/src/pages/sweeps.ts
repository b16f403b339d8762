// Sweeps: define a search space from the strategy's schema (grid or
// random, the configuration count shown before submitting), follow a sweep
// live, read its results (sorted by any metric, server-side), a heat map
// of any two swept parameters against any metric, the deflated Sharpe
// ratio and the probability of backtest overfitting with a line on what
// each means, and run any configuration as a backtest of its own.
import { can } from "../account";
import { request } from "../api";
import { el, heat, message, wordsOf } from "../dom";
import { formatNumber, formatShare } from "../format";
import { formatMetric, metricInfo, metricList } from "../metrics";
import { capitalised, followJob } from "./job_status";
import { researchForm, showSubmitError } from "./research_form";

interface SweepDoc {
  sweep_id: string; status: string; symbol: string; timeframe: string; strategy: string; start: string; end: string;
  objective: string; order: string; configurations: number; progress: number;
  counts: { total: number; done: number; completed: number; skipped: number; failed: number };
  best: ConfigResult | null; created_at: string; finished_at: string | null;
}
interface ConfigResult { index: number; params: Record<string, unknown>; status: string; metrics: Record<string, number | null> | null; meets_constraints: boolean }

export function sweepsPage(go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page sweeps" }, el("h1", {}, "Sweeps"));
  const list = el("section", { class: "card", "aria-label": "Your sweeps" }, el("h2", {}, "Your sweeps"));
  void (async () => {
    if (can("runs:write")) {
      try {
        const form = await researchForm();
        const submit = el("button", { type: "submit" }, "Run sweep");
        page.append(el("form", {
          class: "card", "aria-label": "New sweep",
          onSubmit: async (e: Event) => {
            e.preventDefault();
            const body = form.read();
            if (!body) return;
            try {
              const r = await request<{ sweep_id: string }>("POST", "/v1/sweeps", JSON.stringify(body), "application/json");
              go(`#/sweeps/${r.sweep_id}`);
            } catch (err) {
              showSubmitError(form.feedback, err);
            }
          },
        }, el("h2", {}, "New sweep"), form.element, form.feedback, submit));
      } catch (err) {
        page.append(message(wordsOf(err)));
      }
    }
    page.append(list);
    try {
      const r = await request<{ items: SweepDoc[] }>("GET", "/v1/sweeps?limit=50");
      list.append(r.items.length ? el("table", { class: "data", "data-table": "sweeps" },
        el("thead", {}, el("tr", {}, ...["Sweep", "Status", "Strategy", "Data", "Configurations", "Objective", "Queued (UTC)"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...r.items.map((s) => el("tr", {},
          el("td", {}, el("a", { href: `#/sweeps/${s.sweep_id}` }, s.sweep_id.slice(0, 8))), el("td", {}, s.status), el("td", {}, s.strategy),
          el("td", {}, `${s.symbol} ${s.timeframe}`), el("td", { class: "number" }, formatNumber(s.configurations)),
          el("td", {}, `${metricInfo(s.objective).label} (${s.order === "min" ? "lowest" : "highest"})`),
          el("td", {}, s.created_at)))))
        : el("p", { class: "empty" }, "No sweeps yet."));
    } catch (err) {
      list.append(message(wordsOf(err)));
    }
  })();
  return page;
}

export function sweepPage(id: string, go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page sweep" }, el("h1", {}, "Sweep"), el("p", { class: "help" }, id));
  followJob<SweepDoc>(page, `/v1/sweeps/${id}`, "Sweep", (s) => ({
    status: s.status, progress: s.progress,
    line: `${capitalised(s.status)}: ${formatNumber(s.counts.done)} of ${formatNumber(s.counts.total)} configurations` +
      ` (${formatNumber(s.counts.completed)} completed, ${formatNumber(s.counts.skipped)} skipped, ${formatNumber(s.counts.failed)} failed)`,
  }), (s) => sweepResults(s, go));
  return page;
}

async function sweepResults(s: SweepDoc, go: (hash: string) => void): Promise<HTMLElement[]> {
  const swept = Object.keys(s.best?.params ?? {});
  const out: HTMLElement[] = [];
  // Overfitting statistics.
  const of = el("section", { class: "card", "aria-label": "Overfitting" }, el("h2", {}, "Overfitting"));
  try {
    const o = await request<{ deflated_sharpe: { available: boolean; probability?: number; reason?: string; trials?: number }; pbo: { available: boolean; probability?: number; reason?: string; combinations?: number } }>("GET", `/v1/sweeps/${s.sweep_id}/overfitting`);
    const d = o.deflated_sharpe, p = o.pbo;
    of.append(el("dl", { class: "figures" },
      el("dt", {}, "Deflated Sharpe ratio"), el("dd", { "data-figure": "dsr" }, d.available ? formatShare(d.probability ?? 0) : `not available: ${d.reason ?? "too little data"}`),
      el("dd", { class: "help wide" }, `The probability that the best configuration's Sharpe ratio is above zero after allowing for the ${formatNumber(d.trials ?? s.configurations)} configurations tried and its returns' skew and fat tails. Above 95 % is convincing.`),
      el("dt", {}, "Probability of backtest overfitting"), el("dd", { "data-figure": "pbo" }, p.available ? formatShare(p.probability ?? 0) : `not available: ${p.reason ?? "too little data"}`),
      el("dd", { class: "help wide" }, `How often the configuration best in one half of the data ranks below the median in the other half (over ${formatNumber(p.combinations ?? 0)} splits). Near 0 % is good; 50 % or more means choosing the best is no better than chance.`)));
  } catch (err) {
    of.append(message(wordsOf(err)));
  }
  out.push(of);
  // Heat map of two swept parameters.
  const hm = el("section", { class: "card", "aria-label": "Heat map" }, el("h2", {}, "Heat map"));
  if (swept.length >= 2) {
    const pick = (id: string, label: string, options: string[], chosen: string) => {
      const select = el("select", { id }, ...options.map((o) => el("option", o === chosen ? { value: o, selected: true } : { value: o }, o)));
      return [el("label", { for: id }, label), select] as const;
    };
    const [xl, x] = pick("hm-x", "Across", swept, swept[0]);
    const [yl, y] = pick("hm-y", "Down", swept, swept[1]);
    const [ml, metric] = pick("hm-metric", "Metric", metricList.map((m) => m.key), s.objective);
    const [al, agg] = pick("hm-agg", "Others at", ["best", "max", "mean"], "best");
    const grid = el("div", { class: "scroll" });
    const draw = async () => {
      try {
        const h = await request<{ x_values: unknown[]; y_values: unknown[]; cells: (number | null)[][] }>("GET",
          `/v1/sweeps/${s.sweep_id}/heatmap?x=${x.value}&y=${y.value}&metric=${metric.value}&agg=${agg.value}`);
        const values = h.cells.flat().filter((v): v is number => typeof v === "number");
        const lo = Math.min(...values), hi = Math.max(...values);
        const better = metricInfo(metric.value).better === "min" ? -1 : 1;
        const tone = (v: number) => (hi === lo ? 0 : better * ((v - lo) / (hi - lo)) * 2 - better);
        grid.replaceChildren(el("table", { class: "heatmap", "data-table": "heatmap" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, `${y.value} \\ ${x.value}`), ...h.x_values.map((v) => el("th", { scope: "col" }, String(v))))),
          el("tbody", {}, ...h.y_values.map((yv, i) => el("tr", {}, el("th", { scope: "row" }, String(yv)),
            ...h.cells[i].map((v) => (typeof v === "number"
              ? el("td", { class: "number", style: `background:${heat(tone(v))}`, title: `${x.value} ${yv}: ${formatMetric(metric.value, v)}` }, formatMetric(metric.value, v))
              : el("td", { class: "number none", title: "no completed configuration" }, "—"))))))));
      } catch (err) {
        grid.replaceChildren(message(wordsOf(err)));
      }
    };
    for (const sel of [x, y, metric, agg]) sel.addEventListener("change", () => void draw());
    hm.append(el("div", { class: "filters" }, xl, x, yl, y, ml, metric, al, agg),
      el("p", { class: "help" }, "Green is better, red worse. 'best': the other swept parameters at the best configuration's values; max and mean: over all of them."), grid);
    await draw();
  } else hm.append(el("p", { class: "empty" }, "A heat map needs two swept parameters; this sweep varied one."));
  out.push(hm);
  // Results, sorted by the server.
  const box = el("section", { class: "card", "aria-label": "Results" }, el("h2", {}, "Results"));
  const table = el("table", { class: "data", "data-table": "sweep-results" });
  const note = el("span", { class: "note" });
  const prev = el("button", { type: "button", class: "secondary" }, "Previous");
  const next = el("button", { type: "button", class: "secondary" }, "Next");
  const cols = ["net_profit", "total_return_pct", "sharpe_ratio", "max_drawdown_pct", "win_rate", "profit_factor", "total_trades"];
  let sort = s.objective, order = s.order === "min" ? "asc" : "desc", offset = 0;
  const size = 50;
  const load = async () => {
    const r = await request<{ total: number; results: ConfigResult[] }>("GET", `/v1/sweeps/${s.sweep_id}/results?sort=${sort}&order=${order}&limit=${size}&offset=${offset}`);
    const head = (key: string, label: string) => el("th", { scope: "col", "aria-sort": key === sort ? (order === "desc" ? "descending" : "ascending") : "none" },
      el("button", { type: "button", class: "sort", onClick: () => { order = key === sort && order === "desc" ? "asc" : key === "index" ? "asc" : "desc"; sort = key; offset = 0; void load(); } },
        label, key === sort ? (order === "desc" ? " ▼" : " ▲") : ""));
    table.replaceChildren(
      el("thead", {}, el("tr", {}, head("index", "#"), ...swept.map((p) => el("th", { scope: "col" }, p)), ...cols.map((c) => head(c, metricInfo(c).label)), el("th", { scope: "col" }, ""))),
      el("tbody", {}, ...r.results.map((c) => el("tr", { "data-config": String(c.index) },
        el("td", { class: "number" }, String(c.index)), ...swept.map((p) => el("td", { class: "number" }, String(c.params[p] ?? "—"))),
        ...cols.map((k) => el("td", { class: "number" }, c.metrics ? formatMetric(k, c.metrics[k]) : c.status)),
        el("td", {}, can("runs:write") && c.status === "completed" ? el("button", {
          type: "button", class: "secondary",
          onClick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            try {
              const run = await request<{ run_id: string }>("POST", `/v1/sweeps/${s.sweep_id}/configs/${c.index}/run`);
              go(`#/runs/${run.run_id}`);
            } catch (err) {
              box.append(message(wordsOf(err)));
            }
          },
        }, "Run as backtest") : "")))));
    note.textContent = `Configurations ${formatNumber(offset + 1)}–${formatNumber(Math.min(offset + size, r.total))} of ${formatNumber(r.total)}`;
    prev.disabled = offset === 0;
    next.disabled = offset + size >= r.total;
  };
  prev.addEventListener("click", () => { offset = Math.max(0, offset - size); void load(); });
  next.addEventListener("click", () => { offset += size; void load(); });
  box.append(el("div", { class: "actions" }, prev, next, note), el("div", { class: "scroll" }, table));
  try {
    await load();
  } catch (err) {
    box.append(message(wordsOf(err)));
  }
  out.push(box);
  return out;
}
