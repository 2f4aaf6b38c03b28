/**
 * Instance ids and the browser storage names derived from them.
 *
 * The LUML platform's web UI finds notebook instances by their IndexedDB
 * database `jl_<id>`, so every instance keeps all of its data (contents,
 * checkpoints, settings, workspace state and the `meta` store) in that one
 * database. Deleting the database deletes the instance.
 */

/** The prefix of every instance database. */
export const DATABASE_PREFIX = 'jl_';

/** The URL query parameter that names the instance to open. */
export const INSTANCE_PARAM = 'instance';

/**
 * Ids we create are UUIDs; ids made elsewhere (the platform) are accepted
 * when they are short and URL-safe, so a link always names one database.
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The names JupyterLite reads from `jupyter-config-data`. */
export interface IStorageNames {
  readonly contentsStorageName: string;
  readonly settingsStorageName: string;
  readonly workspacesStorageName: string;
}

/** Whether `id` can name an instance. */
export function isInstanceId(id: string | null | undefined): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** The IndexedDB database that holds an instance. */
export function databaseName(id: string): string {
  return `${DATABASE_PREFIX}${id}`;
}

/** The instance id a database belongs to, or null for other databases. */
export function instanceIdOf(database: string): string | null {
  if (!database.startsWith(DATABASE_PREFIX)) {
    return null;
  }
  const id = database.slice(DATABASE_PREFIX.length);
  return isInstanceId(id) ? id : null;
}

/**
 * JupyterLite's three storage names for an instance: one database, as in a
 * stock JupyterLite site, so the instance is exactly one `jl_<id>` database.
 */
export function storageNames(id: string): IStorageNames {
  const name = databaseName(id);
  return {
    contentsStorageName: name,
    settingsStorageName: name,
    workspacesStorageName: name
  };
}

/** The minimal `crypto` this module needs (the Web Crypto API has it). */
export interface IRandomSource {
  getRandomValues(array: Uint8Array): Uint8Array;
  randomUUID?: () => string;
}

/**
 * A new random (version 4) UUID. `crypto.randomUUID` exists only in secure
 * contexts, so plain-HTTP deployments use `getRandomValues`, which exists
 * everywhere.
 */
export function newInstanceId(random: IRandomSource): string {
  if (typeof random.randomUUID === 'function') {
    return random.randomUUID();
  }
  const bytes = random.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20)
  ].join('-');
}

/** `url` with `?instance=<id>` set, every other part kept. */
export function withInstanceParam(url: string, id: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(INSTANCE_PARAM, id);
  return parsed.toString();
}

/** The link that opens instance `id`, relative to the site root URL. */
export function instanceLink(siteRoot: string, id: string): string {
  return withInstanceParam(new URL('lab/index.html', siteRoot).toString(), id);
}
