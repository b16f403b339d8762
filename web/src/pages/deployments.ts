// A program's paper deployments: the dashboard (every deployment with its
// P&L, drawdown, health and alerts, pushed live over the program's
// deployment stream), the gate's candidates with "Deploy" for traders, the
// correlation heat map of the active ones, the latest alerts and the daily
// report; one deployment's equity against its benchmark, trades and
// alerts with "Deactivate" (override); the decision history from the
// audit log; and replays of the whole promotion process.
import { can } from "../account";
import { download, follow, request } from "../api";
import { addDrawdown, addLines, legend, whenShown } from "../charts/time_chart";
import { el, heat, message, wordsOf } from "../dom";
import { formatNumber } from "../format";

export interface Deployment {
  deployment_id: string; strategy: string; symbol: string; params: Record<string, unknown>; cycle: number; score: number; expected_sharpe: number;
  capital: number; deployed_at: string; status: string; ended_at: string | null; end_reason: string | null;
  sizing: { from: number; factor: number }[]; judged_through: string | null;
  summary: { equity?: number; pnl?: number; return_pct?: number; benchmark_return_pct?: number; drawdown_pct?: number; max_drawdown_pct?: number; trades?: number; size_factor?: number; health?: string };
}
export interface Rules { rollback_pct: number; rollback_days: number; drawdown_pct: number; drift_fraction: number; drift_days: number; max_correlation: number }
export interface DeploymentsDoc { program_id: string; capital: number; mode: string; max_active: number; active: number; rules: Rules; benchmark: string; items: Deployment[] }
interface Alert { id: number; deployment_id: string | null; kind: string; day: string; value: number | null; limit: number | null; message: string; details: Record<string, unknown> }
interface Candidate { strategy: string; symbol: string; params: Record<string, unknown>; rank: number; score: number; in_top_since: string; allocation: number }

/** Values of a configuration, "fast_period 5, slow_period 60". */
export function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k} ${String(v)}`).join(", ");
}

/** The program's pages: cycles, deployments, decisions, replays. */
export function programTabs(id: string, here: string): HTMLElement {
  const tab = (href: string, name: string) => el("a", href === here ? { href, "aria-current": "page" } : { href }, name);
  return el("nav", { class: "tabs", "aria-label": "Program" },
    tab(`#/programs/${id}`, "Cycles and scorecards"), tab(`#/programs/${id}/deployments`, "Deployments"),
    tab(`#/programs/${id}/decisions`, "Decision history"), tab(`#/programs/${id}/replays`, "Replays"));
}

const signed = (v: number | undefined) => (v === undefined ? "—" : `${v > 0 ? "+" : ""}${formatNumber(v)}`);
/** A percentage to two decimals, signed: the dashboard's resolution. */
const percent = (v: number | undefined, sign = true) => (v === undefined ? "—" : `${sign && v > 0 ? "+" : ""}${v.toFixed(2)}`);
/** Deployment ids in messages, shortened as the tables show them. */
const shortIds = (text: string) => text.replace(/([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "$1");

export function deploymentsPage(id: string): HTMLElement {
  const feedback = el("div");
  const board = el("section", { class: "card", "aria-label": "Deployments" }, el("h2", {}, "Deployments"), el("p", { class: "note" }, "Loading…"));
  const candidates = el("section", { class: "card", "aria-label": "Candidates" });
  const heatmap = el("section", { class: "card", "aria-label": "Correlations" });
  const alerts = el("section", { class: "card", "aria-label": "Alerts" });
  const report = el("section", { class: "card", "aria-label": "Daily report" });
  const page = el("div", { class: "page deployments" }, el("h1", {}, "Deployments"), programTabs(id, `#/programs/${id}/deployments`),
    feedback, board, candidates, heatmap, alerts, report);

  const drawBoard = (doc: DeploymentsDoc) => {
    const rows = doc.items;
    active = new Set(rows.filter((d) => d.status === "active").map((d) => `${d.strategy} ${d.symbol} ${JSON.stringify(d.params)}`));
    const cols: [string, string][] = [["Deployment", ""], ["Health", "healthy, drawdown (size halved), drift, or why it ended"], ["Capital", ""], ["Equity", ""], ["P&L", ""],
      ["Return %", ""], ["Bench %", "its benchmark over the same days"], ["DD %", "drawdown now"], ["Max DD %", ""], ["Trades", ""], ["Size", "of the strategy's position size"], ["Since", "deployed (UTC)"]];
    board.replaceChildren(el("h2", {}, `Deployments: ${formatNumber(doc.active)} active of ${formatNumber(doc.max_active)}`),
      el("p", { class: "help" }, `Capital ${formatNumber(doc.capital)}; candidates are deployed ${doc.mode === "automatic" ? "automatically when a scorecard is written" : "by a trader"}. Each deployment trades its configuration from the day after its promotion and is judged on every closed day: rolled back ${formatNumber(doc.rules.rollback_pct)} points behind its benchmark (${doc.benchmark}) over ${doc.rules.rollback_days} days, its size halved at a ${formatNumber(doc.rules.drawdown_pct)} % drawdown, a drift alert below ${formatNumber(doc.rules.drift_fraction * 100)} % of its expected Sharpe over ${doc.rules.drift_days} days. This table follows the server live.`),
      rows.length ? el("div", { class: "scroll" }, el("table", { class: "data", "data-table": "deployments" },
        el("thead", {}, el("tr", {}, ...cols.map(([h, title]) => el("th", title ? { scope: "col", title } : { scope: "col" }, h)))),
        el("tbody", {}, ...rows.map((d) => el("tr", { "data-deployment": d.deployment_id, "data-status": d.status, class: d.status === "active" ? "" : "ended" },
          el("td", {}, el("a", { href: `#/programs/${id}/deployments/${d.deployment_id}` }, paramsText(d.params)), el("div", { class: "muted" }, `${d.strategy} on ${d.symbol}`)),
          el("td", { "data-field": "health", class: `health ${d.summary.health ?? ""}` }, d.status === "active" ? d.summary.health ?? "—" : d.status.replace(/_/g, " ")),
          el("td", { class: "number" }, formatNumber(d.capital)),
          el("td", { class: "number", "data-field": "equity" }, d.summary.equity === undefined ? "—" : formatNumber(d.summary.equity)),
          el("td", { class: "number", "data-field": "pnl" }, signed(d.summary.pnl)),
          el("td", { class: "number" }, percent(d.summary.return_pct)),
          el("td", { class: "number" }, percent(d.summary.benchmark_return_pct)),
          el("td", { class: "number", "data-field": "drawdown" }, percent(d.summary.drawdown_pct, false)),
          el("td", { class: "number" }, percent(d.summary.max_drawdown_pct, false)),
          el("td", { class: "number" }, d.summary.trades === undefined ? "—" : formatNumber(d.summary.trades)),
          el("td", { class: "number" }, d.summary.size_factor === undefined ? "—" : `× ${formatNumber(d.summary.size_factor)}`),
          el("td", {}, d.deployed_at.slice(0, 10)))))))
        : el("p", { class: "empty" }, "No deployment yet: candidates appear once a configuration has stayed in the top of every cycle for the gate's days."));
  };

  let active = new Set<string>(); // the active deployments' configurations
  const loadSides = async () => {
    const [cands, corr, latest] = await Promise.all([
      request<{ candidates: Candidate[] }>("GET", `/v1/programs/${id}/candidates`),
      request<{ deployments: { deployment_id: string; strategy: string; symbol: string; params: Record<string, unknown> }[]; matrix: (number | null)[][]; days: number; limit: number }>("GET", `/v1/programs/${id}/correlations`),
      request<{ items: Alert[]; total: number }>("GET", `/v1/programs/${id}/alerts?limit=20`),
    ]);
    const candidateFeedback = el("div");
    candidates.replaceChildren(el("h2", {}, "Candidates"),
      el("p", { class: "help" }, "Configurations through the promotion gate with their recommended capital. Deploying one runs the admission rules: no more than the active limit (the lowest score is demoted for a higher one), no strategy type above its share, and nothing whose daily returns correlate above the limit with an active deployment."),
      cands.candidates.length ? el("table", { class: "data", "data-table": "candidates" },
        el("thead", {}, el("tr", {}, ...["Rank", "Configuration", "Score", "In the top since", "Allocation", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...cands.candidates.map((c) => el("tr", {},
          el("td", { class: "number" }, String(c.rank)), el("td", {}, `${c.strategy} on ${c.symbol}: ${paramsText(c.params)}`),
          el("td", { class: "number" }, formatNumber(c.score)), el("td", {}, c.in_top_since), el("td", { class: "number" }, formatNumber(c.allocation)),
          el("td", {}, active.has(`${c.strategy} ${c.symbol} ${JSON.stringify(c.params)}`) ? el("span", { class: "note" }, "deployed") : can("deploy") ? el("button", {
            type: "button", class: "secondary",
            onClick: async () => {
              candidateFeedback.replaceChildren();
              try {
                const r = await request<{ outcomes: { outcome: string; capital: number }[] }>("POST", `/v1/programs/${id}/deployments`,
                  JSON.stringify({ strategy: c.strategy, symbol: c.symbol, params: c.params }), "application/json");
                candidateFeedback.append(message(`Deployed with ${formatNumber(r.outcomes[0].capital)} of capital.`, "note"));
              } catch (err) {
                candidateFeedback.append(message(wordsOf(err)));
              }
              void loadSides();
            },
          }, "Deploy") : "")))))
        : el("p", { class: "empty" }, "No candidate now."),
      candidateFeedback);

    heatmap.replaceChildren(el("h2", {}, "Correlation of the active deployments"),
      el("p", { class: "help" }, `Daily returns over the last ${corr.days} days; above ${formatNumber(corr.limit)} a new deployment is refused as redundant. Blank: fewer than 20 days in common.`),
      corr.deployments.length > 1 ? el("div", { class: "scroll" }, el("table", { class: "heat", "data-table": "correlations" },
        el("thead", {}, el("tr", {}, el("th", {}), ...corr.deployments.map((d, i) => el("th", { scope: "col", title: `${d.strategy}: ${paramsText(d.params)}` }, `#${i + 1}`)))),
        el("tbody", {}, ...corr.matrix.map((row, i) => el("tr", {},
          el("th", { scope: "row", title: `${corr.deployments[i].strategy}: ${paramsText(corr.deployments[i].params)}` }, `#${i + 1} ${corr.deployments[i].symbol} ${paramsText(corr.deployments[i].params)}`),
          ...row.map((v, j) => el("td", {
            class: "cell", "data-row": String(i), "data-col": String(j), style: v === null ? "" : `background: ${heat(v)}`,
            title: v === null ? "not enough common days" : `${formatNumber(v)}`,
          }, v === null ? "" : v.toFixed(2))))))))
        : el("p", { class: "empty" }, "Fewer than two active deployments."));

    alerts.replaceChildren(el("h2", {}, `Alerts (${formatNumber(latest.total)})`),
      latest.items.length ? el("table", { class: "data", "data-table": "alerts" },
        el("thead", {}, el("tr", {}, ...["Day", "Kind", "What happened"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...latest.items.map((a) => el("tr", {}, el("td", {}, a.day.slice(0, 10)), el("td", { class: `alert ${a.kind}` }, a.kind.replace(/_/g, " ")), el("td", {}, shortIds(a.message))))))
        : el("p", { class: "empty" }, "No alert."));
  };

  const date = el("input", { id: "report-date", type: "text", placeholder: "YYYY-MM-DD", pattern: "\\d{4}-\\d{2}-\\d{2}", size: "10" });
  const reportOut = el("div");
  const showReport = async (csv: boolean) => {
    reportOut.replaceChildren();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return reportOut.append(message("date: YYYY-MM-DD"));
    try {
      if (csv) return await download(`/v1/programs/${id}/reports/${date.value}?format=csv`, `report-${date.value}.csv`);
      const r = await request<{ deployments: { deployment_id: string; strategy: string; params: Record<string, unknown>; status: string; equity: number; day_pnl: number; total_pnl: number; drawdown_pct: number; trades_closed: number; alerts: number; health: string }[]; totals: { equity: number; day_pnl: number } }>("GET", `/v1/programs/${id}/reports/${date.value}`);
      reportOut.append(r.deployments.length ? el("table", { class: "data", "data-table": "report" },
        el("thead", {}, el("tr", {}, ...["Deployment", "Status", "Equity", "Day P&L", "Total P&L", "Drawdown %", "Trades closed", "Alerts", "Health"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...r.deployments.map((d) => el("tr", {}, el("td", {}, `${d.strategy}: ${paramsText(d.params)}`), el("td", {}, d.status),
          el("td", { class: "number" }, formatNumber(d.equity)), el("td", { class: "number" }, signed(d.day_pnl)), el("td", { class: "number" }, signed(d.total_pnl)),
          el("td", { class: "number" }, formatNumber(d.drawdown_pct)), el("td", { class: "number" }, String(d.trades_closed)), el("td", { class: "number" }, String(d.alerts)), el("td", {}, d.health)))),
        el("tfoot", {}, el("tr", {}, el("th", { scope: "row" }, "All"), el("td", {}), el("td", { class: "number" }, formatNumber(r.totals.equity)), el("td", { class: "number" }, signed(r.totals.day_pnl)))))
        : el("p", { class: "empty" }, `No deployment traded on ${date.value}.`));
    } catch (err) {
      reportOut.append(message(wordsOf(err)));
    }
  };
  report.append(el("h2", {}, "Daily report"),
    el("p", { class: "help" }, "Every deployment's P&L, risk and health at a day's last bar, for the desk or an external monitor (also as CSV)."),
    el("div", { class: "filters" }, el("label", { for: date.id }, "Day (UTC)"), date,
      el("button", { type: "button", onClick: () => void showReport(false) }, "Show"),
      el("button", { type: "button", class: "secondary", onClick: () => void showReport(true) }, "Download CSV")),
    reportOut);

  void (async () => {
    try {
      const doc = await request<DeploymentsDoc>("GET", `/v1/programs/${id}/deployments`);
      drawBoard(doc);
      const last = doc.items.map((d) => d.judged_through).filter((x): x is string => !!x).sort().at(-1);
      if (last) date.value = last.slice(0, 10);
      await loadSides();
    } catch (err) {
      feedback.replaceChildren(message(/not found|no program/i.test(wordsOf(err)) ? "Program not found: it does not exist, or it is not yours." : wordsOf(err)));
      return;
    }
    // Live: the server pushes the document after every change.
    const stop = follow(`/v1/programs/${id}/deployments/progress`, (event) => {
      if (!page.isConnected) return stop();
      if (event.event === "progress" || event.event === "snapshot") {
        drawBoard(event as unknown as DeploymentsDoc);
        if (event.event === "progress") void loadSides().catch(() => undefined);
      }
    }, () => undefined);
  })();
  return page;
}

export function deploymentPage(id: string, deploymentId: string, go: (hash: string) => void): HTMLElement {
  const page = el("div", { class: "page deployment" }, el("h1", {}, "Deployment"), programTabs(id, `#/programs/${id}/deployments`));
  const feedback = el("div");
  page.append(feedback);
  void (async () => {
    let d: Deployment & { equity: { day: string; equity: number; benchmark: number; drawdown_pct: number }[]; trades: { trade_id: number; side: string; entry_time: string; exit_time: string; entry_price: number; exit_price: number; quantity: number; pnl: number; exit_reason: string }[]; alerts: Alert[] };
    try {
      d = await request("GET", `/v1/programs/${id}/deployments/${deploymentId}`);
    } catch (err) {
      feedback.append(message(/not found|no deployment/i.test(wordsOf(err)) ? "Deployment not found." : wordsOf(err)));
      return;
    }
    page.querySelector("h1")!.textContent = `Deployment: ${d.strategy} on ${d.symbol}, ${paramsText(d.params)}`;
    const facts = el("dl", { class: "facts" },
      ...([["Status", d.status.replace(/_/g, " ")], ["Health", d.summary.health ?? "—"], ["Capital", formatNumber(d.capital)],
        ["Equity", d.summary.equity === undefined ? "—" : formatNumber(d.summary.equity)], ["P&L", signed(d.summary.pnl)],
        ["Return %", percent(d.summary.return_pct)], ["Benchmark %", percent(d.summary.benchmark_return_pct)],
        ["Drawdown %", percent(d.summary.drawdown_pct, false)], ["Max drawdown %", percent(d.summary.max_drawdown_pct, false)],
        ["Expected Sharpe (walk-forward)", formatNumber(d.expected_sharpe)], ["Deployed (UTC)", d.deployed_at],
        ["Judged through", d.judged_through ?? "—"], ["Ended", d.ended_at ? `${d.ended_at}: ${d.end_reason ?? ""}` : "—"],
        ["Size changes", d.sizing.length ? d.sizing.map((s) => `× ${s.factor} from ${new Date(s.from * 1000).toISOString().slice(0, 10)}`).join("; ") : "none"]] as [string, string][])
        .map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v))));
    const holder = el("div", { class: "chart", "data-chart": "deployment-equity" });
    const ddHolder = el("div", { class: "chart small" });
    whenShown(holder, (chart) => addLines(chart, [
      { title: "Equity", color: "#2f6fde", points: d.equity.map((p) => ({ time: p.day, value: p.equity })) },
      { title: "Benchmark", color: "#868e96", dashed: true, points: d.equity.map((p) => ({ time: p.day, value: p.benchmark })) }]));
    whenShown(ddHolder, (chart) => addDrawdown(chart, d.equity.map((p) => ({ time: p.day, drawdown_pct: p.drawdown_pct }))), 160);
    const override = el("div");
    if (d.status === "active" && can("override")) {
      const reason = el("input", { id: "override-reason", maxlength: "500", size: "40", placeholder: "why it stops now" });
      const said = el("div");
      override.append(el("form", {
        class: "card", "aria-label": "Override",
        onSubmit: async (e: Event) => {
          e.preventDefault();
          said.replaceChildren();
          try {
            await request("POST", `/v1/programs/${id}/deployments/${deploymentId}/deactivate`, JSON.stringify({ reason: reason.value }), "application/json");
            go(`#/programs/${id}/deployments`);
          } catch (err) {
            said.append(message(wordsOf(err)));
          }
        },
      }, el("h2", {}, "Override"), el("p", { class: "help" }, "Deactivate it now: it trades no bar after the last one stored, and its capital returns to the program's reserve. Audited with your reason."),
      el("div", { class: "filters" }, el("label", { for: reason.id }, "Reason"), reason, el("button", { type: "submit", class: "danger" }, "Deactivate")), said));
    }
    page.append(el("section", { class: "card", "aria-label": "Summary" }, facts),
      el("section", { class: "card", "aria-label": "Equity" }, el("h2", {}, "Equity against its benchmark"), legend([{ title: "Equity", color: "#2f6fde" }, { title: "Benchmark", color: "#868e96", dashed: true }]), holder, ddHolder),
      override,
      el("section", { class: "card", "aria-label": "Trades" }, el("h2", {}, `Trades (${formatNumber(d.trades.length)})`),
        d.trades.length ? el("div", { class: "scroll" }, el("table", { class: "data", "data-table": "deployment-trades" },
          el("thead", {}, el("tr", {}, ...["#", "Side", "Entry (UTC)", "Entry", "Exit (UTC)", "Exit", "Quantity", "P&L", "Exit reason"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, ...d.trades.map((t) => el("tr", {}, el("td", { class: "number" }, String(t.trade_id)), el("td", {}, t.side), el("td", {}, t.entry_time),
            el("td", { class: "number" }, formatNumber(t.entry_price)), el("td", {}, t.exit_time), el("td", { class: "number" }, formatNumber(t.exit_price)),
            el("td", { class: "number" }, formatNumber(t.quantity)), el("td", { class: "number" }, signed(t.pnl)), el("td", {}, t.exit_reason === "end_of_data" && d.status === "active" ? "open: marked at the last bar" : t.exit_reason.replace(/_/g, " ")))))))
          : el("p", { class: "empty" }, "No trade yet.")),
      el("section", { class: "card", "aria-label": "Alerts" }, el("h2", {}, "Alerts"),
        d.alerts.length ? el("ul", { class: "alerts" }, ...d.alerts.map((a) => el("li", {}, el("strong", {}, `${a.day.slice(0, 10)} ${a.kind}: `), shortIds(a.message))))
          : el("p", { class: "empty" }, "No alert.")));
  })();
  return page;
}

export function decisionsPage(id: string): HTMLElement {
  const body = el("tbody");
  const more = el("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const feedback = el("div");
  const page = el("div", { class: "page decisions" }, el("h1", {}, "Decision history"), programTabs(id, `#/programs/${id}/decisions`),
    el("section", { class: "card", "aria-label": "Decisions" },
      el("p", { class: "help" }, "Every entry of the audit log about this program, oldest first: its cycles and scorecards, and each promotion, demotion, refusal, rollback, size change, drift alert and override with the figures, parameters and data checksum behind it."),
      el("table", { class: "data", "data-table": "decisions" },
        el("thead", {}, el("tr", {}, ...["#", "At (UTC)", "By", "Decision", "Details"].map((h) => el("th", { scope: "col" }, h)))), body),
      more, feedback));
  let after = 0;
  const describe = (details: Record<string, unknown>) => {
    const pick = ["cycle", "strategy", "params", "outcome", "value", "limit", "score", "capital", "correlation", "correlated_with", "reason", "configurations", "day", "data_checksum"];
    return pick.filter((k) => details[k] !== undefined).map((k) => {
      const v = details[k];
      const text = k === "params" ? paramsText(v as Record<string, unknown>) : k === "data_checksum" || k === "correlated_with" ? String(v).slice(0, 8) : typeof v === "number" ? formatNumber(v) : String(v);
      return `${k.replace(/_/g, " ")}: ${text}`;
    }).join("; ");
  };
  const load = async () => {
    try {
      const r = await request<{ entries: { seq: number; at: string; actor: string; action: string; details: Record<string, unknown> }[]; next_after: number | null }>("GET", `/v1/programs/${id}/decisions?limit=200&after=${after}`);
      body.append(...r.entries.map((e) => el("tr", { "data-action": e.action },
        el("td", { class: "number" }, String(e.seq)), el("td", {}, e.at), el("td", {}, e.actor),
        el("td", {}, e.action.replace(/^(program|deployment)\./, "").replace(/_/g, " ")), el("td", { class: "details" }, describe(e.details)))));
      if (r.next_after !== null) after = r.next_after;
      more.hidden = r.next_after === null;
    } catch (err) {
      feedback.replaceChildren(message(wordsOf(err)));
    }
  };
  more.addEventListener("click", () => void load());
  void load();
  return page;
}

export function replaysPage(id: string): HTMLElement {
  const from = el("input", { id: "replay-from", placeholder: "YYYY-MM-DD", size: "10" });
  const to = el("input", { id: "replay-to", placeholder: "last bar", size: "10" });
  const feedback = el("div");
  const list = el("div");
  const shown = el("div");
  interface Replay { replay_id: string; from: string; to: string; status: string; cycles_done: number; cycles_total: number; error?: string; result?: { promotions: number; judged_promotions: number; survived_90_days: number; survival_rate: number | null; digest: string; cycles: { cycle: number; as_of: string; candidates: number; active: number; best: { strategy: string; params: Record<string, unknown> | null } }[]; decisions: { day: string; action: string; strategy: string; params: Record<string, unknown> }[] } }
  const show = async (rid: string) => {
    const r = await request<Replay>("GET", `/v1/programs/${id}/replays/${rid}`);
    if (!r.result) return shown.replaceChildren(el("p", { class: "note" }, `${r.status}: ${r.cycles_done} of ${r.cycles_total} cycles`));
    const res = r.result;
    const counts = new Map<string, number>();
    for (const d of res.decisions) counts.set(d.action, (counts.get(d.action) ?? 0) + 1);
    shown.replaceChildren(el("section", { class: "card", "aria-label": "Replay result" }, el("h2", {}, `Replay ${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}`),
      el("p", { class: "survival", role: "status" }, res.survival_rate === null ? `${res.promotions} promotions, none with 90 days of data after it.`
        : `90-day survival: ${(res.survival_rate * 100).toFixed(1)} % (${res.survived_90_days} of ${res.judged_promotions} promotions with 90 days after them; ${res.promotions} in all).`),
      el("p", { class: "help" }, `Decisions: ${[...counts].map(([k, n]) => `${k.replace(/_/g, " ")} ${n}`).join(", ") || "none"}. Digest ${res.digest.slice(0, 16)}: a replay of the same data and program gives the same.`),
      el("div", { class: "scroll" }, el("table", { class: "data", "data-table": "replay-cycles" },
        el("thead", {}, el("tr", {}, ...["Cycle", "As of (UTC)", "Candidates", "Active", "Best"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...res.cycles.map((c) => el("tr", {}, el("td", { class: "number" }, String(c.cycle)), el("td", {}, c.as_of),
          el("td", { class: "number" }, String(c.candidates)), el("td", { class: "number" }, String(c.active)),
          el("td", {}, c.best.params ? `${c.best.strategy}: ${paramsText(c.best.params)}` : "—"))))))));
  };
  const refresh = async () => {
    const r = await request<{ items: Replay[] }>("GET", `/v1/programs/${id}/replays`);
    list.replaceChildren(r.items.length ? el("table", { class: "data", "data-table": "replays" },
      el("thead", {}, el("tr", {}, ...["Range", "Status", "Cycles", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...r.items.map((x) => el("tr", { "data-replay": x.replay_id }, el("td", {}, `${x.from.slice(0, 10)} to ${x.to.slice(0, 10)}`),
        el("td", {}, x.error ? `${x.status}: ${x.error}` : x.status), el("td", { class: "number" }, `${x.cycles_done} of ${x.cycles_total}`),
        el("td", {}, x.status === "completed" ? el("button", { type: "button", class: "secondary", onClick: () => void show(x.replay_id) }, "Result") : "")))))
      : el("p", { class: "empty" }, "No replay yet."));
    if (r.items.some((x) => x.status === "queued" || x.status === "running") && list.isConnected) setTimeout(() => void refresh(), 1000);
  };
  const page = el("div", { class: "page replays" }, el("h1", {}, "Replays"), programTabs(id, `#/programs/${id}/replays`),
    el("form", {
      class: "card", "aria-label": "New replay",
      onSubmit: async (e: Event) => {
        e.preventDefault();
        feedback.replaceChildren();
        try {
          const body: Record<string, string> = { from: from.value.trim() };
          if (to.value.trim()) body.to = to.value.trim();
          const r = await request<{ cycles: number; configurations_per_cycle: number }>("POST", `/v1/programs/${id}/replay`, JSON.stringify(body), "application/json");
          feedback.append(message(`Queued: ${r.cycles} cycles of ${r.configurations_per_cycle} walk-forwards each.`, "note"));
          await refresh();
        } catch (err) {
          feedback.append(message(wordsOf(err)));
        }
      },
    }, el("h2", {}, "Replay the promotion process"),
      el("p", { class: "help" }, "Runs the program's cycles as of each scheduled point of the range, each seeing only the bars up to it, with the same walk-forwards, gate, admission and risk rules, and measures how many promotions survived 90 days."),
      el("div", { class: "filters" }, el("label", { for: from.id }, "From (UTC)"), from, el("label", { for: to.id }, "To"), to,
        can("runs:write") ? el("button", { type: "submit" }, "Replay") : ""), feedback),
    el("section", { class: "card", "aria-label": "Replays" }, el("h2", {}, "Replays"), list), shown);
  void refresh().catch((err) => list.replaceChildren(message(wordsOf(err))));
  return page;
}
