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

/** The words of any error a page catches. */
export function wordsOf(err: unknown): string {
  return err instanceof Error && "words" in err && typeof (err as { words: unknown }).words === "function"
    ? (err as { words: () => string }).words()
    : err instanceof Error ? err.message : String(err);
}

/** A link styled as a button. */
export function linkButton(href: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  return el("a", { href, class: "button", ...attrs }, text);
}

/** A colour from red (-1) through white (0) to green (+1), for heat maps. */
export function heat(signed: number): string {
  const t = Math.max(-1, Math.min(1, signed));
  const [r, g, b] = t >= 0 ? [255 - 200 * t, 255 - 90 * t, 255 - 200 * t] : [255 + 35 * t, 255 + 200 * t, 255 + 200 * t];
  return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
}
