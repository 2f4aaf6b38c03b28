"""Backup and restore of the instance's files, in a real Chromium."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

from browser_helpers import open_lab
from instance_files import NOTEBOOK, put_files
from luml_notebooks.backup import verify

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
LUML = ROOT / "tests" / "fixtures" / "luml" / "sklearn_card.luml"
# set to a path to keep the browser's backup (the pytest fixture is made so)
KEEP_BACKUP = os.environ.get("LUML_KEEP_BROWSER_BACKUP")

# headless Chromium has no save dialog: the download path is what runs here
NO_SAVE_PICKER = (
    "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
)


SNAPSHOT = """async () => {
  const c = window.jupyterapp.serviceManager.contents;
  const out = {};
  const walk = async dir => {
    const listing = await c.get(dir, { content: true });
    for (const child of listing.content) {
      if (child.type === 'directory') {
        out[child.path + '/'] = 'folder';
        await walk(child.path);
      } else {
        const f = await c.get(child.path, { content: true });
        out[child.path] = f.format === 'json'
          ? 'json:' + JSON.stringify(f.content)
          : f.format + ':' + f.content;
      }
    }
  };
  await walk('');
  return out;
}"""


def inner_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("inside.txt", "a zip stored inside the backup")
    return buffer.getvalue()


def user_files() -> list[dict]:
    noise = random.Random(5).randbytes(128 * 1024)  # like trained weights
    return [
        {"kind": "notebook", "path": "work/deep/analysis.ipynb", "data": NOTEBOOK},
        {"kind": "text", "path": "work/train.py", "data": "print('train')\n" * 200},
        {"kind": "text", "path": "data/table.csv", "data": "a,b\n1,2\n" * 3000},
        {"kind": "binary", "path": "models/weights.bin", "data": noise},
        {
            "kind": "binary",
            "path": "models/sklearn/card.luml",
            "data": LUML.read_bytes(),
        },
        {"kind": "binary", "path": "data/inner.zip", "data": inner_zip()},
        {"kind": "folder", "path": "empty/inside"},
    ]


def snapshot(page) -> dict:
    return page.evaluate(SNAPSHOT)


@pytest.fixture
def lab(page_factory, site_url):
    page, _watch = page_factory(site_url)
    page.add_init_script(NO_SAVE_PICKER)
    open_lab(page, site_url)
    return page


def back_up(page, tmp_path: Path) -> Path:
    with page.expect_download(timeout=120_000) as info:
        name = page.evaluate(
            "window.jupyterapp.commands.execute('luml-notebooks:backup')"
        )
    download = info.value
    assert download.suggested_filename == name
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def pick(page, archive: Path) -> None:
    page.evaluate(
        "() => { window.__restore ="
        " window.jupyterapp.commands.execute('luml-notebooks:restore'); }"
    )
    page.locator(".jp-LumlRestore-file").set_input_files(str(archive))


def accept_button(page):
    return page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")


def test_back_up_delete_restore_is_byte_identical(lab, tmp_path):
    put_files(lab, user_files())
    before = snapshot(lab)
    assert "models/sklearn/card.luml" in before
    assert before["empty/inside/"] == "folder"

    archive = back_up(lab, tmp_path)
    # named after the instance: a new browser opens its "Default" instance
    assert re.fullmatch(r"Default-\d{8}-\d{4}\.zip", archive.name)
    if KEEP_BACKUP:
        shutil.copy(archive, KEEP_BACKUP)
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        methods = {i.filename: i.compress_type for i in zf.infolist()}
    assert {"luml-backup.json", "empty/inside/", "data/inner.zip"} <= names
    assert methods["data/table.csv"] == zipfile.ZIP_DEFLATED
    assert methods["models/weights.bin"] == zipfile.ZIP_STORED
    # the last backup time is remembered under the instance's id, for its page
    instance_id = lab.evaluate("new URL(location.href).searchParams.get('instance')")
    assert lab.evaluate(
        f"localStorage.getItem('luml-notebooks:last-backup:{instance_id}')"
    )

    lab.evaluate(
        """async () => {
          const c = window.jupyterapp.serviceManager.contents;
          for (const path of ['work', 'data', 'models', 'empty']) {
            await c.delete(path);
          }
        }"""
    )
    gone = snapshot(lab)
    # only the user's files went: the shipped data/ of the defaults stays
    assert not any(f["path"] in gone for f in user_files())
    assert not any(path.startswith(("work", "models", "empty")) for path in gone)

    pick(lab, archive)
    status = lab.locator(".jp-LumlRestore-status", has_text="Backup of")
    status.wait_for(timeout=30_000)
    assert 'Backup of "Default"' in status.inner_text()
    # the shipped notebooks are in the backup and unchanged: nothing to ask
    assert lab.locator(".jp-LumlRestore-conflicts").is_hidden()
    accept_button(lab).click()
    written = lab.evaluate("() => window.__restore")
    assert len(written) == 6
    assert snapshot(lab) == before


def test_restore_asks_about_changed_files_and_keeps_both(lab, tmp_path):
    put_files(lab, [{"kind": "text", "path": "notes.md", "data": "version one"}])
    archive = back_up(lab, tmp_path)
    put_files(lab, [{"kind": "text", "path": "notes.md", "data": "version two"}])

    pick(lab, archive)
    conflicts = lab.locator(".jp-LumlRestore-conflicts")
    conflicts.wait_for(state="visible", timeout=30_000)
    assert "notes.md" in conflicts.inner_text()
    assert accept_button(lab).is_disabled()
    lab.get_by_text("Keep both").click()
    accept_button(lab).click()
    assert lab.evaluate("() => window.__restore") == ["notes (restored).md"]
    files = snapshot(lab)
    assert files["notes.md"] == "text:version two"
    assert files["notes (restored).md"] == "text:version one"


# the save dialog cannot run headless: a picker that hands out a real file
# handle from the origin-private file system stands in for it, so the
# streaming writes go through a real FileSystemWritableFileStream
OPFS_PICKER = """
window.showSaveFilePicker = async ({ suggestedName }) => {
  window.__pickedName = suggestedName;
  const root = await navigator.storage.getDirectory();
  return root.getFileHandle(suggestedName, { create: true });
};
"""

READ_PICKED = """async () => {
  const root = await navigator.storage.getDirectory();
  const file = await (await root.getFileHandle(window.__pickedName)).getFile();
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}"""


def test_backup_streams_into_the_file_the_user_picks(page_factory, site_url, tmp_path):
    page, _watch = page_factory(site_url)
    page.add_init_script(OPFS_PICKER)
    open_lab(page, site_url)
    put_files(page, user_files())
    name = page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:backup')")
    assert re.fullmatch(r"Default-\d{8}-\d{4}\.zip", name)
    archive = tmp_path / name
    archive.write_bytes(base64.b64decode(page.evaluate(READ_PICKED)))
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    assert "models/sklearn/card.luml" in {entry.path for entry in report.entries}


# ---- bad input: each gets a clear message and leaves the instance unchanged


def manifest_for(files: dict[str, bytes], **overrides) -> bytes:
    manifest = {
        "format": "luml-notebooks-backup",
        "formatVersion": 1,
        "instance": {"id": "test", "name": "test"},
        "createdAt": "2026-03-04T10:20:30.000Z",
        "siteVersion": "test",
        "files": [
            {
                "path": path,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "kind": "text",
            }
            for path, data in files.items()
        ],
        "folders": [],
    }
    manifest.update(overrides)
    return json.dumps(manifest).encode()


def backup_zip(files: dict[str, bytes], manifest: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        zf.writestr("luml-backup.json", manifest or manifest_for(files))
    return buffer.getvalue()


GOOD = {"restored/a.txt": b"alpha " * 1000, "restored/b.txt": b"beta " * 1000}


def not_a_zip() -> bytes:
    return b"This is a text file someone renamed to .zip\n" * 10


def truncated() -> bytes:
    data = backup_zip(GOOD)
    return data[: len(data) // 2]


def crc_mismatch() -> bytes:
    data = bytearray(backup_zip(GOOD))
    at = data.index(b"beta ")
    data[at] ^= 0xFF
    return bytes(data)


def sha256_mismatch() -> bytes:
    altered = dict(GOOD)
    manifest = manifest_for(altered)
    altered["restored/b.txt"] = b"BETA " * 1000  # same size, right CRC, other bytes
    return backup_zip(altered, manifest)


def dot_dot_path() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("fine.txt", b"fine")
        zf.writestr(zipfile.ZipInfo("../outside.txt"), b"escaped")
    return buffer.getvalue()


def duplicate_paths() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("same.txt", b"first")
            zf.writestr("same.txt", b"second")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """1 GiB of zeros in about 1 MB: repeated full-flush DEFLATE blocks."""
    block = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    flushed = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)
    count = 1024
    data = flushed * count + end
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    size = len(block) * count
    name = b"zeros.bin"
    local = struct.pack(
        "<IHHHHHIIIHH",
        0x04034B50,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(data),
        size,
        len(name),
        0,
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(data),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + name + data
    directory = central + name
    end_record = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(body), 0
    )
    return body + directory + end_record


# name, builder, where the message shows, what it says
BAD_INPUTS = [
    ("not-a-zip", not_a_zip, "pick", "not a zip archive"),
    ("truncated", truncated, "pick", "incomplete"),
    ("crc-mismatch", crc_mismatch, "restore", "CRC-32"),
    ("sha256-mismatch", sha256_mismatch, "restore", "sha256"),
    ("dot-dot-path", dot_dot_path, "pick", "unsafe path"),
    ("duplicate-paths", duplicate_paths, "pick", "more than once"),
    ("zip-bomb", zip_bomb, "pick", "zip bomb"),
]


@pytest.mark.parametrize(
    ("builder", "where", "says"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    lab, tmp_path, builder, where, says
):
    put_files(lab, [{"kind": "text", "path": "restored/a.txt", "data": "mine"}])
    before = snapshot(lab)
    archive = tmp_path / "backup.zip"
    archive.write_bytes(builder())

    pick(lab, archive)
    if where == "pick":
        error = lab.locator(".jp-LumlRestore-error")
        error.wait_for(state="visible", timeout=30_000)
        assert says in error.inner_text()
        assert accept_button(lab).is_disabled()
        lab.locator(".jp-Dialog .jp-Dialog-button.jp-mod-reject").click()
        assert lab.evaluate("() => window.__restore") is None
    else:
        lab.locator(".jp-LumlRestore-status", has_text="Backup of").wait_for(
            timeout=30_000
        )
        lab.locator(".jp-LumlRestore-policy", has_text="Overwrite").click()
        accept_button(lab).click()
        dialog = lab.locator(".jp-Dialog", has_text="Restore failed")
        dialog.wait_for(timeout=60_000)
        text = dialog.inner_text()
        assert says in text
        assert "Nothing was restored" in text
        dialog.locator(".jp-Dialog-button").click()
        assert lab.evaluate("() => window.__restore") is None
    assert snapshot(lab) == before
