/** The notebook a page's query opens (`?path=…ipynb`), if it opens one. */
export function notebookOfLink(search: string): string | null {
  const path = new URLSearchParams(search).get('path');
  return path && path.toLowerCase().endsWith('.ipynb') ? path : null;
}
