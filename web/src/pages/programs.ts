// Evaluation programs: the list, an editor for a new one (a strategy
// template with its search space from the schema, the generator, the
// walk-forward windows, the look-back and the score's weights), and a
// program's page: its cycles, "Run a cycle now", and a cycle's scorecard
// sortable by any column with the score's components.
import { can } from "../account";
import { request } from "../api";
import { el, message, wordsOf } from "../dom";
import { formatDuration, formatNumber } from "../format";
import { programTabs } from "./deployments";
import { spaceBuilder, type Dataset, type Strategy } from "./space_builder";

interface ProgramItem { program_id: string; name: string; symbol: string; timeframe: string; created_at: string }
interface Cycle {
  cycle: number; as_of: string; data_checksum: string; configurations: number; skipped: number; status: string;
  reason: string; trigger_to_scorecard_seconds?: number;
  walk_forwards: { active: number; completed: number; failed: number }; created_at: string; finished_at: string | null;
}
interface Entry {
  rank: number | null; index: number; strategy: string; params: Record<string, unknown>; walk_forward_id: string; status: string;
  symbol?: string; carried_from_cycle?: number;
  score: number | null; components: Record<string, number> | null; oos: Record<string, number | null>; walk_forward_efficiency: number | null;
  by_regime?: Record<string, { days: number; return_pct: number; sharpe_ratio: number | null; volatility_pct: number | null; max_drawdown_pct: number;
    trades: number; net_profit: number; win_rate: number | null; profit_factor: number | null; average_trade: number | null }>;
}

const presets: Record<string, Record<string, [number, number, number]>> = {
  dual_sma: { fast_period: [5, 40, 5], slow_period: [50, 200, 25] },
};

export function programsPage(go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page programs" }, el("h1", {}, "Programs"),
    el("p", { class: "help" }, "A program evaluates many configurations every cycle: each is walk-forward tested on the latest data and ranked by one score (out-of-sample Sharpe, drawdown, volatility and how well in-sample results held out of sample)."));
  const list = el("section", { class: "card", "aria-label": "Your programs" }, el("h2", {}, "Your programs"));
  void (async () => {
    if (can("runs:write")) {
      try {
        page.append(await editor(go));
      } catch (err) {
        page.append(message(wordsOf(err)));
      }
    }
    page.append(list);
    try {
      const r = await request<{ items: ProgramItem[] }>("GET", "/v1/programs?limit=100");
      list.append(r.items.length ? el("table", { class: "data", "data-table": "programs" },
        el("thead", {}, el("tr", {}, ...["Program", "Data", "Created (UTC)"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...r.items.map((p) => el("tr", {},
          el("td", {}, el("a", { href: `#/programs/${p.program_id}` }, p.name)), el("td", {}, `${p.symbol} ${p.timeframe}`), el("td", {}, p.created_at)))))
        : el("p", { class: "empty" }, "No programs yet."));
    } catch (err) {
      list.append(message(wordsOf(err)));
    }
  })();
  return page;
}

async function editor(go: (hash: string) => void): Promise<HTMLElement> {
  const [{ strategies }, { datasets }] = await Promise.all([
    request<{ strategies: Strategy[] }>("GET", "/v1/strategies"),
    request<{ datasets: Dataset[] }>("GET", "/v1/market-data"),
  ]);
  if (!datasets.length) return el("p", { class: "empty" }, "No data yet: upload a CSV on the Data page first.");
  const name = el("input", { id: "p-name", value: "", required: true, maxlength: "100" });
  const strategy = el("select", { id: "p-strategy" }, ...strategies.map((s) => el("option", { value: s.name }, s.name)));
  const dataset = el("select", { id: "p-dataset" }, ...datasets.map((d, i) => el("option", { value: String(i) }, `${d.symbol} ${d.timeframe} (${formatNumber(d.bars)} bars)`)));
  // More symbols of the same timeframe: each configuration is tested on each.
  const others = el("span", { class: "filters also-on" });
  const showOthers = () => {
    const d = datasets[Number(dataset.value)];
    const same = datasets.filter((x) => x.timeframe === d.timeframe && x.symbol !== d.symbol);
    others.replaceChildren(...(same.length ? [el("span", {}, "Also on:"), ...same.map((x) =>
      el("span", { class: "pair" }, el("input", { type: "checkbox", id: `p-also-${x.symbol}`, "data-symbol": x.symbol }), " ",
        el("label", { for: `p-also-${x.symbol}` }, x.symbol)))] : []));
  };
  dataset.addEventListener("change", showOthers);
  showOthers();
  const text = (id: string, value: string) => el("input", { id, value, size: "6" });
  const train = text("p-train", "180d"), test = text("p-test", "60d");
  const lookback = el("input", { id: "p-lookback", type: "number", min: "60", max: "3650", value: "730" });
  const weights = (["sharpe", "drawdown", "volatility", "persistence"] as const).map((k, i) =>
    el("input", { id: `p-weight-${k}`, type: "number", min: "0", max: "100", step: "any", value: String([0.4, 0.25, 0.1, 0.25][i]), class: "narrow", "aria-label": `${k} weight` }));
  // The schedule, the promotion gate, deployments and their risk rules.
  const num = (id: string, value: string, min: string, max: string, step = "any") =>
    el("input", { id, type: "number", min, max, step, value, class: "narrow" });
  const every = el("input", { id: "p-every", value: "", size: "5", placeholder: "1d" });
  const onRegime = el("input", { id: "p-regime", type: "checkbox" });
  const onUpload = el("input", { id: "p-upload", type: "checkbox" });
  const topPct = num("p-top", "10", "1", "50"), gateDays = num("p-gate-days", "30", "1", "365", "1");
  const maxAlloc = num("p-max-alloc", "10", "1", "100"), capital = num("p-capital", "100000", "1000", "1000000000", "1");
  const mode = el("select", { id: "p-mode" }, el("option", { value: "automatic" }, "automatically"), el("option", { value: "manual" }, "by a trader"));
  const maxActive = num("p-max-active", "35", "1", "35", "1"), maxCorr = num("p-max-corr", "0.8", "0", "1");
  const drawdown = num("p-drawdown", "20", "1", "99"), rollback = num("p-rollback", "15", "1", "100"), rollbackDays = num("p-rollback-days", "30", "5", "365", "1");
  const pair = (input: HTMLElement & { id: string }, label: string) => el("span", { class: "pair" }, el("label", { for: input.id }, label), " ", input);
  const spaceBox = el("div");
  let space = spaceBuilder(strategies[0], presets[strategies[0].name]);
  const setStrategy = () => {
    const s = strategies.find((x) => x.name === strategy.value)!;
    space = spaceBuilder(s, presets[s.name]);
    spaceBox.replaceChildren(space.element);
    const method = space.element.querySelector<HTMLSelectElement>("#space-method")!;
    method.value = "latin_hypercube";
    method.dispatchEvent(new Event("change"));
    space.element.querySelector<HTMLInputElement>("#space-samples")!.value = "60";
  };
  const count = el("p", { class: "count", role: "status", "aria-live": "polite" });
  const showCount = () => {
    const s = space.read();
    count.textContent = `${formatNumber(s.count)} configurations a cycle` + (s.count < 60 || s.count > 200 ? ": a cycle has 60 to 200" : "");
    count.classList.toggle("problem", s.count < 60 || s.count > 200);
  };
  strategy.addEventListener("change", () => {
    setStrategy();
    space.onChange(showCount);
    showCount();
  });
  setStrategy();
  space.onChange(showCount);
  showCount();
  const feedback = el("div");
  return el("form", {
    class: "card", "aria-label": "New program",
    onSubmit: async (e: Event) => {
      e.preventDefault();
      feedback.replaceChildren();
      const s = space.read();
      const problems = [...s.problems];
      if (!name.value.trim()) problems.push("name: required");
      if (s.count < 60) problems.push(`${formatNumber(s.count)} configurations a cycle: at least 60`);
      if (problems.length) return feedback.append(message(`Some values need fixing: ${problems.join("; ")}`));
      const d = datasets[Number(dataset.value)];
      const also = [...others.querySelectorAll<HTMLInputElement>("input:checked")].map((x) => x.dataset.symbol!);
      const sp = s.space as { method: string; samples?: number; seed?: number; params: Record<string, unknown> };
      const asWindow = (t: string) => (/^\d+$/.test(t.trim()) ? Number(t) : t.trim());
      const body = {
        name: name.value.trim(), timeframe: d.timeframe,
        ...(also.length ? { symbols: [d.symbol, ...also] } : { symbol: d.symbol }),
        templates: [{ strategy: strategy.value, params: s.params, space: sp.params }],
        generator: sp.method === "grid" ? { method: "grid" } : { method: sp.method, samples: sp.samples, seed: sp.seed },
        windows: { train: asWindow(train.value), test: asWindow(test.value) },
        lookback_days: Number(lookback.value),
        score: { weights: { sharpe: Number(weights[0].value), drawdown: Number(weights[1].value), volatility: Number(weights[2].value), persistence: Number(weights[3].value) } },
        gate: { top_pct: Number(topPct.value), days: Number(gateDays.value), max_allocation_pct: Number(maxAlloc.value) },
        capital: Number(capital.value),
        deployment: { mode: mode.value, max_active: Number(maxActive.value), max_correlation: Number(maxCorr.value) },
        risk: { drawdown_pct: Number(drawdown.value), rollback_pct: Number(rollback.value), rollback_days: Number(rollbackDays.value) },
        ...(every.value.trim() || onRegime.checked || onUpload.checked
          ? { schedule: { ...(every.value.trim() ? { every: every.value.trim() } : {}), on_regime_change: onRegime.checked, on_upload: onUpload.checked } } : {}),
      };
      try {
        const r = await request<{ program_id: string }>("POST", "/v1/programs", JSON.stringify(body), "application/json");
        go(`#/programs/${r.program_id}`);
      } catch (err) {
        feedback.append(message(wordsOf(err)));
      }
    },
  }, el("h2", {}, "New program"),
    el("div", { class: "fields" },
      el("label", { for: name.id }, "Name"), name,
      el("label", { for: strategy.id }, "Strategy"), strategy,
      el("label", { for: dataset.id }, "Data"), el("span", {}, dataset, " ", others),
      el("label", { for: train.id }, "Train window"), train,
      el("label", { for: test.id }, "Test window"), test,
      el("label", { for: lookback.id }, "Look back (days)"), lookback),
    el("h3", {}, "Configurations each cycle"),
    el("p", { class: "help" }, "60 to 200 a cycle. Random and Latin hypercube draws move on every cycle; a grid is evaluated once per version of the data."),
    spaceBox, count,
    el("h3", {}, "Score weights"),
    el("div", { class: "filters" }, ...(["Sharpe", "Drawdown", "Volatility", "Persistence"].map((l, i) => el("span", { class: "pair" }, el("label", { for: weights[i].id }, l), " ", weights[i])))),
    el("h3", {}, "Schedule"),
    el("p", { class: "help" }, "Cycles by themselves: every so much market-data time (12h, 1d, 1w), when new bars change the volatility regime, or on every upload of new bars. Empty: only when you run one."),
    el("div", { class: "filters" }, pair(every, "Every"), el("span", { class: "pair" }, onRegime, " ", el("label", { for: onRegime.id }, "on a regime change")),
      el("span", { class: "pair" }, onUpload, " ", el("label", { for: onUpload.id }, "on every upload of new bars"))),
    el("h3", {}, "Promotion and paper deployments"),
    el("p", { class: "help" }, "A configuration in the top of every cycle for the gate's days becomes a candidate, with capital in proportion to its score; candidates become paper deployments that trade forward on new bars."),
    el("div", { class: "filters" }, pair(topPct, "Top %"), pair(gateDays, "for days"), pair(maxAlloc, "Max allocation %"), pair(capital, "Capital")),
    el("div", { class: "filters" }, pair(mode, "Deployed"), pair(maxActive, "At most active"), pair(maxCorr, "Max correlation")),
    el("h3", {}, "Risk rules"),
    el("div", { class: "filters" }, pair(drawdown, "Halve size at drawdown %"), pair(rollback, "Roll back when behind by points"), pair(rollbackDays, "over days")),
    feedback, el("button", { type: "submit" }, "Create program"));
}

export function programPage(id: string): HTMLElement {
  const page = el("div", { class: "page program" }, el("h1", {}, "Program"), programTabs(id, `#/programs/${id}`));
  const feedback = el("div");
  const cycles = el("section", { class: "card", "aria-label": "Cycles" }, el("h2", {}, "Cycles"));
  const card = el("div");
  page.append(feedback, cycles, card);
  let shown: number | null = null;
  const load = async (): Promise<void> => {
    let doc: { name: string; symbol: string; timeframe: string; cycles: Cycle[] };
    try {
      doc = await request("GET", `/v1/programs/${id}`);
    } catch (err) {
      feedback.replaceChildren(message(/not found|no program/i.test(wordsOf(err)) ? "Program not found: it does not exist, or it is not yours." : wordsOf(err)));
      return;
    }
    page.querySelector("h1")!.textContent = `Program: ${doc.name}`;
    const run = el("button", {
      type: "button",
      onClick: async () => {
        feedback.replaceChildren();
        try {
          const r = await request<{ cycle: number; configurations: number; skipped: number }>("POST", `/v1/programs/${id}/cycles`);
          feedback.append(message(`Cycle ${r.cycle} queued: ${formatNumber(r.configurations)} walk-forwards, ${formatNumber(r.skipped)} configurations already evaluated on this data.`, "note"));
          shown = r.cycle;
          await load();
        } catch (err) {
          feedback.append(message(wordsOf(err)));
        }
      },
    }, "Run a cycle now");
    cycles.replaceChildren(el("h2", {}, `Cycles of ${doc.symbol} ${doc.timeframe}`), can("runs:write") ? el("div", { class: "actions" }, run) : "",
      doc.cycles.length ? el("table", { class: "data", "data-table": "cycles" },
        el("thead", {}, el("tr", {}, ...["Cycle", "As of (UTC)", "Why", "Status", "Walk-forwards", "Skipped", "Data to scorecard", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...doc.cycles.map((c) => el("tr", { "data-cycle": String(c.cycle) },
          el("td", { class: "number" }, String(c.cycle)), el("td", {}, c.as_of), el("td", {}, c.reason.replace(/_/g, " ")), el("td", {}, c.status),
          el("td", {}, `${formatNumber(c.walk_forwards.completed)} completed, ${formatNumber(c.walk_forwards.active)} running, ${formatNumber(c.walk_forwards.failed)} failed`),
          el("td", { class: "number" }, formatNumber(c.skipped)),
          el("td", { class: "number" }, c.trigger_to_scorecard_seconds !== undefined ? formatDuration(c.trigger_to_scorecard_seconds) : "—"),
          el("td", {}, el("button", { type: "button", class: "secondary", onClick: () => { shown = c.cycle; void showCard(c.cycle); } }, "Scorecard"),
            c.status === "running" && can("runs:write") ? el("button", {
              type: "button", class: "danger",
              onClick: async () => {
                feedback.replaceChildren();
                try {
                  const r = await request<{ cancelled: number }>("POST", `/v1/programs/${id}/cycles/${c.cycle}/cancel`);
                  feedback.append(message(`Cycle ${c.cycle}: ${formatNumber(r.cancelled)} walk-forwards cancelled; those that ended will be scored.`, "note"));
                } catch (err) {
                  feedback.append(message(wordsOf(err)));
                }
                await load();
              },
            }, "Cancel") : "")))))
        : el("p", { class: "empty" }, "No cycle yet: run one to evaluate the program's configurations on the latest data."));
    const latest = shown ?? doc.cycles.at(-1)?.cycle;
    if (latest !== undefined) await showCard(latest);
    if (doc.cycles.some((c) => c.status === "running") && page.isConnected) setTimeout(() => void load(), 1000);
  };
  const showCard = async (cycle: number) => {
    try {
      const s = await request<{ status: string; completed: number; configurations: number; entries?: Entry[]; as_of?: string }>("GET", `/v1/programs/${id}/scorecards/${cycle}`);
      if (s.status !== "completed" || !s.entries) {
        card.replaceChildren(el("section", { class: "card", "aria-label": "Scorecard" }, el("h2", {}, `Scorecard of cycle ${cycle}`),
          el("p", { class: "note", role: "status" }, `Running: ${formatNumber(s.completed)} of ${formatNumber(s.configurations)} walk-forwards completed.`)));
        return;
      }
      card.replaceChildren(scorecardView(cycle, s.entries));
    } catch (err) {
      card.replaceChildren(message(wordsOf(err)));
    }
  };
  void load();
  return page;
}

function scorecardView(cycle: number, entries: Entry[]): HTMLElement {
  const params = [...new Set(entries.flatMap((e) => Object.keys(e.params)))].filter((k) => entries.some((e) => e.params[k] !== entries[0].params[k]));
  const symbols = new Set(entries.map((e) => e.symbol ?? ""));
  type Col = [string, (e: Entry) => number | string | null];
  const cols: Col[] = [
    ["Rank", (e) => e.rank], ["Score", (e) => e.score],
    ...(symbols.size > 1 ? [["Symbol", (e: Entry) => (e.carried_from_cycle ? `${e.symbol} (cycle ${e.carried_from_cycle})` : e.symbol ?? "")] as Col] : []),
    ...params.map((p): Col => [p, (e) => e.params[p] as number | string]),
    ["Sharpe part", (e) => e.components?.sharpe ?? null], ["Drawdown part", (e) => e.components?.drawdown ?? null],
    ["Volatility part", (e) => e.components?.volatility ?? null], ["Persistence part", (e) => e.components?.persistence ?? null],
    ["OOS Sharpe", (e) => e.oos.sharpe_ratio], ["OOS max drawdown %", (e) => e.oos.max_drawdown_pct], ["OOS volatility %", (e) => e.oos.volatility_pct],
    ["OOS net profit", (e) => e.oos.net_profit], ["OOS trades", (e) => e.oos.total_trades], ["WF efficiency", (e) => e.walk_forward_efficiency],
  ];
  let by = 0, descending = false;
  const table = el("table", { class: "data", "data-table": "scorecard" });
  const draw = () => {
    const rows = [...entries].sort((a, b) => {
      const x = cols[by][1](a), y = cols[by][1](b);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -c : c;
    });
    table.replaceChildren(
      el("thead", {}, el("tr", {}, ...cols.map(([label], i) => el("th", { scope: "col", "aria-sort": i === by ? (descending ? "descending" : "ascending") : "none" },
        el("button", { type: "button", class: "sort", onClick: () => { descending = i === by ? !descending : i > 1; by = i; draw(); } }, label, i === by ? (descending ? " ▼" : " ▲") : ""))),
        el("th", { scope: "col" }, "Out of sample by regime: trades (P&L, won), days, return, Sharpe"), el("th", { scope: "col" }, "Walk-forward"))),
      el("tbody", {}, ...rows.map((e) => el("tr", { "data-index": String(e.index) },
        ...cols.map(([, get]) => {
          const v = get(e);
          return el("td", { class: "number" }, v === null || v === undefined ? (e.status !== "completed" ? e.status : "—") : typeof v === "number" ? formatNumber(v) : String(v));
        }),
        el("td", { class: "by-regime" }, Object.entries(e.by_regime ?? {}).map(([regime, r]) =>
          `${regime}: ${formatNumber(r.trades)} (${r.net_profit >= 0 ? "+" : ""}${formatNumber(r.net_profit)}${r.win_rate === null ? "" : `, ${formatNumber(Math.round(r.win_rate))} % won`}), `
          + `${formatNumber(r.days)} days, ${r.return_pct >= 0 ? "+" : ""}${r.return_pct.toFixed(2)} %, Sharpe ${r.sharpe_ratio === null ? "—" : r.sharpe_ratio.toFixed(2)}`).join("; ") || "—"),
        el("td", {}, e.walk_forward_id ? el("a", { href: `#/walk-forwards/${e.walk_forward_id}` }, e.walk_forward_id.slice(0, 8)) : "—")))));
  };
  draw();
  return el("section", { class: "card", "aria-label": "Scorecard" }, el("h2", {}, `Scorecard of cycle ${cycle}`),
    el("p", { class: "help" }, "Each part is the configuration's percentile rank in this cycle (1 the best); the score is their weighted mean. Out-of-sample days and trades are also measured by the volatility regime of each day (the API gives volatility, drawdown, profit factor and average trade too). Click a column to sort."),
    el("div", { class: "scroll" }, table));
}
