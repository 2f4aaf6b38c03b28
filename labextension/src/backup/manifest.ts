import { BackupError } from './errors';
import { backupMessage } from './messages';
import { IMessage } from '../common/messages';
import { safeEntryPath } from './paths';

export const MANIFEST_FORMAT = 'luml-notebooks-backup';
export const MANIFEST_VERSION = 1;

/**
 * How the instance stored a file, so a restore stores it the same way:
 * notebooks as notebooks, text as text, anything else as bytes.
 */
export type FileKind = 'notebook' | 'json' | 'text' | 'binary';

export interface IBackupInstance {
  /** Stable identifier of the instance (its storage name). */
  id: string;
  /** The name users know the instance by. */
  name: string;
}

export interface IManifestFile {
  path: string;
  size: number;
  sha256: string;
  kind: FileKind;
  /** ISO time the file was last modified in the instance, when known. */
  modified?: string;
}

export interface IManifestFolder {
  path: string;
  modified?: string;
}

/** `luml-backup.json`: what a backup holds and how to check it. */
export interface IBackupManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  instance: IBackupInstance;
  createdAt: string;
  siteVersion: string;
  files: IManifestFile[];
  /** Folders with nothing in them (others are implied by the files' paths). */
  folders: IManifestFolder[];
}

const KINDS: ReadonlySet<string> = new Set([
  'notebook',
  'json',
  'text',
  'binary'
]);

/**
 * Parses and checks a manifest read from an archive. A manifest that does not
 * parse or lacks required fields means the backup is damaged: we say so
 * rather than guess.
 */
export function parseManifest(bytes: Uint8Array): IBackupManifest {
  const damaged = (reason: IMessage) =>
    new BackupError('manifest', backupMessage('manifestDamaged', { reason }));
  let data: any;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw damaged(backupMessage('manifestNotJson'));
  }
  if (!data || typeof data !== 'object' || data.format !== MANIFEST_FORMAT) {
    throw damaged(
      backupMessage('manifestWrongFormat', { format: MANIFEST_FORMAT })
    );
  }
  if (typeof data.formatVersion !== 'number') {
    throw damaged(backupMessage('manifestNoVersion'));
  }
  if (data.formatVersion > MANIFEST_VERSION) {
    throw new BackupError(
      'unsupported',
      backupMessage('newerFormat', {
        version: String(data.formatVersion),
        supported: MANIFEST_VERSION
      })
    );
  }
  if (!Array.isArray(data.files)) {
    throw damaged(backupMessage('manifestNoFiles'));
  }
  const files: IManifestFile[] = data.files.map((file: any, i: number) => {
    if (
      !file ||
      typeof file.path !== 'string' ||
      !Number.isSafeInteger(file.size) ||
      file.size < 0 ||
      typeof file.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(file.sha256)
    ) {
      throw damaged(backupMessage('manifestBadEntry', { number: i + 1 }));
    }
    return {
      path: safeEntryPath(file.path).path,
      size: file.size,
      sha256: file.sha256,
      kind: KINDS.has(file.kind) ? file.kind : 'binary',
      modified: typeof file.modified === 'string' ? file.modified : undefined
    };
  });
  const folders: IManifestFolder[] = (
    Array.isArray(data.folders) ? data.folders : []
  )
    .filter((folder: any) => folder && typeof folder.path === 'string')
    .map((folder: any) => ({
      path: safeEntryPath(folder.path).path,
      modified:
        typeof folder.modified === 'string' ? folder.modified : undefined
    }));
  const instance = data.instance ?? {};
  return {
    format: MANIFEST_FORMAT,
    formatVersion: data.formatVersion,
    instance: {
      id: typeof instance.id === 'string' ? instance.id : '',
      name: typeof instance.name === 'string' ? instance.name : ''
    },
    createdAt: typeof data.createdAt === 'string' ? data.createdAt : '',
    siteVersion: typeof data.siteVersion === 'string' ? data.siteVersion : '',
    files,
    folders
  };
}

export function serializeManifest(manifest: IBackupManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(manifest, null, 1) + '\n');
}
