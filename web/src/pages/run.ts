// A run: its status pushed over the WebSocket (queue position and ETA while
// queued; progress, the current bar time and the trades so far while it
// runs), cancel; once completed, its results (run_results.ts). Another
// user's run, or an id that is none, is "not found".
import { can } from "../account";
import { ApiError, request, storedKey } from "../api";
import { el, message } from "../dom";
import { formatNumber } from "../format";
import { runResults, type RunDoc } from "./run_results";

interface RunStatus {
  run_id: string;
  status: string;
  progress?: number;
  queue_position?: number | null;
  eta_seconds?: number | null;
  current_bar_time?: string | null;
  trades_so_far?: number | null;
  error?: string | null;
}

export function runPage(runId: string): HTMLElement {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" }, "Loading…");
  const bar = el("progress", { max: "100", value: "0", "aria-label": "Progress" });
  const results = el("div");
  const feedback = el("div", { class: "feedback" });
  const cancel = el("button", {
    class: "danger", hidden: true,
    onClick: async () => {
      feedback.replaceChildren();
      try {
        await request("POST", `/v1/backtest/${runId}/cancel`);
      } catch (err) {
        feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
      }
    },
  }, "Cancel");
  const page = el("div", { class: "page run" }, el("h1", {}, "Run"), el("p", { class: "help" }, runId),
    el("section", { class: "card" }, status, bar, cancel), feedback, results);

  let finished = false; // results shown
  let ended = false; // completed, failed or cancelled: nothing more will come
  const show = async (s: RunStatus) => {
    ended = ["completed", "failed", "cancelled"].includes(s.status);
    const pct = s.progress ?? 0;
    bar.value = pct;
    cancel.hidden = !can("runs:write") || !(s.status === "queued" || s.status === "running");
    if (s.status === "queued")
      status.textContent = `Queued${s.queue_position ? `, position ${formatNumber(s.queue_position)}` : ""}` +
        (s.eta_seconds != null ? `, starting in about ${formatNumber(Math.round(s.eta_seconds))} s` : "");
    else if (s.status === "running")
      status.textContent = `Running: ${formatNumber(pct)} %` + (s.current_bar_time ? `, at ${s.current_bar_time}` : "") +
        (s.trades_so_far != null ? `, ${formatNumber(s.trades_so_far)} trades so far` : "");
    else if (s.status === "failed") status.textContent = `Failed: ${s.error ?? "no reason given"}`;
    else if (s.status === "cancelled") status.textContent = "Cancelled.";
    else if (s.status === "completed") status.textContent = "Completed.";
    if (s.status === "completed" && !finished) {
      finished = true;
      try {
        const run = await request<RunDoc>("GET", `/v1/backtest/${runId}`);
        // How long the first load took, for the browser test to quote.
        results.replaceChildren(await runResults(run, () => page.setAttribute("data-loaded-ms", String(Math.round(performance.now())))));
      } catch (err) {
        results.replaceChildren(message(err instanceof ApiError ? err.words() : String(err)));
      }
    }
  };

  void (async () => {
    try {
      await show(await request<RunStatus>("GET", `/v1/backtest/${runId}`));
    } catch (err) {
      status.textContent = "";
      bar.hidden = true;
      feedback.append(message(err instanceof ApiError && err.status === 404
        ? "Run not found: it does not exist, or it is not yours." : err instanceof ApiError ? err.words() : String(err)));
      return;
    }
    if (ended) return;
    // Progress pushed over the WebSocket; the key goes as a subprotocol
    // (browsers cannot set headers on a WebSocket).
    const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/v1/backtest/${runId}/progress`,
      [`bt-key.${storedKey()}`]);
    ws.onmessage = (e) => {
      const event = JSON.parse(String(e.data)) as RunStatus & { event?: string };
      if (event.status || event.event === "progress") void show({ ...event, status: event.status ?? "running" } as RunStatus);
    };
    ws.onerror = () => feedback.append(message("The live connection failed; reload the page to see the latest state.", "note"));
  })();
  return page;
}
