"""Firefox: a backup of the instance is a download (Firefox has no save
picker), and restoring it brings every file back byte for byte."""

from __future__ import annotations

import re
import zipfile

from test_backup import SNAPSHOT, user_files

from browser_helpers import open_lab
from firefox_page import wait_for_download
from instance_files import put_files
from luml_notebooks.backup import verify


def test_backup_downloads_and_restore_is_byte_identical(
    firefox_pages, site_url, download_dir
):
    page, _watch = firefox_pages(site_url)
    open_lab(page, site_url)
    # no File System Access API in Firefox: the product takes the download path
    assert page.evaluate("typeof window.showSaveFilePicker") == "undefined"
    put_files(page, user_files())
    before = page.evaluate(SNAPSHOT)
    assert before["empty/inside/"] == "folder"

    name = page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:backup')")
    assert re.fullmatch(r"Default-\d{8}-\d{4}\.zip", name), name
    archive = wait_for_download(download_dir, name)
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    with zipfile.ZipFile(archive) as zf:
        assert {"luml-backup.json", "empty/inside/", "data/inner.zip"} <= set(
            zf.namelist()
        )

    page.evaluate(
        """async () => {
          const c = window.jupyterapp.serviceManager.contents;
          for (const path of ['work', 'data', 'models', 'empty']) {
            await c.delete(path);
          }
        }"""
    )
    gone = page.evaluate(SNAPSHOT)
    assert not any(f["path"] in gone for f in user_files())

    page.evaluate(
        "() => { window.__restore ="
        " window.jupyterapp.commands.execute('luml-notebooks:restore'); }"
    )
    page.set_input_files(".jp-LumlRestore-file", archive)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-LumlRestore-status')]"
        ".some(s => s.textContent.includes('Backup of \"Default\"'))",
        timeout=30_000,
    )
    page.click(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    written = page.wait_for_function("() => window.__restore", timeout=60_000)
    assert len(written) == 6
    assert page.evaluate(SNAPSHOT) == before
