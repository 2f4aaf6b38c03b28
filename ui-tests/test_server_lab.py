"""The extension in a server-backed JupyterLab: real `jupyter lab`, real ipykernel."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from browser_helpers import (
    KERNEL_TIMEOUT_MS,
    run_all_cells,
    wait_for_app,
    wait_for_output,
)
from labserver import LabServer
from local_registry import connect, expect_pushed, open_push_dialog

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "luml"
NOTEBOOK = "save_models.ipynb"
CARD = "models/card.luml"
LEGACY = "legacy/old_model.dfs"
# headless Chromium has no save dialog: the download path is what runs here
NO_SAVE_PICKER = (
    "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
)


def notebook(cells: list[str]) -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
        "cells": [
            {
                "cell_type": "code",
                "id": f"cell-{i}",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(cells)
        ],
    }


# The kernel writes the bytes of real model files, as luml-sdk's save would.
SAVE_CELL = f"""\
import os
from pathlib import Path
card = Path({str(FIXTURES / "sklearn_card.luml")!r}).read_bytes()
legacy = Path({str(FIXTURES / "sklearn_basic.luml")!r}).read_bytes()
os.makedirs("models", exist_ok=True)
os.makedirs("legacy", exist_ok=True)
Path({CARD!r}).write_bytes(card)
Path({LEGACY!r}).write_bytes(legacy)
print("saved", len(card) + len(legacy), "bytes of models")
"""


@pytest.fixture
def lab_server(tmp_path) -> Iterator[LabServer]:
    root = tmp_path / "root"
    root.mkdir()
    (root / "notes.py").write_text("print('hello')\n")
    # hidden files and checkpoints stay out of the Models panel and backups
    (root / ".secret").write_text("token")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "x-checkpoint.luml").write_bytes(b"no")
    with LabServer(root, tmp_path / "jupyter") as server:
        response = server.api.put(
            f"api/contents/{NOTEBOOK}",
            json={"type": "notebook", "content": notebook([SAVE_CELL])},
        )
        assert response.status_code == 201, response.text
        yield server


def open_server_lab(page: Page, server: LabServer, path: str) -> None:
    page.goto(f"{server.url}lab/tree/{path}?token={server.token}")
    wait_for_app(page, ".jp-LumlBrand")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; }",
        timeout=KERNEL_TIMEOUT_MS,
    )


def command(page: Page, command_id: str, args: dict | None = None):
    return page.evaluate(
        "([id, args]) => window.jupyterapp.commands.execute(id, args)",
        [command_id, args or {}],
    )


def model_row(page: Page, path: str):
    return page.locator(f".jp-LumlModels-item[data-path='{path}']")


def server_files(root: Path) -> dict[str, bytes]:
    """Every file a user sees on the server: no hidden files or folders."""
    files = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") for p in rel.parts):
            files[rel.as_posix()] = path.read_bytes()
    return files


def test_models_push_and_backup_against_a_jupyter_server(
    page_factory, lab_server, registry, tmp_path
):
    root = lab_server.root
    page, _watch = page_factory(lab_server.url, registry.url)
    page.add_init_script(NO_SAVE_PICKER)
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    open_server_lab(page, lab_server, NOTEBOOK)

    # browser-only features stay out of the way on a server
    assert page.locator(".jp-LumlInstanceLabel").count() == 0
    for browser_only in (
        "luml-notebooks:rename-instance",
        "luml-notebooks:switch-instance",
        "luml-notebooks:open-instances-page",
    ):
        assert not page.evaluate(
            "id => window.jupyterapp.commands.hasCommand(id)", browser_only
        ), browser_only
    assert not page.evaluate(
        "window.jupyterapp.commands.isVisible('luml-notebooks:open-defaults')"
    )

    # the kernel writes straight to disk; the panel finds both files by polling
    command(page, "luml-notebooks:show-models")
    page.locator(".jp-LumlModels-empty", has_text="No models yet").wait_for()
    run_all_cells(page)
    wait_for_output(page, "bytes of models")
    card = model_row(page, CARD)
    legacy = model_row(page, LEGACY)
    card.wait_for(timeout=60_000)
    legacy.wait_for(timeout=60_000)
    assert card.locator(".jp-LumlModels-name").inner_text() == "tiny-classifier"
    assert card.locator(".jp-LumlModels-version").inner_text() == "0.2.0"
    assert legacy.locator(".jp-LumlModels-name").inner_text() == "tiny-linear"
    assert legacy.locator(".jp-LumlModels-version").inner_text() == "1.0.0"
    # hidden folders (checkpoints) are not listed
    assert page.locator(".jp-LumlModels-item").count() == 2

    # Inspect reads the model's manifest from the server, in byte ranges
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    command(page, "luml-notebooks:inspect-model", {"path": CARD})
    inspect = page.locator(".jp-LumlInspect").last
    inspect.get_by_text("tiny-classifier").first.wait_for(timeout=30_000)
    assert any("/luml-notebooks/api/bytes?" in url for url in requests)
    assert not [u for u in requests if CARD in u and "content=1" in u], requests

    # Download: the server's raw bytes
    with page.expect_download(timeout=60_000) as info:
        command(page, "luml-notebooks:download-model", {"path": CARD})
    download = info.value
    assert download.suggested_filename == "card.luml"
    assert Path(download.path()).read_bytes() == (root / CARD).read_bytes()

    # Push to the local Registry: identical bytes land there
    connect(page, registry)
    requests.clear()
    dialog = open_push_dialog(page, CARD)
    assert dialog.locator(".jp-LumlPush-name").input_value() == "tiny-classifier"
    dialog.locator(".jp-LumlPush-push").click()
    artifact_id = expect_pushed(page)
    # the push read the server's raw bytes, not base64 through the contents API
    assert any(url.split("?")[0].endswith(f"/files/{CARD}") for url in requests)
    local = (root / CARD).read_bytes()
    artifact = registry.artifact(artifact_id)
    assert artifact["status"] == "uploaded"
    assert artifact["file_hash"] == hashlib.sha256(local).hexdigest()
    assert registry.download(artifact_id) == local

    # a file deleted on disk leaves the panel
    os.remove(root / LEGACY)
    legacy.wait_for(state="detached", timeout=60_000)

    # Backup: every visible file of the server, byte for byte
    with page.expect_download(timeout=120_000) as info:
        name = command(page, "luml-notebooks:backup")
    archive = tmp_path / info.value.suggested_filename
    info.value.save_as(archive)
    assert archive.name == name
    on_disk = server_files(root)
    assert set(on_disk) == {NOTEBOOK, CARD, "notes.py"}
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        manifest = json.loads(zf.read("luml-backup.json"))
        stored = {
            n: zf.read(n)
            for n in zf.namelist()
            if n != "luml-backup.json" and not n.endswith("/")
        }
    assert stored == on_disk
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        path: hashlib.sha256(data).hexdigest() for path, data in on_disk.items()
    }

    # Restore into the server brings a deleted model back, identical
    os.remove(root / CARD)
    card.wait_for(state="detached", timeout=60_000)
    page.evaluate(
        "() => { window.__restore ="
        " window.jupyterapp.commands.execute('luml-notebooks:restore'); }"
    )
    page.locator(".jp-LumlRestore-file").set_input_files(str(archive))
    page.locator(".jp-LumlRestore-status", has_text="Backup of").wait_for(
        timeout=30_000
    )
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    written = page.evaluate("() => window.__restore")
    assert CARD in written
    assert (root / CARD).read_bytes() == local
    card.wait_for(timeout=60_000)

    # expected: the model card's own scripts are blocked by its sandbox; the
    # in-browser kernel's extension (a dependency, for JupyterLite sites)
    # cannot load its shared modules in a server-backed JupyterLab
    unexpected = [
        e
        for e in console_errors
        if "about:srcdoc" not in e and "pyodide-kernel-extension" not in e
    ]
    assert unexpected == [], console_errors
