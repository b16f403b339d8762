// New backtest: a form generated from GET /v1/strategies (each parameter's
// type, range, default and description), the dataset and a date range
// limited to its data, execution settings and priority. Values are checked
// inline before anything is sent; the server's 422 details are shown next
// to the fields they name.
import { ApiError, request } from "../api";
import { el, message } from "../dom";
import { formatNumber } from "../format";

interface Param {
  name: string;
  type: "integer" | "number" | "string" | "array";
  description: string;
  default: number | string | string[];
  min?: number;
  max?: number;
  choices?: string[];
}
interface Strategy { name: string; version: string; description: string; parameters: Param[] }
interface Dataset { symbol: string; timeframe: string; from: string | null; to: string | null; bars: number }

/** One input and the place its error goes, by the API's field name. */
interface Field { name: string; read: () => unknown; problem: HTMLElement; check: () => string | null }

function numberField(name: string, label: string, p: { min?: number; max?: number; default: number; integer: boolean; help?: string }): [HTMLElement, Field] {
  const id = `field-${name.replace(/\./g, "-")}`;
  const input = el("input", { id, type: "number", value: String(p.default), step: p.integer ? "1" : "any", inputmode: p.integer ? "numeric" : "decimal" });
  if (p.min !== undefined) input.min = String(p.min);
  if (p.max !== undefined) input.max = String(p.max);
  const problem = el("span", { class: "problem", id: `${id}-problem`, role: "alert" });
  input.setAttribute("aria-describedby", `${id}-problem`);
  const check = () => {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v)) return "enter a number";
    if (p.integer && !Number.isInteger(v)) return "enter a whole number";
    if (p.min !== undefined && v < p.min) return `at least ${formatNumber(p.min)}`;
    if (p.max !== undefined && v > p.max) return `at most ${formatNumber(p.max)}`;
    return null;
  };
  const row = el("div", { class: "field", "data-field": name },
    el("label", { for: id }, label), input, problem,
    p.help ? el("p", { class: "help" }, p.help) : null);
  return [row, { name, read: () => Number(input.value), problem, check }];
}

function paramField(p: Param): [HTMLElement, Field] {
  const name = `params.${p.name}`;
  const range = p.min !== undefined && p.max !== undefined ? ` (${formatNumber(p.min)} to ${formatNumber(p.max)})` : "";
  if (p.type === "integer" || p.type === "number")
    return numberField(name, p.name + range, { min: p.min, max: p.max, default: Number(p.default), integer: p.type === "integer", help: p.description });
  const id = `field-params-${p.name}`;
  const problem = el("span", { class: "problem", role: "alert" });
  if (p.type === "string") {
    const select = el("select", { id }, ...(p.choices ?? []).map((c) => el("option", c === p.default ? { value: c, selected: true } : { value: c }, c)));
    return [el("div", { class: "field", "data-field": name }, el("label", { for: id }, p.name), select, problem, el("p", { class: "help" }, p.description)),
      { name, read: () => select.value, problem, check: () => null }];
  }
  const chosen = new Set(Array.isArray(p.default) ? p.default : []);
  const boxes = (p.choices ?? []).map((c) => el("input", { type: "checkbox", value: c, checked: chosen.has(c), id: `${id}-${c}` }));
  return [el("fieldset", { class: "field", "data-field": name }, el("legend", {}, p.name),
      ...boxes.map((b) => el("label", { class: "choice", for: b.id }, b, " ", b.value)), problem, el("p", { class: "help" }, p.description)),
    { name, read: () => boxes.filter((b) => b.checked).map((b) => b.value), problem,
      check: () => (boxes.some((b) => b.checked) ? null : "choose at least one") }];
}

/** The form's inputs set from a run's configuration ("Run again"). */
function prefill(page: HTMLElement, run: { params: Record<string, unknown>; execution: Record<string, unknown> }): void {
  const set = (group: string, values: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(values)) {
      const id = `field-${group}-${name}`;
      if (Array.isArray(value)) {
        page.querySelectorAll<HTMLInputElement>(`input[id^="${id}-"]`).forEach((box) => (box.checked = value.includes(box.value)));
        continue;
      }
      const input = page.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`);
      if (input) input.value = String(value);
    }
  };
  set("params", run.params);
  set("execution", run.execution);
}

export function newBacktestPage(onQueued: (runId: string) => void, fromRun?: string): HTMLElement {
  const page = el("div", { class: "page new-backtest" }, el("h1", {}, "New backtest"));
  const feedback = el("div", { class: "feedback" });
  void (async () => {
    let strategies: Strategy[] = [], datasets: Dataset[] = [];
    try {
      [{ strategies }, { datasets }] = await Promise.all([
        request<{ strategies: Strategy[] }>("GET", "/v1/strategies"),
        request<{ datasets: Dataset[] }>("GET", "/v1/market-data"),
      ]);
    } catch (err) {
      page.append(message(err instanceof ApiError ? err.words() : String(err)));
      return;
    }
    if (!datasets.length) {
      page.append(el("p", { class: "empty" }, "No data yet: upload bars on the ", el("a", { href: "#/data" }, "Data page"), " first."));
      return;
    }
    const strategy = el("select", { id: "strategy" }, ...strategies.map((s) => el("option", { value: s.name }, `${s.name} ${s.version}`)));
    const dataset = el("select", { id: "dataset" }, ...datasets.map((d, i) => el("option", { value: String(i) }, `${d.symbol} ${d.timeframe} (${formatNumber(d.bars)} bars)`)));
    const start = el("input", { id: "start", type: "date", required: true });
    const end = el("input", { id: "end", type: "date", required: true });
    const rangeProblem = el("span", { class: "problem", role: "alert" });
    const priority = el("select", { id: "priority" }, ...["high", "normal", "low"].map((p) => el("option", p === "normal" ? { value: p, selected: true } : { value: p }, p)));
    const paramsBox = el("div", { class: "params" });
    const description = el("p", { class: "help" });
    let fields: Field[] = [];
    const [capitalRow, capital] = numberField("execution.initial_capital", "Initial capital (1,000 to 10,000,000)", { min: 1000, max: 10_000_000, default: 50_000, integer: false });
    const [commissionRow, commission] = numberField("execution.commission_per_contract", "Commission per contract", { min: 0, default: 2.5, integer: false });
    const [slippageRow, slippage] = numberField("execution.slippage_ticks", "Slippage (ticks)", { min: 0, default: 1, integer: false });

    const limitDates = () => {
      const d = datasets[Number(dataset.value)];
      const from = d.from?.slice(0, 10) ?? "", to = d.to?.slice(0, 10) ?? "";
      start.min = end.min = from;
      start.max = end.max = to;
      start.value = from;
      end.value = to;
    };
    const showStrategy = () => {
      const s = strategies.find((x) => x.name === strategy.value)!;
      description.textContent = s.description;
      const built = s.parameters.map(paramField);
      fields = built.map(([, f]) => f);
      paramsBox.replaceChildren(...built.map(([row]) => row));
    };
    strategy.addEventListener("change", showStrategy);
    dataset.addEventListener("change", limitDates);
    showStrategy();
    limitDates();
    if (fromRun) {
      // Run again: the run's strategy, data, range, priority and values.
      try {
        const run = await request<{ strategy: { name: string }; symbol: string; timeframe: string; start: string; end: string; priority: string; params: Record<string, unknown>; execution: Record<string, unknown> }>("GET", `/v1/backtest/${fromRun}`);
        strategy.value = run.strategy.name;
        showStrategy();
        const i = datasets.findIndex((d) => d.symbol === run.symbol && d.timeframe === run.timeframe);
        if (i >= 0) {
          dataset.value = String(i);
          limitDates();
        }
        start.value = run.start.slice(0, 10);
        end.value = run.end.slice(0, 10);
        priority.value = run.priority;
        queueMicrotask(() => prefill(page, run));
        page.querySelector("h1")!.textContent = "New backtest (from a run)";
      } catch (err) {
        feedback.append(message(`The run to repeat could not be read: ${err instanceof ApiError ? err.words() : String(err)}`));
      }
    }

    const form = el("form", {
      class: "card",
      novalidate: true, // checked here, in words, beside each field
      onSubmit: async (e: Event) => {
        e.preventDefault();
        feedback.replaceChildren();
        const all = [...fields, capital, commission, slippage];
        let bad = false;
        for (const f of all) {
          const p = f.check();
          f.problem.textContent = p ?? "";
          bad ||= p !== null;
        }
        rangeProblem.textContent = !start.value || !end.value ? "choose both dates"
          : start.value > end.value ? "the start is after the end" : "";
        bad ||= rangeProblem.textContent !== "";
        if (bad) {
          feedback.append(message("Some values need fixing: see the fields marked."));
          return;
        }
        const d = datasets[Number(dataset.value)];
        // A date alone as the end means its whole day; on the data's first
        // or last day the data's own first or last bar is meant.
        const startAt = d.from && start.value === d.from.slice(0, 10) ? d.from : start.value;
        const endAt = d.to && end.value === d.to.slice(0, 10) ? d.to : end.value;
        const body = {
          strategy: strategy.value, symbol: d.symbol, timeframe: d.timeframe,
          start: startAt, end: endAt, priority: priority.value,
          params: Object.fromEntries(fields.map((f) => [f.name.slice(7), f.read()])),
          execution: { initial_capital: capital.read(), commission_per_contract: commission.read(), slippage_ticks: slippage.read() },
        };
        try {
          const r = await request<{ run_id: string }>("POST", "/v1/backtest", JSON.stringify(body), "application/json");
          onQueued(r.run_id);
        } catch (err) {
          if (!(err instanceof ApiError)) return feedback.append(message(String(err)));
          // Each detail beside its field; the rest above the form.
          const rest = [];
          for (const detail of err.details) {
            const f = all.find((x) => x.name === detail.field);
            if (f) f.problem.textContent = detail.reason;
            else if (detail.field === "start" || detail.field === "end") rangeProblem.textContent = detail.reason;
            else rest.push(detail);
          }
          feedback.append(message(new ApiError(err.status, err.message, rest).words()));
        }
      },
    },
      el("div", { class: "fields" },
        el("label", { for: "strategy" }, "Strategy"), strategy,
        el("label", { for: "dataset" }, "Data"), dataset,
        el("label", { for: "start" }, "From (UTC)"), start,
        el("label", { for: "end" }, "To (UTC)"), end,
        el("label", { for: "priority" }, "Priority"), priority),
      el("div", { "data-field": "start" }, rangeProblem),
      description,
      el("h2", {}, "Parameters"), paramsBox,
      el("h2", {}, "Execution"), capitalRow, commissionRow, slippageRow,
      el("button", { type: "submit" }, "Run backtest"));
    page.append(form, feedback);
  })();
  return page;
}
