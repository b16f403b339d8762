// The application's shell: sign-in, then the pages by URL hash (#/data),
// with sign-out clearing the key.
import "./style.css";
import { forgetKey, storedKey } from "./api";
import { el } from "./dom";
import { dataPage } from "./pages/data";
import { newBacktestPage } from "./pages/new_backtest";
import { runPage } from "./pages/run";
import { signInPage } from "./pages/sign_in";

const root = document.getElementById("app")!;

function render(): void {
  if (!storedKey()) {
    root.replaceChildren(signInPage(() => {
      location.hash = "#/data";
      render();
    }));
    return;
  }
  const runMatch = /^#\/runs\/([^/]+)$/.exec(location.hash);
  const route = runMatch ? "run" : location.hash.startsWith("#/new") ? "new" : "data";
  const link = (href: string, name: string, here: boolean) =>
    el("a", here ? { href, "aria-current": "page" } : { href }, name);
  const nav = el("nav", { "aria-label": "Main" },
    el("span", { class: "brand" }, "backtestd"),
    link("#/data", "Data", route === "data"),
    link("#/new", "New backtest", route === "new"),
    el("button", {
      class: "sign-out",
      onClick: () => {
        forgetKey();
        location.hash = "";
        render();
      },
    }, "Sign out"));
  const queued = (id: string) => {
    location.hash = `#/runs/${id}`;
  };
  const page = route === "run" ? runPage(decodeURIComponent(runMatch![1]))
    : route === "new" ? newBacktestPage(queued) : dataPage();
  root.replaceChildren(nav, el("main", {}, page));
}

window.addEventListener("hashchange", render);
render();
