// Data: upload a CSV (drag and drop or a file picker) with a progress bar,
// read its report (imported, duplicates, rejected rows with their reasons,
// gaps with their ranges), and the datasets with their ranges and gaps,
// each deletable after a confirmation.
import { can } from "../account";
import { ApiError, request, upload } from "../api";
import { el, message } from "../dom";
import { formatBytes, formatNumber, formatTime } from "../format";
import { regimeSection } from "./regimes";

interface Gap { from: string; to: string; missing_bars: number }
interface Dataset { symbol: string; timeframe: string; from: string | null; to: string | null; bars: number; gaps: number }
interface UploadReport {
  symbol: string;
  timeframe: string;
  rows_received: number;
  imported: number;
  duplicates_skipped: { within_file: number; already_stored: number };
  rejected: { row: number; reason: string }[];
  rejected_count?: number;
  gaps: Gap[];
  range: { from: string | null; to: string | null };
  warnings: string[];
}

const timeframes = ["1m", "5m", "15m", "30m", "1h", "4h", "1d"];

function reportView(r: UploadReport): HTMLElement {
  const rejected = r.rejected_count ?? r.rejected.length;
  return el(
    "section",
    { class: "card report", "aria-label": "Upload report" },
    el("h2", {}, `Uploaded ${r.symbol} ${r.timeframe}`),
    el(
      "dl",
      { class: "figures" },
      el("dt", {}, "Rows received"), el("dd", { "data-figure": "rows" }, formatNumber(r.rows_received)),
      el("dt", {}, "Imported"), el("dd", { "data-figure": "imported" }, formatNumber(r.imported)),
      el("dt", {}, "Duplicates in the file"), el("dd", {}, formatNumber(r.duplicates_skipped.within_file)),
      el("dt", {}, "Already stored"), el("dd", {}, formatNumber(r.duplicates_skipped.already_stored)),
      el("dt", {}, "Rejected"), el("dd", { "data-figure": "rejected" }, formatNumber(rejected)),
      el("dt", {}, "Range"), el("dd", {}, `${formatTime(r.range.from)} to ${formatTime(r.range.to)}`),
    ),
    r.rejected.length
      ? el("table", { class: "rejected" },
          el("caption", {}, "Rejected rows"),
          el("thead", {}, el("tr", {}, el("th", {}, "Row"), el("th", {}, "Reason"))),
          el("tbody", {}, ...r.rejected.map((x) => el("tr", {}, el("td", {}, formatNumber(x.row)), el("td", {}, x.reason)))))
      : null,
    r.gaps.length
      ? el("table", { class: "gaps" },
          el("caption", {}, `Gaps in trading hours (${formatNumber(r.gaps.length)})`),
          el("thead", {}, el("tr", {}, el("th", {}, "From"), el("th", {}, "To"), el("th", {}, "Missing bars"))),
          el("tbody", {}, ...r.gaps.map((g) =>
            el("tr", {}, el("td", {}, formatTime(g.from)), el("td", {}, formatTime(g.to)), el("td", {}, formatNumber(g.missing_bars))))))
      : el("p", { class: "note" }, "No gaps in trading hours."),
    ...r.warnings.map((w) => message(w, "note")),
  );
}

export function dataPage(): HTMLElement {
  const list = el("section", { class: "card", "aria-label": "Datasets" });
  const feedback = el("div", { class: "feedback" });
  const progress = el("progress", { max: "1", value: "0", hidden: true, "aria-label": "Upload progress" });
  const symbol = el("input", { id: "symbol", required: true, pattern: "[A-Z0-9._\\-]{1,16}", placeholder: "GC" });
  const timeframe = el("select", { id: "timeframe" }, ...timeframes.map((t) => el("option", t === "1h" ? { value: t, selected: true } : { value: t }, t)));
  const file = el("input", { id: "file", type: "file", accept: ".csv,text/csv", required: true });
  const chosen = el("span", { class: "chosen" }, "No file chosen");
  let picked: File | null = null;
  const pick = (f: File | null | undefined) => {
    picked = f ?? null;
    chosen.textContent = picked ? `${picked.name} (${formatBytes(picked.size)})` : "No file chosen";
  };
  file.addEventListener("change", () => pick(file.files?.[0]));
  const drop = el("div", { class: "drop", tabindex: "0", role: "button", "aria-label": "Drop a CSV file here or choose one" },
    "Drop a CSV file here, or ", el("label", { for: "file", class: "link" }, "choose one"), ". ", chosen, file);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    pick((e as DragEvent).dataTransfer?.files?.[0]);
  });
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") file.click(); });

  async function refresh(): Promise<void> {
    try {
      const { datasets } = await request<{ datasets: Dataset[] }>("GET", "/v1/market-data");
      if (!datasets.length) {
        list.replaceChildren(el("h2", {}, "Your datasets"),
          el("p", { class: "empty" }, "No data yet: upload a CSV of OHLCV bars above to run backtests on it."));
        return;
      }
      list.replaceChildren(
        el("h2", {}, "Your datasets"),
        el("table", { class: "datasets" },
          el("thead", {}, el("tr", {}, ...["Symbol", "Timeframe", "Bars", "From", "To", "Gaps", "", ""].map((h) => el("th", {}, h)))),
          el("tbody", {}, ...datasets.map((d) =>
            el("tr", { "data-dataset": `${d.symbol}/${d.timeframe}` },
              el("td", {}, d.symbol), el("td", {}, d.timeframe), el("td", { class: "number" }, formatNumber(d.bars)),
              el("td", {}, formatTime(d.from)), el("td", {}, formatTime(d.to)), el("td", { class: "number" }, formatNumber(d.gaps)),
              el("td", {}, el("button", {
                type: "button", class: "secondary",
                onClick: async () => regimes.replaceChildren(await regimeSection(d.symbol, d.timeframe)),
              }, "Regimes")),
              el("td", {}, can("data:write") && el("button", {
                class: "danger",
                onClick: async () => {
                  if (!confirm(`Delete ${d.symbol} ${d.timeframe} and its ${formatNumber(d.bars)} bars? This cannot be undone.`)) return;
                  feedback.replaceChildren();
                  try {
                    await request("DELETE", `/v1/market-data/${encodeURIComponent(d.symbol)}/${encodeURIComponent(d.timeframe)}`);
                    feedback.append(message(`Deleted ${d.symbol} ${d.timeframe}.`, "note"));
                  } catch (err) {
                    feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
                  }
                  await refresh();
                },
              }, "Delete")))))),
      );
    } catch (err) {
      list.replaceChildren(message(err instanceof ApiError ? err.words() : String(err)));
    }
  }

  const report = el("div");
  const regimes = el("div");
  const form = el("form", {
    class: "card upload",
    onSubmit: async (e: Event) => {
      e.preventDefault();
      feedback.replaceChildren();
      report.replaceChildren();
      if (!picked) {
        feedback.append(message("Choose a CSV file to upload."));
        return;
      }
      progress.hidden = false;
      progress.value = 0;
      try {
        const r = await upload<UploadReport>(
          `/v1/market-data?symbol=${encodeURIComponent(symbol.value.trim())}&timeframe=${encodeURIComponent(timeframe.value)}`,
          picked, (f) => (progress.value = f));
        report.append(reportView(r));
        await refresh();
      } catch (err) {
        feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
      } finally {
        progress.hidden = true;
      }
    },
  },
    el("h1", {}, "Market data"),
    el("div", { class: "fields" },
      el("label", { for: "symbol" }, "Symbol"), symbol,
      el("label", { for: "timeframe" }, "Timeframe"), timeframe),
    drop,
    el("button", { type: "submit" }, "Upload"),
    progress,
  );
  void refresh();
  // Only a role that may upload is offered the upload form.
  return el("div", { class: "page data" }, can("data:write") ? form : el("h1", {}, "Market data"), feedback, report, list, regimes);
}
