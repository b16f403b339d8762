// A few helpers to build the pages' elements without a framework.

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

/** An element with attributes (on* names become listeners) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false) node.setAttribute(name, value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

/** A message in words, for a person: an error (role="alert") or a note. */
export function message(text: string, kind: "error" | "note" = "error"): HTMLElement {
  return el("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
