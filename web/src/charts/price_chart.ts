// The price chart of a run: candlesticks, the supply and demand zones the
// strategy saw as rectangles from their creation to their end (coloured
// by type), and a marker where each trade entered and exited, with a
// tooltip per trade. Zoom and pan are the chart's own (wheel, drag,
// pinch); 17,520 candles and more draw without stutter because the zones
// are painted by one primitive that skips what is off screen.
import {
  CandlestickSeries, createChart, createSeriesMarkers,
  type IChartApi, type IPrimitivePaneRenderer, type IPrimitivePaneView, type ISeriesApi,
  type ISeriesPrimitive, type SeriesAttachedParameter, type SeriesMarker, type Time, type UTCTimestamp,
} from "lightweight-charts";
import { formatNumber } from "../format";
import { chartTime, isoTime } from "./time_chart";

export interface Candle { time: string; open: number; high: number; low: number; close: number }
export interface Zone { id: number; type: "supply" | "demand"; created_at: string; ended_at: string | null; top: number; bottom: number; status: string; touches: number; strength: number }
export interface Marker { time: string; trade_time: string; kind: "entry" | "exit"; side: "long" | "short"; price: number; trade_id: number }
export interface TradeFacts { trade_id: number; side: string; entry_time: string; exit_time: string; entry_price: number; exit_price: number; pnl: number; r_multiple: number | null; exit_reason: string }

type Target = Parameters<IPrimitivePaneRenderer["draw"]>[0];

/** The zones, painted under the candles. */
class ZonesPrimitive implements ISeriesPrimitive<Time> {
  private chart: IChartApi | null = null;
  private series: ISeriesApi<"Candlestick"> | null = null;
  private readonly views: IPrimitivePaneView[];
  /** Zones painted by the last frame (the browser test reads it from the holder). */
  drawn = 0;
  constructor(private readonly zones: { from: UTCTimestamp; to: UTCTimestamp; top: number; bottom: number; supply: boolean }[], private readonly onPainted: (n: number) => void) {
    const renderer: IPrimitivePaneRenderer = { draw: () => {}, drawBackground: (target) => this.paint(target) };
    this.views = [{ renderer: () => renderer, zOrder: () => "bottom" }];
  }
  attached(p: SeriesAttachedParameter<Time>): void {
    this.chart = p.chart as IChartApi;
    this.series = p.series as ISeriesApi<"Candlestick">;
  }
  detached(): void {
    this.chart = this.series = null;
  }
  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }
  private paint(target: Target): void {
    const chart = this.chart, series = this.series;
    if (!chart || !series) return;
    const range = chart.timeScale().getVisibleRange();
    if (!range) return;
    const [from, to] = [range.from as number, range.to as number];
    let drawn = 0;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      for (const z of this.zones) {
        if (z.to < from || z.from > to) continue; // off screen
        const x1 = chart.timeScale().timeToCoordinate(Math.max(z.from, from) as UTCTimestamp);
        const x2 = chart.timeScale().timeToCoordinate(Math.min(z.to, to) as UTCTimestamp);
        const y1 = series.priceToCoordinate(z.top), y2 = series.priceToCoordinate(z.bottom);
        if (x1 === null || x2 === null || y1 === null || y2 === null) continue;
        context.fillStyle = z.supply ? "rgba(220, 38, 38, 0.16)" : "rgba(22, 163, 74, 0.16)";
        context.strokeStyle = z.supply ? "rgba(220, 38, 38, 0.55)" : "rgba(22, 163, 74, 0.55)";
        const x = Math.round(x1 * hr), y = Math.round(Math.min(y1, y2) * vr);
        const w = Math.max(1, Math.round((x2 - x1) * hr)), h = Math.max(1, Math.round(Math.abs(y2 - y1) * vr));
        context.fillRect(x, y, w, h);
        context.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
        ++drawn;
      }
    });
    if (drawn !== this.drawn) this.onPainted((this.drawn = drawn));
  }
}

/** The last candle time at or before `t` (candles may be merged on long series). */
function snapper(times: number[]): (t: number) => number {
  return (t) => {
    let lo = 0, hi = times.length - 1;
    if (!times.length || t <= times[0]) return times[0] ?? t;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return times[lo];
  };
}

export interface PriceChart {
  /** Scrolls and zooms to a trade, with some bars either side. */
  showTrade(entry: string, exit: string): void;
}

export function priceChart(holder: HTMLElement, tooltip: HTMLElement, candles: Candle[], zones: Zone[], markers: Marker[],
  tradeFacts: (id: number) => TradeFacts | undefined): PriceChart {
  const chart = createChart(holder, { height: 420, autoSize: true, timeScale: { timeVisible: true, minBarSpacing: 0.01 }, localization: { timeFormatter: isoTime } });
  const series = chart.addSeries(CandlestickSeries, { upColor: "#2b8a3e", downColor: "#c92a2a", wickUpColor: "#2b8a3e", wickDownColor: "#c92a2a", borderVisible: false });
  series.setData(candles.map((c) => ({ time: chartTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));
  const times = candles.map((c) => chartTime(c.time) as number);
  const snap = snapper(times);
  const indexOf = (t: number) => Math.max(0, times.indexOf(t));
  const lastTime = times[times.length - 1] ?? 0;
  series.attachPrimitive(new ZonesPrimitive(zones.map((z) => ({
    from: snap(chartTime(z.created_at)) as UTCTimestamp,
    to: snap(z.ended_at ? chartTime(z.ended_at) : lastTime) as UTCTimestamp,
    top: z.top, bottom: z.bottom, supply: z.type === "supply",
  })), (n) => holder.setAttribute("data-zones-drawn", String(n))));
  const shown: SeriesMarker<Time>[] = markers.map((m) => {
    const long = m.side === "long";
    const entry = m.kind === "entry";
    const marker: SeriesMarker<Time> = {
      time: snap(chartTime(m.time)) as UTCTimestamp,
      position: entry === long ? "belowBar" : "aboveBar",
      shape: entry ? (long ? "arrowUp" : "arrowDown") : "circle",
      color: entry ? (long ? "#1971c2" : "#e8590c") : "#495057",
      text: entry ? `#${m.trade_id}` : "",
      size: 1,
    };
    return marker;
  }).sort((a, b) => (a.time as number) - (b.time as number));
  createSeriesMarkers(series, shown);
  holder.setAttribute("data-candles", String(candles.length));
  holder.setAttribute("data-markers", String(shown.length));
  // A tooltip for the trades whose markers sit on the hovered candle.
  const byTime = new Map<number, Marker[]>();
  for (const m of markers) {
    const t = snap(chartTime(m.time));
    byTime.set(t, [...(byTime.get(t) ?? []), m]);
  }
  chart.subscribeCrosshairMove((param) => {
    const here = param.time !== undefined ? byTime.get(param.time as number) : undefined;
    if (!here || !param.point) {
      tooltip.hidden = true;
      return;
    }
    tooltip.replaceChildren(...here.map((m) => {
      const t = tradeFacts(m.trade_id);
      const line = document.createElement("div");
      line.textContent = t
        ? `Trade #${t.trade_id} ${t.side}: ${m.kind} at ${formatNumber(m.price)}; entered ${t.entry_time} at ${formatNumber(t.entry_price)}, exited ${t.exit_time} at ${formatNumber(t.exit_price)} (${t.exit_reason}); P&L ${formatNumber(t.pnl)}${t.r_multiple !== null ? `, ${formatNumber(t.r_multiple)} R` : ""}`
        : `Trade #${m.trade_id} ${m.side}: ${m.kind} at ${formatNumber(m.price)}, ${m.trade_time}`;
      return line;
    }));
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(param.point.x + 12, holder.clientWidth - 260)}px`;
    tooltip.style.top = `${param.point.y + 12}px`;
  });
  // The last three months first: a whole 2-year series is a blur of candles.
  const from = Math.max(times[0] ?? 0, lastTime - 90 * 86400);
  if (times.length) chart.timeScale().setVisibleRange({ from: snap(from) as UTCTimestamp, to: lastTime as UTCTimestamp });
  return {
    showTrade(entry, exit) {
      // By bar index (a time range would land wherever the market was shut):
      // the trade in the middle, as many bars again either side, at least 20.
      const i = indexOf(snap(chartTime(entry))), j = indexOf(snap(chartTime(exit)));
      const pad = Math.max(20, j - i);
      chart.timeScale().setVisibleLogicalRange({ from: i - pad, to: j + pad });
      holder.setAttribute("data-shown-from", isoTime(times[Math.max(0, i - pad)]));
      holder.scrollIntoView({ block: "center", behavior: "instant" as ScrollBehavior });
    },
  };
}
