import { IBackupContents, IContentsModelLike } from '../../backup';

interface IRecord {
  type: 'file' | 'notebook' | 'directory';
  format: 'text' | 'base64' | 'json' | null;
  content: any;
  last_modified: string;
}

/**
 * An in-memory drive that behaves like JupyterLite's browser storage where
 * backups care: notebooks kept as JSON objects, binaries as base64, writes
 * into missing folders rejected, renames and recursive deletes.
 */
export class MemoryContents implements IBackupContents {
  readonly records = new Map<string, IRecord>();
  /** Called before each save; throw from it to simulate a failing write. */
  beforeSave: ((path: string) => void) | null = null;
  saves = 0;

  addFolder(path: string): void {
    this.records.set(path, {
      type: 'directory',
      format: null,
      content: null,
      last_modified: '2026-03-04T05:06:08.000Z'
    });
  }

  addText(path: string, text: string, modified = '2026-03-04T05:06:08.000Z') {
    this._parents(path);
    this.records.set(path, {
      type: 'file',
      format: 'text',
      content: text,
      last_modified: modified
    });
  }

  addNotebook(path: string, notebook: object) {
    this._parents(path);
    this.records.set(path, {
      type: 'notebook',
      format: 'json',
      content: notebook,
      last_modified: '2026-03-04T05:06:08.000Z'
    });
  }

  addBinary(path: string, bytes: Uint8Array) {
    this._parents(path);
    this.records.set(path, {
      type: 'file',
      format: 'base64',
      content: Buffer.from(bytes).toString('base64'),
      last_modified: '2026-03-04T05:06:08.000Z'
    });
  }

  /** A comparable picture of everything stored. */
  snapshot(): string {
    return JSON.stringify(
      [...this.records.entries()]
        .map(([path, r]) => [path, r.type, r.format, r.content])
        .sort()
    );
  }

  async get(
    path: string,
    options?: { content?: boolean }
  ): Promise<IContentsModelLike> {
    path = path.replace(/^\/+/, '');
    if (path === '' || this.records.get(path)?.type === 'directory') {
      const prefix = path ? `${path}/` : '';
      const children = [...this.records.entries()]
        .filter(
          ([key]) =>
            key.startsWith(prefix) && !key.slice(prefix.length).includes('/')
        )
        .map(([key, r]) => this._model(key, r, false));
      return {
        name: path.split('/').pop() ?? '',
        path,
        type: 'directory',
        format: 'json',
        content: options?.content ? children : null
      };
    }
    const record = this.records.get(path);
    if (!record) {
      throw new Error(`Could not find content with path ${path}`);
    }
    return this._model(path, record, options?.content ?? false);
  }

  async save(path: string, options: any = {}): Promise<IContentsModelLike> {
    this.beforeSave?.(path);
    this.saves += 1;
    const parent = path.includes('/')
      ? path.slice(0, path.lastIndexOf('/'))
      : '';
    if (parent && this.records.get(parent)?.type !== 'directory') {
      throw new Error(`Directory does not exist: ${parent}`);
    }
    const type = path.endsWith('.ipynb')
      ? 'notebook'
      : (options.type ?? 'file');
    this.records.set(path, {
      type,
      format: type === 'directory' ? null : (options.format ?? 'base64'),
      content: type === 'directory' ? null : (options.content ?? ''),
      last_modified: new Date().toISOString()
    });
    return this._model(path, this.records.get(path)!, false);
  }

  async delete(path: string): Promise<void> {
    for (const key of [...this.records.keys()]) {
      if (key === path || key.startsWith(`${path}/`)) {
        this.records.delete(key);
      }
    }
  }

  async rename(path: string, newPath: string): Promise<IContentsModelLike> {
    const record = this.records.get(path);
    if (!record) {
      throw new Error(`Could not find file with path ${path}`);
    }
    for (const key of [...this.records.keys()]) {
      if (key === path || key.startsWith(`${path}/`)) {
        this.records.set(
          newPath + key.slice(path.length),
          this.records.get(key)!
        );
        this.records.delete(key);
      }
    }
    return this._model(newPath, record, false);
  }

  private _parents(path: string) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!this.records.has(folder)) {
        this.addFolder(folder);
      }
    }
  }

  private _model(
    path: string,
    r: IRecord,
    content: boolean
  ): IContentsModelLike {
    const size =
      r.format === 'base64'
        ? Buffer.from(r.content, 'base64').length
        : r.format === 'text'
          ? Buffer.byteLength(r.content)
          : 0;
    return {
      name: path.split('/').pop() ?? '',
      path,
      type: r.type,
      format: r.format,
      content: content ? r.content : null,
      size,
      last_modified: r.last_modified
    };
  }
}

export class CollectSink {
  readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }
}
