import {
  fileBytes,
  guessKind,
  IBackupContents,
  IFileBytes,
  IContentsModelLike,
  IInstanceListing,
  listInstance
} from './contents';
import { chooseMethod, DEFLATE_LEVEL } from './compression';
import { BackupError, throwIfCancelled } from './errors';
import { backupMessage } from './messages';
import { causeParam } from '../common/messages';
import {
  IBackupInstance,
  IBackupManifest,
  IManifestFile,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  serializeManifest
} from './manifest';
import { MANIFEST_NAME } from './paths';
import { createSha256 } from '../format/sha256';
import { IZipEntryStream, ZipStreamWriter } from './zipWriter';

/** Where the zip goes, chunk by chunk, in order. */
export interface IZipSink {
  write(chunk: Uint8Array): Promise<void> | void;
}

export interface IBackupProgress {
  phase: 'listing' | 'writing' | 'done';
  filesDone: number;
  filesTotal: number;
  /** Bytes of the instance's files read so far (not of the zip). */
  bytesDone: number;
  /** The listing's estimate of all the files' bytes. */
  bytesTotal: number;
  /** Zip bytes produced so far. */
  zipBytes: number;
  currentPath?: string;
}

export interface IBackupWriteOptions {
  instance: IBackupInstance;
  siteVersion: string;
  /** The creation time (tests pin it). */
  now?: Date;
  signal?: AbortSignal;
  onProgress?: (progress: IBackupProgress) => void;
}

export interface IBackupSummary {
  manifest: IBackupManifest;
  /** Size of the whole zip. */
  zipBytes: number;
  /** Bytes of files stored as they are and bytes compressed. */
  storedBytes: number;
  deflatedBytes: number;
}

/**
 * Writes a whole instance as one zip to a sink, streaming: one file's
 * chunks at a time go through the zip writer (fflate's DEFLATE) and
 * straight to the sink, so memory holds the file being read, not the
 * archive.
 */
export class BackupWriter {
  /**
   * @param list - a faster way to list the instance, when the caller has
   *   one; it may report empty folders as files (they are told apart when
   *   read). By default folders are walked through the contents manager.
   * @param _readBytes - a file's bytes exactly as stored, when the caller
   *   can fetch them raw (a Jupyter server's `/files/`); then files are not
   *   read through the contents manager, whose notebooks are re-serialized.
   */
  constructor(
    private readonly _contents: IBackupContents,
    private readonly _list?: (
      signal?: AbortSignal
    ) => Promise<IInstanceListing | null>,
    private readonly _readBytes?: (path: string) => Promise<Uint8Array>
  ) {}

  /** What a backup would hold. */
  async list(signal?: AbortSignal): Promise<IInstanceListing> {
    const fast = this._list ? await this._list(signal) : null;
    return fast ?? listInstance(this._contents, signal);
  }

  async write(
    sink: IZipSink,
    options: IBackupWriteOptions
  ): Promise<IBackupSummary> {
    const { signal } = options;
    const now = options.now ?? new Date();
    const progress: IBackupProgress = {
      phase: 'listing',
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      zipBytes: 0
    };
    const report = () => options.onProgress?.({ ...progress });
    report();
    const listing = await this.list(signal);
    progress.phase = 'writing';
    progress.filesTotal = listing.files.length;
    progress.bytesTotal = listing.files.reduce((n, f) => n + f.size, 0);
    report();

    const pending: Uint8Array[] = [];
    const zip = new ZipStreamWriter(chunk => {
      pending.push(chunk);
      progress.zipBytes += chunk.length;
    });
    const flush = async () => {
      while (pending.length) {
        await sink.write(pending.shift()!);
      }
    };

    const manifest: IBackupManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      instance: { ...options.instance },
      createdAt: now.toISOString(),
      siteVersion: options.siteVersion,
      files: [],
      folders: []
    };
    let storedBytes = 0;
    let deflatedBytes = 0;
    try {
      for (const file of listing.files) {
        throwIfCancelled(signal);
        progress.currentPath = file.path;
        report();
        if (this._readBytes) {
          const raw = await this._readRaw(file.path);
          const bytes = rawFileBytes(raw, guessKind(file.path));
          const result = await this._add(zip, file.path, bytes, {
            modified: file.modified,
            createdAt: manifest.createdAt,
            progress,
            flush,
            report,
            signal
          });
          manifest.files.push(result.record);
          if (result.deflated) {
            deflatedBytes += result.record.size;
          } else {
            storedBytes += result.record.size;
          }
          progress.filesDone += 1;
          report();
          continue;
        }
        let model: IContentsModelLike | null = await this._read(file.path);
        if (model.type === 'directory') {
          // an empty folder, as a fast listing reports them
          const prefix = `${file.path}/`;
          listing.folders.push({
            path: file.path,
            modified: model.last_modified,
            empty: !listing.files.some(f => f.path.startsWith(prefix))
          });
          progress.filesTotal -= 1;
          continue;
        }
        const modified = file.modified ?? model.last_modified;
        const bytes = fileBytes(model);
        model = null;
        const result = await this._add(zip, file.path, bytes, {
          modified,
          createdAt: manifest.createdAt,
          progress,
          flush,
          report,
          signal
        });
        if (result.deflated) {
          deflatedBytes += result.record.size;
        } else {
          storedBytes += result.record.size;
        }
        manifest.files.push(result.record);
        progress.filesDone += 1;
        report();
      }
      for (const folder of listing.folders) {
        if (!folder.empty) {
          continue;
        }
        zip.addFolder(
          folder.path,
          Date.parse(folder.modified ?? manifest.createdAt)
        );
        manifest.folders.push(
          folder.modified
            ? { path: folder.path, modified: folder.modified }
            : { path: folder.path }
        );
      }
      const manifestEntry = zip.add(MANIFEST_NAME, {
        modified: Date.parse(manifest.createdAt),
        deflateLevel: DEFLATE_LEVEL
      });
      manifestEntry.push(serializeManifest(manifest));
      manifestEntry.end();
      zip.end();
      await flush();
    } catch (error) {
      if (error instanceof BackupError) {
        throw error;
      }
      throw new BackupError(
        'write-failed',
        backupMessage('backupStopped', {
          path: JSON.stringify(progress.currentPath ?? ''),
          problem: causeParam(error)
        })
      );
    }
    progress.phase = 'done';
    progress.currentPath = undefined;
    report();
    return {
      manifest,
      zipBytes: progress.zipBytes,
      storedBytes,
      deflatedBytes
    };
  }

  /** One file into the zip, hashed as it goes. */
  private async _add(
    zip: ZipStreamWriter,
    path: string,
    bytes: IFileBytes,
    context: {
      modified?: string;
      createdAt: string;
      progress: IBackupProgress;
      flush: () => Promise<void>;
      report: () => void;
      signal?: AbortSignal;
    }
  ): Promise<{ record: IManifestFile; deflated: boolean }> {
    const { modified, progress, flush, report, signal } = context;
    const method = chooseMethod(path, bytes.kind !== 'binary', bytes.samples());
    const entry: IZipEntryStream = zip.add(path, {
      modified: Date.parse(modified ?? context.createdAt),
      deflateLevel: method === 'deflate' ? DEFLATE_LEVEL : undefined
    });
    const hash = await createSha256();
    let size = 0;
    for (const chunk of bytes.chunks()) {
      hash.update(chunk);
      size += chunk.length;
      entry.push(chunk);
      progress.bytesDone += chunk.length;
      await flush();
      report();
      await yieldNow();
      throwIfCancelled(signal);
    }
    entry.end();
    await flush();
    const record: IManifestFile = {
      path,
      size,
      sha256: hash.hex(),
      kind: bytes.kind
    };
    if (modified) {
      record.modified = modified;
    }
    return { record, deflated: method === 'deflate' };
  }

  private async _readRaw(path: string): Promise<Uint8Array> {
    try {
      return await this._readBytes!(path);
    } catch (error) {
      throw new BackupError(
        'read-failed',
        backupMessage('readFailed', {
          path: JSON.stringify(path),
          problem: causeParam(error)
        })
      );
    }
  }

  private async _read(path: string): Promise<IContentsModelLike> {
    try {
      return await this._contents.get(path, { content: true });
    } catch (error) {
      throw new BackupError(
        'read-failed',
        backupMessage('readFailed', {
          path: JSON.stringify(path),
          problem: causeParam(error)
        })
      );
    }
  }
}

let lastYield = 0;

/**
 * Lets the page run (progress, the Cancel button) every few dozen
 * milliseconds. A message-channel task, unlike setTimeout, is not slowed
 * down when the tab is in the background.
 */
export async function yieldNow(): Promise<void> {
  const now = Date.now();
  if (now - lastYield < 40 || typeof MessageChannel === 'undefined') {
    return;
  }
  await new Promise<void>(resolve => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
  lastYield = Date.now();
}

/** Bytes already in memory, as a backup writes them. */
function rawFileBytes(bytes: Uint8Array, kind: IFileBytes['kind']): IFileBytes {
  const probe = 32 * 1024;
  return {
    kind,
    size: bytes.length,
    samples: () =>
      bytes.length <= 3 * probe
        ? [bytes]
        : [
            bytes.subarray(0, probe),
            bytes.subarray(
              Math.floor(bytes.length / 2),
              Math.floor(bytes.length / 2) + probe
            ),
            bytes.subarray(bytes.length - probe)
          ],
    chunks: function* () {
      for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
        yield bytes.subarray(offset, offset + CHUNK_BYTES);
      }
    }
  };
}

const CHUNK_BYTES = 768 * 1024;
