/**
 * The one DOM builder of the extension and its pages. Text goes through
 * textContent only, so user-supplied strings (file names, model metadata)
 * never reach innerHTML.
 */
export interface IElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: IElementOptions = {},
  children: (Node | string)[] = []
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) {
    node.className = options.className;
  }
  if (options.text !== undefined) {
    node.textContent = options.text;
  }
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child);
  }
  return node;
}

/** `element` for the common case: a class and some text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  return element(tag, { className, text });
}

/** A JupyterLab-styled button that does not submit forms. */
export function button(label: string, className: string): HTMLButtonElement {
  const node = el('button', `jp-mod-styled ${className}`, label);
  node.type = 'button';
  return node;
}

/** A date for people, in their locale; `fallback` when unknown. */
export function formatDate(date: Date | null, fallback = 'Unknown'): string {
  if (!date) {
    return fallback;
  }
  return date.toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short'
  });
}

/** A `<time>` element for a date, or plain text when there is none. */
export function timeElement(date: Date | null, fallback: string): Node {
  if (!date) {
    return document.createTextNode(fallback);
  }
  return element('time', {
    text: formatDate(date),
    attrs: { datetime: date.toISOString() }
  });
}

/**
 * Starts the browser's download of `url` as `name`, through a link with the
 * `download` attribute (as JupyterLab's file browser does).
 */
export function clickDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
}
