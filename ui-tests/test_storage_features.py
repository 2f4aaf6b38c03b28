"""Files kept in chunks (over 4 MiB) through every feature that reads or
writes files: the instances page's backup and restore, discovery and
Inspect, the file browser's upload and (streamed) download; and instances made before
chunked storage (JupyterLite 0.8 records, the LUML platform's bare
`jl_<uuid>`) open and work.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import math
import os
import random
import re
import tarfile
import uuid
import zipfile

import pytest
from playwright.sync_api import expect
from test_storage_drive import RUN_PYTHON, STORED_RECORD

from browser_helpers import KERNEL_TIMEOUT_MS, SET_SETTING
from instances_helpers import (
    create_instance,
    instances_page,
    open_instance,
    page_action,
    restore_new,
)
from local_registry import KNOWN_HASH, connect, expect_pushed, open_push_dialog
from luml_notebooks.backup import verify
from model_files import b64, manifest, model_file

pytestmark = pytest.mark.browser

MiB = 2**20

# Headless Chromium has no save dialog, so the file the user would pick is a
# file in the origin's private file system: the backup streams into it
# through the same writable stream as on disk. (A download instead builds one
# Blob, which a test browser cancels past about 500 MB.)
SAVE_PICKER_TO_PRIVATE_FILE = """
window.showSaveFilePicker = async ({ suggestedName }) => {
  const root = await navigator.storage.getDirectory();
  return root.getFileHandle(suggestedName, { create: true });
};
"""

# base64 of bytes [start, end) of a file in the private file system
READ_PRIVATE_FILE = """
async ([name, start, end]) => {
  const root = await navigator.storage.getDirectory();
  const file = await (await root.getFileHandle(name)).getFile();
  if (start >= file.size) return null;
  return new Uint8Array(await file.slice(start, end).arrayBuffer()).toBase64();
}
"""

REMOVE_PRIVATE_FILE = """
async name => (await navigator.storage.getDirectory()).removeEntry(name)
"""

# Saves `size` reproducible bytes at `path` through the contents API, in
# 8 MiB parts as JupyterLab's upload does (a file this large has no base64
# string: V8 stops near 512 MiB of characters), and returns their sha256.
# `head` and `tail` (base64; the head's length a multiple of 4) go around them.
SAVE_BYTES = """
async ([path, middle, seed, head = '', tail = '']) => {
  const before = Uint8Array.fromBase64(head);
  const after = Uint8Array.fromBase64(tail);
  const size = before.length + middle + after.length;
  const bytes = new Uint8Array(size);
  bytes.set(before, 0);
  bytes.set(after, before.length + middle);
  const words = new Uint32Array(bytes.buffer, before.length, middle >> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  const contents = window.jupyterapp.serviceManager.contents;
  const part = 8 * 1024 * 1024;
  for (let at = 0, n = 1; at < size; at += part, n++) {
    const content = bytes.subarray(at, at + part).toBase64();
    const chunk = at + part >= size ? -1 : n;
    await contents.save(path, { type: 'file', format: 'base64', content, chunk });
  }
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  const hex = b => b.toString(16).padStart(2, '0');
  return Array.from(new Uint8Array(digest), hex).join('');
}
"""

# sha256 of a stored file, read by range from the drive one chunk at a time
STORED_SHA256 = """
async path => {
  const contents = window.jupyterapp.serviceManager.contents;
  const drive = contents.defaultDrive ?? contents._defaultDrive;
  const file = await drive.openFile(path);
  const parts = [];
  for await (const chunk of file.chunks()) parts.push(chunk);
  const whole = await new Blob(parts).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', whole);
  const hex = b => b.toString(16).padStart(2, '0');
  return Array.from(new Uint8Array(digest), hex).join('');
}
"""


def zip_sha256(archive, name: str) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(archive) as zf, zf.open(name) as entry:
        for block in iter(lambda: entry.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_private_file(page, name: str, target) -> None:
    """Copies a file out of the page's private file system, then removes it."""
    with open(target, "wb") as out:
        for start in itertools.count(0, 16 * MiB):
            part = page.evaluate(READ_PRIVATE_FILE, [name, start, start + 16 * MiB])
            if part is None:
                break
            out.write(base64.b64decode(part))
    page.evaluate(REMOVE_PRIVATE_FILE, name)


def test_page_backup_and_restore_keep_chunked_files_byte_for_byte(
    page_factory, site_url, tmp_path
):
    page, watch = page_factory(site_url)
    page.add_init_script(SAVE_PICKER_TO_PRIVATE_FILE)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    original = create_instance(page, site_url, "Big files")
    open_instance(page, site_url, original)
    page.evaluate(
        "() => window.jupyterapp.serviceManager.contents"
        ".save('data', {type: 'directory'})"
    )
    # 20 MiB, and one far over JupyterLite's ceiling for one value (~95 MiB)
    # and over what one string can hold as base64 (~384 MiB)
    sizes = {"data/twenty.bin": 20 * MiB, "data/large.bin": 600 * MiB + 7}
    hashes = {
        path: page.evaluate(SAVE_BYTES, [path, size, i + 1])
        for i, (path, size) in enumerate(sizes.items())
    }
    for path, size in sizes.items():
        assert page.evaluate(STORED_RECORD, path) == {
            "size": size,
            "chunked": True,
            "content": None,
        }

    # back up from the instances page, with JupyterLab closed
    instances_page(page, site_url)
    row = page.locator(f".jp-LumlInstances-row[data-instance-id='{original}']")
    status = page_action(page, lambda: row.locator(".jp-LumlInstances-backup").click())
    assert status.startswith("Backed up “Big files”"), status
    name = re.search(r" to (.+\.zip)\.$", status).group(1)
    archive = tmp_path / name
    copy_private_file(page, name, archive)
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    with zipfile.ZipFile(archive) as zf:
        listed = json.loads(zf.read("luml-backup.json"))
        in_zip = {i.filename: i.file_size for i in zf.infolist()}
    assert {path: in_zip.get(path) for path in sizes} == sizes
    in_manifest = {f["path"]: f["size"] for f in listed["files"]}
    assert {path: in_manifest.get(path) for path in sizes} == sizes
    for path, sha in hashes.items():
        assert zip_sha256(archive, path) == sha, path

    # restored as a new instance: stored in chunks again, the same bytes
    status = restore_new(page, archive)
    assert status.startswith("Restored “Big files"), status
    assert "Every file matched the sha256" in status
    ids = page.locator(".jp-LumlInstances-row").evaluate_all(
        "rows => rows.map(r => r.dataset.instanceId)"
    )
    (restored,) = [i for i in ids if i != original]
    open_instance(page, site_url, restored)
    for path, size in sizes.items():
        assert page.evaluate(STORED_RECORD, path) == {
            "size": size,
            "chunked": True,
            "content": None,
        }
        assert page.evaluate(STORED_SHA256, path) == hashes[path], path
    assert watch.page_errors == []


def test_a_backup_in_jupyterlab_holds_a_file_too_large_for_one_string(
    page_factory, site_url, tmp_path
):
    page, watch = page_factory(site_url)
    page.add_init_script(SAVE_PICKER_TO_PRIVATE_FILE)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    open_instance(page, site_url, None)
    # past 383 MiB, the longest base64 string V8 makes
    size = 400 * MiB + 5
    sha = page.evaluate(SAVE_BYTES, ["large.bin", size, 7])
    name = page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:backup')")
    archive = tmp_path / name
    copy_private_file(page, name, archive)
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo("large.bin").file_size == size
    assert zip_sha256(archive, "large.bin") == sha
    assert watch.page_errors == []


# counts reads of the `chunks` store (one per chunk read)
COUNT_CHUNK_READS = """
(() => {
  window.__chunkReads = 0;
  const get = IDBObjectStore.prototype.get;
  IDBObjectStore.prototype.get = function (...args) {
    if (this.name === 'chunks') window.__chunkReads++;
    return get.apply(this, args);
  };
})();
"""


def show_models(page) -> None:
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:show-models')")
    page.wait_for_function(
        "performance.getEntriesByName('luml-notebooks:model-scan').length > 0",
        timeout=30_000,
    )


def test_discovery_and_inspect_read_a_20_mib_model_by_range(page_factory, site_url):
    page, watch = page_factory(site_url)
    page.add_init_script(COUNT_CHUNK_READS)
    open_instance(page, site_url, None)
    weights = random.Random(3).randbytes(20 * MiB)
    data = model_file(manifest(name="big-model", version="3.1.0"), weights=weights)
    page.evaluate(
        "([path, content]) => window.jupyterapp.serviceManager.contents.save("
        "path, {type: 'file', format: 'base64', content})",
        ["big.luml", b64(data)],
    )
    assert page.evaluate(STORED_RECORD, "big.luml") == {
        "size": len(data),
        "chunked": True,
        "content": None,
    }
    # no checksum ahead of a push: only discovery's reads are counted
    page.evaluate(SET_SETTING, ["luml-notebooks:push", "hashInBackground", False])
    # a new page finds it in storage at start-up
    open_instance(page, site_url, None)
    show_models(page)
    item = page.locator(".jp-LumlModels-item[data-path='big.luml']")
    expect(item.locator(".jp-LumlModels-name")).to_have_text(
        "big-model", timeout=30_000
    )
    expect(item.locator(".jp-LumlModels-version")).to_have_text("3.1.0")
    # the headers before the weights and the end: 2 of the file's 6 chunks
    reads = page.evaluate("window.__chunkReads")
    assert 1 <= reads <= 2, reads

    page.evaluate("window.__chunkReads = 0")
    item.focus()
    page.keyboard.press("Enter")
    view = page.locator(".jp-LumlInspect-content")
    expect(view.locator(".jp-LumlInspect-name")).to_contain_text("big-model")
    expect(view.locator(".jp-LumlInspect-members")).to_contain_text(
        "variant_artifacts/extra_files/weights.bin"
    )
    reads = page.evaluate("window.__chunkReads")
    assert 1 <= reads <= 2, reads

    # Download gives the exact bytes, composed from the chunks
    with page.expect_download(timeout=120_000) as info:
        view.locator("button[data-command='luml-notebooks:download-model']").click()
    downloaded = info.value.path().read_bytes()
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(data).digest()
    assert watch.page_errors == []


WEIGHTS = "variant_artifacts/extra_files/weights.bin"

# What a user's edit in the Settings Editor does: through the app's setting
# registry, which the page reaches by the plugin registry's map of services
# (a private field of Lumino), keyed by the token.


def test_a_300_mib_model_is_read_by_its_headers_and_pushed_in_one_pass(
    page_factory, site_url, registry
):
    page, watch = page_factory(site_url, registry.url)
    page.add_init_script(COUNT_CHUNK_READS)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    open_instance(page, site_url, None)
    # a real model file around 300 MiB of weights, which the page fills in
    weights = 300 * MiB
    data = model_file(
        manifest(name="huge-model", version="1.2.0"), weights=bytes(weights)
    )
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        start = archive.getmember(WEIGHTS).offset_data
    head, tail = data[:start], data[start + weights :]
    sha = page.evaluate(SAVE_BYTES, ["huge.luml", weights, 7, b64(head), b64(tail)])
    size = len(data)
    assert page.evaluate(STORED_RECORD, "huge.luml")["size"] == size
    # no checksum ahead for now: discovery's reads alone are counted first
    page.evaluate(SET_SETTING, ["luml-notebooks:push", "hashInBackground", False])

    # a new page finds it at start-up, reading only the chunks that hold
    # headers (the weights' header, the end), not the 300 MiB between
    open_instance(page, site_url, None)
    show_models(page)
    item = page.locator(".jp-LumlModels-item[data-path='huge.luml']")
    expect(item.locator(".jp-LumlModels-name")).to_have_text(
        "huge-model", timeout=60_000
    )
    assert 1 <= page.evaluate("window.__chunkReads") <= 2
    page.evaluate("window.__chunkReads = 0")
    item.focus()
    page.keyboard.press("Enter")
    view = page.locator(".jp-LumlInspect-content")
    expect(view.locator(".jp-LumlInspect-members")).to_contain_text(WEIGHTS)
    assert 1 <= page.evaluate("window.__chunkReads") <= 2

    # its checksum computed ahead, in one pass over its chunks
    chunks = math.ceil(size / (4 * MiB))
    page.evaluate("window.__chunkReads = 0")
    page.evaluate(SET_SETTING, ["luml-notebooks:push", "hashInBackground", True])
    known = None
    for _ in range(1200):
        known = page.evaluate(KNOWN_HASH, "huge.luml")
        if known:
            break
        page.wait_for_timeout(250)
    assert known == sha
    assert chunks <= page.evaluate("window.__chunkReads") <= chunks + 2

    # Push then uploads it in one pass over its chunks (multipart at this
    # size), each chunk read once, and the Registry holds the same bytes
    connect(page, registry)
    page.evaluate("window.__chunkReads = 0")
    dialog = open_push_dialog(page, "huge.luml")
    dialog.locator(".jp-LumlPush-push").click()
    artifact_id = expect_pushed(page)
    assert chunks <= page.evaluate("window.__chunkReads") <= chunks + 2
    artifact = registry.artifact(artifact_id)
    assert (artifact["status"], artifact["file_hash"]) == ("uploaded", sha)
    assert hashlib.sha256(registry.download(artifact_id)).hexdigest() == sha
    assert watch.page_errors == []


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def test_file_browser_upload_and_download_of_1_gib(page_factory, site_url, tmp_path):
    page, watch = page_factory(site_url)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    open_instance(page, site_url, None)
    source = tmp_path / "upload.bin"
    size = 1024 * MiB + 3
    with open(source, "wb") as out:
        for _ in range(64):
            out.write(os.urandom(16 * MiB))
        out.write(b"end")
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser-toolbar").get_by_title("Upload Files").click()
    chooser.value.set_files(str(source))
    # JupyterLab asks before uploading a file over 15 MB
    dialog = page.locator(".jp-Dialog", has_text="Large file size warning")
    dialog.get_by_role("button", name="Upload").click()
    # the upload's last part switches the record: chunked, whole size
    item = page.locator(".jp-DirListing-item", has_text="upload.bin")
    expect(item).to_be_visible(timeout=300_000)
    for _ in range(1200):
        record = page.evaluate(STORED_RECORD, "upload.bin")
        if record and record["size"] == size:
            break
        page.wait_for_timeout(500)
    assert record == {"size": size, "chunked": True, "content": None}
    # downloaded as a stream from the service worker: a Blob this large
    # cannot even be made in this browser
    item.click(timeout=30_000)
    with page.expect_download(timeout=300_000) as info:
        page.evaluate("window.jupyterapp.commands.execute('filebrowser:download')")
    download = info.value
    assert "/luml-download/" in download.url, download.url
    assert download.suggested_filename == "upload.bin"
    back = download.path()
    assert os.path.getsize(back) == size
    assert file_sha256(back) == file_sha256(source)
    assert watch.page_errors == []


def test_a_download_whose_tab_is_gone_fails_with_a_reason(page_factory, site_url):
    page, _watch = page_factory(site_url)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    open_instance(page, site_url, None)
    page.evaluate(SAVE_BYTES, ["gone.bin", 5 * MiB, 9])
    link = page.evaluate(
        "() => window.jupyterapp.serviceManager.contents.getDownloadUrl('gone.bin')"
    )
    assert "/luml-download/" in link, link
    # the link of another page (one closed since) has no one to answer it
    other = link.replace("/luml-download/", "/luml-download/x")
    answer = page.evaluate(
        "async url => { const r = await fetch(url);"
        " return [r.status, await r.text()]; }",
        other,
    )
    assert answer == [
        404,
        "The tab that offered this download is closed or busy. "
        "Download it again from JupyterLab.",
    ]
    # its own link streams the file whole
    streamed = page.evaluate(
        "async url => (await (await fetch(url)).arrayBuffer()).byteLength", link
    )
    assert streamed == 5 * MiB


# An instance as JupyterLite 0.8 left it: localforage's stores, one record per
# path with its content inline (a 6 MiB file as one base64 string), plus the
# platform's meta/info.
OLD_INSTANCE = """
async ([name, records]) => {
  const open = (version, upgrade) => new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const db = await open(1, db => {
    for (const store of ['files', 'counters', 'checkpoints', 'meta',
                         'local-forage-detect-blob-support']) {
      db.createObjectStore(store);
    }
  });
  const tx = db.transaction(['files', 'meta'], 'readwrite');
  for (const record of records) {
    if (record.binary) {
      record.content = record.binary;
      delete record.binary;
    }
    tx.objectStore('files').put(record, record.path);
  }
  tx.objectStore('meta').put(
    { createdAt: '2025-11-01T10:00:00.000Z', fullname: 'From 0.8' }, 'info');
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}
"""

# An instance the LUML platform's web UI made: `jl_<uuid>` with meta/info only
PLATFORM_INSTANCE = """
async name => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('meta');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction('meta', 'readwrite');
  tx.objectStore('meta').put(
    { createdAt: '2026-01-05T09:00:00.000Z', fullname: 'Made on the platform' },
    'info');
  await new Promise(resolve => { tx.oncomplete = resolve; });
  db.close();
}
"""


def _record(path: str, fmt: str, content, size: int, kind: str = "file") -> dict:
    mimetypes = {
        "json": "application/x-ipynb+json",
        "text": "text/x-python",
        "base64": "application/octet-stream",
    }
    return {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "last_modified": "2025-11-02T10:00:00.000Z",
        "created": "2025-11-02T10:00:00.000Z",
        "format": fmt,
        "mimetype": mimetypes[fmt] if kind != "directory" else "",
        "content": content,
        "size": size,
        "writable": True,
        "type": kind,
    }


def test_old_format_and_platform_instances_open_and_work(page_factory, site_url):
    page, watch = page_factory(site_url)
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    instances_page(page, site_url)
    old_id, platform_id = str(uuid.uuid4()), str(uuid.uuid4())
    big = random.Random(5).randbytes(6 * MiB + 1)
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["print('old')"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    records = [
        _record("data", "json", None, 0, "directory"),
        {**_record("data/old.bin", "base64", None, len(big)), "binary": b64(big)},
        _record("old.ipynb", "json", notebook, len(json.dumps(notebook))),
        _record("old.py", "text", "print('old')\n", 13),
    ]
    page.evaluate(OLD_INSTANCE, [f"jl_{old_id}", records])
    page.evaluate(PLATFORM_INSTANCE, f"jl_{platform_id}")
    instances_page(page, site_url)
    expect(page.locator(".jp-LumlInstances-row", has_text="From 0.8")).to_be_visible()
    expect(
        page.locator(".jp-LumlInstances-row", has_text="Made on the platform")
    ).to_be_visible()

    # the 0.8 instance: every record read as it is, by the page and the kernel
    open_instance(page, site_url, old_id)
    listing = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get('', "
        "{content: true})).content.map(c => c.path).sort()"
    )
    assert {"data", "old.ipynb", "old.py"} <= set(listing)
    assert (
        page.evaluate(STORED_SHA256, "data/old.bin") == hashlib.sha256(big).hexdigest()
    )
    nb = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get("
        "'old.ipynb', {content: true})).content.cells[0].source"
    )
    assert nb == ["print('old')"]
    result = page.evaluate(
        RUN_PYTHON,
        "import hashlib\n"
        "print('sha', hashlib.sha256(open('data/old.bin', 'rb').read()).hexdigest())\n"
        "print(open('old.py').read().strip())\n"
        "open('data/old.bin', 'ab').write(b'more')",
    )
    assert result["error"] is None, result
    assert f"sha {hashlib.sha256(big).hexdigest()}" in result["stdout"]
    assert "print('old')" in result["stdout"]
    # saved again: now in chunks, with the appended bytes
    assert page.evaluate(STORED_RECORD, "data/old.bin") == {
        "size": len(big) + 4,
        "chunked": True,
        "content": None,
    }
    assert (
        page.evaluate(STORED_SHA256, "data/old.bin")
        == hashlib.sha256(big + b"more").hexdigest()
    )

    # the platform's bare instance: JupyterLab starts, files of any size save
    open_instance(page, site_url, platform_id)
    result = page.evaluate(
        RUN_PYTHON,
        "import os\nopen('w.bin', 'wb').write(os.urandom(10 * 2**20))\n"
        "print('size', os.path.getsize('w.bin'))",
    )
    assert result["error"] is None, result
    assert f"size {10 * MiB}" in result["stdout"]
    assert page.evaluate(STORED_RECORD, "w.bin")["chunked"]
    name = page.evaluate(
        f"""() => new Promise((resolve, reject) => {{
          const request = indexedDB.open('jl_{platform_id}');
          request.onsuccess = () => {{
            const db = request.result;
            const get = db.transaction('meta').objectStore('meta').get('info');
            get.onsuccess = () => {{ db.close(); resolve(get.result.fullname); }};
          }};
          request.onerror = () => reject(request.error);
        }})"""
    )
    assert name == "Made on the platform"
    # the instances page sizes it from the chunked record
    instances_page(page, site_url)
    platform_row = page.locator(
        ".jp-LumlInstances-row", has_text="Made on the platform"
    )
    expect(platform_row).to_contain_text(re.compile(r"\d MB"))
    megabytes = float(re.search(r"([\d.]+) MB", platform_row.inner_text()).group(1))
    assert megabytes >= 10, platform_row.inner_text()
    assert watch.page_errors == []
