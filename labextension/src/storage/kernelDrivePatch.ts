/**
 * The kernel half of `kernelAccess.ts`: JavaScript that runs in the Pyodide
 * kernel's worker and replaces five methods of the mounted `/drive`
 * (JupyterLite's DriveFS): `API.put` and `API.get` move files in base64
 * pieces encoded natively (no byte-by-byte strings), or as bytes when the
 * page offers a channel for them (see `kernelAccess.ts`), and turn
 * a failed write into an OSError; `API.request` asks a read again when its answer arrived
 * torn; `stream_ops.open` reports a file it could not read as such, not as
 * missing; `stream_ops.write` grows its buffer geometrically, not by one
 * copy of the whole file per write call.
 *
 * It goes in through the stock kernel: the page runs `kernelInstallCode()`
 * as a silent execution, which hands the function Pyodide's `FS` and
 * `ERRNO_CODES`. Anything it does not find (no drive mounted, another
 * DriveFS) leaves the kernel as it was.
 */
import {
  KERNEL_CHANNEL_PREFIX,
  KERNEL_PATH_PREFIX,
  KERNEL_PIECES_AHEAD,
  KERNEL_PIECE_SIZE,
  KERNEL_READ_SIZE,
  WRITE_FORMAT_PREFIX
} from './kernelAccess';

/** What the installed function returns. */
export type PatchOutcome = 'patched' | 'already' | 'no-drive';

/** The function source; parameters `(FS, ERRNO_CODES, mountpoint)`. */
export function kernelDrivePatchSource(): string {
  return `(FS, ERRNO, mountpoint) => {
  const PIECE = ${KERNEL_PIECE_SIZE};
  const WRITE = ${JSON.stringify(WRITE_FORMAT_PREFIX)};
  const KERNEL = ${JSON.stringify(KERNEL_PATH_PREFIX)};
  const CHANNEL = ${JSON.stringify(KERNEL_CHANNEL_PREFIX)};
  const AHEAD = ${KERNEL_PIECES_AHEAD};
  const READ = ${KERNEL_READ_SIZE};
  let node;
  try {
    node = FS.lookupPath(mountpoint).node;
  } catch (e) {
    return 'no-drive';
  }
  const drive = node && node.mount && node.mount.type;
  const api = drive && drive.API;
  if (!api || typeof api.request !== 'function' || !drive.stream_ops) {
    return 'no-drive';
  }
  if (api.__lumlChunked) {
    return 'already';
  }
  const toBase64 = bytes => {
    if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
    let out = '';
    for (let i = 0; i < bytes.length; i += 0x8000 * 3) {
      out += btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000 * 3)));
    }
    return out;
  };
  const fromBase64 = text => {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  };
  const errno = name => new FS.ErrnoError(ERRNO[name] || ERRNO.EIO);
  // a reserved path of the same drive as the file at 'path'
  const reserved = (what, path) => {
    const local = path && path.startsWith(mountpoint) ? path.slice(mountpoint.length) : '';
    return api.normalizePath(mountpoint + '/' + KERNEL + what + local);
  };
  const answer = response => {
    try {
      return JSON.parse(response.content);
    } catch (e) {
      return null;
    }
  };
  // The shared-memory channel (coincident) hands the page's answer over in
  // a second buffer and can wake the kernel before the page has finished
  // writing it: the kernel then parses a torn answer and JSON.parse throws.
  // The longer the answer (a file's pieces), the likelier. A read is asked
  // again; a write's answer is never used (its status is asked apart).
  const send = api.request;
  const READS = new Set(['get', 'lookup', 'getattr', 'getmode', 'readdir']);
  api.request = function (data) {
    for (let attempt = 1; ; attempt++) {
      try {
        return send.call(this, data);
      } catch (e) {
        if (e instanceof FS.ErrnoError) throw e;
        if (data.method === 'put') return null;
        if (!READS.has(data.method) || attempt >= 4) throw e;
      }
    }
  };
  // The page's BroadcastChannel for pieces, asked once: a base64 piece
  // inside JSON is slow to pass through either request channel (the service
  // worker's relay, the shared memory's JSON), so writes are posted there
  // as bytes, and reads come from blob URLs
  let channel;
  const pieceChannel = () => {
    if (channel === undefined) {
      channel = null;
      if (typeof BroadcastChannel === 'function') {
        const named = answer(api.request({ method: 'get', path: reserved('channel', '') }) || {});
        if (named && typeof named.name === 'string' && named.name.startsWith(CHANNEL)) {
          channel = new BroadcastChannel(named.name);
        }
      }
    }
    return channel;
  };
  // waits until the page has stored the first 'wanted' bytes of write 'id';
  // false when the write failed (the commit's status says why)
  const waitStored = (api, path, id, wanted) => {
    for (let stored = 0; wanted > 0 && stored < wanted; ) {
      const reply = answer(api.request({ method: 'get', path: reserved('stored/' + id + '/' + wanted, path) }) || {});
      if (!reply || !reply.ok) return false;
      stored = reply.stored;
    }
    return true;
  };
  // posts the pieces, never more than AHEAD of what the page has stored,
  // and waits for the last: the commit goes by the request channel, which
  // can overtake pieces still on the BroadcastChannel
  const postPieces = (api, path, target, id, data, channel) => {
    for (let offset = 0; offset < data.length; offset += PIECE) {
      const bytes = data.slice(offset, offset + PIECE);
      channel.postMessage({ id, path: target, offset, bytes: bytes.buffer });
      if (!waitStored(api, path, id, offset + bytes.length - AHEAD * PIECE)) return;
    }
    waitStored(api, path, id, data.length);
  };
  api.put = function (path, value) {
    const data = value.data || new Uint8Array(0);
    const id = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
    const target = this.normalizePath(path);
    const posted = data.length > 0 && pieceChannel();
    if (posted) {
      postPieces(this, path, target, id, data, posted);
    } else {
      for (let offset = 0; offset < data.length; offset += PIECE) {
        this.request({
          method: 'put',
          path: target,
          data: { format: WRITE + id + '/' + offset, data: toBase64(data.subarray(offset, offset + PIECE)) }
        });
      }
    }
    this.request({
      method: 'put',
      path: target,
      data: { format: WRITE + id + '/commit/' + data.length + '/' + (value.format || 'base64'), data: '' }
    });
    const status = answer(this.request({ method: 'get', path: reserved('status/' + id, '') }) || {});
    if (!status || !status.ok) {
      console.error((status && status.message) || 'The page did not store ' + path);
      throw errno(status && status.errno ? status.errno : 'EIO');
    }
    return null;
  };
  // why the last read failed, for open (below)
  let readFailure = null;
  api.get = function (path) {
    try {
      return readWhole.call(this, path);
    } catch (e) {
      readFailure = e;
      throw e;
    }
  };
  // with the page's channel: the file's bytes range by range, each from a
  // blob URL the page makes of that range alone and revokes once read (the
  // URL goes through neither request channel)
  const readBlobs = function (path) {
    let data = null;
    let head = null;
    for (let offset = 0; data === null || offset < data.length; offset += READ) {
      const range = answer(this.request({ method: 'get', path: reserved('blob/' + offset + '/' + (offset + READ), path) }) || {});
      if (!range || typeof range.url !== 'string') {
        if (data === null) throw errno('ENOENT');
        throw new Error('The page could not hand over ' + path + ' at byte ' + offset);
      }
      try {
        if (data === null) {
          head = range;
          data = new Uint8Array(range.size);
        } else if (range.size !== head.size || range.version !== head.version) {
          throw new Error(path + ' changed while it was read');
        }
        const length = Math.min(data.length, offset + READ) - offset;
        if (length > 0) {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', range.url, false);
          xhr.responseType = 'arraybuffer';
          xhr.send();
          const part = xhr.response ? new Uint8Array(xhr.response) : null;
          if (xhr.status !== 200 || !part || part.length !== length) {
            throw new Error('Reading ' + path + ' from the page failed at byte ' + offset + ' (HTTP ' + xhr.status + ')');
          }
          data.set(part, offset);
        }
      } finally {
        this.request({ method: 'get', path: reserved('release/' + range.url.slice(range.url.lastIndexOf('/') + 1), '') });
      }
    }
    return { data, format: head.format || 'base64' };
  };
  const readWhole = function (path) {
    if (pieceChannel()) return readBlobs.call(this, path);
    const first = this.request({ method: 'get', path: reserved('range/0/' + PIECE, path) });
    const head = first && answer(first);
    if (!head) throw errno('ENOENT');
    const data = new Uint8Array(head.size);
    data.set(fromBase64(head.data), 0);
    for (let offset = PIECE; offset < head.size; offset += PIECE) {
      const part = this.request({ method: 'get', path: reserved('range/' + offset + '/' + (offset + PIECE), path) });
      const piece = part && answer(part);
      if (!piece) throw errno('EIO');
      data.set(fromBase64(piece.data), offset);
    }
    return { data, format: head.format || 'base64' };
  };
  // JupyterLite's open turns any failed read into ENOENT: a file that is
  // there but could not be read (out of memory, a broken answer) says so
  const open = drive.stream_ops.open;
  if (typeof open === 'function') {
    drive.stream_ops.open = function (stream) {
      readFailure = null;
      try {
        return open.call(this, stream);
      } catch (e) {
        const cause = readFailure;
        if (!cause || (cause instanceof FS.ErrnoError && cause.errno === ERRNO.ENOENT)) throw e;
        console.error('Reading a file of the drive failed:', cause);
        if (cause instanceof FS.ErrnoError) throw cause;
        throw errno(cause instanceof RangeError ? 'ENOMEM' : 'EIO');
      }
    };
  }
  drive.stream_ops.write = function (stream, buffer, offset, length, position) {
    if (length <= 0 || stream.file === undefined) return 0;
    const now = Date.now();
    stream.node.timestamp = now;
    stream.node.atime = now;
    stream.node.mtime = now;
    stream.node.ctime = now;
    const file = stream.file;
    const end = position + length;
    const size = Math.max(file.data ? file.data.length : 0, end);
    let room = file.lumlRoom;
    if (!room || room.length < size || (file.data && file.data.buffer !== room.buffer)) {
      const grown = new Uint8Array(Math.max(size, room && room.length ? room.length * 2 : size));
      if (file.data) grown.set(file.data);
      room = grown;
    }
    file.lumlRoom = room;
    file.data = room.subarray(0, size);
    file.data.set(buffer.subarray(offset, offset + length), position);
    return length;
  };
  api.__lumlChunked = true;
  return 'patched';
}`;
}

/**
 * Python for a silent execution that installs the patch on the kernel's
 * `/drive`; it prints nothing and leaves no names behind, and its last
 * expression is the outcome (a `PatchOutcome`).
 */
export function kernelInstallCode(mountpoint = '/drive'): string {
  const source = JSON.stringify(kernelDrivePatchSource());
  return [
    'exec(compile(',
    `    "import pyodide_js\\nfrom pyodide.code import run_js\\n"`,
    `    "_outcome = run_js(_source)(pyodide_js.FS, pyodide_js.ERRNO_CODES, _mount)",`,
    `    "<luml-drive>", "exec"),`,
    `    {"_source": ${source}, "_mount": ${JSON.stringify(mountpoint)}})`
  ].join('\n');
}
