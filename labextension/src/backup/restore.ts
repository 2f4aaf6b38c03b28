import { createSha256, sha256HexOfBytes } from '../format/sha256';
import { IArchiveFile, BackupReader, IVerifyProgress } from './backupReader';
import { bytesToBase64 } from './base64';
import {
  BinaryParts,
  fileBytes,
  IBackupContents,
  listInstance
} from './contents';
import { BackupError, isQuotaError, throwIfCancelled } from './errors';
import { backupMessage } from './messages';
import { causeParam, MessageParam } from '../common/messages';
import { FileKind } from './manifest';
import { caseKey, keepBothName, parentFolders } from './paths';

/** What to do with a file that exists in the instance with other contents. */
export type ConflictPolicy = 'skip' | 'overwrite' | 'keep-both';

export interface IRestorerOptions {
  /**
   * Whether the target may not tell `Data.csv` from `data.csv` (a Jupyter
   * server's disk on Windows or macOS): such twins are then conflicts too,
   * kept both under another name or skipped, never written over each other.
   */
  foldsCase?: boolean;
}

export interface IRestorePreview {
  /**
   * Archive files whose path exists in the instance with other contents
   * (or, on a disk that folds case, under another case).
   */
  conflicts: string[];
  /** Archive files the instance already holds, byte for byte (per manifest). */
  identical: string[];
  /** Archive files whose path is a folder here, or under a file here. */
  blocked: string[];
}

export interface IRestoreProgress {
  phase: 'verifying' | 'writing' | 'rolling-back' | 'done';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  currentPath?: string;
}

export interface IRestoreOptions {
  policy: ConflictPolicy;
  signal?: AbortSignal;
  onProgress?: (progress: IRestoreProgress) => void;
  /**
   * Bytes the site may still store, when the caller knows (the browser's
   * storage estimate): a restore that cannot fit stops before writing.
   */
  availableBytes?: number;
}

export interface IRestoreResult {
  /** Paths written (new or replaced), as they are now in the instance. */
  written: string[];
  /** Archive paths left alone because the instance has them (skip). */
  skipped: string[];
  /** Archive paths whose instance copy was already identical. */
  identical: string[];
  /** Archive path to the new name it got (keep both). */
  renamed: Map<string, string>;
  foldersCreated: string[];
  verified: boolean;
  notices: string[];
}

interface IPlannedWrite {
  file: IArchiveFile;
  target: string;
  replaces: boolean;
}

/**
 * Restores an archive into an instance, all or nothing: every file is
 * expanded and checked first; only then is anything written; and if a write
 * fails (storage full, tab closing) everything this restore wrote is removed
 * and every replaced file put back, so the instance is as it was.
 */
export class Restorer {
  /**
   * @param _readBytes - a file's bytes exactly as stored, when they can be
   *   had raw (a Jupyter server's `/files/`), so a notebook on disk compares
   *   equal to its backup whatever the contents manager's serialization.
   */
  constructor(
    private readonly _contents: IBackupContents,
    private readonly _readBytes?: (path: string) => Promise<Uint8Array>,
    private readonly _options: IRestorerOptions = {}
  ) {}

  /** Which archive files meet existing files, to ask the user first. */
  async preview(
    reader: BackupReader,
    signal?: AbortSignal
  ): Promise<IRestorePreview> {
    const listing = await listInstance(this._contents, signal);
    const files = new Set(listing.files.map(f => f.path));
    const folders = new Set(listing.folders.map(f => f.path));
    const conflicts: string[] = [];
    const identical: string[] = [];
    const blocked: string[] = [];
    const twins = this._caseTwins(reader, files);
    for (const file of reader.files) {
      if (
        folders.has(file.path) ||
        parentFolders(file.path).some(parent => files.has(parent))
      ) {
        blocked.push(file.path);
      } else if (twins.has(file.path)) {
        conflicts.push(file.path);
      } else if (files.has(file.path)) {
        // with a manifest, an unchanged file is no conflict to ask about
        const same =
          file.expected !== undefined &&
          (await this._hashOf(file.path)) === file.expected.sha256;
        (same ? identical : conflicts).push(file.path);
      }
    }
    for (const folder of reader.folders) {
      if (files.has(folder)) {
        blocked.push(folder);
      }
    }
    return { conflicts, identical, blocked };
  }

  async restore(
    reader: BackupReader,
    options: IRestoreOptions
  ): Promise<IRestoreResult> {
    const { signal, policy } = options;
    const report = (progress: IRestoreProgress) =>
      options.onProgress?.({ ...progress });

    // 1. expand and check everything before writing anything
    const hashes = await reader.verify({
      signal,
      onProgress: (p: IVerifyProgress) => report({ phase: 'verifying', ...p })
    });

    // 2. decide what to write, against the instance as it is now
    const listing = await listInstance(this._contents, signal);
    const existingFiles = new Map(listing.files.map(f => [f.path, f]));
    const existingFolders = new Set(listing.folders.map(f => f.path));
    const preview = await this.preview(reader, signal);
    // a file and a folder cannot share a name: those are skipped, never forced
    const blocked = new Set(preview.blocked);
    const result: IRestoreResult = {
      written: [],
      skipped: [],
      identical: [],
      renamed: new Map(),
      foldersCreated: [],
      verified: reader.verifiable,
      notices: [...reader.notices]
    };
    const fold = (path: string) =>
      this._options.foldsCase ? caseKey(path) : path;
    const taken = new Set<string>(
      [
        ...existingFiles.keys(),
        ...existingFolders,
        ...reader.files.map(f => f.path),
        ...reader.folders
      ].map(fold)
    );
    const plan: IPlannedWrite[] = [];
    const keepBoth = (file: IArchiveFile) => {
      const target = keepBothName(file.path, path => taken.has(fold(path)));
      taken.add(fold(target));
      result.renamed.set(file.path, target);
      plan.push({ file, target, replaces: false });
    };
    const twins = this._caseTwins(reader, existingFiles.keys());
    for (const file of reader.files) {
      throwIfCancelled(signal);
      if (blocked.has(file.path)) {
        result.skipped.push(file.path);
        continue;
      }
      if (twins.has(file.path)) {
        // overwriting would replace a file of another name: keep both or skip
        if (policy === 'keep-both') {
          keepBoth(file);
        } else {
          result.skipped.push(file.path);
        }
        continue;
      }
      if (!existingFiles.has(file.path)) {
        plan.push({ file, target: file.path, replaces: false });
        continue;
      }
      if ((await this._hashOf(file.path)) === hashes.get(file.path)) {
        result.identical.push(file.path);
        continue;
      }
      if (policy === 'skip') {
        result.skipped.push(file.path);
      } else if (policy === 'overwrite') {
        plan.push({ file, target: file.path, replaces: true });
      } else {
        keepBoth(file);
      }
    }
    const folders = reader.folders.filter(
      folder => !existingFolders.has(folder) && !blocked.has(folder)
    );
    const needed = plan.reduce(
      (n, w) =>
        n + (w.file.kind === 'binary' ? (w.file.size * 4) / 3 : w.file.size),
      0
    );
    if (
      options.availableBytes !== undefined &&
      needed > options.availableBytes
    ) {
      const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;
      throw new BackupError(
        'quota',
        backupMessage('noRoom', {
          needed: mb(needed),
          available: mb(options.availableBytes)
        })
      );
    }

    // 3. write, remembering how to undo every step
    const journal = new Journal(this._contents);
    const progress: IRestoreProgress = {
      phase: 'writing',
      filesDone: 0,
      filesTotal: plan.length,
      bytesDone: 0,
      bytesTotal: plan.reduce((n, w) => n + w.file.size, 0)
    };
    try {
      for (const folder of folders) {
        throwIfCancelled(signal);
        await journal.createFolder(folder);
        result.foldersCreated.push(folder);
      }
      for (const write of plan) {
        throwIfCancelled(signal);
        progress.currentPath = write.target;
        report(progress);
        if (write.replaces) {
          await journal.setAside(write.target);
        }
        const content = await this._content(reader, write.file, signal, n => {
          progress.bytesDone += n;
          report(progress);
        });
        await journal.write(write.target, content);
        result.written.push(write.target);
        progress.filesDone += 1;
        report(progress);
      }
    } catch (error) {
      report({ ...progress, phase: 'rolling-back' });
      const undone = await journal.undo();
      throw failed(error, undone);
    }
    await journal.commit();
    report({ ...progress, phase: 'done', currentPath: undefined });
    return result;
  }

  /**
   * Archive files that, on a disk that folds case, land on an existing file
   * or an earlier archive file of another case.
   */
  private _caseTwins(
    reader: BackupReader,
    existing: Iterable<string>
  ): Set<string> {
    const twins = new Set<string>();
    if (!this._options.foldsCase) {
      return twins;
    }
    const byKey = new Map<string, string>();
    for (const path of existing) {
      byKey.set(caseKey(path), path);
    }
    for (const file of reader.files) {
      const other = byKey.get(caseKey(file.path));
      if (other === undefined) {
        byKey.set(caseKey(file.path), file.path);
      } else if (other !== file.path) {
        twins.add(file.path);
      }
    }
    return twins;
  }

  private async _hashOf(path: string): Promise<string> {
    if (this._readBytes) {
      return sha256HexOfBytes(await this._readBytes(path));
    }
    const model = await this._contents.get(path, { content: true });
    const hash = await createSha256();
    for (const chunk of fileBytes(model).chunks()) {
      hash.update(chunk);
    }
    return hash.hex();
  }

  /** Binary content as the contents take it: parts, or one base64 string. */
  private _binary(chunks: Uint8Array[]): IStoredContent {
    if (this._contents.takesBinaryParts) {
      return { kind: 'binary', content: new BinaryParts(chunks) };
    }
    const base64 = new Base64Builder();
    chunks.forEach(chunk => base64.push(chunk));
    return { kind: 'binary', content: base64.finish() };
  }

  /** A file's contents as the instance stores files of its kind. */
  private async _content(
    reader: BackupReader,
    file: IArchiveFile,
    signal: AbortSignal | undefined,
    onBytes: (n: number) => void
  ): Promise<IStoredContent> {
    if (file.kind === 'binary') {
      const chunks: Uint8Array[] = [];
      for await (const chunk of reader.stream(file, signal)) {
        chunks.push(chunk);
        onBytes(chunk.length);
      }
      return this._binary(chunks);
    }
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const parts: string[] = [];
    const raw: Uint8Array[] = [];
    let text = true;
    for await (const chunk of reader.stream(file, signal)) {
      onBytes(chunk.length);
      if (text) {
        try {
          parts.push(decoder.decode(chunk, { stream: true }));
        } catch {
          text = false;
        }
      }
      raw.push(chunk);
    }
    if (text) {
      try {
        parts.push(decoder.decode());
      } catch {
        text = false;
      }
    }
    if (!text) {
      // not UTF-8 after all (a plain zip's .txt in another encoding): bytes
      return this._binary(raw);
    }
    const body = parts.join('');
    if (file.kind === 'notebook' || file.kind === 'json') {
      try {
        return { kind: file.kind, content: JSON.parse(body) };
      } catch {
        return { kind: 'text', content: body };
      }
    }
    return { kind: 'text', content: body };
  }
}

interface IStoredContent {
  kind: FileKind;
  content: any;
}

/** Undo information for one restore, applied in reverse on failure. */
class Journal {
  private readonly _created: string[] = [];
  private readonly _createdFolders: string[] = [];
  private readonly _setAside: { path: string; aside: string }[] = [];
  private _asideRoot: string | null = null;

  constructor(private readonly _contents: IBackupContents) {}

  async createFolder(path: string): Promise<void> {
    await this._contents.save(path, { type: 'directory' });
    this._createdFolders.push(path);
  }

  /**
   * Moves a file that is about to be replaced into a hidden folder, so a
   * failed restore can put it back (and a closed tab loses nothing).
   */
  async setAside(path: string): Promise<void> {
    if (!this._asideRoot) {
      this._asideRoot = `.luml-restore-${Date.now().toString(36)}`;
      await this._contents.save(this._asideRoot, { type: 'directory' });
    }
    const aside = `${this._asideRoot}/${path.replace(/\//g, '%2F')}`;
    await this._contents.rename(path, aside);
    this._setAside.push({ path, aside });
  }

  async write(path: string, stored: IStoredContent): Promise<void> {
    // recorded first: a save that fails half-way may still leave a file
    this._created.push(path);
    const options =
      stored.kind === 'notebook'
        ? { type: 'notebook', format: 'json', content: stored.content }
        : stored.kind === 'json'
          ? { type: 'file', format: 'json', content: stored.content }
          : stored.kind === 'text'
            ? { type: 'file', format: 'text', content: stored.content }
            : { type: 'file', format: 'base64', content: stored.content };
    await this._contents.save(path, options);
  }

  /** Success: the set-aside originals are no longer needed. */
  async commit(): Promise<void> {
    if (this._asideRoot) {
      await this._contents.delete(this._asideRoot).catch(() => undefined);
    }
  }

  /** Puts the instance back as it was; returns what could not be undone. */
  async undo(): Promise<MessageParam[]> {
    const left: MessageParam[] = [];
    for (const path of [...this._created].reverse()) {
      await this._contents.delete(path).catch(() => undefined);
    }
    for (const { path, aside } of [...this._setAside].reverse()) {
      try {
        await this._contents.rename(aside, path);
      } catch {
        left.push(backupMessage('keptAs', { path, aside }));
      }
    }
    for (const path of [...this._createdFolders].reverse()) {
      await this._contents.delete(path).catch(() => left.push(path));
    }
    if (this._asideRoot && left.length === 0) {
      await this._contents.delete(this._asideRoot).catch(() => undefined);
    }
    return left;
  }
}

function failed(error: unknown, notUndone: MessageParam[]): BackupError {
  const cancelled = error instanceof BackupError && error.code === 'cancelled';
  const cause = cancelled
    ? backupMessage('restoreCancelled')
    : isQuotaError(error)
      ? backupMessage('storageFull')
      : causeParam(error);
  const code = cancelled
    ? 'cancelled'
    : isQuotaError(error)
      ? 'quota'
      : error instanceof BackupError
        ? error.code
        : 'write-failed';
  if (notUndone.length) {
    return new BackupError(
      code,
      backupMessage('restoreNotUndone', { cause, left: notUndone })
    );
  }
  return new BackupError(code, backupMessage('restoreUndone', { cause }));
}

/** Base64 of a byte stream, built as it arrives (3-byte aligned pieces). */
class Base64Builder {
  private readonly _pieces: string[] = [];
  private _carry = new Uint8Array(0);

  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this._carry.length) {
      bytes = new Uint8Array(this._carry.length + chunk.length);
      bytes.set(this._carry);
      bytes.set(chunk, this._carry.length);
    }
    const whole = bytes.length - (bytes.length % 3);
    this._pieces.push(bytesToBase64(bytes.subarray(0, whole)));
    this._carry = bytes.slice(whole);
  }

  finish(): string {
    if (this._carry.length) {
      this._pieces.push(bytesToBase64(this._carry));
    }
    return this._pieces.join('');
  }
}
