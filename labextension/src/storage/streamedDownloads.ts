/**
 * Downloads of large stored files as a stream rather than one Blob.
 *
 * The link the drive gives for a file kept in chunks points at a route of
 * the site's service worker (see the site's `service_worker.py`). When the
 * browser fetches it, the service worker asks, over a BroadcastChannel, the
 * page that offered the link for the file one chunk at a time, and answers
 * the fetch with a stream: the browser writes the download to disk as it
 * comes. A Blob of the whole file would hold it in the browser's memory, and
 * past a few hundred MB can fail to be made at all.
 *
 * Pages with no such service worker (a browser that refuses them, a site
 * built before the route) get no link, and the drive falls back to a Blob.
 *
 * Chromium fetches a link with the `download` attribute (how JupyterLab's
 * file browser downloads) without asking the service worker, so a click on
 * such a link of ours becomes the navigation of a hidden frame, which the
 * service worker answers as an attachment.
 */
import { URLExt } from '@jupyterlab/coreutils';

import type { StoredFileReader } from './fileStore';

/** Downloads' URLs, under the site's base URL: <route><token>/<file name>. */
export const DOWNLOAD_ROUTE = 'luml-download/';
/** The BroadcastChannel between the service worker and the pages. */
export const DOWNLOAD_CHANNEL = 'luml-notebooks:downloads';

/** How many offered links a page answers for (the newest). */
const KEPT_OFFERS = 64;
/** How long a download's hidden frame stays (the download outlives it). */
const FRAME_MS = 60_000;

/** What the service worker asks. */
type WorkerMessage =
  | { type: 'open'; request: string; token: string }
  | { type: 'next'; request: string; stream: string }
  | { type: 'cancel'; stream: string };

/** The part of a BroadcastChannel used here. */
export interface IDownloadChannel {
  postMessage(message: unknown): void;
  addEventListener(
    type: 'message',
    listener: (event: { data: unknown }) => void
  ): void;
  close(): void;
}

export interface IStreamedDownloadsOptions {
  /** The site's base URL: the service worker's scope. */
  baseUrl: string;
  /** The stored file at `path`, opened when its download starts. */
  open(path: string): Promise<StoredFileReader>;
  /** Whether a service worker with the route controls this page. */
  routeAvailable?: () => Promise<boolean>;
  /** The channel to the service worker (a BroadcastChannel by default). */
  channel?: () => IDownloadChannel;
}

interface IOffer {
  path: string;
  name: string;
  mimetype: string;
}

/** Whether this page's service worker answers the download route. */
async function workerHasRoute(baseUrl: string): Promise<boolean> {
  if (
    typeof navigator === 'undefined' ||
    !navigator.serviceWorker?.controller
  ) {
    return false;
  }
  try {
    const response = await fetch(URLExt.join(baseUrl, DOWNLOAD_ROUTE, 'ping'), {
      cache: 'no-store'
    });
    return (
      response.status === 204 &&
      response.headers.get('X-Luml-Downloads') === '1'
    );
  } catch {
    return false;
  }
}

/** The token of a download link, or '' for any other URL. */
function tokenOf(href: string): string {
  const [, rest] = href.split(`/${DOWNLOAD_ROUTE}`, 2);
  return rest ? rest.split('/')[0] : '';
}

/** A chunk as its own buffer: cloning a view would copy all of its buffer. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice();
}

export class StreamedDownloads {
  constructor(private readonly _options: IStreamedDownloadsOptions) {}

  /**
   * A streamed download link for the stored file at `path`, or null when
   * this page cannot offer one (the caller then makes a Blob).
   */
  async link(
    path: string,
    name: string,
    mimetype: string
  ): Promise<string | null> {
    if (!(await this._routeAvailable())) {
      return null;
    }
    this._listen();
    const token = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
    this._offers.set(token, { path, name, mimetype });
    while (this._offers.size > KEPT_OFFERS) {
      this._offers.delete(this._offers.keys().next().value!);
    }
    return URLExt.join(
      this._options.baseUrl,
      DOWNLOAD_ROUTE,
      token,
      encodeURIComponent(name)
    );
  }

  /**
   * Turns clicks on download links of ours (`<a download>`) into downloads
   * through the service worker, in `document`.
   */
  watchClicks(document: Document): void {
    document.addEventListener(
      'click',
      event => {
        const target = event.target as Element | null;
        const anchor = target?.closest?.('a[download]') as HTMLAnchorElement;
        if (!anchor || !this._offers.has(tokenOf(anchor.href))) {
          return;
        }
        event.preventDefault();
        const url = new URL(anchor.href);
        url.searchParams.set('download', '');
        const frame = document.createElement('iframe');
        frame.hidden = true;
        frame.src = url.href;
        document.body.appendChild(frame);
        setTimeout(() => frame.remove(), FRAME_MS);
      },
      true
    );
  }

  /** Stop answering: open downloads then fail in the browser. */
  dispose(): void {
    this._channel?.close();
    this._channel = null;
    for (const chunks of this._streams.values()) {
      void chunks.return(undefined);
    }
    this._streams.clear();
  }

  private _routeAvailable(): Promise<boolean> {
    // asked again until it is there: the service worker may take control later
    if (!this._route) {
      const ask =
        this._options.routeAvailable ??
        (() => workerHasRoute(this._options.baseUrl));
      this._route = ask().then(available => {
        if (!available) {
          this._route = null;
        }
        return available;
      });
    }
    return this._route;
  }

  private _listen(): void {
    if (this._channel) {
      return;
    }
    const make =
      this._options.channel ??
      (() => new BroadcastChannel(DOWNLOAD_CHANNEL) as IDownloadChannel);
    const channel = make();
    channel.addEventListener('message', event => {
      void this._handle(event.data as WorkerMessage);
    });
    this._channel = channel;
  }

  private async _handle(message: WorkerMessage): Promise<void> {
    if (!message || typeof message !== 'object') {
      return;
    }
    switch (message.type) {
      case 'open': {
        const offer = this._offers.get(message.token);
        if (!offer) {
          return; // another page's link, or one this page no longer keeps
        }
        try {
          const file = await this._options.open(offer.path);
          const stream = `${message.token}/${++this._opened}`;
          this._streams.set(stream, file.chunks());
          this._answer(message.request, {
            stream,
            size: file.size,
            name: offer.name,
            mimetype: offer.mimetype
          });
        } catch (error) {
          this._answer(message.request, {
            error: `${offer.path} could not be read: ${(error as Error).message}`
          });
        }
        return;
      }
      case 'next': {
        const chunks = this._streams.get(message.stream);
        if (!chunks) {
          return;
        }
        try {
          const next = await chunks.next();
          if (next.done) {
            this._streams.delete(message.stream);
            this._answer(message.request, { done: true });
          } else {
            this._answer(message.request, { bytes: ownBuffer(next.value) });
          }
        } catch (error) {
          this._streams.delete(message.stream);
          this._answer(message.request, {
            error: `The file could not be read: ${(error as Error).message}`
          });
        }
        return;
      }
      case 'cancel': {
        const chunks = this._streams.get(message.stream);
        this._streams.delete(message.stream);
        void chunks?.return(undefined);
        return;
      }
    }
  }

  private _answer(request: string, answer: Record<string, unknown>): void {
    this._channel?.postMessage({ type: 'answer', request, ...answer });
  }

  private _route: Promise<boolean> | null = null;
  private _channel: IDownloadChannel | null = null;
  private _offers = new Map<string, IOffer>();
  private _streams = new Map<string, AsyncGenerator<Uint8Array>>();
  private _opened = 0;
}
