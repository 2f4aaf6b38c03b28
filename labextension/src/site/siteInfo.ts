import { litePluginSettings } from '../common/pageConfig';
import { HostKind, ISiteInfo } from './tokens';

/** The plugin id under which the site builder writes its settings. */
export const SITE_SETTINGS_ID = 'luml-notebooks:site';

export const PRODUCT_NAME = 'LUML Notebooks';

/**
 * Build-time settings as the site builder writes them into
 * `jupyter-lite.json` (`litePluginSettings`). Absent with a Jupyter server.
 */
interface IBuildSettings {
  siteVersion?: string;
  pyodideSource?: ISiteInfo['pyodideSource'];
}

/**
 * Read the site facts from the page's `litePluginSettings` JSON, as
 * PageConfig exposes it. Pure so it can be tested without a page.
 */
export function readSiteInfo(allSettings: string): ISiteInfo {
  // absent (or malformed, which must not take the app down): a server
  const settings = (litePluginSettings(allSettings, SITE_SETTINGS_ID) ??
    undefined) as IBuildSettings | undefined;
  const host: HostKind = settings ? 'browser' : 'server';
  return {
    productName: PRODUCT_NAME,
    siteVersion: settings?.siteVersion ?? 'unknown',
    host,
    pyodideSource: settings?.pyodideSource ?? 'none'
  };
}
