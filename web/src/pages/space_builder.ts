// The search space of a sweep or walk-forward, built from the strategy's
// schema: each parameter fixed at a value or swept (grid: from, to and a
// step, or chosen words; random: a range), with the count of
// configurations shown before anything is submitted.
import { el } from "../dom";
import { formatNumber } from "../format";

export interface Param {
  name: string; type: "integer" | "number" | "string" | "array"; description: string;
  default: number | string | string[]; min?: number; max?: number; choices?: string[];
}
export interface Strategy { name: string; version: string; description: string; parameters: Param[] }
export interface Dataset { symbol: string; timeframe: string; from: string | null; to: string | null; bars: number }

/** How many values from..to by step gives (0 when the range is empty or the step is not positive). */
export function gridCount(from: number, to: number, step: number): number {
  if (!(step > 0) || !Number.isFinite(from) || !Number.isFinite(to) || to < from) return 0;
  return Math.floor((to - from) / step + 1e-9) + 1;
}

export interface Space {
  method: "grid" | "random" | "latin_hypercube";
  params: Record<string, unknown>; // the fixed values
  space: Record<string, unknown>;
  count: number; // configurations, before cross-parameter rules skip some
  problems: string[];
}

export function spaceBuilder(strategy: Strategy, presets: Record<string, [number, number, number]> = {}): { element: HTMLElement; read: () => Space; onChange: (f: () => void) => void } {
  const method = el("select", { id: "space-method", "aria-label": "Search method" }, el("option", { value: "grid" }, "grid: every combination"), el("option", { value: "random" }, "random: sampled"), el("option", { value: "latin_hypercube" }, "Latin hypercube: every stratum once"));
  const samples = el("input", { id: "space-samples", type: "number", min: "1", max: "100000", value: "50", "aria-label": "Samples" });
  const seed = el("input", { id: "space-seed", type: "number", min: "0", value: "1", "aria-label": "Seed" });
  const randomRow = el("div", { class: "inline", hidden: true }, el("label", { for: samples.id }, "Samples "), samples, el("label", { for: seed.id }, " Seed "), seed);
  const rows: { p: Param; swept: HTMLInputElement; read: () => { fixed?: unknown; grid?: unknown; random?: unknown; count: number; problem?: string } }[] = [];
  const table = el("table", { class: "data space" }, el("thead", {}, el("tr", {}, ...["Parameter", "Sweep", "Value or range"].map((h) => el("th", { scope: "col" }, h)))));
  const body = el("tbody");
  table.append(body);
  for (const p of strategy.parameters) {
    if (p.type === "array") continue; // kept at its default
    const swept = el("input", { type: "checkbox", id: `sweep-${p.name}`, "aria-label": `Sweep ${p.name}` });
    const cell = el("td");
    let read: (typeof rows)[0]["read"];
    if (p.type === "string") {
      const fixed = el("select", { "aria-label": `${p.name} value` }, ...(p.choices ?? []).map((c) => el("option", c === p.default ? { value: c, selected: true } : { value: c }, c)));
      const boxes = (p.choices ?? []).map((c) => el("input", { type: "checkbox", value: c, checked: true, "aria-label": `${p.name} ${c}` }));
      const chosen = el("span", { hidden: true }, ...boxes.map((b) => el("label", { class: "choice" }, b, " ", b.value)));
      cell.append(fixed, chosen);
      swept.addEventListener("change", () => { fixed.hidden = swept.checked; chosen.hidden = !swept.checked; });
      read = () => {
        if (!swept.checked) return { fixed: fixed.value, count: 1 };
        const values = boxes.filter((b) => b.checked).map((b) => b.value);
        return { grid: values, random: {}, count: values.length, problem: values.length ? undefined : `${p.name}: choose at least one value` };
      };
    } else {
      const integer = p.type === "integer";
      const num = (label: string, value: number) => el("input", { type: "number", step: integer ? "1" : "any", value: String(value), "aria-label": `${p.name} ${label}`, class: "narrow", "data-part": label });
      const [pf, pt, ps] = presets[p.name] ?? [Number(p.default), Math.min(p.max ?? Number(p.default), Number(p.default) * 2 || 1), integer ? Math.max(1, Math.round(Number(p.default) / 2)) : 0.5];
      const fixed = num("value", Number(p.default));
      const from = num("from", pf), to = num("to", pt), step = num("step", ps);
      const stepLabel = el("span", {}, " step ", step);
      const range = el("span", { hidden: true }, from, " to ", to, stepLabel);
      cell.append(fixed, range, el("span", { class: "help" }, p.min !== undefined ? ` (${formatNumber(p.min)} to ${formatNumber(p.max ?? 0)})` : ""));
      const toggle = () => { fixed.hidden = swept.checked; range.hidden = !swept.checked; };
      swept.addEventListener("change", toggle);
      swept.checked = p.name in presets; // the presets are swept from the start
      toggle();
      method.addEventListener("change", () => { stepLabel.hidden = method.value !== "grid"; });
      const inRange = (v: number) => (p.min === undefined || v >= p.min) && (p.max === undefined || v <= p.max) && (!integer || Number.isInteger(v));
      read = () => {
        if (!swept.checked) {
          const v = Number(fixed.value);
          return { fixed: v, count: 1, problem: fixed.value === "" || !inRange(v) ? `${p.name}: a ${integer ? "whole " : ""}number from ${formatNumber(p.min ?? -Infinity)} to ${formatNumber(p.max ?? Infinity)}` : undefined };
        }
        const a = Number(from.value), b = Number(to.value), s = Number(step.value);
        const problem = !inRange(a) || !inRange(b) ? `${p.name}: from and to within ${formatNumber(p.min ?? -Infinity)} to ${formatNumber(p.max ?? Infinity)}`
          : b < a ? `${p.name}: from is after to` : method.value === "grid" && !(s > 0) ? `${p.name}: the step must be above 0` : undefined;
        return { grid: { from: a, to: b, step: s }, random: { min: a, max: b }, count: gridCount(a, b, s), problem };
      };
    }
    rows.push({ p, swept, read });
    body.append(el("tr", { "data-param": p.name }, el("th", { scope: "row", title: p.description }, p.name), el("td", {}, swept), cell));
  }
  method.addEventListener("change", () => { randomRow.hidden = method.value === "grid"; });
  const element = el("div", { class: "space-builder" }, el("div", { class: "inline" }, el("label", { for: method.id }, "Method "), method), randomRow, el("div", { class: "scroll" }, table));
  return {
    element,
    onChange: (f) => {
      element.addEventListener("input", f);
      element.addEventListener("change", f);
    },
    read: () => {
      const random = method.value !== "grid"; // random and Latin hypercube: samples and a seed
      const params: Record<string, unknown> = {}, space: Record<string, unknown> = {};
      const problems: string[] = [];
      let count = 1, sweptAny = false;
      for (const r of rows) {
        const v = r.read();
        if (v.problem) problems.push(v.problem);
        if (r.swept.checked) {
          sweptAny = true;
          space[r.p.name] = random ? v.random : v.grid;
          count *= v.count;
        } else params[r.p.name] = v.fixed;
      }
      if (!sweptAny) problems.push("sweep at least one parameter");
      const n = Number(samples.value);
      if (random && !(Number.isInteger(n) && n >= 1 && n <= 100000)) problems.push("samples: a whole number from 1 to 100,000");
      const chosen = method.value as Space["method"];
      const out: Space = { method: chosen, params, space: random ? { method: chosen, samples: n, seed: Number(seed.value), params: space } : { method: "grid", params: space }, count: random ? n : count, problems };
      return out;
    },
  };
}
