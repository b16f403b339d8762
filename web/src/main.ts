// The application's shell: sign-in, then the pages by URL hash (#/data),
// with sign-out clearing the key.
import "./style.css";
import { forgetKey, storedKey } from "./api";
import { el } from "./dom";
import { dataPage } from "./pages/data";
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
  const nav = el("nav", { "aria-label": "Main" },
    el("span", { class: "brand" }, "backtestd"),
    el("a", { href: "#/data", "aria-current": "page" }, "Data"),
    el("button", {
      class: "sign-out",
      onClick: () => {
        forgetKey();
        location.hash = "";
        render();
      },
    }, "Sign out"));
  root.replaceChildren(nav, el("main", {}, dataPage()));
}

window.addEventListener("hashchange", render);
render();
