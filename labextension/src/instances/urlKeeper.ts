/**
 * Keeps `?instance=<id>` on every URL a JupyterLab tab moves to. JupyterLab's
 * router rewrites the address (`lab/workspaces/<name>`, `lab/tree/<path>`)
 * with `history.pushState` and reloads after a workspace change; without the
 * parameter a reload or a bookmark would open another instance.
 */
import { INSTANCE_PARAM } from './ids';

/** sessionStorage key of the instance this tab has open. */
export const TAB_INSTANCE_KEY = 'luml-notebooks:tab-instance';

/**
 * `url` (relative to `current`) with the instance parameter added when it
 * stays on the same origin and names no instance; other URLs unchanged.
 */
export function keepInstance(
  url: string | URL,
  current: string,
  id: string
): string | URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url), current);
  } catch {
    return url;
  }
  if (
    parsed.origin !== new URL(current).origin ||
    parsed.searchParams.has(INSTANCE_PARAM)
  ) {
    return url;
  }
  parsed.searchParams.set(INSTANCE_PARAM, id);
  return parsed.href;
}

/** Wraps `history.pushState` and `replaceState` to keep the instance. */
export function installInstanceUrlKeeper(
  history: History,
  location: Location,
  id: string
): void {
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (
      this: History,
      data: unknown,
      unused: string,
      url?: string | URL | null
    ) {
      const kept =
        url === null || url === undefined
          ? url
          : keepInstance(url, location.href, id);
      return original.call(this, data, unused, kept);
    };
  }
}
