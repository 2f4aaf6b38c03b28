import type { Contents } from '@jupyterlab/services';

import {
  Base64ByteSource,
  IByteSource,
  LumlReadResult,
  readLumlModel
} from '../format';
import { errorText } from '../common/errors';
import type { IRemoteModelFiles } from './listing';

/** One read of a model file's headers for the list. */
export interface IReadTask {
  path: string;
  /** The path's version when the read was asked for; a newer one wins. */
  version: number;
  /** Tell other tabs once read (a change made in this tab). */
  announce: boolean;
  /** Triggered by a write: an empty or half-written file may still grow. */
  mayBeInProgress: boolean;
  /** The change time as listed, when known. */
  lastModified?: string;
}

/** Where a read fetched the file from: browser storage or a server's disk. */
export type ReadSource = 'storage' | 'server';

/** What came of reading a file; the discovery turns it into list changes. */
export type HeaderReadOutcome =
  /** A newer change made this read moot. */
  | { kind: 'stale' }
  /** The file no longer exists. */
  | { kind: 'gone' }
  /** A folder named like a model file. */
  | { kind: 'folder' }
  /** Empty or half-written by a writer that may not be done. */
  | { kind: 'incomplete' }
  | {
      kind: 'read';
      from: ReadSource;
      size: number;
      lastModified: string;
      result: LumlReadResult;
    }
  /** The file exists but could not be fetched; `reason` says so. */
  | { kind: 'unfetched'; from: ReadSource; reason: string };

/** What a read that threw means: moot, gone, or not fetched (and why). */
function failedRead(
  error: unknown,
  isStale: () => boolean,
  from: ReadSource,
  reason: string
): HeaderReadOutcome {
  if (isStale()) {
    return { kind: 'stale' };
  }
  if (isNotFound(error)) {
    return { kind: 'gone' };
  }
  return { kind: 'unfetched', from, reason };
}

// a base64 prefix long enough to tell a half-written upload (raw bytes)
const BASE64_PROBE_CHARS = 4096;
const BASE64_PREFIX = /^[A-Za-z0-9+/\-_\s]*={0,2}\s*$/;

/**
 * Fetch a file from browser storage and read it: by byte ranges where the
 * storage opens files (a chunked file's headers cost a chunk or two, not
 * the file), else whole through the contents manager.
 */
export async function readStoredModel(
  contents: Pick<Contents.IManager, 'get'>,
  task: IReadTask,
  isStale: () => boolean,
  openBytes?: (path: string) => Promise<IByteSource>
): Promise<HeaderReadOutcome> {
  if (openBytes) {
    return readStoredRanges(contents, openBytes, task, isStale);
  }
  let model: Contents.IModel;
  try {
    model = await contents.get(task.path, {
      type: 'file',
      format: 'base64',
      content: true
    });
  } catch (e) {
    return failedRead(
      e,
      isStale,
      'storage',
      `The file could not be loaded from storage: ${errorText(e)}. Try again, or reload the page.`
    );
  }
  return readListedModel(model, task, isStale);
}

/**
 * Read a file whose content is at hand (a listing or a save event of
 * browser storage carries it), so storage is not asked twice.
 */
export async function readListedModel(
  model: Contents.IModel,
  task: IReadTask,
  isStale: () => boolean
): Promise<HeaderReadOutcome> {
  if (isStale()) {
    return { kind: 'stale' };
  }
  if (model.type === 'directory') {
    return { kind: 'folder' };
  }
  const content: unknown = model.content;
  if (task.mayBeInProgress && !looksComplete(content)) {
    // still being written (empty, or raw bytes of a chunked upload)
    return { kind: 'incomplete' };
  }
  let result: LumlReadResult;
  let size = typeof model.size === 'number' ? model.size : 0;
  if (typeof content !== 'string') {
    result = {
      ok: false,
      reason:
        'The file could not be loaded as binary data, so it was not read as a model.'
    };
  } else {
    const source = new Base64ByteSource(content);
    size = source.size;
    result = await readLumlModel(source);
  }
  if (isStale()) {
    return { kind: 'stale' };
  }
  return {
    kind: 'read',
    from: 'storage',
    size,
    lastModified: model.last_modified ?? '',
    result
  };
}

async function readStoredRanges(
  contents: Pick<Contents.IManager, 'get'>,
  openBytes: (path: string) => Promise<IByteSource>,
  task: IReadTask,
  isStale: () => boolean
): Promise<HeaderReadOutcome> {
  let model: Contents.IModel;
  let source: IByteSource;
  try {
    model = await contents.get(task.path, { content: false });
    if (model.type === 'directory') {
      return isStale() ? { kind: 'stale' } : { kind: 'folder' };
    }
    source = await openBytes(task.path);
  } catch (e) {
    if (isStale()) {
      return { kind: 'stale' };
    }
    if (isNotFound(e)) {
      return { kind: 'gone' };
    }
    return {
      kind: 'unfetched',
      from: 'storage',
      reason: `The file could not be loaded from storage: ${errorText(e)}. Try again, or reload the page.`
    };
  }
  if (isStale()) {
    return { kind: 'stale' };
  }
  if (task.mayBeInProgress && source.size === 0) {
    return { kind: 'incomplete' };
  }
  let result: LumlReadResult;
  try {
    result = await readLumlModel(source);
  } catch (e) {
    if (isStale()) {
      return { kind: 'stale' };
    }
    return {
      kind: 'unfetched',
      from: 'storage',
      reason: `The file could not be read from storage: ${errorText(e)}. Try again, or reload the page.`
    };
  }
  if (isStale()) {
    return { kind: 'stale' };
  }
  return {
    kind: 'read',
    from: 'storage',
    size: source.size,
    lastModified: model.last_modified ?? '',
    result
  };
}

/** Read a file on the server from byte ranges: headers and small members. */
export async function readServerModel(
  remote: IRemoteModelFiles,
  task: IReadTask,
  isStale: () => boolean
): Promise<HeaderReadOutcome> {
  let source: IByteSource;
  let result: LumlReadResult;
  try {
    source = await remote.open(task.path);
    if (isStale()) {
      return { kind: 'stale' };
    }
    if (task.mayBeInProgress && source.size === 0) {
      return { kind: 'incomplete' };
    }
    result = await readLumlModel(source);
  } catch (e) {
    return failedRead(
      e,
      isStale,
      'server',
      `The file could not be read from the server: ${errorText(e)}. Try again, or refresh the list.`
    );
  }
  if (isStale()) {
    return { kind: 'stale' };
  }
  return {
    kind: 'read',
    from: 'server',
    size: source.size,
    lastModified: task.lastModified ?? '',
    result
  };
}

function looksComplete(content: unknown): boolean {
  if (typeof content !== 'string' || content.length === 0) {
    return false;
  }
  return BASE64_PREFIX.test(content.slice(0, BASE64_PROBE_CHARS));
}

function isNotFound(e: unknown): boolean {
  const status = (e as { response?: { status?: number } })?.response?.status;
  return status === 404 || /could not find|not found/i.test(errorText(e));
}
