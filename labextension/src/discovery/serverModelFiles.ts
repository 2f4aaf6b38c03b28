import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IByteSource, RangeByteSource } from '../format';
import type { IListedModelFile, IRemoteModelFiles } from './listing';

/** Where the package's server extension answers, under the base URL. */
export const SERVER_API = 'luml-notebooks/api';

/**
 * Model files on a Jupyter server's disk, through the package's server
 * extension: `models` lists them (no file is read), `bytes` returns a range.
 */
export class ServerModelFiles implements IRemoteModelFiles {
  constructor(private readonly _settings: ServerConnection.ISettings) {}

  /**
   * Whether the server extension answers here (false when the package's
   * server part is not enabled, or the contents are not on disk).
   */
  async available(): Promise<boolean> {
    try {
      await this.list();
      return true;
    } catch (error) {
      console.info(
        'LUML Notebooks: no model listing on this server; walking folders',
        error
      );
      return false;
    }
  }

  async list(): Promise<IListedModelFile[]> {
    const response = await this._request('models');
    const body = (await response.json()) as {
      models?: IListedModelFile[];
      truncated?: boolean;
    };
    if (body.truncated) {
      console.warn('LUML Notebooks: too many model files; the list is cut');
    }
    return Array.isArray(body.models) ? body.models : [];
  }

  open(path: string): Promise<IByteSource> {
    return RangeByteSource.open((offset, length) =>
      this.readRange(path, offset, length)
    );
  }

  /** Bytes of a range of a file and the file's current size. */
  async readRange(
    path: string,
    offset: number,
    length: number
  ): Promise<{ bytes: Uint8Array; size: number }> {
    const query = URLExt.objectToQueryString({
      path,
      offset: String(offset),
      length: String(length)
    });
    const response = await this._request(`bytes${query}`);
    const size = Number(response.headers.get('X-Luml-File-Size'));
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!Number.isFinite(size)) {
      throw new Error('the server did not say how large the file is');
    }
    return { bytes, size };
  }

  private async _request(endpoint: string): Promise<Response> {
    const url = URLExt.join(this._settings.baseUrl, SERVER_API, endpoint);
    const response = await ServerConnection.makeRequest(
      url,
      { cache: 'no-store' },
      this._settings
    );
    if (!response.ok) {
      throw await ServerConnection.ResponseError.create(response);
    }
    return response;
  }
}

/** The raw bytes of a file, from the server's `/files/` endpoint. */
export async function fetchServerFile(
  settings: ServerConnection.ISettings,
  path: string
): Promise<Uint8Array> {
  const url = URLExt.join(settings.baseUrl, 'files', URLExt.encodeParts(path));
  const response = await ServerConnection.makeRequest(
    url,
    { cache: 'no-store' },
    settings
  );
  if (!response.ok) {
    throw await ServerConnection.ResponseError.create(response);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Runs `check` when the page becomes visible or the window gets focus, and
 * every `intervalMs()` while the page is visible (0: on focus only). One
 * check at a time; a trigger during a check runs one more after it.
 */
export class VisiblePoller {
  constructor(
    private readonly _check: () => Promise<void>,
    private readonly _intervalMs: () => number
  ) {
    window.addEventListener('focus', this._onWake);
    document.addEventListener('visibilitychange', this._onWake);
    this._arm();
  }

  /** Check now (and restart the interval). */
  trigger(): void {
    if (this._running) {
      this._again = true;
      return;
    }
    this._running = true;
    void this._check()
      .catch(error => console.warn('Looking for model files failed', error))
      .finally(() => {
        this._running = false;
        if (this._again) {
          this._again = false;
          this.trigger();
        } else {
          this._arm();
        }
      });
  }

  /** Take a new interval into account. */
  reschedule(): void {
    this._arm();
  }

  dispose(): void {
    window.removeEventListener('focus', this._onWake);
    document.removeEventListener('visibilitychange', this._onWake);
    clearTimeout(this._timer);
    this._disposed = true;
  }

  private _arm(): void {
    clearTimeout(this._timer);
    const interval = this._intervalMs();
    if (this._disposed || !(interval > 0)) {
      return;
    }
    this._timer = setTimeout(() => {
      if (document.visibilityState === 'visible') {
        this.trigger();
      } else {
        this._arm();
      }
    }, interval);
  }

  private readonly _onWake = () => {
    if (document.visibilityState === 'visible') {
      this.trigger();
    }
  };

  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _running = false;
  private _again = false;
  private _disposed = false;
}
