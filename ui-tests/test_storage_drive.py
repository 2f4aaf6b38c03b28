"""The chunked storage drive in the built site: files over JupyterLite's old
ceiling (about 95 MiB in one IndexedDB value) are written by the real Pyodide
kernel and come back byte for byte; a write the browser refuses raises in
Python and keeps the previous content.

Throughput is printed (run with ``-s`` to see it), never asserted.
"""

from __future__ import annotations

import json

import pytest

from browser_helpers import KERNEL_TIMEOUT_MS, open_lab

pytestmark = pytest.mark.browser

MiB = 2**20

# Starts (once per page) a kernel the page's plugins see, waits until its
# /drive has the chunked file access, runs `code` and returns its outputs.
RUN_PYTHON = """
async code => {
  const app = window.jupyterapp;
  if (!window.__kernel) {
    window.__kernel = await app.serviceManager.kernels.startNew({ name: 'python' });
  }
  const kernel = window.__kernel;
  const run = async source => {
    const out = { stdout: '', stderr: '', error: null };
    const future = kernel.requestExecute({ code: source, store_history: false });
    future.onIOPub = msg => {
      const c = msg.content;
      if (msg.header.msg_type === 'stream') out[c.name] += c.text;
      if (msg.header.msg_type === 'error') out.error = `${c.ename}: ${c.evalue}`;
    };
    await future.done;
    return out;
  };
  const probe = [
    'import pyodide_js',
    'from pyodide.code import run_js',
    "probe = 'FS => !!FS.lookupPath(\\"/drive\\").node.mount.type.API.__lumlChunked'",
    'print(run_js(probe)(pyodide_js.FS))'
  ].join('\\n');
  for (;;) {
    const answer = await run(probe);
    if (answer.stdout.includes('True')) break;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  return run(code);
}
"""

STORED_RECORD = """
async path => {
  const drive = window.jupyterapp.serviceManager.contents.defaultDrive ??
    window.jupyterapp.serviceManager.contents._defaultDrive;
  const record = await drive.store.getRecord(path);
  return record && {
    size: record.size,
    chunked: !!record.chunks,
    content: typeof record.content === 'string' ? record.content : null
  };
}
"""

WRITE_AND_READ_BACK = """
import hashlib, os, time
data = os.urandom({size})
start = time.perf_counter()
with open('big.bin', 'wb') as f:
    f.write(data)
written = time.perf_counter() - start
start = time.perf_counter()
with open('big.bin', 'rb') as f:
    back = f.read()
read = time.perf_counter() - start
print('same', back == data, len(back))
mb = len(data) / 1e6
print(f'write {{mb / written:.1f}} MB/s, read {{mb / read:.1f}} MB/s')
print('sha', hashlib.sha256(data).hexdigest())
"""

PAGE_SHA256 = """
async path => {
  const drive = window.jupyterapp.serviceManager.contents.defaultDrive ??
    window.jupyterapp.serviceManager.contents._defaultDrive;
  const record = await drive.store.getRecord(path);
  const bytes = await drive.readRange(path, 0, record.size);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  const hex = b => b.toString(16).padStart(2, '0');
  return Array.from(new Uint8Array(digest), hex).join('');
}
"""


def _kernel_round_trip(page, size: int) -> dict:
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    result = page.evaluate(RUN_PYTHON, WRITE_AND_READ_BACK.format(size=size))
    assert result["error"] is None, result
    print(result["stdout"])
    assert f"same True {size}" in result["stdout"]
    record = page.evaluate(STORED_RECORD, "big.bin")
    assert record == {"size": size, "chunked": True, "content": None}
    sha = result["stdout"].split("sha ")[1].strip()
    # what the page stored is what the kernel wrote
    assert page.evaluate(PAGE_SHA256, "big.bin") == sha
    return result


def test_kernel_writes_and_reads_500_mib_isolated(page_factory, site_url):
    page, watch = page_factory(site_url)
    open_lab(page, site_url)
    assert page.evaluate("crossOriginIsolated")
    _kernel_round_trip(page, 500 * MiB)
    assert watch.page_errors == []


# the kernel's synchronous XHRs: the scheme of each URL, and the body's length
RECORD_XHRS = """
from pyodide.code import run_js
run_js('''(() => {
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  self.lumlXhrs = [];
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.lumlUrl = String(url);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (body) {
    self.lumlXhrs.push([this.lumlUrl.split(':')[0], body ? body.length : 0]);
    return send.call(this, body);
  };
})()''')
"""

XHRS = """
from pyodide.code import run_js
print(run_js("JSON.stringify(self.lumlXhrs)"))
"""


def test_kernel_writes_and_reads_120_mib_through_service_worker(
    page_factory, plain_site_url
):
    page, watch = page_factory(plain_site_url)
    open_lab(page, plain_site_url)
    assert not page.evaluate("crossOriginIsolated")
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    assert page.evaluate(RUN_PYTHON, RECORD_XHRS)["error"] is None
    _kernel_round_trip(page, 120 * MiB)
    assert watch.page_errors == []
    # the bytes did not go through the service worker's JSON relay: the
    # write's pieces were posted to the page, the read came from blob URLs
    xhrs = json.loads(page.evaluate(RUN_PYTHON, XHRS)["stdout"])
    relayed = [length for scheme, length in xhrs if scheme != "blob"]
    assert relayed and max(relayed) < 64 * 1024, max(relayed)
    assert [scheme for scheme, _ in xhrs].count("blob") == 4  # one per 32 MiB range


# A file written and read back in random pieces of 32 MiB, so that Python never
# holds it whole (the kernel's file system still does), hashed both ways
WRITE_AND_READ_BACK_IN_PIECES = """
import hashlib, os, time
PIECE = 32 * 2**20
written, start = hashlib.sha256(), time.perf_counter()
with open('huge.bin', 'wb') as f:
    for _ in range({size} // PIECE):
        piece = os.urandom(PIECE)
        written.update(piece)
        f.write(piece)
write_s = time.perf_counter() - start
del piece
read, start, at = hashlib.sha256(), time.perf_counter(), 0
with open('huge.bin', 'rb') as f:
    while at < {size}:
        f.seek(at)
        piece = f.read(PIECE)
        if not piece:
            break
        read.update(piece)
        at += len(piece)
read_s = time.perf_counter() - start
print('size', at, os.path.getsize('huge.bin'))
print('same', read.hexdigest() == written.hexdigest())
mb = {size} / 1e6
print(f'write {{mb / write_s:.1f}} MB/s, read {{mb / read_s:.1f}} MB/s')
"""


def test_kernel_writes_and_reads_640_mib_through_service_worker(
    page_factory, plain_site_url
):
    # a Blob of the whole file could not be made or read at this size in a
    # fresh context: the page hands out one range at a time
    size = 640 * MiB
    page, watch = page_factory(plain_site_url)
    open_lab(page, plain_site_url)
    assert not page.evaluate("crossOriginIsolated")
    page.set_default_timeout(2 * KERNEL_TIMEOUT_MS)
    code = WRITE_AND_READ_BACK_IN_PIECES.format(size=size)
    result = page.evaluate(RUN_PYTHON, code)
    print(result["stdout"])
    assert result["error"] is None, result
    assert f"size {size} {size}" in result["stdout"]
    assert "same True" in result["stdout"]
    record = page.evaluate(STORED_RECORD, "huge.bin")
    assert record == {"size": size, "chunked": True, "content": None}
    assert watch.page_errors == []


REFUSE_CHUNK_WRITES = """
(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.__storageFull && (this.name === 'chunks' || this.name === 'files')) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
})();
"""

WRITE_WHEN_FULL = """
import errno
try:
    with open('kept.bin', 'wb') as f:
        f.write(b'x' * {size})
except OSError as error:
    print('raised ENOSPC', error.errno == errno.ENOSPC)
else:
    print('no error')
print('now', open('kept.bin', 'rb').read())
"""


@pytest.mark.parametrize(
    ("site", "size"),
    [
        ("site_url", 1000),
        ("site_url", 10 * MiB),
        ("plain_site_url", 10 * MiB),
        ("plain_site_url", 1000),
    ],
    ids=[
        "inline",
        "chunked",
        "chunked-through-service-worker",
        "inline-through-service-worker",
    ],
)
def test_kernel_write_over_quota_raises_enospc_and_keeps_the_file(
    page_factory, request, site, size
):
    site_url = request.getfixturevalue(site)
    page, _watch = page_factory(site_url)
    page.add_init_script(REFUSE_CHUNK_WRITES)
    open_lab(page, site_url)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    first = page.evaluate(RUN_PYTHON, "open('kept.bin', 'wb').write(b'first version')")
    assert first["error"] is None, first
    page.evaluate("window.__storageFull = true")
    result = page.evaluate(RUN_PYTHON, WRITE_WHEN_FULL.format(size=size))
    page.evaluate("window.__storageFull = false")
    assert result["error"] is None, result
    # Pyodide's errno numbers are Emscripten's: compared in Python
    assert "raised ENOSPC True" in result["stdout"], result
    assert "now b'first version'" in result["stdout"], result
    # the page says so too
    alert = page.get_by_role("alert").filter(has_text="Not enough browser storage")
    alert.first.wait_for()


def test_save_too_large_for_one_value_is_stored_in_chunks(page_factory, site_url):
    """A 100 MiB save through the contents API: JupyterLite 0.8 could not
    store it (one base64 value over Chromium's limit)."""
    page, watch = page_factory(site_url)
    open_lab(page, site_url)
    size = 100 * MiB
    sha = page.evaluate(
        """async size => {
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; i += 65536) {
            crypto.getRandomValues(bytes.subarray(i, i + 65536));
          }
          await window.jupyterapp.serviceManager.contents.save('saved.bin', {
            type: 'file', format: 'base64', content: bytes.toBase64()
          });
          const digest = await crypto.subtle.digest('SHA-256', bytes);
          const hex = b => b.toString(16).padStart(2, '0');
          return Array.from(new Uint8Array(digest), hex).join('');
        }""",
        size,
    )
    assert page.evaluate(STORED_RECORD, "saved.bin") == {
        "size": size,
        "chunked": True,
        "content": None,
    }
    assert page.evaluate(PAGE_SHA256, "saved.bin") == sha
    # after a reload, from the database alone
    page.reload()
    open_lab(page, site_url)
    assert page.evaluate(PAGE_SHA256, "saved.bin") == sha
    assert watch.page_errors == []
