/**
 * The files shipped with the site: listed in `api/contents/<dir>/all.json`
 * and fetched from `files/<path>`. A stored record of the same path shadows
 * a shipped file, as in JupyterLite 0.8.
 */
import type { Contents } from '@jupyterlab/services';

import { bytesToBase64 } from './base64';
import { IFileTypeInfo, OCTET_STREAM, extensionOf, hasFormat } from './formats';

type IModel = Contents.IModel;

export interface IShippedContentsOptions {
  /** The site's base URL (`PageConfig.getBaseUrl()`). */
  baseUrl: string;
  /** `contentsAllJsonFile` of the page config; empty when nothing ships. */
  allJsonFile: string;
  fileTypes?: Record<string, IFileTypeInfo>;
  fetch?: typeof fetch;
}

function join(...parts: string[]): string {
  return parts
    .filter(part => part !== '')
    .map((part, i) =>
      i === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, '')
    )
    .join('/');
}

function encodeParts(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export class ShippedContents {
  constructor(options: IShippedContentsOptions) {
    this._baseUrl = options.baseUrl;
    this._allJsonFile = options.allJsonFile;
    this._fileTypes = options.fileTypes ?? {};
    this._fetch = options.fetch ?? ((...args) => fetch(...args));
  }

  /** The shipped entries directly in `dir`, by name. */
  async folder(dir: string): Promise<Map<string, IModel>> {
    let listing = this._folders.get(dir);
    if (!listing) {
      listing = this._list(dir);
      this._folders.set(dir, listing);
    }
    return listing;
  }

  /** The shipped model at `path` (without content), or null. */
  async model(path: string): Promise<IModel | null> {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    return (await this.folder(dir)).get(name) ?? null;
  }

  /** The shipped `model` with its content, as JupyterLite 0.8 gives it. */
  async withContent(model: IModel): Promise<IModel | null> {
    if (model.type === 'directory') {
      return {
        ...model,
        content: [...(await this.folder(model.path)).values()]
      };
    }
    const url = join(this._baseUrl, 'files', encodeParts(model.path));
    const response = await this._fetch(url);
    if (!response.ok) {
      return null;
    }
    const mimetype: string =
      model.mimetype || response.headers.get('Content-Type') || '';
    const ext = extensionOf(model.name);
    if (
      model.type === 'notebook' ||
      hasFormat(ext, 'json', this._fileTypes) ||
      mimetype.includes('json') ||
      /\.(ipynb|[^/]*json[^/]*)$/.test(model.path)
    ) {
      const text = await response.text();
      return {
        ...model,
        content: JSON.parse(text),
        format: 'json',
        mimetype: model.mimetype || 'application/json',
        size: new TextEncoder().encode(text).length
      };
    }
    if (hasFormat(ext, 'text', this._fileTypes) || mimetype.includes('text')) {
      const text = await response.text();
      return {
        ...model,
        content: text,
        format: 'text',
        mimetype: mimetype || 'text/plain',
        size: new TextEncoder().encode(text).length
      };
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      ...model,
      content: bytesToBase64(bytes),
      format: 'base64',
      mimetype: mimetype || OCTET_STREAM,
      size: bytes.length
    };
  }

  private async _list(dir: string): Promise<Map<string, IModel>> {
    const listing = new Map<string, IModel>();
    if (!this._allJsonFile) {
      return listing;
    }
    const url = join(
      this._baseUrl,
      'api/contents',
      encodeParts(dir),
      this._allJsonFile
    );
    try {
      const response = await this._fetch(url);
      if (response.ok) {
        const json = await response.json();
        for (const file of (json?.content ?? []) as IModel[]) {
          listing.set(file.name, file);
        }
      }
    } catch {
      // no listing: nothing ships in that folder
    }
    return listing;
  }

  private _baseUrl: string;
  private _allJsonFile: string;
  private _fileTypes: Record<string, IFileTypeInfo>;
  private _fetch: typeof fetch;
  private _folders = new Map<string, Promise<Map<string, IModel>>>();
}
