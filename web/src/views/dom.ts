/** The few DOM helpers the views share: an element with attributes and children, a table, a lookup that fails loudly. */

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A table of text cells; numeric-looking columns (all but the first) align right through CSS. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): HTMLTableElement {
  return el('table', {}, [
    el('thead', {}, [
      el(
        'tr',
        {},
        headers.map((h) => el('th', {}, [h])),
      ),
    ]),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((cell) => el('td', {}, [cell])),
        ),
      ),
    ),
  ]);
}

/** The element with this id; the page's HTML is ours, so a missing one is a bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** Replaces the children of `#id`. */
export function fill(id: string, ...children: Child[]): void {
  byId(id).replaceChildren(...children);
}
