// Walk-forward: the folds' windows drawn on one time axis, per fold the
// parameters the training window chose and its in-sample and
// out-of-sample metrics, the stitched out-of-sample equity, the
// walk-forward efficiency and how stable the chosen parameters were.
import { can } from "../account";
import { request } from "../api";
import { windowsChart } from "../charts/svg";
import { addDrawdown, addLines, whenShown } from "../charts/time_chart";
import { el, linkButton, message, wordsOf } from "../dom";
import { formatNumber } from "../format";
import { formatMetric, metricInfo } from "../metrics";
import { capitalised, followJob } from "./job_status";
import { researchForm, showSubmitError } from "./research_form";

type Metrics = Record<string, number | string | null>;
interface Fold {
  fold: number; train: { from: string; to: string; bars: number }; test: { from: string; to: string; bars: number };
  configurations: { completed: number; skipped: number; failed: number; eligible: number };
  chosen: { index: number; params: Record<string, unknown> } | null; in_sample: Metrics | null; out_of_sample: Metrics | null;
}
interface WalkForwardDoc {
  walk_forward_id: string; status: string; progress: number; symbol: string; timeframe: string; strategy: string;
  start: string; end: string; folds: number; error: string | null; created_at: string;
  result: null | {
    walk_forward: { objective: string; windows: Record<string, unknown>; configurations_per_fold: number };
    folds: Fold[];
    parameter_stability: Record<string, { values: unknown[]; changes: number; min?: number; max?: number }>;
    out_of_sample: { metrics: Metrics; walk_forward_efficiency: number | null; profitable_folds_pct: number | null;
      equity_curve: { time: string; equity: number; drawdown_pct: number }[] };
  };
}

export function walkForwardsPage(go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page walk-forwards" }, el("h1", {}, "Walk-forward"));
  const list = el("section", { class: "card", "aria-label": "Your walk-forwards" }, el("h2", {}, "Your walk-forwards"));
  void (async () => {
    if (can("runs:write")) {
      try {
        const form = await researchForm(" per fold");
        const text = (id: string, value: string) => el("input", { id, value, size: "6" });
        const train = text("wf-train", "180d"), test = text("wf-test", "60d"), step = text("wf-step", "");
        const anchored = el("input", { id: "wf-anchored", type: "checkbox" });
        const minTrades = el("input", { id: "wf-min-trades", type: "number", min: "0", value: "0" });
        page.append(el("form", {
          class: "card", "aria-label": "New walk-forward",
          onSubmit: async (e: Event) => {
            e.preventDefault();
            const body = form.read();
            if (!body) return;
            const windows: Record<string, unknown> = { train: asWindow(train.value), test: asWindow(test.value), anchored: anchored.checked, min_trades: Number(minTrades.value) };
            if (step.value.trim()) windows.step = asWindow(step.value);
            try {
              const r = await request<{ walk_forward_id: string }>("POST", "/v1/walk-forwards", JSON.stringify({ ...body, windows }), "application/json");
              go(`#/walk-forwards/${r.walk_forward_id}`);
            } catch (err) {
              showSubmitError(form.feedback, err);
            }
          },
        }, el("h2", {}, "New walk-forward"), form.element,
          el("h2", {}, "Windows"),
          el("p", { class: "help" }, "Bars (a whole number) or a duration: 180d, 12h, 4w. Each fold trains on one window, picks the best configuration by the objective, and tests it on the next; the step defaults to the test window."),
          el("div", { class: "fields" },
            el("label", { for: train.id }, "Train"), train, el("label", { for: test.id }, "Test"), test,
            el("label", { for: step.id }, "Step"), step, el("label", { for: anchored.id }, "Anchored (training starts at the first bar)"), anchored,
            el("label", { for: minTrades.id }, "Fewest trades in training"), minTrades),
          form.feedback, el("button", { type: "submit" }, "Run walk-forward")));
      } catch (err) {
        page.append(message(wordsOf(err)));
      }
    }
    page.append(list);
    try {
      const r = await request<{ items: WalkForwardDoc[] }>("GET", "/v1/walk-forwards?limit=50");
      list.append(r.items.length ? el("table", { class: "data" },
        el("thead", {}, el("tr", {}, ...["Walk-forward", "Status", "Strategy", "Data", "Folds", "Queued (UTC)"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...r.items.map((w) => el("tr", {},
          el("td", {}, el("a", { href: `#/walk-forwards/${w.walk_forward_id}` }, w.walk_forward_id.slice(0, 8))), el("td", {}, w.status),
          el("td", {}, w.strategy), el("td", {}, `${w.symbol} ${w.timeframe}`), el("td", { class: "number" }, formatNumber(w.folds)), el("td", {}, w.created_at)))))
        : el("p", { class: "empty" }, "No walk-forwards yet."));
    } catch (err) {
      list.append(message(wordsOf(err)));
    }
  })();
  return page;
}

/** "500" is bars (a number), anything else a duration as written. */
function asWindow(text: string): number | string {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

export function walkForwardPage(id: string): HTMLElement {
  const page = el("div", { class: "page walk-forward" }, el("h1", {}, "Walk-forward"), el("p", { class: "help" }, id));
  followJob<WalkForwardDoc>(page, `/v1/walk-forwards/${id}`, "Walk-forward", (w) => ({
    status: w.status, progress: w.progress,
    line: `${capitalised(w.status)}: ${formatNumber(w.progress)} % of ${formatNumber(w.folds)} folds` + (w.error ? ` (${w.error})` : ""),
  }), (w) => (w.result ? resultView(w) : []));
  return page;
}

function resultView(w: WalkForwardDoc): HTMLElement[] {
  const r = w.result!;
  const oos = r.out_of_sample;
  const objective = r.walk_forward.objective;
  const t = (iso: string) => Date.parse(iso) / 1000;
  const folds = r.folds;
  const first = Math.min(...folds.map((f) => t(f.train.from))), last = Math.max(...folds.map((f) => t(f.test.to)));
  const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  const summary = el("section", { class: "cards", "aria-label": "Out-of-sample summary" },
    ...[["Walk-forward efficiency", oos.walk_forward_efficiency === null ? "—" : formatNumber(oos.walk_forward_efficiency), "walk_forward_efficiency"],
      ["Profitable folds", oos.profitable_folds_pct === null ? "—" : `${formatNumber(oos.profitable_folds_pct)} %`, "profitable_folds_pct"],
      ["OOS net profit", formatMetric("net_profit", oos.metrics.net_profit), "net_profit"],
      ["OOS Sharpe", formatMetric("sharpe_ratio", oos.metrics.sharpe_ratio), "sharpe_ratio"],
      ["OOS max drawdown", formatMetric("max_drawdown_pct", oos.metrics.max_drawdown_pct), "max_drawdown_pct"],
      ["OOS trades", formatMetric("total_trades", oos.metrics.total_trades), "total_trades"]]
      .map(([label, value, key]) => el("div", { class: "metric", "data-metric": key }, el("span", { class: "label" }, label), el("span", { class: "value" }, value))));
  const windows = el("section", { class: "card", "aria-label": "Windows" }, el("h2", {}, "Windows"),
    el("p", { class: "help" }, "Blue: training window; orange: the test window that follows it."),
    windowsChart("Training and test windows of each fold", folds.map((f) => ({ label: `#${f.fold}`, train: [t(f.train.from), t(f.train.to)], test: [t(f.test.from), t(f.test.to)] })), first, last, day));
  const swept = Object.keys(r.parameter_stability);
  const foldTable = el("section", { class: "card", "aria-label": "Folds" }, el("h2", {}, "Folds"),
    el("p", { class: "help" }, `Each fold's configuration is the best in training by ${metricInfo(objective).label}; IS is in-sample (training), OOS out-of-sample (test).`),
    el("div", { class: "scroll" }, el("table", { class: "data", "data-table": "folds" },
      el("thead", {}, el("tr", {}, ...["Fold", "Train (UTC)", "Test (UTC)", ...swept, `IS ${metricInfo(objective).label}`, `OOS ${metricInfo(objective).label}`, "IS net profit", "OOS net profit", "OOS trades"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...folds.map((f) => el("tr", {},
        el("td", { class: "number" }, String(f.fold)), el("td", {}, `${f.train.from} to ${f.train.to}`), el("td", {}, `${f.test.from} to ${f.test.to}`),
        ...swept.map((p) => el("td", { class: "number" }, f.chosen ? String(f.chosen.params[p] ?? "—") : "none eligible")),
        el("td", { class: "number" }, formatMetric(objective, f.in_sample?.[objective])), el("td", { class: "number" }, formatMetric(objective, f.out_of_sample?.[objective])),
        el("td", { class: "number" }, formatMetric("net_profit", f.in_sample?.net_profit)), el("td", { class: "number" }, formatMetric("net_profit", f.out_of_sample?.net_profit)),
        el("td", { class: "number" }, formatMetric("total_trades", f.out_of_sample?.total_trades))))))));
  const stability = el("section", { class: "card", "aria-label": "Parameter stability" }, el("h2", {}, "Parameter stability"),
    el("p", { class: "help" }, "How often the chosen value changed from one fold to the next, and its range: few changes in a narrow range suggest a robust choice."),
    el("table", { class: "data", "data-table": "stability" },
      el("thead", {}, el("tr", {}, ...["Parameter", "Changes", "Least", "Greatest", "Chosen per fold"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...swept.map((p) => {
        const s = r.parameter_stability[p];
        return el("tr", {}, el("th", { scope: "row" }, p), el("td", { class: "number" }, formatNumber(s.changes)),
          el("td", { class: "number" }, s.min !== undefined ? formatNumber(s.min) : "—"), el("td", { class: "number" }, s.max !== undefined ? formatNumber(s.max) : "—"),
          el("td", {}, s.values.map(String).join(", ")));
      }))));
  const holder = el("div", { class: "chart", "data-chart": "oos-equity" });
  const equity = el("section", { class: "card", "aria-label": "Out-of-sample equity" }, el("h2", {}, "Stitched out-of-sample equity"), holder);
  whenShown(holder, (chart) => {
    addLines(chart, [{ title: "OOS equity", color: "#2f6fde", points: oos.equity_curve.map((p) => ({ time: p.time, value: p.equity })) }]);
    addDrawdown(chart, oos.equity_curve);
  });
  const actions = el("div", { class: "actions" }, can("runs:write") ? linkButton(`#/walk-forwards/${w.walk_forward_id}/monte-carlo`, "Monte Carlo of the OOS trades") : null);
  return [actions, summary, windows, equity, foldTable, stability];
}
