/**
 * Builds an element whose text is set with textContent: user-supplied
 * strings never reach innerHTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A JupyterLab-styled button that does not submit forms. */
export function button(label: string, className: string): HTMLButtonElement {
  const node = el('button', `jp-mod-styled ${className}`, label);
  node.type = 'button';
  return node;
}
