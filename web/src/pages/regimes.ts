// A dataset's volatility regimes (GET /v1/regimes): the current regime,
// and a timeline of each day's regime under its 30-day volatility, with
// the days that would trigger a re-evaluation marked.
import { request } from "../api";
import { regimeTimeline, type RegimeDay } from "../charts/svg";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";

interface RegimesDoc { symbol: string; timeframe: string; window_days: number; current: RegimeDay | null; series: RegimeDay[] }

export async function regimeSection(symbol: string, timeframe: string): Promise<HTMLElement> {
  const box = el("section", { class: "card", "aria-label": "Volatility regimes" }, el("h2", {}, `Volatility regimes of ${symbol} ${timeframe}`));
  let doc: RegimesDoc;
  try {
    doc = await request<RegimesDoc>("GET", `/v1/regimes?symbol=${encodeURIComponent(symbol)}&timeframe=${encodeURIComponent(timeframe)}`);
  } catch (err) {
    box.append(message(wordsOf(err)));
    return box;
  }
  const c = doc.current;
  box.append(el("p", { class: "help" },
    `Each day's volatility is the annualised deviation of the daily returns of the last ${doc.window_days} days, ranked against every earlier day's: ` +
    "low below the 25th percentile, normal below the median, elevated below the 75th, high above it. Triangles mark the days that would trigger a re-evaluation."));
  if (!c) {
    box.append(el("p", { class: "empty" }, "Not enough history yet: a regime needs about two months of daily closes."));
    return box;
  }
  const triggers = doc.series.filter((d) => d.trigger).length;
  box.append(el("p", { class: "current-regime", "data-regime": c.regime ?? "" },
    "Current regime: ", el("span", { class: `regime ${c.regime}` }, c.regime ?? "—"),
    ` on ${c.date.slice(0, 10)}: volatility ${formatNumber(c.volatility_pct ?? 0)} % (25th ${formatNumber(c.p25 ?? 0)}, median ${formatNumber(c.p50 ?? 0)}, 75th ${formatNumber(c.p75 ?? 0)}); ${formatNumber(triggers)} re-evaluation trigger${triggers === 1 ? "" : "s"} in the history.`),
    regimeTimeline(`Volatility regimes of ${symbol} ${timeframe}`, doc.series));
  return box;
}
