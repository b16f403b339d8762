// The form a sweep and a walk-forward share: strategy, data and its date
// range, the search space (space_builder.ts) with its configuration count,
// the objective, and priority. Inline checks before anything is sent; the
// server's 422 details are listed in words.
import { request } from "../api";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";
import { metricList } from "../metrics";
import { spaceBuilder, type Dataset, type Space, type Strategy } from "./space_builder";

/** dual_sma's periods swept by default so a first sweep is one click. */
const presets: Record<string, Record<string, [number, number, number]>> = {
  dual_sma: { fast_period: [5, 25, 5], slow_period: [30, 60, 10] },
};

export interface ResearchForm {
  element: HTMLElement;
  /** The body's common part, or null with the problems shown. */
  read: () => Record<string, unknown> | null;
  feedback: HTMLElement;
  count: () => number;
}

export async function researchForm(perFold = ""): Promise<ResearchForm> {
  const [{ strategies }, { datasets }] = await Promise.all([
    request<{ strategies: Strategy[] }>("GET", "/v1/strategies"),
    request<{ datasets: Dataset[] }>("GET", "/v1/market-data"),
  ]);
  const feedback = el("div", { class: "feedback" });
  if (!datasets.length) {
    return { element: el("p", { class: "empty" }, "No data yet: upload a CSV on the Data page first."), read: () => null, feedback, count: () => 0 };
  }
  const strategy = el("select", { id: "r-strategy" }, ...strategies.map((s) => el("option", { value: s.name }, s.name)));
  const dataset = el("select", { id: "r-dataset" }, ...datasets.map((d, i) => el("option", { value: String(i) }, `${d.symbol} ${d.timeframe} (${formatNumber(d.bars)} bars)`)));
  const start = el("input", { id: "r-start", type: "date" });
  const end = el("input", { id: "r-end", type: "date" });
  const objective = el("select", { id: "r-objective" }, ...metricList.filter((m) => m.better).map((m) => el("option", m.key === "sharpe_ratio" ? { value: m.key, selected: true } : { value: m.key }, m.label)));
  const priority = el("select", { id: "r-priority" }, ...["normal", "high", "low"].map((p) => el("option", { value: p }, p)));
  const count = el("p", { class: "count", role: "status", "aria-live": "polite" });
  const spaceBox = el("div");
  let space = spaceBuilder(strategies[0], presets[strategies[0].name]);
  const showCount = () => {
    const s: Space = space.read();
    count.textContent = s.problems.length ? `Fix: ${s.problems.join("; ")}`
      : `${formatNumber(s.count)} configuration${s.count === 1 ? "" : "s"}${perFold}${s.count > 100000 ? ": more than the 100,000 a sweep may have" : ""}` +
        (s.method === "grid" ? " (combinations breaking a rule across parameters, such as fast_period not below slow_period, are skipped and counted)" : "");
    count.classList.toggle("problem", s.problems.length > 0 || s.count > 100000);
  };
  const setStrategy = () => {
    const s = strategies.find((x) => x.name === strategy.value)!;
    space = spaceBuilder(s, presets[s.name]);
    space.onChange(showCount);
    spaceBox.replaceChildren(space.element);
    showCount();
  };
  const setDates = () => {
    const d = datasets[Number(dataset.value)];
    for (const input of [start, end]) {
      input.min = d.from?.slice(0, 10) ?? "";
      input.max = d.to?.slice(0, 10) ?? "";
    }
    start.value = input0(d.from);
    end.value = input0(d.to);
  };
  const input0 = (iso: string | null) => iso?.slice(0, 10) ?? "";
  strategy.addEventListener("change", setStrategy);
  dataset.addEventListener("change", setDates);
  setStrategy();
  setDates();
  const element = el("div", {},
    el("div", { class: "fields" },
      el("label", { for: strategy.id }, "Strategy"), strategy,
      el("label", { for: dataset.id }, "Data"), dataset,
      el("label", { for: start.id }, "From (UTC)"), start,
      el("label", { for: end.id }, "To (UTC)"), end,
      el("label", { for: objective.id }, "Objective (best is highest, drawdown lowest)"), objective,
      el("label", { for: priority.id }, "Priority"), priority),
    el("h2", {}, "Search space"), spaceBox, count);
  return {
    element, feedback, count: () => space.read().count,
    read: () => {
      feedback.replaceChildren();
      const s = space.read();
      const problems = [...s.problems];
      if (!start.value || !end.value) problems.push("choose both dates");
      else if (start.value > end.value) problems.push("the start is after the end");
      if (s.count > 100000) problems.push(`${formatNumber(s.count)} configurations: at most 100,000`);
      if (problems.length) {
        feedback.append(message(`Some values need fixing: ${problems.join("; ")}`));
        return null;
      }
      const d = datasets[Number(dataset.value)];
      const edge = (value: string, iso: string | null) => (iso && value === iso.slice(0, 10) ? iso : value);
      return {
        strategy: strategy.value, symbol: d.symbol, timeframe: d.timeframe,
        start: edge(start.value, d.from), end: edge(end.value, d.to),
        params: s.params, space: s.space, objective: objective.value,
        order: objective.value === "max_drawdown_pct" || objective.value === "max_consecutive_losses" || objective.value === "total_commission" ? "min" : "max",
        priority: priority.value,
      };
    },
  };
}

export function showSubmitError(feedback: HTMLElement, err: unknown): void {
  feedback.replaceChildren(message(wordsOf(err)));
}
