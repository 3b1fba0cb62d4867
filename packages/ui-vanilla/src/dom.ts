/**
 * The only way this package builds DOM: elements and text nodes, never HTML strings.
 *
 * Attributes go through a fixed allow-list (plus `aria-*` and `data-*`), so server data can
 * only ever become text or a harmless attribute value. `href` accepts in-page fragments only.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  [name: string]: string | number | boolean | null | undefined | EventListener | Record<string, EventListener>;
}

const ALLOWED_ATTRS = new Set([
  "class",
  "id",
  "role",
  "type",
  "name",
  "value",
  "placeholder",
  "autocomplete",
  "title",
  "for",
  "href",
  "tabindex",
  "hidden",
  "disabled",
  "checked",
  "spellcheck",
  "datetime",
  "colspan",
  "scope",
  "inputmode",
  "step",
  "required",
  "autocapitalize",
  "autocorrect",
  "lang",
  "dir",
  "rel",
]);

const BOOLEAN_ATTRS = new Set(["hidden", "disabled", "checked", "required"]);

/** True when `name` may be set on an element by this package. */
function isAllowedAttr(name: string): boolean {
  return ALLOWED_ATTRS.has(name) || /^aria-[a-z]+$/.test(name) || /^data-[a-z][a-z0-9-]*$/.test(name);
}

/** setAttribute through the allow-list. */
function setAttr(el: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (!isAllowedAttr(name)) throw new Error(`attribute not allowed: ${name}`);
  if (value === null || value === undefined || value === false) {
    el.removeAttribute(name);
    return;
  }
  if (BOOLEAN_ATTRS.has(name) && value === true) {
    el.setAttribute(name, "");
    return;
  }
  const text = String(value);
  if (name === "href" && !text.startsWith("#")) throw new Error("only in-page href values are allowed");
  el.setAttribute(name, text);
}

/**
 * Create an element. `attrs.on` maps event names to listeners; any other key is an attribute.
 * Children are nodes or strings (strings become text nodes).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "on") {
        for (const [type, fn] of Object.entries(value as Record<string, EventListener>)) el.addEventListener(type, fn);
      } else if (typeof value === "function") {
        throw new Error(`use attrs.on for listeners (${key})`);
      } else {
        setAttr(el, key, value as string | number | boolean | null | undefined);
      }
    }
  }
  append(el, children);
  return el;
}

/** Append children (nodes or text) to a parent. */
function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (typeof child === "string" || typeof child === "number") parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child as Node);
  }
}
