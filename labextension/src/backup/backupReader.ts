import { Inflate } from 'fflate';

import { createSha256 } from '../format/sha256';
import { guessKind } from './contents';
import { BackupError, throwIfCancelled } from './errors';
import { backupMessage } from './messages';
import { causeParam } from '../common/messages';
import {
  FileKind,
  IBackupManifest,
  IManifestFile,
  parseManifest
} from './manifest';
import {
  caseCollisionNotice,
  caseCollisions,
  isArchiverClutter,
  MANIFEST_NAME,
  parentFolders,
  safeEntryPath
} from './paths';
import { IRandomAccess } from './randomAccess';
import { entryDataOffset, IZipEntry, readZipDirectory } from './zipDirectory';
import { Crc32, FLAG_ENCRYPTED, LOCAL_HEADER_SIZE } from './zipFormat';

/** Caps that tell a zip bomb from a backup. */
export interface IRestoreLimits {
  /** Most bytes all files may expand to. */
  maxTotalBytes: number;
  /** Largest expanded/compressed ratio over the whole archive ... */
  maxRatio: number;
  /** ... once it expands to more than this (small files may be extreme). */
  ratioFloor: number;
  /** Largest manifest read into memory. */
  maxManifestBytes: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const DEFAULT_LIMITS: IRestoreLimits = {
  maxTotalBytes: 16 * GiB,
  // text backups measure 2-30x; DEFLATE's ceiling is ~1030x
  maxRatio: 200,
  ratioFloor: 64 * MiB,
  maxManifestBytes: 64 * MiB
};

/** One file the archive holds, checked for a safe path. */
export interface IArchiveFile {
  /** Its path inside the instance. */
  path: string;
  size: number;
  kind: FileKind;
  /** The manifest's record, when the archive has one. */
  expected?: IManifestFile;
  modified: Date | null;
  entry: IZipEntry;
}

export interface IVerifyProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  currentPath?: string;
}

export interface IReaderOptions {
  limits?: Partial<IRestoreLimits>;
}

/** Bytes read from the archive at a time. */
const READ_SIZE = 1024 * 1024;

/**
 * Reads a backup (or any zip of files) for a restore. `open` checks all it
 * can from the directory before a byte is expanded: unsafe and duplicate
 * paths, zip bombs, a manifest that does not match; `verify` then expands
 * every file once to check its CRC-32 and sha256; `stream` hands a file's
 * bytes to the writer, checking them again as they pass.
 */
export class BackupReader {
  private constructor(
    private readonly _source: IRandomAccess,
    private readonly _directoryOffset: number,
    readonly files: IArchiveFile[],
    /** Folders to create, including empty ones. */
    readonly folders: string[],
    readonly manifest: IBackupManifest | null,
    /** Things the user should know (nothing verified, entries skipped). */
    readonly notices: string[],
    readonly totalBytes: number
  ) {}

  static async open(
    source: IRandomAccess,
    options: IReaderOptions = {}
  ): Promise<BackupReader> {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const directory = await readZipDirectory(source);
    const notices: string[] = [];
    const seen = new Map<string, string>();
    const fileEntries: { path: string; entry: IZipEntry }[] = [];
    const folderSet = new Set<string>();
    let manifestEntry: IZipEntry | null = null;
    let clutter = 0;

    for (const entry of directory.entries) {
      if (entry.flags & FLAG_ENCRYPTED) {
        throw new BackupError('unsupported', backupMessage('encrypted'));
      }
      const { path, isFolder } = safeEntryPath(entry.name);
      if (isArchiverClutter(path)) {
        clutter += 1;
        continue;
      }
      if (!isFolder && entry.method !== 0 && entry.method !== 8) {
        throw new BackupError(
          'unsupported',
          backupMessage('unsupportedMethod', {
            path: JSON.stringify(path),
            method: entry.method
          })
        );
      }
      const previous = seen.get(path);
      if (previous !== undefined) {
        throw duplicate(path);
      }
      seen.set(path, entry.name);
      if (isFolder) {
        folderSet.add(path);
      } else if (path === MANIFEST_NAME) {
        manifestEntry = entry;
      } else {
        fileEntries.push({ path, entry });
      }
    }
    if (clutter) {
      notices.push(
        `${clutter} macOS metadata entries (__MACOSX) were left out.`
      );
    }
    const twins = caseCollisions(fileEntries.map(f => f.path));
    if (twins.length) {
      notices.push(caseCollisionNotice(twins));
    }
    // a path that is a file and also holds other files cannot be restored
    const filePaths = new Set(fileEntries.map(f => f.path));
    for (const { path } of fileEntries) {
      for (const parent of parentFolders(path)) {
        if (filePaths.has(parent)) {
          throw duplicate(parent);
        }
        folderSet.add(parent);
      }
    }
    for (const folder of folderSet) {
      if (filePaths.has(folder)) {
        throw duplicate(folder);
      }
    }

    checkBomb(directory.entries, limits);
    checkOverlap(directory.entries);

    let manifest: IBackupManifest | null = null;
    if (manifestEntry) {
      if (manifestEntry.size > limits.maxManifestBytes) {
        throw new BackupError(
          'zip-bomb',
          backupMessage('manifestTooLarge', { size: manifestEntry.size })
        );
      }
      const chunks: Uint8Array[] = [];
      for await (const chunk of streamEntry(
        source,
        manifestEntry,
        MANIFEST_NAME,
        directory.directoryOffset
      )) {
        chunks.push(chunk);
      }
      manifest = parseManifest(concat(chunks));
    } else {
      notices.push(
        'This zip has no LUML Notebooks manifest (luml-backup.json): its files ' +
          'are imported as they are, and nothing could be verified beyond the ' +
          "zip's own checksums."
      );
    }

    const byPath = new Map<string, IManifestFile>();
    if (manifest) {
      for (const record of manifest.files) {
        if (byPath.has(record.path)) {
          throw duplicate(record.path);
        }
        byPath.set(record.path, record);
      }
      for (const { path, entry } of fileEntries) {
        const record = byPath.get(path);
        if (!record) {
          throw new BackupError(
            'manifest',
            backupMessage('notInManifest', { path: JSON.stringify(path) })
          );
        }
        if (record.size !== entry.size) {
          throw new BackupError(
            'manifest',
            backupMessage('sizeDiffersFromManifest', {
              path: JSON.stringify(path),
              size: entry.size,
              declared: record.size
            })
          );
        }
      }
      for (const record of manifest.files) {
        if (!filePaths.has(record.path)) {
          throw new BackupError(
            'manifest',
            backupMessage('missingFromArchive', {
              path: JSON.stringify(record.path)
            })
          );
        }
      }
      for (const folder of manifest.folders) {
        folderSet.add(folder.path);
        parentFolders(folder.path).forEach(parent => folderSet.add(parent));
      }
    }

    const files: IArchiveFile[] = fileEntries.map(({ path, entry }) => {
      const expected = byPath.get(path);
      return {
        path,
        size: entry.size,
        kind: expected?.kind ?? guessKind(path),
        expected,
        modified: entry.modified,
        entry
      };
    });
    const folders = [...folderSet].sort(
      (a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1)
    );
    const totalBytes = files.reduce((n, f) => n + f.size, 0);
    return new BackupReader(
      source,
      directory.directoryOffset,
      files,
      folders,
      manifest,
      notices,
      totalBytes
    );
  }

  /** Whether the files can be checked against sha256 values. */
  get verifiable(): boolean {
    return this.manifest !== null;
  }

  /**
   * Expands every file once, checking sizes, CRC-32 and (with a manifest)
   * sha256; returns each file's sha256 by path.
   */
  async verify(
    options: {
      signal?: AbortSignal;
      onProgress?: (progress: IVerifyProgress) => void;
    } = {}
  ): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    const progress: IVerifyProgress = {
      filesDone: 0,
      filesTotal: this.files.length,
      bytesDone: 0,
      bytesTotal: this.totalBytes
    };
    for (const file of this.files) {
      progress.currentPath = file.path;
      options.onProgress?.({ ...progress });
      const hash = await createSha256();
      for await (const chunk of this.stream(file, options.signal)) {
        hash.update(chunk);
        progress.bytesDone += chunk.length;
        options.onProgress?.({ ...progress });
      }
      const hex = hash.hex();
      if (file.expected && hex !== file.expected.sha256) {
        throw new BackupError(
          'sha256-mismatch',
          backupMessage('sha256Mismatch', { path: JSON.stringify(file.path) })
        );
      }
      hashes.set(file.path, hex);
      progress.filesDone += 1;
    }
    progress.currentPath = undefined;
    options.onProgress?.({ ...progress });
    return hashes;
  }

  /** A file's bytes, chunk by chunk, checked for size and CRC-32. */
  stream(file: IArchiveFile, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    return streamEntry(
      this._source,
      file.entry,
      file.path,
      this._directoryOffset,
      signal
    );
  }
}

async function* streamEntry(
  source: IRandomAccess,
  entry: IZipEntry,
  path: string,
  directoryOffset: number,
  signal?: AbortSignal
): AsyncGenerator<Uint8Array> {
  const start = await entryDataOffset(source, entry, directoryOffset);
  const crc = new Crc32();
  const out: Uint8Array[] = [];
  let produced = 0;
  const take = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > entry.size) {
      throw new BackupError(
        'zip-bomb',
        backupMessage('expandsBeyond', {
          path: JSON.stringify(path),
          size: entry.size
        })
      );
    }
    crc.update(chunk);
    out.push(chunk);
  };
  const inflater =
    entry.method === 8 ? new Inflate((data: Uint8Array) => take(data)) : null;
  for (let offset = 0; offset < entry.compressedSize;) {
    throwIfCancelled(signal);
    const length = Math.min(READ_SIZE, entry.compressedSize - offset);
    let raw: Uint8Array;
    try {
      raw = await source.read(start + offset, length);
    } catch (error) {
      throw new BackupError(
        'read-failed',
        backupMessage('archiveUnreadable', { problem: causeParam(error) })
      );
    }
    if (raw.length === 0) {
      throw new BackupError(
        'truncated',
        backupMessage('endsInsideEntry', { path: JSON.stringify(path) })
      );
    }
    offset += raw.length;
    if (inflater) {
      try {
        inflater.push(raw, offset >= entry.compressedSize);
      } catch (error) {
        if (error instanceof BackupError) {
          throw error;
        }
        throw new BackupError(
          'damaged',
          backupMessage('doesNotDecompress', {
            path: JSON.stringify(path),
            problem: causeParam(error)
          })
        );
      }
    } else {
      take(raw);
    }
    while (out.length) {
      yield out.shift()!;
    }
  }
  if (produced !== entry.size) {
    throw new BackupError(
      'damaged',
      backupMessage('wrongSize', {
        path: JSON.stringify(path),
        size: produced,
        declared: entry.size
      })
    );
  }
  if (crc.digest() !== entry.crc32) {
    throw new BackupError(
      'crc-mismatch',
      backupMessage('crcMismatch', { path: JSON.stringify(path) })
    );
  }
}

function duplicate(path: string): BackupError {
  return new BackupError(
    'duplicate-path',
    backupMessage('duplicatePath', { path: JSON.stringify(path) })
  );
}

function checkBomb(entries: IZipEntry[], limits: IRestoreLimits): void {
  let expanded = 0;
  let compressed = 0;
  for (const entry of entries) {
    expanded += entry.size;
    compressed += entry.compressedSize;
  }
  const gb = (n: number) => `${(n / GiB).toFixed(1)} GB`;
  if (expanded > limits.maxTotalBytes) {
    throw new BackupError(
      'zip-bomb',
      backupMessage('expandsTooMuch', {
        size: gb(expanded),
        limit: gb(limits.maxTotalBytes)
      })
    );
  }
  if (
    expanded > limits.ratioFloor &&
    expanded > limits.maxRatio * Math.max(1, compressed)
  ) {
    throw new BackupError(
      'zip-bomb',
      backupMessage('compressesTooWell', {
        ratio: Math.round(expanded / Math.max(1, compressed)),
        size: gb(expanded),
        compressed: gb(compressed)
      })
    );
  }
}

/** Entries that share bytes are the trick of "overlapping" zip bombs. */
function checkOverlap(entries: IZipEntry[]): void {
  const sorted = [...entries].sort(
    (a, b) => a.localHeaderOffset - b.localHeaderOffset
  );
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    if (
      before.localHeaderOffset + LOCAL_HEADER_SIZE + before.compressedSize >
      sorted[i].localHeaderOffset
    ) {
      throw new BackupError(
        'zip-bomb',
        backupMessage('overlappingEntries', {
          first: JSON.stringify(before.name),
          second: JSON.stringify(sorted[i].name)
        })
      );
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let p = 0;
  for (const chunk of chunks) {
    out.set(chunk, p);
    p += chunk.length;
  }
  return out;
}
