/**
 * What an instance holds, summed from the records of its `files` and
 * `checkpoints` stores (JupyterLite keeps a full `Contents.IModel` per path,
 * content inline; checkpoints keep copies of earlier versions).
 */

import { isModelPath } from '../format/modelFiles';

export interface IInstanceStats {
  /** Bytes of content in files and checkpoints (what the browser stores). */
  readonly bytes: number;
  /** Files and folders. */
  readonly files: number;
  /** Model files. */
  readonly models: number;
  /** The latest change to a file, or null when there are none. */
  readonly lastModified: Date | null;
}

/** The part of a stored contents model these sums read. */
interface IStoredModel {
  name?: unknown;
  type?: unknown;
  size?: unknown;
  content?: unknown;
  last_modified?: unknown;
}

/** The bytes a stored model takes, from its `size` or else its content. */
export function recordBytes(value: unknown): number {
  if (Array.isArray(value)) {
    // a checkpoints record: the copies of one file
    return value.reduce((sum: number, item) => sum + recordBytes(item), 0);
  }
  if (!value || typeof value !== 'object') {
    return 0;
  }
  const model = value as IStoredModel;
  if (typeof model.size === 'number' && Number.isFinite(model.size)) {
    return Math.max(0, model.size);
  }
  if (typeof model.content === 'string') {
    return model.content.length;
  }
  if (model.content && typeof model.content === 'object') {
    return JSON.stringify(model.content).length;
  }
  return 0;
}

/** Accumulates the sums record by record, so no store is read whole. */
export class StatsAccumulator {
  addFile(value: unknown): void {
    if (!value || typeof value !== 'object') {
      return;
    }
    const model = value as IStoredModel;
    this._files++;
    this._bytes += recordBytes(model);
    if (
      model.type !== 'directory' &&
      typeof model.name === 'string' &&
      isModelPath(model.name)
    ) {
      this._models++;
    }
    if (typeof model.last_modified === 'string') {
      const time = Date.parse(model.last_modified);
      if (!Number.isNaN(time) && time > this._lastModified) {
        this._lastModified = time;
      }
    }
  }

  addCheckpoints(value: unknown): void {
    this._bytes += recordBytes(value);
  }

  get stats(): IInstanceStats {
    return {
      bytes: this._bytes,
      files: this._files,
      models: this._models,
      lastModified: this._lastModified > 0 ? new Date(this._lastModified) : null
    };
  }

  private _bytes = 0;
  private _files = 0;
  private _models = 0;
  private _lastModified = 0;
}
