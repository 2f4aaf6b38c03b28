/**
 * How an instance keeps its files in its IndexedDB database.
 *
 * `files` holds one record per path, keyed by the path, as JupyterLite 0.8
 * does. Files up to `INLINE_LIMIT` bytes keep JupyterLite 0.8's exact record
 * (a contents model with its content inline, binary as base64), so the LUML
 * platform and older versions read them unchanged. Larger files have a record
 * with the same fields (name, path, type, format, mimetype, size, dates),
 * `content: null` and a `chunks` reference; their bytes are `chunks` records
 * keyed `[contentId, index]`, each a Blob of `CHUNK_SIZE` bytes (the last
 * one shorter); chunks stored before Blobs are ArrayBuffers, read alike.
 * Blobs, measured in Chromium (64 MiB, 4 MiB chunks): written in 0.14 s
 * against 0.25 to 0.40 s as ArrayBuffers, read into the page in 0.09 against
 * 0.12 s, and read as one Blob (an upload's body) in 0.04 against 0.20 s.
 *
 * One value stays far below Chromium's ceiling for one IndexedDB value
 * (133,169,152 serialized bytes): files of any size fit.
 */
import type { Contents } from '@jupyterlab/services';

export const FILES_STORE = 'files';
export const COUNTERS_STORE = 'counters';
export const CHECKPOINTS_STORE = 'checkpoints';
export const CHUNKS_STORE = 'chunks';

/** The stores the drive uses in an instance database. */
export const CONTENTS_STORES = [
  FILES_STORE,
  COUNTERS_STORE,
  CHECKPOINTS_STORE,
  CHUNKS_STORE
] as const;

/**
 * 4 MiB: measured in Chromium writing and reading 128 MiB one chunk per
 * transaction, 1 to 8 MiB chunks all ran at 100-150 MB/s (write) and
 * 130-190 MB/s (read), 16 MiB was slower; 4 MiB keeps a GiB to 256 records
 * while a range read (a model's header) costs at most one 4 MiB chunk.
 */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/** Files up to this size keep JupyterLite 0.8's inline record. */
export const INLINE_LIMIT = CHUNK_SIZE;

/** Where a chunked file's bytes are. */
export interface IChunkRef {
  /** A fresh id per version of the content; see `newContentId`. */
  readonly id: string;
  readonly chunkSize: number;
  readonly count: number;
}

/** A `files` (or checkpoint) record: a contents model, maybe chunked. */
export interface IStoredModel extends Contents.IModel {
  readonly chunks?: IChunkRef;
}

export interface IChunkedModel extends IStoredModel {
  readonly chunks: IChunkRef;
}

export function isChunked(
  model: IStoredModel | null | undefined
): model is IChunkedModel {
  return !!model && !!model.chunks && typeof model.chunks.id === 'string';
}

/**
 * A content id starts with its creation time, so the collector can leave
 * alone the chunks of a write still running (in this tab or another one).
 */
export function newContentId(now: number = Date.now()): string {
  const random = Math.floor(Math.random() * 2 ** 48)
    .toString(36)
    .padStart(10, '0');
  return `${now.toString(36)}-${random}`;
}

/** When content `id` was created (ms since the epoch), or NaN. */
export function contentIdTime(id: string): number {
  const head = id.split('-')[0];
  return /^[0-9a-z]+$/.test(head) ? parseInt(head, 36) : NaN;
}

/** The key range of every chunk of content `id`. */
export function chunkRange(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id, 0], [id, Infinity]);
}

/** The model as the contents API shows it: no storage details. */
export function publicModel(model: IStoredModel): Contents.IModel {
  if (!isChunked(model)) {
    return model;
  }
  return { ...withoutChunks(model), content: null };
}

/** `model` without its `chunks` reference. */
export function withoutChunks(model: IStoredModel): Contents.IModel {
  const copy: { chunks?: IChunkRef } & Contents.IModel = { ...model };
  delete copy.chunks;
  return copy;
}
