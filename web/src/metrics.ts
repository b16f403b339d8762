// The metrics the pages show, in one list: their words, their units and
// which way is better, so that cards, history, compare and sweeps agree.
import { formatNumber } from "./format";

export interface MetricInfo {
  key: string;
  label: string;
  unit?: "%" | "bars";
  better: "max" | "min" | null; // null: neither (a count, a date)
}

export const metricList: MetricInfo[] = [
  { key: "net_profit", label: "Net profit", better: "max" },
  { key: "total_return_pct", label: "Return", unit: "%", better: "max" },
  { key: "cagr_pct", label: "CAGR", unit: "%", better: "max" },
  { key: "win_rate", label: "Win rate", unit: "%", better: "max" },
  { key: "profit_factor", label: "Profit factor", better: "max" },
  { key: "sharpe_ratio", label: "Sharpe", better: "max" },
  { key: "sortino_ratio", label: "Sortino", better: "max" },
  { key: "calmar_ratio", label: "Calmar", better: "max" },
  { key: "max_drawdown_pct", label: "Max drawdown", unit: "%", better: "min" },
  { key: "avg_r_multiple", label: "Average R", better: "max" },
  { key: "expectancy", label: "Expectancy", better: "max" },
  { key: "total_trades", label: "Trades", better: null },
  { key: "winning_trades", label: "Winning trades", better: null },
  { key: "losing_trades", label: "Losing trades", better: null },
  { key: "avg_win", label: "Average win", better: "max" },
  { key: "avg_loss", label: "Average loss", better: "max" },
  { key: "largest_win", label: "Largest win", better: "max" },
  { key: "largest_loss", label: "Largest loss", better: "max" },
  { key: "max_consecutive_losses", label: "Most losses in a row", better: "min" },
  { key: "avg_holding_bars", label: "Average holding", unit: "bars", better: null },
  { key: "exposure_pct", label: "Exposure", unit: "%", better: null },
  { key: "total_commission", label: "Commission", better: "min" },
  { key: "final_equity", label: "Final equity", better: "max" },
];

export function metricInfo(key: string): MetricInfo {
  return metricList.find((m) => m.key === key) ?? { key, label: key.replace(/_/g, " "), better: null };
}

/** A metric's value as shown: "—" when absent, its unit after it. */
export function formatMetric(key: string, value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  const unit = metricInfo(key).unit;
  return unit === "%" ? `${formatNumber(value)} %` : unit === "bars" ? `${formatNumber(value)} bars` : formatNumber(value);
}

/** The index of the best of `values` for `key` (null: no better way, or none present). */
export function bestIndex(key: string, values: (number | null | undefined)[]): number | null {
  const better = metricInfo(key).better;
  if (!better) return null;
  let best: number | null = null;
  values.forEach((v, i) => {
    if (typeof v !== "number") return;
    if (best === null || (better === "max" ? v > (values[best] as number) : v < (values[best] as number))) best = i;
  });
  return best;
}
