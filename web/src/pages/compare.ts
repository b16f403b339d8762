// Compare 2 to 10 completed runs: parameters and execution settings side
// by side with the differing rows highlighted, every metric side by side
// with the best of each row marked (the runs can be ordered by any metric:
// click its name), and the equity curves overlaid in distinct colours.
import { request } from "../api";
import { addLines, legend, palette, whenShown } from "../charts/time_chart";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";
import { bestIndex, formatMetric, metricInfo, metricList } from "../metrics";

interface Side { name: string; values: Record<string, unknown>; differs: boolean }
interface CompareDoc {
  runs: { run_id: string; symbol: string; timeframe: string; strategy: { name: string }; start: string; end: string }[];
  params: Side[]; execution: Side[];
  metrics: Record<string, Record<string, number | string | null>>;
  equity: { times: string[]; series: Record<string, (number | null)[]> };
}

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "number" ? formatNumber(v) : Array.isArray(v) ? v.join(", ") : String(v));

export function comparePage(ids: string[]): HTMLElement {
  const page = el("div", { class: "page compare" }, el("h1", {}, `Compare ${ids.length} runs`));
  if (ids.length < 2 || ids.length > 10) {
    page.append(message("Choose 2 to 10 completed runs on the Runs page to compare them."));
    return page;
  }
  void (async () => {
    let doc: CompareDoc;
    try {
      doc = await request<CompareDoc>("GET", `/v1/backtest/compare?ids=${ids.map(encodeURIComponent).join(",")}&max_points=2000`);
    } catch (err) {
      page.append(message(wordsOf(err)));
      return;
    }
    const colour = new Map(doc.runs.map((r, i) => [r.run_id, palette[i % palette.length]]));
    let order = doc.runs.map((r) => r.run_id);
    const runHead = () => el("tr", {}, el("th", { scope: "col" }, ""), ...order.map((id) => el("th", { scope: "col" },
      el("span", { class: "swatch", style: `border-color:${colour.get(id)}` }), el("a", { href: `#/runs/${id}` }, id.slice(0, 8)))));
    const sideTable = (rows: Side[], kind: string) => el("table", { class: "data", "data-table": kind },
      el("thead", {}, runHead()),
      el("tbody", {}, ...rows.map((p) => el("tr", p.differs ? { class: "differs", "data-param": p.name, title: "differs between the runs" } : { "data-param": p.name },
        el("th", { scope: "row" }, p.name, p.differs ? el("span", { class: "badge" }, "differs") : null),
        ...order.map((id) => el("td", { class: "number" }, show(p.values[id])))))));
    const paramsBox = el("section", { class: "card", "aria-label": "Parameters" }, el("h2", {}, "Parameters"));
    const metricsBox = el("section", { class: "card", "aria-label": "Metrics" }, el("h2", {}, "Metrics"),
      el("p", { class: "help" }, "★ marks the best run of each row. Click a metric to order the runs by it."));
    const keys = [...metricList.map((m) => m.key).filter((k) => doc.runs.some((r) => typeof doc.metrics[r.run_id]?.[k] === "number"))];
    const drawTables = (sortedBy: string | null) => {
      paramsBox.replaceChildren(el("h2", {}, "Parameters"), el("div", { class: "scroll" }, sideTable(doc.params, "params")),
        el("h3", {}, "Execution"), el("div", { class: "scroll" }, sideTable(doc.execution, "execution")));
      const table = el("table", { class: "data", "data-table": "metrics" }, el("thead", {}, runHead()),
        el("tbody", {}, ...keys.map((k) => {
          const values = order.map((id) => doc.metrics[id]?.[k] as number | null);
          const best = bestIndex(k, values);
          return el("tr", { "data-metric": k },
            el("th", { scope: "row", "aria-sort": k === sortedBy ? "descending" : "none" },
              el("button", { type: "button", class: "sort", onClick: () => sortBy(k) }, metricInfo(k).label)),
            ...values.map((v, i) => el("td", i === best ? { class: "number best" } : { class: "number" }, formatMetric(k, v), i === best ? " ★" : "")));
        })));
      metricsBox.replaceChildren(metricsBox.firstChild!, metricsBox.childNodes[1], el("div", { class: "scroll" }, table));
    };
    const sortBy = (k: string) => {
      const better = metricInfo(k).better ?? "max";
      const v = (id: string) => doc.metrics[id]?.[k];
      order = [...order].sort((a, b) => {
        const x = v(a), y = v(b);
        if (typeof x !== "number") return 1;
        if (typeof y !== "number") return -1;
        return better === "max" ? y - x : x - y;
      });
      drawTables(k);
    };
    drawTables(null);
    const lines = doc.runs.map((r) => ({
      title: `${r.run_id.slice(0, 8)} ${r.strategy.name}`, color: colour.get(r.run_id)!,
      points: doc.equity.times.map((t, i) => ({ time: t, value: doc.equity.series[r.run_id][i] })),
    }));
    const holder = el("div", { class: "chart", "data-chart": "compare-equity" });
    page.append(paramsBox, metricsBox, el("section", { class: "card", "aria-label": "Equity curves" }, el("h2", {}, "Equity"), legend(lines), holder));
    whenShown(holder, (chart) => addLines(chart, lines));
  })();
  return page;
}
