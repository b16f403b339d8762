// Monte Carlo of a finished run (or walk-forward): the simulations asked
// for, then the fan chart of equity, histograms of the final equity and
// the max drawdown, the percentile table and the probabilities of ruin
// and of a loss. The same seed gives the same figures.
import { request } from "../api";
import { fanChart, histogram, type FanStep } from "../charts/svg";
import { el, message, wordsOf } from "../dom";
import { formatNumber, formatShare } from "../format";

interface Histogram { from: number; width: number; counts: number[] }
interface MonteCarloDoc {
  initial_capital: number;
  monte_carlo: {
    method: string; simulations: number; seed: number; steps: number; step_unit: string; ruin_drawdown_pct: number;
    final_equity: Record<string, number>; total_return_pct: Record<string, number>;
    max_drawdown_pct: Record<string, number>; longest_drawdown_steps: Record<string, number>;
    probability_of_ruin: number; probability_of_loss: number;
    final_equity_histogram: Histogram; max_drawdown_histogram: Histogram; fan: FanStep[];
  };
}

function numberInput(id: string, value: string, min: string, max: string, step = "1"): HTMLInputElement {
  return el("input", { id, type: "number", value, min, max, step, required: true });
}

export function monteCarloPage(kind: "backtest" | "walk-forwards", id: string): HTMLElement {
  const back = kind === "backtest" ? `#/runs/${id}` : `#/walk-forwards/${id}`;
  const page = el("div", { class: "page monte-carlo" }, el("h1", {}, "Monte Carlo"),
    el("p", {}, el("a", { href: back }, kind === "backtest" ? "Back to the run" : "Back to the walk-forward")));
  const simulations = numberInput("mc-simulations", "1000", "1", "100000");
  const method = el("select", { id: "mc-method" }, el("option", { value: "shuffle" }, "shuffle the trades"),
    el("option", { value: "bootstrap" }, "bootstrap the trades"), el("option", { value: "block_bootstrap" }, "block bootstrap of daily returns"));
  const seed = numberInput("mc-seed", "1", "0", String(Number.MAX_SAFE_INTEGER));
  const blockDays = numberInput("mc-block-days", "5", "1", "365");
  const ruin = numberInput("mc-ruin", "50", "0.01", "100", "any");
  const blockRow = [el("label", { for: blockDays.id }, "Block (days)"), blockDays];
  const showBlock = () => blockRow.forEach((n) => (n.hidden = method.value !== "block_bootstrap"));
  method.addEventListener("change", showBlock);
  showBlock();
  const feedback = el("div");
  const out = el("div", { class: "results" });
  const form = el("form", {
    class: "card",
    onSubmit: async (e: Event) => {
      e.preventDefault();
      feedback.replaceChildren();
      const body: Record<string, unknown> = { simulations: Number(simulations.value), method: method.value, seed: Number(seed.value), ruin_drawdown_pct: Number(ruin.value) };
      if (method.value === "block_bootstrap") body.block_days = Number(blockDays.value);
      out.replaceChildren(el("p", { class: "note", role: "status" }, "Simulating…"));
      try {
        out.replaceChildren(view(await request<MonteCarloDoc>("POST", `/v1/${kind}/${id}/monte-carlo`, JSON.stringify(body), "application/json")));
      } catch (err) {
        out.replaceChildren();
        feedback.append(message(wordsOf(err)));
      }
    },
  },
    el("p", { class: "help" }, "Shuffling keeps the final equity and shows other paths to it; a bootstrap draws trades with replacement; a block bootstrap draws runs of days. The same seed gives the same result."),
    el("div", { class: "fields" },
      el("label", { for: simulations.id }, "Simulations"), simulations,
      el("label", { for: method.id }, "Method"), method, ...blockRow,
      el("label", { for: seed.id }, "Seed"), seed,
      el("label", { for: ruin.id }, "Ruin at drawdown (%)"), ruin),
    el("button", { type: "submit" }, "Simulate"));
  page.append(form, feedback, out);
  return page;
}

function view(doc: MonteCarloDoc): HTMLElement {
  const mc = doc.monte_carlo;
  const ps = ["p1", "p5", "p25", "p50", "p75", "p95", "p99"];
  const row = (label: string, values: Record<string, number>, unit = "") =>
    el("tr", {}, el("th", { scope: "row" }, label), ...ps.map((p) => el("td", { class: "number" }, formatNumber(values[p]) + unit)));
  return el("div", {},
    el("section", { class: "cards", "aria-label": "Monte Carlo summary" },
      el("div", { class: "metric", "data-metric": "probability_of_ruin" }, el("span", { class: "label" }, `Probability of ruin (drawdown ≥ ${formatNumber(mc.ruin_drawdown_pct)} %)`), el("span", { class: "value" }, formatShare(mc.probability_of_ruin))),
      el("div", { class: "metric", "data-metric": "probability_of_loss" }, el("span", { class: "label" }, "Probability of a loss"), el("span", { class: "value" }, formatShare(mc.probability_of_loss))),
      el("div", { class: "metric" }, el("span", { class: "label" }, "Simulations"), el("span", { class: "value" }, formatNumber(mc.simulations))),
      el("div", { class: "metric" }, el("span", { class: "label" }, `Steps (${mc.step_unit}s)`), el("span", { class: "value" }, formatNumber(mc.steps)))),
    el("section", { class: "card", "aria-label": "Fan chart" }, el("h2", {}, "Equity fan"),
      el("p", { class: "help" }, `Light band: 5th to 95th percentile of equity after each ${mc.step_unit}; dark band: 25th to 75th; line: the median.`),
      fanChart("Equity percentiles over the simulations", mc.fan, mc.step_unit)),
    el("div", { class: "two" },
      el("section", { class: "card", "aria-label": "Final equity histogram" }, el("h2", {}, "Final equity"), histogram("Final equity of every simulation", mc.final_equity_histogram)),
      el("section", { class: "card", "aria-label": "Max drawdown histogram" }, el("h2", {}, "Max drawdown"), histogram("Max drawdown of every simulation", mc.max_drawdown_histogram, " %"))),
    el("section", { class: "card", "aria-label": "Percentiles" }, el("h2", {}, "Percentiles"),
      el("div", { class: "scroll" }, el("table", { class: "data", "data-table": "percentiles" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), ...ps.map((p) => el("th", { scope: "col" }, `${p.slice(1)}th`)))),
        el("tbody", {}, row("Final equity", mc.final_equity), row("Return", mc.total_return_pct, " %"),
          row("Max drawdown", mc.max_drawdown_pct, " %"), row(`Longest drawdown (${mc.step_unit}s)`, mc.longest_drawdown_steps))))));
}
