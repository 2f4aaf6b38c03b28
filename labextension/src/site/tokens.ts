import { Token } from '@lumino/coreutils';

/**
 * Where the app runs: entirely in the browser (JupyterLite) or against a
 * Jupyter server. Features that only make sense in one of them ask this.
 */
export type HostKind = 'browser' | 'server';

/**
 * Facts about the deployed site, fixed at build time.
 */
export interface ISiteInfo {
  /** The product name shown to users. */
  readonly productName: string;
  /** The version of the site build (the Python package's version). */
  readonly siteVersion: string;
  /** Where the app runs. */
  readonly host: HostKind;
  /** Where the Python runtime is loaded from. */
  readonly pyodideSource: 'vendored' | 'cdn' | 'none';
}

export const ISiteInfo = new Token<ISiteInfo>(
  'luml-notebooks:ISiteInfo',
  'Facts about the deployed LUML Notebooks site, fixed at build time.'
);
