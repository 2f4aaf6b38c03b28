// The kernel half of the drive, run here against a fake Emscripten FS whose
// page answers synchronously, as the kernel's channel does: files move in
// pieces, and a torn answer (the shared-memory channel's race) is asked
// again for a read and ignored for a write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  KERNEL_PIECE_SIZE,
  bytesToBase64,
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
  constructor(readonly tear: (request: IRequest, n: number) => boolean) {}

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
        this.files.set(path, whole);
        this._status.set(write.id, at === write.size);
      }
      return null;
    }
    const kernel = parseKernelPath(path);
    assert.ok(kernel, path);
    if (kernel.kind === 'status') {
      return { content: JSON.stringify({ ok: this._status.get(kernel.id) }) };
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
      if (request.method !== 'get' || tornOnce.has(n - 1)) {
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
});
