// Small charts drawn as SVG, where a financial time axis does not fit: a
// histogram, a fan chart over simulation steps, and windows on a time
// axis. Each scales with its box (viewBox) and carries a title for screen
// readers; the numbers are also in a table beside it.
import { formatNumber } from "../format";

const ns = "http://www.w3.org/2000/svg";

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(title: string, width: number, height: number, kind: string): SVGSVGElement {
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "svg-chart", "data-chart": kind, preserveAspectRatio: "xMidYMid meet" });
  svg.append(svgEl("title", {}, title));
  return svg;
}

/** A linear scale from [d0, d1] to [r0, r1] (a flat domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  return d1 === d0 ? () => (r0 + r1) / 2 : (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Bars of counts over equal bins from `from`, each `width` wide. */
export function histogram(title: string, h: { from: number; width: number; counts: number[] }, unit = ""): SVGSVGElement {
  const W = 560, H = 220, left = 44, bottom = 34, top = 10, right = 10;
  const svg = frame(title, W, H, "histogram");
  const most = Math.max(1, ...h.counts);
  const bw = (W - left - right) / Math.max(1, h.counts.length);
  const y = scale(0, most, H - bottom, top);
  h.counts.forEach((c, i) => {
    const lo = h.from + i * h.width, hi = lo + h.width;
    const bar = svgEl("rect", { x: left + i * bw + 1, y: y(c), width: Math.max(1, bw - 2), height: H - bottom - y(c), class: "bar" });
    bar.append(svgEl("title", {}, `${formatNumber(lo)} to ${formatNumber(hi)}${unit}: ${formatNumber(c)}`));
    svg.append(bar);
  });
  svg.append(svgEl("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "axis" }));
  const last = h.from + h.width * h.counts.length;
  svg.append(svgEl("text", { x: left, y: H - bottom + 16, class: "tick" }, formatNumber(Number(h.from.toPrecision(8))) + unit));
  svg.append(svgEl("text", { x: W - right, y: H - bottom + 16, class: "tick", "text-anchor": "end" }, formatNumber(Number(last.toPrecision(8))) + unit));
  svg.append(svgEl("text", { x: left - 6, y: top + 10, class: "tick", "text-anchor": "end" }, formatNumber(most)));
  svg.append(svgEl("text", { x: left - 6, y: H - bottom, class: "tick", "text-anchor": "end" }, "0"));
  return svg;
}

export interface FanStep { step: number; p5: number; p25: number; p50: number; p75: number; p95: number }

/** Percentile bands of equity over steps: 5–95 light, 25–75 darker, the median a line. */
export function fanChart(title: string, fan: FanStep[], stepUnit: string): SVGSVGElement {
  const W = 560, H = 260, left = 70, bottom = 34, top = 10, right = 10;
  const svg = frame(title, W, H, "fan");
  const lo = Math.min(...fan.map((f) => f.p5)), hi = Math.max(...fan.map((f) => f.p95));
  const last = fan.length ? fan[fan.length - 1].step : 1;
  const x = scale(0, last, left, W - right), y = scale(lo, hi, H - bottom, top);
  const band = (upper: keyof FanStep, lower: keyof FanStep, cls: string) => {
    const up = fan.map((f) => `${x(f.step).toFixed(1)},${y(f[upper]).toFixed(1)}`);
    const down = [...fan].reverse().map((f) => `${x(f.step).toFixed(1)},${y(f[lower]).toFixed(1)}`);
    svg.append(svgEl("polygon", { points: [...up, ...down].join(" "), class: cls }));
  };
  band("p95", "p5", "band-outer");
  band("p75", "p25", "band-inner");
  svg.append(svgEl("polyline", { points: fan.map((f) => `${x(f.step).toFixed(1)},${y(f.p50).toFixed(1)}`).join(" "), class: "median" }));
  svg.append(svgEl("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "axis" }));
  svg.append(svgEl("text", { x: left - 6, y: top + 10, class: "tick", "text-anchor": "end" }, formatNumber(Math.round(hi))));
  svg.append(svgEl("text", { x: left - 6, y: H - bottom, class: "tick", "text-anchor": "end" }, formatNumber(Math.round(lo))));
  svg.append(svgEl("text", { x: left, y: H - bottom + 16, class: "tick" }, "0"));
  svg.append(svgEl("text", { x: W - right, y: H - bottom + 16, class: "tick", "text-anchor": "end" }, `${formatNumber(last)} ${stepUnit}s`));
  return svg;
}

export interface Window { label: string; train: [number, number]; test: [number, number] }

/** Walk-forward folds as rows on one time axis: training then testing. */
export function windowsChart(title: string, windows: Window[], first: number, last: number, tick: (t: number) => string): SVGSVGElement {
  const row = 16, left = 40, right = 10, top = 6, W = 560;
  const H = top + windows.length * row + 24;
  const svg = frame(title, W, H, "windows");
  const x = scale(first, last, left, W - right);
  windows.forEach((w, i) => {
    const yy = top + i * row;
    svg.append(svgEl("text", { x: left - 6, y: yy + 11, class: "tick", "text-anchor": "end" }, w.label));
    const train = svgEl("rect", { x: x(w.train[0]), y: yy + 2, width: Math.max(1, x(w.train[1]) - x(w.train[0])), height: row - 4, class: "train" });
    train.append(svgEl("title", {}, `${w.label} training: ${tick(w.train[0])} to ${tick(w.train[1])}`));
    const test = svgEl("rect", { x: x(w.test[0]), y: yy + 2, width: Math.max(1, x(w.test[1]) - x(w.test[0])), height: row - 4, class: "test" });
    test.append(svgEl("title", {}, `${w.label} testing: ${tick(w.test[0])} to ${tick(w.test[1])}`));
    svg.append(train, test);
  });
  const axisY = top + windows.length * row + 14;
  svg.append(svgEl("text", { x: left, y: axisY, class: "tick" }, tick(first)));
  svg.append(svgEl("text", { x: W - right, y: axisY, class: "tick", "text-anchor": "end" }, tick(last)));
  return svg;
}

export interface RegimeDay {
  date: string; close: number; volatility_pct: number | null; p25?: number; p50?: number; p75?: number;
  regime: "low" | "normal" | "elevated" | "high" | null; trigger: string | null;
}

/** Days as a strip coloured by regime, the volatility as a line above, triggers as triangles. */
export function regimeTimeline(title: string, days: RegimeDay[]): SVGSVGElement {
  const W = 560, H = 170, left = 40, right = 10, top = 8, strip = 14, bottom = 22;
  const svg = frame(title, W, H, "regimes");
  if (!days.length) return svg;
  const t = (d: RegimeDay) => Date.parse(d.date) / 1000;
  const x = scale(t(days[0]), t(days[days.length - 1]), left, W - right);
  const vols = days.map((d) => d.volatility_pct).filter((v): v is number => v !== null);
  const hi = Math.max(1, ...vols);
  const y = scale(0, hi, H - bottom - strip - 6, top);
  const width = Math.max(1, (W - left - right) / days.length);
  for (const d of days) {
    if (!d.regime) continue;
    const r = svgEl("rect", { x: x(t(d)), y: H - bottom - strip, width: width + 0.5, height: strip, class: `regime-${d.regime}` });
    r.append(svgEl("title", {}, `${d.date.slice(0, 10)}: ${d.regime}, volatility ${formatNumber(d.volatility_pct ?? 0)} %`));
    svg.append(r);
  }
  svg.append(svgEl("polyline", { class: "volatility", points: days.filter((d) => d.volatility_pct !== null).map((d) => `${x(t(d)).toFixed(1)},${y(d.volatility_pct!).toFixed(1)}`).join(" ") }));
  for (const d of days.filter((d) => d.trigger)) {
    const cx = x(t(d)), cy = H - bottom - strip - 4;
    const tri = svgEl("polygon", { points: `${cx - 3},${cy - 6} ${cx + 3},${cy - 6} ${cx},${cy}`, class: "trigger" });
    tri.append(svgEl("title", {}, `${d.date.slice(0, 10)}: ${d.trigger === "regime_change" ? "crossed the 75th percentile" : "volatility moved more than 20 %"}`));
    svg.append(tri);
  }
  svg.append(svgEl("text", { x: left - 6, y: top + 10, class: "tick", "text-anchor": "end" }, `${formatNumber(Math.round(hi))} %`));
  svg.append(svgEl("text", { x: left, y: H - 6, class: "tick" }, days[0].date.slice(0, 10)));
  svg.append(svgEl("text", { x: W - right, y: H - 6, class: "tick", "text-anchor": "end" }, days[days.length - 1].date.slice(0, 10)));
  return svg;
}
