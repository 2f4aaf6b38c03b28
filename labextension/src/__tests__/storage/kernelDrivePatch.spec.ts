// The kernel half of the drive, run here against a fake Emscripten FS whose
// page answers synchronously, as the kernel's channel does: files move in
// pieces, and a torn answer (the shared-memory channel's race) is asked
// again for a read and ignored for a write. Through the service worker the
// page names a BroadcastChannel, and a write's pieces are posted there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  KERNEL_CHANNEL_PREFIX,
  KERNEL_PIECES_AHEAD,
  KERNEL_PIECE_SIZE,
  KERNEL_READ_SIZE,
  bytesToBase64,
  parseKernelPiece,
  kernelDrivePatchSource,
  parseKernelPath,
  parseWriteFormat
} from '../../storage';
import { pseudoRandomBytes } from '../format/tarBuilder';

class ErrnoError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

const ERRNO = { ENOENT: 44, EIO: 29, ENOSPC: 51, ENOMEM: 48 };

interface IRequest {
  method: string;
  path: string;
  data?: { format: string; data: string };
}

/** A page that stores what the kernel sends; `tear` says which answers tear. */
class FakePage {
  files = new Map<string, Uint8Array>();
  requests: IRequest[] = [];
  /** The channel the page names to the kernel, if any. */
  channel: string | null = null;
  /** Bytes of posted pieces after which the page fails the write. */
  failAfter = Infinity;
  posted: { offset: number; length: number }[] = [];
  /** Blob URLs the page made for reads (one per range), and the ranges. */
  blobs = new Map<string, Uint8Array>();
  ranges: string[] = [];
  /** The largest Blob the page held at once. */
  largestBlob = 0;
  /**
   * Posted pieces not yet delivered: with `late`, the channel delivers them
   * only when the page waits for them (a 'stored' request), so a request
   * can overtake them, as the two channels allow.
   */
  late = false;
  pending: unknown[] = [];
  /** A file's version, as the page reports it; called on each range. */
  version = (_path: string, _start: number) => 'v1';
  constructor(readonly tear: (request: IRequest, n: number) => boolean) {}
  private _blobCount = 0;

  /** A message posted on the page's channel. */
  receive(message: unknown): void {
    const piece = parseKernelPiece(message);
    assert.ok(piece);
    assert.equal(piece.path, '/drive/big.bin');
    this.posted.push({ offset: piece.offset, length: piece.bytes.length });
    const pieces = this._pieces.get(piece.id) ?? [];
    const at = pieces.reduce((sum, one) => sum + one.length, 0);
    assert.equal(piece.offset, at);
    pieces.push(piece.bytes);
    this._pieces.set(piece.id, pieces);
  }

  answer(request: IRequest): unknown {
    this.requests.push(request);
    const answer = this._answer(request);
    if (this.tear(request, this.requests.length)) {
      throw new SyntaxError('Bad control character in string literal in JSON');
    }
    return answer;
  }

  private _answer(request: IRequest): unknown {
    const path = request.path.replace(/^\/drive\//, '');
    if (request.method === 'put') {
      const write = parseWriteFormat(request.data?.format);
      assert.ok(write);
      if (write.kind === 'piece') {
        const pieces = this._pieces.get(write.id) ?? [];
        pieces.push(new Uint8Array(Buffer.from(request.data!.data, 'base64')));
        this._pieces.set(write.id, pieces);
      } else {
        const pieces = this._pieces.get(write.id) ?? [];
        const whole = new Uint8Array(write.size);
        let at = 0;
        for (const piece of pieces) {
          whole.set(piece, at);
          at += piece.length;
        }
        const ok = at === write.size && at < this.failAfter;
        if (ok) {
          this.files.set(path, whole);
        }
        this._status.set(write.id, ok);
      }
      return null;
    }
    const kernel = parseKernelPath(path);
    assert.ok(kernel, path);
    if (kernel.kind === 'status') {
      return { content: JSON.stringify({ ok: this._status.get(kernel.id) }) };
    }
    if (kernel.kind === 'blob') {
      const bytes = this.files.get(kernel.path);
      if (!bytes) {
        return null;
      }
      const start = Math.min(kernel.start, bytes.length);
      const end = Math.min(kernel.end, bytes.length);
      const url = `blob:page/${++this._blobCount}`;
      this.blobs.set(url, bytes.slice(start, end));
      this.ranges.push(`${kernel.start}-${kernel.end}`);
      this.largestBlob = Math.max(this.largestBlob, end - start);
      const version = this.version(kernel.path, kernel.start);
      return {
        content: JSON.stringify({
          size: bytes.length,
          format: 'base64',
          version,
          url
        })
      };
    }
    if (kernel.kind === 'release') {
      this.blobs.delete(`blob:page/${kernel.id}`);
      return { content: '{}' };
    }
    if (kernel.kind === 'channel') {
      return { content: JSON.stringify({ name: this.channel }) };
    }
    if (kernel.kind === 'stored') {
      for (const message of this.pending.splice(0)) {
        this.receive(message);
      }
      const pieces = this._pieces.get(kernel.id) ?? [];
      const stored = pieces.reduce((sum, one) => sum + one.length, 0);
      const ok = stored < this.failAfter;
      return { content: JSON.stringify({ ok, stored }) };
    }
    const bytes = this.files.get(kernel.path);
    if (!bytes) {
      return null;
    }
    const data = bytesToBase64(bytes.subarray(kernel.start, kernel.end));
    return { content: JSON.stringify({ size: bytes.length, data }) };
  }

  private _pieces = new Map<string, Uint8Array[]>();
  private _status = new Map<string, boolean>();
}

/** JupyterLite's open: any failed read of the file becomes ENOENT. */
function stockOpen(this: any, stream: { path: string; file?: unknown }) {
  try {
    stream.file = this.fs.API.get(stream.path);
  } catch {
    throw new ErrnoError(ERRNO.ENOENT);
  }
}

function patchedApi(page: FakePage) {
  const api = {
    request: (request: IRequest) => page.answer(request),
    normalizePath: (path: string) => path.replace(/\/+/g, '/')
  } as Record<string, any>;
  const drive = { API: api, stream_ops: { fs: { API: api }, open: stockOpen } };
  api.streamOps = drive.stream_ops;
  const FS = {
    ErrnoError,
    lookupPath: () => ({ node: { mount: { type: drive } } })
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const install = new Function(`return ${kernelDrivePatchSource()}`)();
  assert.equal(install(FS, ERRNO, '/drive'), 'patched');
  return api;
}

const SIZE = KERNEL_PIECE_SIZE * 2 + 5;

describe('the kernel drive patch', () => {
  it('moves a file in pieces both ways', () => {
    const page = new FakePage(() => false);
    const api = patchedApi(page);
    const bytes = pseudoRandomBytes(SIZE, 7);
    api.put('/drive/big.bin', { data: bytes, format: 'base64' });
    assert.deepEqual(page.files.get('big.bin'), bytes);
    const { data } = api.get('/drive/big.bin');
    assert.deepEqual(data, bytes);
  });

  it('asks a read again when its answer arrives torn', () => {
    const tornOnce = new Set<number>();
    const page = new FakePage((request, n) => {
      // every read's first answer tears
      if (!request.path.includes('/range/') || tornOnce.has(n - 1)) {
        return false;
      }
      tornOnce.add(n);
      return true;
    });
    const api = patchedApi(page);
    const bytes = pseudoRandomBytes(SIZE, 9);
    page.files.set('big.bin', bytes);
    const { data } = api.get('/drive/big.bin');
    assert.deepEqual(data, bytes);
    assert.equal(tornOnce.size, 3);
  });

  it('stores a write whose answers tear, and reads its status again', () => {
    let tornStatus = false;
    const page = new FakePage(request => {
      if (request.method === 'put') {
        return true;
      }
      if (request.path.includes('/status/') && !tornStatus) {
        tornStatus = true;
        return true;
      }
      return false;
    });
    const api = patchedApi(page);
    const bytes = pseudoRandomBytes(SIZE, 11);
    api.put('/drive/big.bin', { data: bytes, format: 'base64' });
    assert.ok(tornStatus);
    assert.deepEqual(page.files.get('big.bin'), bytes);
  });

  it('gives up on a read that keeps tearing, and says no file as no file', () => {
    const page = new FakePage(request => request.method === 'get');
    const api = patchedApi(page);
    page.files.set('a.bin', new Uint8Array(3));
    assert.throws(() => api.get('/drive/a.bin'), SyntaxError);
    assert.equal(page.requests.length, 4);

    // opened, it is a file that could not be read, not a missing one
    const openIt = () => api.streamOps.open({ path: '/drive/a.bin' });
    assert.throws(openIt, (error: unknown) => {
      return error instanceof ErrnoError && error.errno === ERRNO.EIO;
    });

    const intact = patchedApi(new FakePage(() => false));
    assert.throws(
      () => intact.streamOps.open({ path: '/drive/missing.bin' }),
      (error: unknown) =>
        error instanceof ErrnoError && error.errno === ERRNO.ENOENT
    );
    assert.throws(
      () => intact.get('/drive/missing.bin'),
      (error: unknown) =>
        error instanceof ErrnoError && error.errno === ERRNO.ENOENT
    );
  });

  it('posts a write on the page channel, and reads ranges from blob URLs', () => {
    const page = new FakePage(() => false);
    page.channel = `${KERNEL_CHANNEL_PREFIX}page-1`;
    const opened: string[] = [];
    // a channel whose messages reach the page at once
    class Channel {
      constructor(readonly name: string) {
        opened.push(name);
      }
      postMessage(message: unknown) {
        // the bytes are cloned on the way, never a view of the kernel's file
        assert.equal(
          (message as any).bytes.byteLength <= KERNEL_PIECE_SIZE,
          true
        );
        if (page.late) {
          page.pending.push(structuredClone(message));
        } else {
          page.receive(structuredClone(message));
        }
      }
    }
    // a synchronous XHR of the page's blob URLs, each read whole; the
    // reads the page breaks answer as a failed fetch does (status 0)
    let broken = 0;
    const reads: number[] = [];
    class XHR {
      status = 0;
      response: ArrayBuffer | null = null;
      responseType = '';
      private _url = '';
      open(method: string, url: string, async: boolean) {
        assert.equal(method, 'GET');
        assert.equal(async, false);
        this._url = url;
      }
      setRequestHeader() {
        assert.fail('a range is a blob of its own: no Range header');
      }
      send() {
        assert.equal(this.responseType, 'arraybuffer');
        const bytes = page.blobs.get(this._url)!;
        if (broken > 0) {
          broken--;
          return;
        }
        reads.push(bytes.length);
        this.status = 200;
        this.response = bytes.slice().buffer;
      }
    }
    const real = globalThis.BroadcastChannel;
    globalThis.BroadcastChannel = Channel as never;
    (globalThis as any).XMLHttpRequest = XHR;
    try {
      const api = patchedApi(page);
      const count = KERNEL_PIECES_AHEAD + 2;
      const bytes = pseudoRandomBytes(KERNEL_PIECE_SIZE * (count - 1) + 3, 5);
      api.put('/drive/big.bin', { data: bytes, format: 'base64' });
      assert.deepEqual(page.files.get('big.bin'), bytes);
      assert.deepEqual(opened, [page.channel]);
      assert.equal(page.posted.length, count);
      const methods = page.requests.map(request =>
        request.method === 'put'
          ? parseWriteFormat(request.data?.format)?.kind
          : parseKernelPath(request.path.replace(/^\/drive\//, ''))?.kind
      );
      // no piece through the requests; a wait for each piece past the first
      // AHEAD, and for the last, then the commit and its status
      assert.deepEqual(methods, [
        'channel',
        ...Array(count - KERNEL_PIECES_AHEAD).fill('stored'),
        'stored',
        'commit',
        'status'
      ]);

      // the commit goes by the request channel, which may overtake pieces
      // still on their way: the kernel waits for the last one first
      page.late = true;
      const small = bytes.subarray(0, 3);
      api.put('/drive/big.bin', { data: small, format: 'base64' });
      assert.deepEqual(page.files.get('big.bin'), small);
      page.late = false;

      // a write the page fails: the kernel stops posting, and raises
      page.failAfter = KERNEL_PIECE_SIZE;
      page.posted = [];
      assert.throws(
        () => api.put('/drive/big.bin', { data: bytes, format: 'base64' }),
        (error: unknown) =>
          error instanceof ErrnoError && error.errno === ERRNO.EIO
      );
      assert.equal(page.posted.length, KERNEL_PIECES_AHEAD + 1);
      // the channel is asked for once
      assert.equal(opened.length, 1);

      // reads come range by range, each from a blob URL of that range
      // alone, released once read: the page never holds the whole file
      const R = KERNEL_READ_SIZE;
      const big = pseudoRandomBytes(R * 2 + 9, 6);
      page.files.set('big.bin', big);
      assert.deepEqual(api.get('/drive/big.bin').data, big);
      assert.deepEqual(page.ranges, [
        `0-${R}`,
        `${R}-${R * 2}`,
        `${R * 2}-${R * 3}`
      ]);
      assert.deepEqual(reads, [R, R, 9]);
      assert.equal(page.largestBlob, R);
      assert.equal(page.blobs.size, 0);
      page.files.set('small.bin', big.subarray(0, 5));
      assert.deepEqual(api.get('/drive/small.bin').data, big.subarray(0, 5));
      assert.equal(page.ranges.at(-1), `0-${R}`);
      page.files.set('empty.bin', new Uint8Array(0));
      assert.deepEqual(api.get('/drive/empty.bin').data, new Uint8Array(0));
      assert.equal(reads.length, 4); // an empty range is not fetched
      assert.equal(page.blobs.size, 0);
      assert.throws(
        () => api.get('/drive/missing.bin'),
        (error: unknown) =>
          error instanceof ErrnoError && error.errno === ERRNO.ENOENT
      );

      // a range the kernel could not fetch fails the read, never short
      broken = 1;
      page.ranges = [];
      assert.throws(() => api.get('/drive/big.bin'), /failed at byte 0/);
      assert.deepEqual(page.ranges, [`0-${R}`]);
      assert.equal(page.blobs.size, 0);

      // a file that changes between two ranges fails the read
      page.version = (_path, start) => (start === 0 ? 'v1' : 'v2');
      assert.throws(() => api.get('/drive/big.bin'), /changed while/);
      assert.equal(page.blobs.size, 0);

      // a file gone after the first range: a failure, not "no such file"
      page.version = (path, start) => {
        if (start > 0) {
          page.files.delete(path);
        }
        return 'v1';
      };
      assert.throws(() => api.get('/drive/big.bin'), /could not hand over/);
    } finally {
      globalThis.BroadcastChannel = real;
      delete (globalThis as any).XMLHttpRequest;
    }
  });
});
