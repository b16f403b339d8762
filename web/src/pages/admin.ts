// Queue and admin (the admin role): every user's queued runs by priority
// with their positions, the running runs with their workers, the nodes of
// the cluster, the dead letters, and the metrics. Read again every two
// seconds while the page is open.
import { account, can } from "../account";
import { request, requestText } from "../api";
import { el, message, wordsOf } from "../dom";
import { formatNumber } from "../format";

interface Entry { run_id: string; user: string; priority: string; strategy: string; symbol: string; timeframe: string; position?: number; attempts: number; progress: number; worker_id: string | null; error: string | null; created_at: string; started_at: string | null; dead_lettered_at?: string }
interface Overview { queued_total: number; queued: Entry[]; running: Entry[]; dead_letters_total: number; dead_letters: Entry[] }
interface Node { node_id: string; address: string; status: string; workers: number; running_runs: string[]; last_heartbeat: string }
interface QueueStats { queued: number; running: number; workers: number; capacity: number; avg_run_ms: number; depth_warning: boolean }

export function adminPage(): HTMLElement {
  const page = el("div", { class: "page admin" }, el("h1", {}, "Queue and admin"));
  const feedback = el("div");
  const body = el("div");
  const metrics = el("pre", { class: "metrics", hidden: true });
  const metricsButton = el("button", { type: "button", class: "secondary" }, "Show metrics");
  metricsButton.addEventListener("click", async () => {
    try {
      metrics.textContent = await requestText("/metrics");
      metrics.hidden = false;
    } catch (err) {
      feedback.replaceChildren(message(wordsOf(err)));
    }
  });
  page.append(feedback, body, el("section", { class: "card", "aria-label": "Metrics" }, el("h2", {}, "Metrics"),
    el("p", { class: "help" }, "The Prometheus scrape of this server (GET /metrics with a key holding metrics:read, or the --metrics-listen address without one)."),
    metricsButton, metrics));
  const me = account()?.user;
  const cancel = (id: string) => el("button", {
    type: "button", class: "danger",
    onClick: async () => {
      try {
        await request("POST", `/v1/backtest/${id}/cancel`);
        await load();
      } catch (err) {
        feedback.replaceChildren(message(wordsOf(err)));
      }
    },
  }, "Cancel");
  const table = (kind: string, heads: string[], rows: HTMLElement[], empty: string) => rows.length
    ? el("div", { class: "scroll" }, el("table", { class: "data", "data-table": kind }, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...rows)))
    : el("p", { class: "empty" }, empty);
  const runLink = (e: Entry) => (e.user === me ? el("a", { href: `#/runs/${e.run_id}` }, e.run_id.slice(0, 8)) : el("span", { title: e.run_id }, e.run_id.slice(0, 8)));
  const load = async () => {
    try {
      const [o, stats, cluster] = await Promise.all([
        request<Overview>("GET", "/v1/admin/queue"),
        request<QueueStats>("GET", "/v1/queue"),
        request<{ nodes: Node[] }>("GET", "/v1/admin/cluster"),
      ]);
      const byPriority = ["high", "normal", "low"].map((p) => [p, o.queued.filter((e) => e.priority === p)] as const);
      body.replaceChildren(
        el("section", { class: "cards", "aria-label": "Queue summary" },
          ...[["Queued", stats.queued], ["Running", stats.running], ["Local workers", stats.workers], ["Capacity", stats.capacity], ["Average run (ms)", stats.avg_run_ms], ["Dead letters", o.dead_letters_total]]
            .map(([l, v]) => el("div", { class: "metric" }, el("span", { class: "label" }, String(l)), el("span", { class: "value" }, formatNumber(v as number))))),
        stats.depth_warning ? message("The queue is deeper than its warning threshold.", "note") : "",
        el("section", { class: "card", "aria-label": "Queue" }, el("h2", {}, `Queue (${formatNumber(o.queued_total)})`),
          ...byPriority.map(([p, entries]) => el("div", {}, el("h3", {}, `${p[0].toUpperCase()}${p.slice(1)} priority`),
            table(`queue-${p}`, ["Position", "Run", "User", "Strategy", "Data", "Attempts", "Queued (UTC)", ""], entries.map((e) => el("tr", {},
              el("td", { class: "number" }, formatNumber(e.position ?? 0)), el("td", {}, runLink(e)), el("td", {}, e.user), el("td", {}, e.strategy),
              el("td", {}, `${e.symbol} ${e.timeframe}`), el("td", { class: "number" }, formatNumber(e.attempts)), el("td", {}, e.created_at),
              el("td", {}, e.user === me && can("runs:write") ? cancel(e.run_id) : ""))), "Nothing queued at this priority.")))),
        el("section", { class: "card", "aria-label": "Running" }, el("h2", {}, "Running"),
          table("running", ["Run", "User", "Worker", "Progress", "Started (UTC)", "Attempts"], o.running.map((e) => el("tr", {},
            el("td", {}, runLink(e)), el("td", {}, e.user), el("td", {}, e.worker_id ?? "—"), el("td", { class: "number" }, `${formatNumber(e.progress)} %`),
            el("td", {}, e.started_at ?? "—"), el("td", { class: "number" }, formatNumber(e.attempts)))), "Nothing is running.")),
        el("section", { class: "card", "aria-label": "Nodes" }, el("h2", {}, "Nodes"),
          table("nodes", ["Node", "Status", "Workers", "Running", "Last heartbeat (UTC)"], cluster.nodes.map((n) => el("tr", {},
            el("td", { title: n.address }, n.node_id), el("td", { class: n.status === "up" ? "" : "problem" }, n.status), el("td", { class: "number" }, formatNumber(n.workers)),
            el("td", { class: "number" }, formatNumber(n.running_runs.length)), el("td", {}, n.last_heartbeat))), "No worker nodes have joined: the server's own workers run everything.")),
        el("section", { class: "card", "aria-label": "Dead letters" }, el("h2", {}, `Dead letters (${formatNumber(o.dead_letters_total)})`),
          table("dead-letters", ["Run", "User", "Attempts", "Last error", "Dead-lettered (UTC)"], o.dead_letters.map((e) => el("tr", {},
            el("td", {}, runLink(e)), el("td", {}, e.user), el("td", { class: "number" }, formatNumber(e.attempts)), el("td", {}, e.error ?? "—"), el("td", {}, e.dead_lettered_at ?? "—"))),
            "No dead letters: every run finished within its attempts.")));
      feedback.replaceChildren();
    } catch (err) {
      feedback.replaceChildren(message(wordsOf(err)));
    }
  };
  // Read again every two seconds until the page is left.
  const refresh = async (): Promise<void> => {
    await load();
    setTimeout(() => {
      if (page.isConnected) void refresh();
    }, 2000);
  };
  void refresh();
  return page;
}
