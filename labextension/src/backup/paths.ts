import { BackupError } from './errors';
import { backupMessage } from './messages';

/** The manifest's name at the root of every backup. */
export const MANIFEST_NAME = 'luml-backup.json';

/**
 * Folders a restore never creates from a plain zip: macOS archivers add
 * resource forks there, which are not the user's files.
 */
const IGNORED_PREFIXES = ['__MACOSX/'];

export interface ISafePath {
  /** The path inside the instance, without a leading or trailing slash. */
  path: string;
  /** Whether the archive entry is a folder (its name ends with a slash). */
  isFolder: boolean;
}

/**
 * Checks an archive entry name and turns it into a path inside the instance.
 * Rejects anything that could land outside the instance (`..`, absolute
 * paths, drive letters) or that no file system can hold (NUL, control
 * characters), instead of silently rewriting it.
 */
export function safeEntryPath(name: string): ISafePath {
  const unsafe = (
    reason:
      | 'absolutePath'
      | 'driveLetter'
      | 'controlCharacter'
      | 'climbsOut'
      | 'emptyName'
  ) =>
    new BackupError(
      'unsafe-path',
      backupMessage('unsafePath', {
        path: JSON.stringify(name),
        reason: backupMessage(reason)
      })
    );
  // some Windows archivers write backslashes: read them as separators
  const normal = name.replace(/\\/g, '/');
  if (normal.startsWith('/')) {
    throw unsafe('absolutePath');
  }
  if (/^[a-zA-Z]:/.test(normal)) {
    throw unsafe('driveLetter');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(normal)) {
    throw unsafe('controlCharacter');
  }
  const isFolder = normal.endsWith('/');
  const parts = normal.split('/').filter(part => part !== '' && part !== '.');
  if (parts.some(part => part === '..')) {
    throw unsafe('climbsOut');
  }
  if (parts.length === 0) {
    throw unsafe('emptyName');
  }
  return { path: parts.join('/'), isFolder };
}

/** Whether a plain zip's entry is archiver clutter rather than a user file. */
export function isArchiverClutter(path: string): boolean {
  return IGNORED_PREFIXES.some(
    prefix => path === prefix.slice(0, -1) || path.startsWith(prefix)
  );
}

/** The parent folders of a path, outermost first (`a/b/c` gives a, a/b). */
export function parentFolders(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    out.push(parts.slice(0, i).join('/'));
  }
  return out;
}

/** A path as a case-insensitive disk (Windows, macOS) tells paths apart. */
export function caseKey(path: string): string {
  return path.toLowerCase();
}

/** Groups of paths that are one path on a case-insensitive disk. */
export function caseCollisions(paths: Iterable<string>): string[][] {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const key = caseKey(path);
    groups.set(key, [...(groups.get(key) ?? []), path]);
  }
  return [...groups.values()].filter(group => group.length > 1);
}

/** A warning naming the colliding paths (a few groups, then a count). */
export function caseCollisionNotice(groups: string[][]): string {
  const shown = groups
    .slice(0, 5)
    .map(group => group.map(path => JSON.stringify(path)).join(' and '));
  const more = groups.length > 5 ? `, and ${groups.length - 5} more` : '';
  return (
    'Names that differ only by case collide on case-insensitive disks ' +
    `(Windows, macOS), where one file replaces the other: ${shown.join('; ')}${more}.`
  );
}

/** `name-YYYYMMDD-HHMM.zip`, in the user's local time, safe on any disk. */
export function backupFileName(instanceName: string, when: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}` +
    `-${pad(when.getHours())}${pad(when.getMinutes())}`;
  return `${sanitizeFileName(instanceName)}-${stamp}.zip`;
}

/**
 * Keeps letters and digits of any script, dots, dashes and underscores;
 * anything else (slashes, colons, quotes, spaces) becomes one dash.
 */
export function sanitizeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
    .replace(/[-.]+$/g, '');
  return cleaned || 'instance';
}

/**
 * A free name for a restored copy that must not replace an existing file:
 * `data (restored).csv`, then `data (restored 2).csv`, ...
 */
export function keepBothName(path: string, taken: (path: string) => boolean) {
  const slash = path.lastIndexOf('/');
  const folder = slash >= 0 ? path.slice(0, slash + 1) : '';
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? ' (restored)' : ` (restored ${n})`;
    const candidate = `${folder}${stem}${suffix}${ext}`;
    if (!taken(candidate)) {
      return candidate;
    }
  }
}
