// The page's half of streamed downloads, against a fake service worker on
// the other end of the channel: it is offered only links this page made,
// gets the file chunk by chunk in order, and hears of a file that is gone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DOWNLOAD_ROUTE,
  IDownloadChannel,
  StoredFileReader,
  StreamedDownloads
} from '../../storage';

/** The service worker's end: sends requests, collects answers by id. */
class FakeWorker implements IDownloadChannel {
  private _listener: ((event: { data: unknown }) => void) | null = null;
  private _answers = new Map<string, (answer: any) => void>();
  private _asked = 0;
  posted: any[] = [];

  postMessage(message: any): void {
    this.posted.push(message);
    this._answers.get(message.request)?.(message);
  }
  addEventListener(
    _type: 'message',
    listener: (event: { data: unknown }) => void
  ): void {
    this._listener = listener;
  }
  close(): void {
    this._listener = null;
  }

  /** Asks the page; resolves with its answer, or 'silent' when it has none. */
  ask(message: Record<string, unknown>): Promise<any> {
    const request = `r${++this._asked}`;
    return new Promise(resolve => {
      this._answers.set(request, resolve);
      this._listener?.({ data: { ...message, request } });
      setTimeout(() => resolve('silent'), 50);
    });
  }
}

function fileOf(chunks: Uint8Array[]): StoredFileReader {
  return {
    size: chunks.reduce((n, c) => n + c.length, 0),
    async *chunks() {
      yield* chunks;
    }
  } as unknown as StoredFileReader;
}

function downloads(
  worker: FakeWorker,
  files: Record<string, Uint8Array[]>,
  available = true
): StreamedDownloads {
  return new StreamedDownloads({
    baseUrl: 'http://127.0.0.1:8000/site/',
    open: async path => {
      if (!(path in files)) {
        throw new Error('no such file');
      }
      return fileOf(files[path]);
    },
    routeAvailable: async () => available,
    channel: () => worker
  });
}

function tokenOf(link: string): string {
  const rest = link.split(DOWNLOAD_ROUTE)[1];
  return rest.split('/')[0];
}

describe('streamed downloads', () => {
  it('gives no link without the service worker route', async () => {
    const worker = new FakeWorker();
    const links = downloads(worker, {}, false);
    assert.equal(await links.link('a.bin', 'a.bin', 'x/y'), null);
  });

  it('streams the file chunk by chunk, in order, then says done', async () => {
    const worker = new FakeWorker();
    const big = new Uint8Array(16).fill(7);
    const files = {
      'data/a b.bin': [new Uint8Array([1, 2, 3]), big.subarray(4, 8)]
    };
    const links = downloads(worker, files);
    const link = await links.link('data/a b.bin', 'a b#?.bin', 'x/y');
    assert.ok(link);
    assert.ok(link.startsWith(`http://127.0.0.1:8000/site/${DOWNLOAD_ROUTE}`));
    assert.ok(link.endsWith('/a%20b%23%3F.bin'), link);

    const offer = await worker.ask({ type: 'open', token: tokenOf(link) });
    assert.equal(offer.size, 7);
    assert.equal(offer.name, 'a b#?.bin');
    assert.equal(offer.mimetype, 'x/y');
    const first = await worker.ask({ type: 'next', stream: offer.stream });
    assert.deepEqual([...first.bytes], [1, 2, 3]);
    const second = await worker.ask({ type: 'next', stream: offer.stream });
    // a view is sent as its own buffer, not its whole underlying one
    assert.equal(second.bytes.buffer.byteLength, 4);
    assert.deepEqual([...second.bytes], [7, 7, 7, 7]);
    const end = await worker.ask({ type: 'next', stream: offer.stream });
    assert.equal(end.done, true);
    // the same link can be fetched again (open in a tab, then reload)
    const again = await worker.ask({ type: 'open', token: tokenOf(link) });
    assert.notEqual(again.stream, offer.stream);
    links.dispose();
  });

  it('keeps silent about links it did not make', async () => {
    const worker = new FakeWorker();
    const links = downloads(worker, { 'a.bin': [new Uint8Array(1)] });
    await links.link('a.bin', 'a.bin', 'x/y');
    const answer = await worker.ask({ type: 'open', token: 'someone-else' });
    assert.equal(answer, 'silent');
    links.dispose();
  });

  it('says so when the file is gone', async () => {
    const worker = new FakeWorker();
    const links = downloads(worker, {});
    const link = await links.link('gone.bin', 'gone.bin', 'x/y');
    const answer = await worker.ask({ type: 'open', token: tokenOf(link!) });
    assert.match(answer.error, /gone\.bin could not be read: no such file/);
  });

  it('forgets a cancelled stream', async () => {
    const worker = new FakeWorker();
    const links = downloads(worker, {
      'a.bin': [new Uint8Array(1), new Uint8Array(1)]
    });
    const link = await links.link('a.bin', 'a.bin', 'x/y');
    const offer = await worker.ask({ type: 'open', token: tokenOf(link!) });
    await worker.ask({ type: 'next', stream: offer.stream });
    await worker.ask({ type: 'cancel', stream: offer.stream });
    const after = await worker.ask({ type: 'next', stream: offer.stream });
    assert.equal(after, 'silent');
    links.dispose();
  });
});
