"""Browser storage filling up: a save refused gets a clear message and the file
keeps its last saved version; a restore that runs out of room half-way leaves
nothing half-imported.

Chromium here ignores quota overrides (its test contexts grow their quota
with use), so the one part that cannot run for real is the browser's
refusal: IndexedDB writes to the files store throw the QuotaExceededError a
full disk raises, while `window.__storageFull` is set or once
`window.__roomForPuts` writes have gone through. Everything above it (the
drive, the guard, JupyterLab's save, the restore) is the real code.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from browser_helpers import open_lab
from instances_helpers import DATABASES, instances_page, restore_new

pytestmark = pytest.mark.browser

REFUSE_WRITES_WHEN_FULL = """
(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'files' && typeof window.__roomForPuts === 'number') {
      window.__storageFull = window.__roomForPuts-- <= 0;
    }
    if (window.__storageFull && this.name === 'files') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
})();
"""

READ_TEXT = """path => window.jupyterapp.serviceManager.contents
  .get(path, { content: true }).then(m => m.content)"""


def test_save_over_quota_explains_and_keeps_the_file(page_factory, site_url):
    page, _watch = page_factory(site_url)
    page.add_init_script(REFUSE_WRITES_WHEN_FULL)
    open_lab(page, site_url)
    page.evaluate(
        "() => window.jupyterapp.serviceManager.contents.save('notes.txt',"
        " { type: 'file', format: 'text', content: 'first version\\n' })"
    )
    page.evaluate(
        "() => window.jupyterapp.commands.execute('docmanager:open',"
        " { path: 'notes.txt' })"
    )
    editor = page.locator(".jp-FileEditor .cm-content").first
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("second version")

    page.evaluate("window.__storageFull = true")
    page.keyboard.press("Control+s")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("not enough browser storage")
    expect(dialog).to_contain_text("Nothing was overwritten")
    expect(
        page.get_by_role("alert").filter(has_text="not enough browser storage")
    ).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    assert page.evaluate(READ_TEXT, "notes.txt") == "first version\n"
    # the edit is still in the editor, unsaved, and saves once there is room
    expect(editor).to_contain_text("second version")
    page.evaluate("window.__storageFull = false")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        f"() => ({READ_TEXT})('notes.txt').then(t => t.includes('second version'))",
        timeout=30_000,
    )


def plain_zip(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(count):
            archive.writestr(f"results/run_{i}.csv", f"step,loss\n{i},0.{i}\n" * 200)
    return buffer.getvalue()


def test_restore_into_a_new_instance_that_runs_out_of_room_keeps_nothing(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    page.add_init_script(REFUSE_WRITES_WHEN_FULL)
    instances_page(page, site_url)
    databases = page.evaluate(DATABASES)
    archive = tmp_path / "results.zip"
    archive.write_bytes(plain_zip(6))

    page.evaluate("window.__roomForPuts = 3")
    status = restore_new(page, archive)
    assert "storage for this site is full" in status, status
    assert "was removed" in status, status
    # no half-restored instance: not listed, no database left behind
    assert page.locator(".jp-LumlInstances-row").count() == 0
    assert page.evaluate(DATABASES) == databases


def test_restore_in_jupyterlab_that_runs_out_of_room_changes_nothing(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    page.add_init_script(REFUSE_WRITES_WHEN_FULL)
    open_lab(page, site_url)
    listing = """() => window.jupyterapp.serviceManager.contents.get('')
      .then(m => m.content.map(i => i.path).sort())"""
    before = page.evaluate(listing)
    archive = tmp_path / "results.zip"
    archive.write_bytes(plain_zip(6))

    page.evaluate("window.__roomForPuts = 3")
    page.evaluate(
        "() => { window.jupyterapp.commands.execute('luml-notebooks:restore'); }"
    )
    page.locator(".jp-LumlRestore-file").set_input_files(str(archive))
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    message = page.locator(".jp-Dialog", has_text="storage for this site is full")
    expect(message).to_be_visible(timeout=60_000)
    page.evaluate("delete window.__roomForPuts; window.__storageFull = false")
    assert page.evaluate(listing) == before
