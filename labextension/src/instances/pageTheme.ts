/**
 * The instances page's light or dark look, following the theme chosen in
 * JupyterLab.
 *
 * Each instance keeps its JupyterLab settings in its own database, and the
 * page must decide before it paints, when reading databases (asynchronous)
 * is too late. So a JupyterLab tab leaves one small record in localStorage
 * when it starts and whenever its theme changes: the theme and whether it is
 * light, when that theme is a choice (the user's, or the site's settings
 * overrides). It leaves none when JupyterLab shows its out-of-the-box theme
 * or follows the system (adaptive theme). The page reads the record
 * synchronously; without one it follows the system's `prefers-color-scheme`.
 * The record is the one of the JupyterLab that started or changed its theme
 * last, whichever instance that was.
 *
 * Pure: no DOM and no JupyterLab; the storage is passed in.
 */
import type { WebStorage } from '../common/webStorage';

/** localStorage key of the record the instances page reads. */
export const PAGE_THEME_KEY = 'luml-notebooks:page-theme';

/** JupyterLab's theme settings: `theme`, `adaptive-theme`... */
export const THEMES_PLUGIN_ID = '@jupyterlab/apputils-extension:themes';

/** The settings of the themes plugin that choose the theme shown. */
const CHOOSING_SETTINGS = ['theme', 'adaptive-theme'];

export type ColorScheme = 'light' | 'dark';

/** The record: the theme chosen in JupyterLab. */
export interface IPageTheme {
  /** JupyterLab's name of the theme, e.g. "JupyterLab Dark". */
  readonly theme: string;
  readonly light: boolean;
}

/** JupyterLab's theme settings, as one tab has them. */
export interface IThemeSettings {
  /** The values the user set (`settings.user`). */
  readonly user: Readonly<Record<string, unknown>>;
  /** The values in effect (`settings.composite`). */
  readonly composite: Readonly<Record<string, unknown>>;
  /** The site's overrides (`settingsOverrides`), which JupyterLab applies. */
  readonly site: Readonly<Record<string, unknown>> | null;
}

/** The themes a tab knows (a part of JupyterLab's theme manager). */
export interface IKnownThemes {
  readonly themes: ReadonlyArray<string>;
  isLight(name: string): boolean;
}

/**
 * The record a JupyterLab tab leaves for the page: the theme its settings
 * choose. Null when the page should follow the system: nobody chose a theme
 * (JupyterLab shows its default), or JupyterLab itself follows the system
 * (adaptive theme). Undefined while the chosen theme is not registered yet,
 * so whether it is light is unknown: the record stays as it is.
 */
export function pageThemeOf(
  settings: IThemeSettings,
  known: IKnownThemes
): IPageTheme | null | undefined {
  const { user, composite, site } = settings;
  if (composite['adaptive-theme'] === true) {
    return null;
  }
  const chosen = CHOOSING_SETTINGS.some(
    key => user[key] !== undefined || site?.[key] !== undefined
  );
  const theme = composite['theme'];
  if (!chosen || typeof theme !== 'string') {
    return null;
  }
  if (!known.themes.includes(theme)) {
    return undefined;
  }
  return { theme, light: known.isLight(theme) };
}

/** Keep `theme` for the page (null: forget it). Never throws. */
export function savePageTheme(
  storage: WebStorage | null,
  theme: IPageTheme | null
): void {
  try {
    if (theme) {
      storage?.setItem(PAGE_THEME_KEY, JSON.stringify(theme));
    } else {
      storage?.removeItem(PAGE_THEME_KEY);
    }
  } catch {
    // storage blocked or full: the page keeps following the system
  }
}

/** The record, or null when absent or not one (never throws). */
export function loadPageTheme(storage: WebStorage | null): IPageTheme | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage?.getItem(PAGE_THEME_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') {
    return null;
  }
  const { theme, light } = parsed as Record<string, unknown>;
  return typeof theme === 'string' && typeof light === 'boolean'
    ? { theme, light }
    : null;
}

/**
 * The instances page's color scheme: the one chosen in JupyterLab, or null
 * to follow the system's preference.
 */
export function pageColorScheme(
  storage: WebStorage | null
): ColorScheme | null {
  const theme = loadPageTheme(storage);
  if (!theme) {
    return null;
  }
  return theme.light ? 'light' : 'dark';
}
