"""Backup and restore from the instances page, and instance-keeping URLs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from instance_files import NOTEBOOK, put_files
from instances_helpers import (
    DATABASES,
    create_instance,
    instances_page,
    open_instance,
    page_action,
    restore_new,
)
from luml_notebooks.backup import verify
from model_files import manifest, model_file

pytestmark = pytest.mark.browser

# headless Chromium has no save dialog: the download path is what runs here
NO_SAVE_PICKER = (
    "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
)


# every file's sha256 as the instance's JupyterLab reads it back, and folders
HASHES = """async () => {
  const c = window.jupyterapp.serviceManager.contents;
  const out = {};
  const hex = async bytes => Array.from(
    new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),
    b => b.toString(16).padStart(2, '0')).join('');
  const walk = async dir => {
    for (const child of (await c.get(dir, { content: true })).content) {
      if (child.type === 'directory') {
        out[child.path + '/'] = 'folder';
        await walk(child.path);
        continue;
      }
      const f = await c.get(child.path, { content: true });
      let bytes;
      if (f.format === 'base64') {
        bytes = Uint8Array.from(atob(f.content), ch => ch.charCodeAt(0));
      } else if (f.format === 'json') {
        bytes = new TextEncoder().encode(f.type === 'notebook'
          ? JSON.stringify(f.content, null, 1) + '\\n' : JSON.stringify(f.content));
      } else {
        bytes = new TextEncoder().encode(f.content);
      }
      out[child.path] = await hex(bytes);
    }
  };
  await walk('');
  return out;
}"""

WEIGHTS = random.Random(7).randbytes(96 * 1024)
MODEL = model_file(manifest(name="churn", version="2.0.0"), weights=WEIGHTS[:4096])
DEEP_MODEL = model_file(manifest(name="deep"))


def user_files() -> list[dict]:
    return [
        {"kind": "notebook", "path": "work/deep/analysis.ipynb", "data": NOTEBOOK},
        {"kind": "text", "path": "work/train.py", "data": "print('train')\n" * 100},
        {"kind": "binary", "path": "models/weights.bin", "data": WEIGHTS},
        {"kind": "binary", "path": "models/churn.luml", "data": MODEL},
        {"kind": "binary", "path": "runs/2026/deep.luml", "data": DEEP_MODEL},
        {"kind": "folder", "path": "empty/inside"},
    ]


def row_named(page: Page, name: str):
    return page.locator(
        ".jp-LumlInstances-row",
        has=page.locator(".jp-LumlInstances-name", has_text=name),
    )


def row_of(page: Page, instance_id: str):
    return page.locator(f".jp-LumlInstances-row[data-instance-id='{instance_id}']")


def show_models(page: Page) -> None:
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:show-models')")
    page.wait_for_function(
        "performance.getEntriesByName('luml-notebooks:model-scan').length > 0",
        timeout=30_000,
    )


def model_row(page: Page, path: str):
    return page.locator(f".jp-LumlModels-item[data-path={json.dumps(path)}]")


def test_back_up_delete_and_restore_from_the_instances_page(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    page.add_init_script(NO_SAVE_PICKER)
    original = create_instance(page, site_url, "Round trip")
    open_instance(page, site_url, original)
    put_files(page, user_files())
    before = page.evaluate(HASHES)
    assert before["empty/inside/"] == "folder"
    assert before["models/weights.bin"] == hashlib.sha256(WEIGHTS).hexdigest()
    assert before["models/churn.luml"] == hashlib.sha256(MODEL).hexdigest()

    # back up from the page, without JupyterLab open
    instances_page(page, site_url)
    expect(row_of(page, original).locator(".jp-LumlInstances-lastBackup")).to_have_text(
        "Never"
    )
    with page.expect_download(timeout=120_000) as info:
        status = page_action(
            page,
            lambda: row_of(page, original).locator(".jp-LumlInstances-backup").click(),
        )
    download = info.value
    assert re.fullmatch(r"Round-trip-\d{8}-\d{4}\.zip", download.suggested_filename)
    assert status.startswith("Backed up “Round trip”")
    archive = tmp_path / download.suggested_filename
    download.save_as(archive)
    report = verify(archive)
    assert report.exit_code == 0, report.problems
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        listed = json.loads(zf.read("luml-backup.json"))
    assert {"empty/inside/", "runs/2026/deep.luml", "models/weights.bin"} <= names
    assert listed["instance"] == {"id": original, "name": "Round trip"}
    by_path = {f["path"]: f["sha256"] for f in listed["files"]}
    assert {p: h for p, h in before.items() if h != "folder"} == by_path
    expect(
        row_of(page, original).locator(".jp-LumlInstances-lastBackup")
    ).not_to_have_text("Never")

    # delete the instance from the page
    row_of(page, original).locator(".jp-LumlInstances-delete").click()
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    expect(page.locator(".jp-LumlInstances-status")).to_have_text(
        re.compile("^Deleted")
    )
    assert f"jl_{original}" not in page.evaluate(DATABASES)

    # restore it as a new instance, through the toolbar's file chooser
    def start():
        with page.expect_file_chooser() as chooser:
            page.click(".jp-LumlInstances-restore")
        chooser.value.set_files(str(archive))
        dialog = page.locator(".jp-LumlInstances-restoreDialog")
        expect(dialog.locator(".jp-LumlInstances-nameInput")).to_have_value(
            "Round trip"
        )
        expect(dialog.locator(".jp-LumlInstances-verify")).to_have_attribute(
            "data-verified", "true"
        )
        expect(dialog.locator(".jp-LumlInstances-archive")).to_contain_text(
            f"{len(by_path)} files"
        )
        page.keyboard.press("Enter")  # the name field submits the dialog

    status = page_action(page, start)
    assert status.startswith("Restored “Round trip” as a new instance"), status
    assert "Every file matched the sha256" in status
    restored = row_named(page, "Round trip").get_attribute("data-instance-id")
    assert restored != original

    # JupyterLab reads every file back byte for byte and finds both models
    open_instance(page, site_url, restored)
    assert page.evaluate(HASHES) == before
    show_models(page)
    expect(model_row(page, "models/churn.luml")).to_be_visible(timeout=30_000)
    expect(model_row(page, "runs/2026/deep.luml")).to_be_visible()


def backup_zip(files: dict[str, bytes], *, tamper: str | None = None) -> bytes:
    """A backup in our format made in Python; `tamper` gets a wrong sha256."""
    records = []
    for path, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        if path == tamper:
            digest = hashlib.sha256(data + b"!").hexdigest()
        records.append(
            {"path": path, "size": len(data), "sha256": digest, "kind": "binary"}
        )
    man = {
        "format": "luml-notebooks-backup",
        "formatVersion": 1,
        "instance": {"id": "abc", "name": "Made in Python"},
        "createdAt": "2026-11-01T10:00:00.000Z",
        "siteVersion": "0.1.0",
        "files": records,
        "folders": [],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        zf.writestr("luml-backup.json", json.dumps(man))
    return buffer.getvalue()


STORED_TEXT = """async ([id, path]) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('jl_' + id);
    r.onsuccess = () => ok(r.result);
    r.onerror = no;
  });
  const record = await new Promise(ok => {
    const r = db.transaction('files').objectStore('files').get(path);
    r.onsuccess = () => ok(r.result);
  });
  db.close();
  return record && {
    format: record.format, content: record.content, type: record.type
  };
}"""


def test_bad_zips_leave_no_instance_and_plain_zips_import_unverified(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    instances_page(page, site_url)
    databases = page.evaluate(DATABASES)
    files = {"data/a.bin": random.Random(3).randbytes(50_000), "b.txt": b"bee\n" * 50}

    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("just some notes, not a zip")
    status = restore_new(page, not_zip, accept=False)
    assert "not a zip archive" in status and "Nothing was changed" in status
    expect(page.locator(".jp-LumlInstances-status")).to_have_attribute("role", "alert")

    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(backup_zip(files)[:-40])
    status = restore_new(page, truncated, accept=False)
    assert "incomplete" in status, status

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(backup_zip(files, tamper="data/a.bin"))
    status = restore_new(page, tampered)
    assert "does not match the sha256" in status, status
    assert "was removed" in status
    assert page.evaluate(DATABASES) == databases
    assert page.locator(".jp-LumlInstances-row").count() == 0

    # a plain zip of files (as other tools make) imports with a notice
    plain = tmp_path / "platform-notebooks.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("nb/notes.txt", "plain text\n")
        zf.writestr("model.bin", b"\x00\x01\x02")

    def start():
        page.set_input_files(".jp-LumlInstances-restoreFile", str(plain))
        dialog = page.locator(".jp-LumlInstances-restoreDialog")
        expect(dialog.locator(".jp-LumlInstances-verify")).to_have_attribute(
            "data-verified", "false"
        )
        expect(dialog.locator(".jp-LumlInstances-verify")).to_contain_text(
            "Could not be verified"
        )
        expect(dialog.locator(".jp-LumlInstances-nameInput")).to_have_value(
            "platform-notebooks"
        )
        dialog.locator("button[value=ok]").click()

    status = page_action(page, start)
    assert "Not verified" in status, status
    new_id = row_named(page, "platform-notebooks").get_attribute("data-instance-id")
    stored = page.evaluate(STORED_TEXT, [new_id, "nb/notes.txt"])
    assert stored == {"format": "text", "content": "plain text\n", "type": "file"}
    stored = page.evaluate(STORED_TEXT, [new_id, "model.bin"])
    assert stored["format"] == "base64" and stored["content"] == "AAEC"


def test_restore_into_an_existing_instance_asks_about_conflicts(
    page_factory, site_url, tmp_path
):
    page, _watch = page_factory(site_url)
    target = create_instance(page, site_url, "Target")
    archive = tmp_path / "backup.zip"
    archive.write_bytes(backup_zip({"b.txt": b"from the backup\n"}))
    page.evaluate(
        """async id => {
          const db = await new Promise(ok => {
            const r = indexedDB.open('jl_' + id); r.onsuccess = () => ok(r.result);
          });
          await new Promise(ok => {
            const tx = db.transaction('files', 'readwrite');
            tx.objectStore('files').put({name: 'b.txt', path: 'b.txt', type: 'file',
              format: 'text', content: 'mine\\n', mimetype: 'text/plain',
              last_modified: new Date().toISOString(), size: 5, writable: true},
              'b.txt');
            tx.oncomplete = ok;
          });
          db.close();
        }""",
        target,
    )

    def start():
        row_of(page, target).locator(".jp-LumlInstances-restoreInto").click()
        page.set_input_files(".jp-LumlInstances-restoreFile", str(archive))
        dialog = page.locator(".jp-LumlInstances-restoreDialog")
        expect(dialog.locator(".jp-LumlInstances-conflicts")).to_contain_text(
            "1 file exists"
        )
        dialog.locator("#luml-restore-policy-keep-both").check()
        dialog.locator("button[value=ok]").click()

    status = page_action(page, start)
    assert status.startswith("Restored into “Target”"), status
    mine = page.evaluate(STORED_TEXT, [target, "b.txt"])
    assert mine["content"] == "mine\n"
    kept = page.evaluate(
        """async id => {
          const db = await new Promise(ok => {
            const r = indexedDB.open('jl_' + id); r.onsuccess = () => ok(r.result);
          });
          const keys = await new Promise(ok => {
            const r = db.transaction('files').objectStore('files').getAllKeys();
            r.onsuccess = () => ok(r.result);
          });
          db.close();
          return keys;
        }""",
        target,
    )
    restored = [k for k in kept if k != "b.txt" and k.startswith("b")]
    assert len(restored) == 1, kept
    copy = page.evaluate(STORED_TEXT, [target, restored[0]])
    # a binary-kind record in the manifest is stored as bytes
    assert base64.b64decode(copy["content"]) == b"from the backup\n"


def test_workspace_urls_keep_the_instance(page_factory, site_url):
    page, _watch = page_factory(site_url)
    keeper = create_instance(page, site_url, "Keeper")
    other = create_instance(page, site_url, "Other")
    # this tab and the browser last used the other instance
    open_instance(page, site_url, other)

    page.goto(f"{site_url}lab/workspaces/analysis?instance={keeper}")
    page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    expect(page.locator(".jp-LumlInstanceLabel-name")).to_have_text("Keeper")
    assert f"instance={keeper}" in page.url

    # JupyterLab's router moves to workspace URLs: the instance stays in them
    page.evaluate("history.pushState({}, '', 'workspaces/second')")
    assert f"instance={keeper}" in page.url and "/workspaces/second" in page.url
    page.reload()
    page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    expect(page.locator(".jp-LumlInstanceLabel-name")).to_have_text("Keeper")

    # a link that names no instance opens the one this tab has open
    page.goto(f"{site_url}lab/workspaces/third")
    page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    expect(page.locator(".jp-LumlInstanceLabel-name")).to_have_text("Keeper")
