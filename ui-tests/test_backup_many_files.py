"""A backup of more files than a 16-bit zip count holds, restored whole."""

from __future__ import annotations

import time
import zipfile

import pytest
from playwright.sync_api import Page, expect

from instances_helpers import create_instance, instances_page
from luml_notebooks.backup import verify

pytestmark = pytest.mark.browser

#: past 65,535, where a zip's 16-bit entry count wraps
FILES = 70_000
PER_FOLDER = 1_000
#: generous: the machine running this may be slow and shared
ACTION_TIMEOUT_MS = 600_000

NO_SAVE_PICKER = (
    "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
)

# the drive's records, written straight into the instance's database in one
# transaction: saving 70,000 files one by one would take most of the test
SEED = """async ([id, files, perFolder]) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('jl_' + id);
    r.onsuccess = () => ok(r.result);
    r.onerror = no;
  });
  const when = '2026-03-04T05:06:08.000Z';
  const record = (path, type, content) => ({
    name: path.slice(path.lastIndexOf('/') + 1), path, type,
    format: type === 'directory' ? 'json' : 'text',
    mimetype: type === 'directory' ? '' : 'text/plain',
    content, size: content ? new TextEncoder().encode(content).length : 0,
    writable: true, created: when, last_modified: when
  });
  await new Promise((ok, no) => {
    const tx = db.transaction('files', 'readwrite');
    const store = tx.objectStore('files');
    for (let f = 0; f * perFolder < files; f++) {
      store.put(record(`d${f}`, 'directory', null), `d${f}`);
    }
    for (let i = 0; i < files; i++) {
      const path = `d${Math.floor(i / perFolder)}/f${i}.txt`;
      store.put(record(path, 'file', `file ${i}\\n`), path);
    }
    tx.oncomplete = ok;
    tx.onerror = () => no(tx.error);
  });
  db.close();
}"""

# every text file of an instance, by path
TEXTS = """async id => {
  const db = await new Promise(ok => {
    const r = indexedDB.open('jl_' + id); r.onsuccess = () => ok(r.result);
  });
  const records = await new Promise(ok => {
    const r = db.transaction('files').objectStore('files').getAll();
    r.onsuccess = () => ok(r.result);
  });
  db.close();
  const out = {};
  for (const r of records) {
    if (r.type !== 'directory') { out[r.path] = r.content; }
  }
  return out;
}"""

# the JS heap's high-water mark while an action runs (coarse without
# --enable-precise-memory-info, enough to see the order of magnitude)
HEAP_WATCH = """() => {
  window.__heapPeak = performance.memory.usedJSHeapSize;
  window.__heapIdle = window.__heapPeak;
  window.__heapTimer = setInterval(() => {
    window.__heapPeak = Math.max(window.__heapPeak, performance.memory.usedJSHeapSize);
  }, 50);
}"""
HEAP_PEAK = """() => {
  clearInterval(window.__heapTimer);
  return [window.__heapIdle, window.__heapPeak];
}"""


def row_of(page: Page, instance_id: str):
    return page.locator(f".jp-LumlInstances-row[data-instance-id='{instance_id}']")


def timed_action(page: Page, start) -> tuple[str, float, int]:
    """Run a page action; its status, seconds taken and heap peak above idle."""
    runs = page.evaluate("Number(document.body.dataset.backupRuns || 0)")
    page.evaluate(HEAP_WATCH)
    began = time.monotonic()
    start()
    page.wait_for_function(
        f"Number(document.body.dataset.backupRuns || 0) > {runs}",
        timeout=ACTION_TIMEOUT_MS,
        polling=500,
    )
    seconds = time.monotonic() - began
    idle, peak = page.evaluate(HEAP_PEAK)
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    return page.inner_text(".jp-LumlInstances-status"), seconds, peak - idle


def test_seventy_thousand_files_back_up_and_restore_whole(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    page.add_init_script(NO_SAVE_PICKER)
    original = create_instance(page, site_url, "Many files")
    page.evaluate(SEED, [original, FILES, PER_FOLDER])
    instances_page(page, site_url)

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    status, backup_s, backup_heap = timed_action(
        page, lambda: row_of(page, original).locator(".jp-LumlInstances-backup").click()
    )
    assert status.startswith("Backed up “Many files”"), status
    print(f"\nbackup: {backup_s:.0f} s, heap peak +{backup_heap / 2**20:.0f} MB")
    archive = tmp_path / "many.zip"
    downloads[0].save_as(archive)

    # every file is in the zip, and any reader counts them all
    seeded = {f"d{i // PER_FOLDER}/f{i}.txt" for i in range(FILES)}
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    # the seeded files, the site's shipped notebooks and the manifest
    assert seeded <= set(names)
    assert len(names) == len(set(names))
    report = verify(archive)
    assert report.exit_code == 0, report.problems[:3]
    assert len(report.entries) == len(names) - 1

    def start():
        page.set_input_files(".jp-LumlInstances-restoreFile", str(archive))
        dialog = page.locator(".jp-LumlInstances-restoreDialog")
        expect(dialog.locator(".jp-LumlInstances-archive")).to_contain_text(
            f"{len(names) - 1} files", timeout=120_000
        )
        dialog.locator("button[value=ok]").click()

    status, restore_s, restore_heap = timed_action(page, start)
    assert status.startswith("Restored “Many files"), status
    rows = page.locator(".jp-LumlInstances-row")
    ids = [rows.nth(i).get_attribute("data-instance-id") for i in range(rows.count())]
    (restored_id,) = [i for i in ids if i != original]

    texts = page.evaluate(TEXTS, restored_id)
    assert seeded <= set(texts)
    assert all(texts[path] == f"file {path.split('/f')[1][:-4]}\n" for path in seeded)
    mb = 1024 * 1024
    print(
        f"\n{FILES} files: backup {backup_s:.0f} s,"
        f" heap peak +{backup_heap / mb:.0f} MB;"
        f" restore {restore_s:.0f} s, heap peak +{restore_heap / mb:.0f} MB;"
        f" zip {archive.stat().st_size / mb:.1f} MB"
    )
