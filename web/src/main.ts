// The application's shell: sign-in, then the pages by URL hash (#/data),
// with sign-out clearing the key.
import "./style.css";
import { account, can, forgetAccount, loadAccount } from "./account";
import { ApiError, forgetKey, storedKey } from "./api";
import { el } from "./dom";
import { dataPage } from "./pages/data";
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
  const runMatch = /^#\/runs\/([^/]+)$/.exec(location.hash);
  const route = runMatch ? "run" : location.hash.startsWith("#/new") ? "new" : "data";
  const link = (href: string, name: string, here: boolean) =>
    el("a", here ? { href, "aria-current": "page" } : { href }, name);
  const who = account()!;
  const nav = el("nav", { "aria-label": "Main" },
    el("span", { class: "brand" }, "backtestd"),
    can("data:read") ? link("#/data", "Data", route === "data") : null,
    can("runs:write") ? link("#/new", "New backtest", route === "new") : null,
    el("span", { class: "who" }, `${who.user} (${who.role})`),
    el("button", {
      class: "sign-out",
      onClick: () => {
        forgetKey();
        forgetAccount();
        go("");
      },
    }, "Sign out"));
  const queued = (id: string) => {
    location.hash = `#/runs/${id}`;
  };
  const page = route === "run" ? runPage(decodeURIComponent(runMatch![1]))
    : route === "new" && can("runs:write") ? newBacktestPage(queued)
    : can("data:read") ? dataPage()
    : el("p", { class: "empty" }, `Your role (${who.role}) has no page here yet: it reads the audit log through the API (GET /v1/admin/audit).`);
  root.replaceChildren(nav, el("main", {}, page));
}

window.addEventListener("hashchange", render);
render();
