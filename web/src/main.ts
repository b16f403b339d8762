// The application's shell: sign-in, then the pages by URL hash (#/data),
// with sign-out clearing the key.
import "./style.css";
import { forgetKey, storedKey } from "./api";
import { el } from "./dom";
import { dataPage } from "./pages/data";
import { newBacktestPage } from "./pages/new_backtest";
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
  const route = location.hash.startsWith("#/new") ? "new" : "data";
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
    // The run page is still to come: say where the run is.
    const note = el("p", { class: "message note", role: "status" }, `Run ${id} is queued.`);
    root.querySelector("main")?.prepend(note);
  };
  root.replaceChildren(nav, el("main", {}, route === "new" ? newBacktestPage(queued) : dataPage()));
}

window.addEventListener("hashchange", render);
render();
