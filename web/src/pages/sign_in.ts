// Sign-in: the user pastes an API key; it is checked against the API and
// kept in sessionStorage (gone when the tab closes), never in localStorage.
import { loadAccount } from "../account";
import { ApiError, forgetKey, storeKey } from "../api";
import { el, message } from "../dom";

export function signInPage(onSignedIn: () => void): HTMLElement {
  const input = el("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    placeholder: "bt_…",
    required: true,
    "aria-describedby": "api-key-help",
  });
  const feedback = el("div", { class: "feedback" });
  const form = el(
    "form",
    {
      class: "card sign-in",
      onSubmit: async (e: Event) => {
        e.preventDefault();
        feedback.replaceChildren();
        const key = input.value.trim();
        if (!/^bt_[0-9a-f]{64}$/.test(key)) {
          feedback.append(message("An API key is bt_ followed by 64 hexadecimal digits."));
          return;
        }
        storeKey(key);
        try {
          await loadAccount(); // every role may read who it is
          onSignedIn();
        } catch (err) {
          forgetKey();
          feedback.append(message(err instanceof ApiError ? err.words() : String(err)));
        }
      },
    },
    el("h1", {}, "Sign in to backtestd"),
    el("label", { for: "api-key" }, "API key"),
    input,
    el("p", { id: "api-key-help", class: "help" },
      "Your administrator creates keys with backtestd keys create. The key stays in this tab only."),
    el("button", { type: "submit" }, "Sign in"),
    feedback,
  );
  return form;
}
