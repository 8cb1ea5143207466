type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

/**
 * Builds an element: `on*` props become listeners, `class`/`for`/`aria-*`/`data-*`/`role` become
 * attributes, the rest are set as properties (value, disabled, checked…). Text is always text,
 * never parsed as HTML, so nothing the API returns can inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name === 'class' || name === 'for' || name === 'role' || name === 'title' || name === 'href' || name === 'id' || name.startsWith('aria-') || name.startsWith('data-'))
      element.setAttribute(name, String(value));
    else (element as unknown as Record<string, unknown>)[name] = value;
  }
  append(element, children);
  return element;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function table(head: string[], rows: Child[][], options: { numeric?: number[]; label?: string } = {}): HTMLTableElement {
  const numeric = new Set(options.numeric ?? []);
  return h(
    'table',
    { 'aria-label': options.label },
    h('thead', {}, h('tr', {}, ...head.map((title, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : undefined }, title)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell, i) => h('td', { class: numeric.has(i) ? 'num' : undefined }, cell))))),
  );
}

export const card = (title: string, ...children: Child[]) => h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...children);
