// The application's shell: sign-in, then the pages by URL hash (#/data),
// with sign-out clearing the key.
import "./style.css";
import { account, can, forgetAccount, loadAccount } from "./account";
import { ApiError, forgetKey, storedKey } from "./api";
import { el } from "./dom";
import { adminPage } from "./pages/admin";
import { comparePage } from "./pages/compare";
import { dataPage } from "./pages/data";
import { historyPage } from "./pages/history";
import { monteCarloPage } from "./pages/monte_carlo";
import { decisionsPage, deploymentPage, deploymentsPage, replaysPage } from "./pages/deployments";
import { programPage, programsPage } from "./pages/programs";
import { sweepPage, sweepsPage } from "./pages/sweeps";
import { walkForwardPage, walkForwardsPage } from "./pages/walk_forward";
import { newBacktestPage } from "./pages/new_backtest";
import { runPage } from "./pages/run";
import { signInPage } from "./pages/sign_in";

const root = document.getElementById("app")!;

/** Goes to `hash`: a change of hash renders (hashchange), the same hash
 *  renders here; never both, which would rebuild a form being filled. */
function go(hash: string): void {
  if (location.hash === hash || (hash === "" && location.hash === "")) render();
  else location.hash = hash;
}

function render(): void {
  if (storedKey() && !account()) {
    // After a reload: who the key is, before anything is offered.
    loadAccount().then(render, (err) => {
      forgetKey();
      root.replaceChildren(signInPage(() => render()));
      root.prepend(el("p", { class: "message error", role: "alert" },
        err instanceof ApiError ? err.words() : String(err)));
    });
    return;
  }
  if (!storedKey()) {
    root.replaceChildren(signInPage(() => go("#/data")));
    return;
  }
  const hash = location.hash || "#/data";
  const [path, query] = hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query ?? "");
  const section = parts[0] ?? "data";
  const link = (href: string, name: string, here: boolean) =>
    el("a", here ? { href, "aria-current": "page" } : { href }, name);
  const who = account()!;
  const nav = el("nav", { "aria-label": "Main" },
    el("span", { class: "brand" }, "backtestd"),
    can("data:read") ? link("#/data", "Data", section === "data") : null,
    can("runs:write") ? link("#/new", "New backtest", section === "new") : null,
    can("runs:read") ? link("#/runs", "Runs", section === "runs" || section === "compare") : null,
    can("runs:read") ? link("#/sweeps", "Sweeps", section === "sweeps") : null,
    can("runs:read") ? link("#/walk-forwards", "Walk-forward", section === "walk-forwards") : null,
    can("runs:read") ? link("#/programs", "Programs", section === "programs") : null,
    can("cluster:read") ? link("#/admin", "Queue and admin", section === "admin") : null,
    el("span", { class: "who" }, `${who.user} (${who.role})`),
    el("button", {
      class: "sign-out",
      onClick: () => {
        forgetKey();
        forgetAccount();
        go("");
      },
    }, "Sign out"));
  const nowhere = el("p", { class: "empty" }, `Your role (${who.role}) has no page here yet: it reads the audit log through the API (GET /v1/admin/audit).`);
  let page: HTMLElement;
  if (section === "runs" && parts[1] && parts[2] === "monte-carlo") page = monteCarloPage("backtest", parts[1]);
  else if (section === "runs" && parts[1]) page = runPage(parts[1]);
  else if (section === "runs" && can("runs:read")) page = historyPage(go);
  else if (section === "compare" && can("runs:read")) page = comparePage((params.get("ids") ?? "").split(",").filter(Boolean));
  else if (section === "new" && can("runs:write")) page = newBacktestPage((id) => go(`#/runs/${id}`), params.get("from") ?? undefined);
  else if (section === "sweeps" && parts[1]) page = sweepPage(parts[1], go);
  else if (section === "sweeps" && can("runs:read")) page = sweepsPage(go);
  else if (section === "walk-forwards" && parts[1] && parts[2] === "monte-carlo") page = monteCarloPage("walk-forwards", parts[1]);
  else if (section === "walk-forwards" && parts[1]) page = walkForwardPage(parts[1]);
  else if (section === "walk-forwards" && can("runs:read")) page = walkForwardsPage(go);
  else if (section === "programs" && parts[1] && parts[2] === "deployments" && parts[3]) page = deploymentPage(parts[1], parts[3], go);
  else if (section === "programs" && parts[1] && parts[2] === "deployments") page = deploymentsPage(parts[1]);
  else if (section === "programs" && parts[1] && parts[2] === "decisions") page = decisionsPage(parts[1]);
  else if (section === "programs" && parts[1] && parts[2] === "replays") page = replaysPage(parts[1]);
  else if (section === "programs" && parts[1]) page = programPage(parts[1]);
  else if (section === "programs" && can("runs:read")) page = programsPage(go);
  else if (section === "admin" && can("cluster:read")) page = adminPage();
  else page = can("data:read") ? dataPage() : nowhere;
  root.replaceChildren(nav, el("main", {}, page));
}

window.addEventListener("hashchange", render);
render();
