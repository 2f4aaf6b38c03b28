/**
 * What the page config (`jupyter-config-data`, which JupyterLite builds from
 * `jupyter-lite.json`) says, read in one place. Pure: callers pass
 * `PageConfig.getOption` or the parsed JSON, so it runs in tests and pages.
 */

/** Reads one option of the page config; '' when absent. */
export type GetOption = (name: string) => string;

/**
 * The IndexedDB database JupyterLite's default drive keeps files in: the
 * instance's `contentsStorageName`, else JupyterLite's own default name.
 */
export function contentsStorageName(getOption: GetOption): string {
  return (
    getOption('contentsStorageName') ||
    `JupyterLite Storage - ${getOption('baseUrl')}`
  );
}

/**
 * The build-time settings the site builder wrote for one plugin id into
 * `litePluginSettings` (a JSON string in the page config, or the parsed
 * object); null when absent or malformed, so a bad config never takes the
 * app down.
 */
export function litePluginSettings(
  all: string | unknown,
  pluginId: string
): Record<string, unknown> | null {
  let parsed: unknown = all;
  if (typeof all === 'string') {
    try {
      parsed = JSON.parse(all || '{}');
    } catch {
      return null;
    }
  }
  if (!parsed || typeof parsed !== 'object') {
    return null;
  }
  const mine = (parsed as Record<string, unknown>)[pluginId];
  return mine && typeof mine === 'object' && !Array.isArray(mine)
    ? (mine as Record<string, unknown>)
    : null;
}

/**
 * The file types JupyterLite's build wrote (`fileTypes`: name to
 * extensions, mimetypes and format), which decide how a stored file is
 * handed over; none when absent or malformed.
 */
export function pageFileTypes(getOption: GetOption): Record<string, never> {
  try {
    const parsed = JSON.parse(getOption('fileTypes') || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
