// Tiny DOM helpers. Text from a user's CSV only ever goes in through textContent or
// `new Option(text)`, never through innerHTML, so a header like `<img onerror=…>` stays text.

export const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element with properties (attributes via `attrs`) and children (strings become text). */
export function el(tag, props = {}, children = []) {
  const { attrs = {}, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of [].concat(children)) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/**
 * Replaces `node`'s children with `children`, through a fragment: spreading a long list into
 * `replaceChildren(...)` overflows the call stack (a file may have 100,000 columns).
 */
export function replaceChildren(node, children) {
  const fragment = document.createDocumentFragment();
  for (const child of children) fragment.append(child);
  node.replaceChildren(fragment);
}

/**
 * Resolves in a task of its own: awaited between two heavy steps (a wide file's table, then its
 * analysis, then the link), so the page can paint and answer between them.
 */
export const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Replaces a select's options with `[value, text]` pairs, keeping `selected` if present. */
export function setOptions(select, pairs, selected) {
  replaceChildren(select, pairs.map(([value, text]) => new Option(text, value, false, value === selected)));
  if (selected !== undefined && pairs.some(([value]) => value === selected)) select.value = selected;
}

/** Formats a metric for tables: 4 decimals, or an en dash when not a number. */
export const metric = (x) => (Number.isFinite(x) ? x.toFixed(4) : '–');

/** Offers `data` (a string or Blob) as a file download. */
export function download(name, data, type = 'text/plain') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
