// The status card of a sweep or a walk-forward: its state and progress,
// read again (at most every 300 ms) whenever its WebSocket pushes an
// event, a cancel while it is queued or running, and its results once it
// has completed. "Not found" for another user's or no such resource.
import { can } from "../account";
import { ApiError, follow, request } from "../api";
import { el, message, wordsOf } from "../dom";

export interface JobState { status: string; progress: number; line: string }

export function followJob<T>(page: HTMLElement, path: string, what: string,
  describe: (doc: T) => JobState, results: (doc: T) => Promise<HTMLElement[]> | HTMLElement[]): void {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" }, "Loading…");
  const bar = el("progress", { max: "100", value: "0", "aria-label": "Progress" });
  const cancel = el("button", { type: "button", class: "danger", hidden: true }, "Cancel");
  const feedback = el("div");
  const out = el("div");
  page.append(el("section", { class: "card" }, status, bar, cancel), feedback, out);
  const active = (s: string) => s === "queued" || s === "running";
  let shown = false, timer = 0;
  const show = async (): Promise<boolean> => {
    let doc: T;
    try {
      doc = await request<T>("GET", path);
    } catch (err) {
      status.textContent = "";
      bar.hidden = true;
      feedback.replaceChildren(message(err instanceof ApiError && err.status === 404
        ? `${what} not found: it does not exist, or it is not yours.` : wordsOf(err)));
      return false;
    }
    const s = describe(doc);
    bar.value = s.progress;
    cancel.hidden = !can("runs:write") || !active(s.status);
    status.textContent = s.line;
    if (s.status === "completed" && !shown) {
      shown = true;
      out.replaceChildren(...(await results(doc)));
    }
    return active(s.status);
  };
  cancel.addEventListener("click", async () => {
    try {
      await request("POST", `${path}/cancel`);
      await show();
    } catch (err) {
      feedback.replaceChildren(message(wordsOf(err)));
    }
  });
  void (async () => {
    if (!(await show())) return;
    follow(`${path}/progress`, () => {
      if (!timer) timer = window.setTimeout(() => { timer = 0; void show(); }, 300);
    }, () => void show());
  })();
}

/** "running" -> "Running". */
export function capitalised(word: string): string {
  return word ? word[0].toUpperCase() + word.slice(1) : word;
}
