"""A save refused because browser storage is full: a clear message, and the
file keeps its last saved version.

Chromium here ignores quota overrides (its test contexts grow their quota
with use), so the one part that cannot run for real is the browser's
refusal: IndexedDB writes to the files store throw the QuotaExceededError a
full disk raises, while `window.__storageFull` is set. Everything above it
(the drive, the guard, JupyterLab's save) is the real code.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_helpers import open_lab

pytestmark = pytest.mark.browser

REFUSE_WRITES_WHEN_FULL = """
(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
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
