// Charts over time on lightweight-charts (made for financial series: a
// time axis with gaps, zoom and pan, tens of thousands of points): lines
// for equity curves, an area for drawdown.
import { AreaSeries, LineSeries, createChart, type IChartApi, type UTCTimestamp } from "lightweight-charts";

/** An API time ("2024-01-02T13:00:00Z") as the chart's time. */
export function chartTime(iso: string): UTCTimestamp {
  return (Date.parse(iso) / 1000) as UTCTimestamp;
}

/** Distinct colours for up to ten curves (compare). */
export const palette = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d", "#e67700", "#364fc7", "#495057"];

export interface Line {
  title: string;
  color: string;
  points: { time: string; value: number | null }[];
  dashed?: boolean;
}

/** A chart in `holder` once it is in the page (the chart measures its box). */
export function whenShown(holder: HTMLElement, draw: (chart: IChartApi) => void, height = 320): void {
  const start = () => {
    const chart = createChart(holder, { height, autoSize: true, timeScale: { timeVisible: true, minBarSpacing: 0.001 }, localization: { timeFormatter: isoTime } });
    draw(chart);
    chart.timeScale().fitContent();
  };
  if (holder.isConnected) start();
  else requestAnimationFrame(function wait() {
    if (holder.isConnected) start();
    else requestAnimationFrame(wait);
  });
}

/** Times on the axis and crosshair in UTC, as the API writes them. */
export function isoTime(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}

export function addLines(chart: IChartApi, lines: Line[]): void {
  for (const line of lines)
    chart.addSeries(LineSeries, { color: line.color, lineWidth: 2, title: line.title, lineStyle: line.dashed ? 2 : 0 })
      .setData(line.points.map((p) => (p.value === null ? { time: chartTime(p.time) } : { time: chartTime(p.time), value: p.value })));
}

/** Drawdown (percent below the peak) as a red area under its own scale at the bottom. */
export function addDrawdown(chart: IChartApi, points: { time: string; drawdown_pct: number }[]): void {
  chart.addSeries(AreaSeries, { priceScaleId: "drawdown", lineColor: "#b42318", topColor: "rgba(180,35,24,0.05)", bottomColor: "rgba(180,35,24,0.3)", title: "drawdown %", lineWidth: 1 })
    .setData(points.map((p) => ({ time: chartTime(p.time), value: -p.drawdown_pct })));
  chart.priceScale("drawdown").applyOptions({ scaleMargins: { top: 0.75, bottom: 0 } });
}

/** A legend naming each line in its colour. */
export function legend(lines: { title: string; color: string; dashed?: boolean }[]): HTMLElement {
  const box = document.createElement("ul");
  box.className = "legend";
  for (const l of lines) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch" + (l.dashed ? " dashed" : "");
    swatch.style.borderColor = l.color;
    item.append(swatch, l.title);
    box.append(item);
  }
  return box;
}
