"""Pushing a model from the browser to a real local Registry on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from browser_helpers import KERNEL_TIMEOUT_MS, open_lab, run_all_cells, wait_for_output
from local_registry import (
    KNOWN_HASH,
    LocalRegistry,
    connect,
    expect_pushed,
    open_push_dialog,
)
from luml_notebooks.local_registry.background import BackgroundRegistry
from model_files import manifest, model_file
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "luml"
KEYS_STORAGE = "luml-notebooks:registry-api-keys"


def big_model(payload: bytes, name: str = "big-model") -> bytes:
    """A real model file whose weights are ``payload``."""
    return model_file(manifest(name, "2.0.0"), weights=payload)


def save_file(page: Page, path: str, data: bytes) -> None:
    page.evaluate(
        """async ([path, content]) => {
            await window.jupyterapp.serviceManager.contents.save(
                path, {type: 'file', format: 'base64', content});
        }""",
        [path, base64.b64encode(data).decode()],
    )


def browser_bytes(page: Page, path: str) -> bytes:
    content = page.evaluate(
        """async path => (await window.jupyterapp.serviceManager.contents.get(
            path, {content: true, format: 'base64', type: 'file'})).content""",
        path,
    )
    return base64.b64decode(content)


def test_a_notebook_model_is_pushed_from_the_file_browser(
    page_factory, site_url, registry
):
    page, _watch = page_factory(site_url, registry.url)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    open_lab(page, site_url, "Build a model.ipynb")
    run_all_cells(page)
    wait_for_output(page, "saved mean_threshold.luml")
    connect(page, registry)

    # right-click the model in the file browser: Push to Registry…
    item = page.locator(".jp-DirListing-item", has_text="mean_threshold.luml")
    item.wait_for(timeout=KERNEL_TIMEOUT_MS)
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Push to Registry…").click()
    dialog = page.locator(".jp-LumlPush")
    dialog.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.jp-LumlPush-push').disabled",
        timeout=60_000,
    )
    assert dialog.locator(".jp-LumlPush-org").inner_text() == "Local Organization"
    assert dialog.locator(".jp-LumlPush-collection").inner_text() == "Models"
    # name, description and tags come from the model's own manifest
    local = browser_bytes(page, "mean_threshold.luml")
    with tarfile.open(fileobj=io.BytesIO(local)) as archive:
        saved = json.load(archive.extractfile("manifest.json"))
        index = {m.name: [m.offset_data, m.size] for m in archive if m.isfile()}
    assert saved["name"] == "mean-threshold"
    assert dialog.locator(".jp-LumlPush-name").input_value() == saved["name"]
    assert saved["description"]
    assert (
        dialog.locator(".jp-LumlPush-description").input_value() == saved["description"]
    )
    assert dialog.locator(".jp-LumlPush-tags").input_value() == ", ".join(
        saved["producer_tags"]
    )
    dialog.locator(".jp-LumlPush-tags").fill("example, browser")
    dialog.locator(".jp-LumlPush-push").click()
    artifact_id = expect_pushed(page)

    # the Registry holds identical bytes, the manifest, status uploaded
    assert browser_bytes(page, "mean_threshold.luml") == local
    artifact = registry.artifact(artifact_id)
    assert artifact["status"] == "uploaded"
    assert artifact["type"] == "model"
    assert artifact["name"] == "mean-threshold"
    assert artifact["tags"] == ["example", "browser"]
    assert artifact["file_name"] == "mean_threshold.luml"
    assert artifact["file_hash"] == hashlib.sha256(local).hexdigest()
    assert registry.download(artifact_id) == local
    assert artifact["manifest"] == saved
    assert artifact["file_index"] == index

    # the Models panel shows the model as in the Registry
    page.evaluate(
        "void window.jupyterapp.commands.execute('luml-notebooks:show-models')"
    )
    row = page.locator(".jp-LumlModels-item", has_text="mean_threshold.luml")
    badge = row.locator(".jp-LumlModels-registry[data-state=pushed]")
    badge.wait_for(timeout=30_000)
    assert badge.inner_text() == (
        f"In the Registry: Models · artifact {artifact_id[:8]}"
    )
    assert artifact_id in (badge.get_attribute("title") or "")

    # pushing the same bytes to the same collection again warns first
    dialog = open_push_dialog(page, "mean_threshold.luml")
    warning = dialog.locator(".jp-LumlPush-warning")
    warning.wait_for()
    assert f"as artifact {artifact_id}" in warning.inner_text()
    assert dialog.locator(".jp-LumlPush-push").inner_text() == "Push Again"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert len(registry.artifacts()) == 1

    # the key is in this browser's key store only: not in settings, files,
    # the URL or the console
    assert registry.key not in page.url
    assert not any(registry.key in line for line in console)
    settings = page.evaluate(
        "async () => JSON.stringify(await window.jupyterapp.serviceManager"
        ".settings.fetch('luml-notebooks:registry'))"
    )
    assert registry.url in settings and registry.key not in settings
    for path in ("Build a model.ipynb", "mean_threshold.py"):
        content = page.evaluate(
            "async p => JSON.stringify((await window.jupyterapp.serviceManager"
            ".contents.get(p, {content: true})).content)",
            path,
        )
        assert registry.key not in content
    stored = page.evaluate(f"localStorage.getItem('{KEYS_STORAGE}')")
    assert json.loads(stored) == {registry.url: registry.key}


def test_the_dialog_asks_for_a_key_and_refuses_what_is_not_a_model(
    page_factory, site_url, registry
):
    page, _watch = page_factory(site_url, registry.url)
    open_lab(page, site_url)
    # the URL through the settings editor, where the key's state shows too
    page.evaluate(
        "void window.jupyterapp.commands.execute("
        "'settingeditor:open', {query: 'LUML Registry'})"
    )
    field = page.locator(".jp-LumlRegistrySetting")
    field.wait_for(timeout=30_000)
    status = field.locator(".jp-LumlRegistrySetting-keyStatus")
    assert status.inner_text() == "API key: not set for https://api.luml.ai."
    field.locator("input").fill(registry.url)
    page.wait_for_function(
        "url => document.querySelector('.jp-LumlRegistrySetting-keyStatus')"
        ".textContent === `API key: not set for ${url}.`",
        arg=registry.url,
        timeout=30_000,
    )
    field.get_by_role("button", name="Test Connection").click()
    page.locator(".Toastify__toast", has_text="No API key is set").wait_for()

    save_file(page, "notes.luml", b"<img src=x onerror=alert(1)> not a model")
    page.evaluate(
        "void window.jupyterapp.commands.execute("
        "'luml-notebooks:push-model', {path: 'notes.luml'})"
    )
    dialog = page.locator(".jp-LumlPush")
    reason = dialog.locator(".jp-LumlPush-file[data-kind=error]")
    reason.wait_for(timeout=30_000)
    assert reason.inner_text().startswith("notes.luml cannot be pushed: ")
    assert "not a tar archive" in reason.inner_text()

    # no key yet: the dialog asks for one, and says when it is refused
    key_box = dialog.locator(".jp-LumlPush-keyBox")
    key_box.wait_for()
    assert "No API key is set for the Registry at" in key_box.inner_text()
    key_input = key_box.locator("input[type=password]")
    key_input.fill("dfs_not-a-real-key")
    key_box.locator(".jp-LumlPush-saveKey").click()
    page.wait_for_function(
        "() => document.querySelector('.jp-LumlPush-keyMessage')"
        ".textContent.includes('did not accept the API key')",
        timeout=30_000,
    )
    key_input.fill(registry.key)
    key_input.press("Enter")
    key_box.wait_for(state="hidden", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.jp-LumlPush-collection').value",
        timeout=30_000,
    )
    # the lists loaded, but a file that is not a model still cannot be pushed
    assert dialog.locator(".jp-LumlPush-push").is_disabled()
    assert dialog.locator("img").count() == 0
    dialog.locator(".jp-LumlPush-cancel").click()
    dialog.wait_for(state="detached")
    assert registry.artifacts() == []
    assert status.inner_text() == f"API key: saved in this browser for {registry.url}."
    field.get_by_role("button", name="Test Connection").click()
    page.locator(
        ".Toastify__toast", has_text=f"Connected to {registry.url}."
    ).wait_for()


def test_a_500_on_the_upload_is_reported_and_retry_works(
    page_factory, site_url, registry
):
    page, _watch = page_factory(site_url, registry.url)
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    open_lab(page, site_url)
    connect(page, registry)
    data = big_model(os.urandom(6 * 1024 * 1024))
    save_file(page, "big.luml", data)

    registry.faults.fail = True
    dialog = open_push_dialog(page, "big.luml")
    # hashed in a Web Worker, off the main thread
    assert any("/extensions/luml-notebooks/static/" in url for url in workers)
    dialog.locator(".jp-LumlPush-push").click()
    message = dialog.locator(".jp-LumlPush-message[data-kind=error]")
    message.wait_for(timeout=60_000)
    text = message.inner_text()
    assert "storage had a server error (HTTP 500)" in text
    assert "Injected storage failure" in text
    assert "was marked upload_failed" in text
    assert "Your local file is unchanged." in text
    assert registry.faults.failed_puts == 4  # the first try and 3 retries
    [failed] = registry.artifacts()
    assert failed["status"] == "upload_failed"

    registry.faults.fail = False
    retry = dialog.locator(".jp-LumlPush-push")
    assert retry.inner_text() == "Retry"
    retry.click()
    artifact_id = expect_pushed(page)
    assert registry.artifact(artifact_id)["status"] == "uploaded"
    assert registry.download(artifact_id) == data
    assert [a["status"] for a in registry.artifacts()] == ["upload_failed", "uploaded"]
    assert browser_bytes(page, "big.luml") == data


def test_a_model_rewritten_after_it_was_hashed_pushes_with_its_new_hash(
    page_factory, site_url, registry
):
    page, _watch = page_factory(site_url, registry.url)
    open_lab(page, site_url)
    connect(page, registry)
    first = big_model(os.urandom(6 * 1024 * 1024), name="rewritten")
    save_file(page, "rewritten.luml", first)
    # hashed ahead of any push, when the page was idle
    known = None
    for _ in range(600):
        known = page.evaluate(KNOWN_HASH, "rewritten.luml")
        if known:
            break
        page.wait_for_timeout(100)
    assert known == hashlib.sha256(first).hexdigest()

    # the same size, other bytes; pushed at once, before or while the new
    # version is hashed ahead
    second = big_model(os.urandom(6 * 1024 * 1024), name="rewritten")
    assert len(second) == len(first)
    save_file(page, "rewritten.luml", second)
    dialog = open_push_dialog(page, "rewritten.luml")
    assert hashlib.sha256(second).hexdigest()[:12] in dialog.inner_text()
    dialog.locator(".jp-LumlPush-push").click()
    artifact_id = expect_pushed(page)
    artifact = registry.artifact(artifact_id)
    assert artifact["status"] == "uploaded"
    assert artifact["file_hash"] == hashlib.sha256(second).hexdigest()
    assert registry.download(artifact_id) == second


def test_a_big_file_goes_up_in_parts(page_factory, site_url, tmp_path):
    """Multipart as for files over 500 MB, with the threshold lowered."""
    registry = LocalRegistry(
        tmp_path / "registry",
        multipart_threshold=1024 * 1024,
        multipart_part_size=1024 * 1024,
    )
    try:
        page, _watch = page_factory(site_url, registry.url)
        open_lab(page, site_url)
        connect(page, registry)
        data = big_model(os.urandom(5 * 1024 * 1024 + 123), name="parts")
        save_file(page, "parts.luml", data)
        dialog = open_push_dialog(page, "parts.luml")
        dialog.locator(".jp-LumlPush-push").click()
        artifact_id = expect_pushed(page)
        # six parts of 1 MiB, each read back through the exposed ETag header
        assert registry.faults.part_puts == 6
        assert registry.artifact(artifact_id)["status"] == "uploaded"
        assert registry.download(artifact_id) == data
    finally:
        registry.close()


def test_the_registry_stopping_mid_upload_is_reported_and_retry_works(
    page_factory, site_url, registry
):
    page, _watch = page_factory(site_url, registry.url)
    open_lab(page, site_url)
    connect(page, registry)
    data = big_model(os.urandom(8 * 1024 * 1024), name="stopped")
    save_file(page, "stopped.luml", data)

    registry.faults.hang = True
    dialog = open_push_dialog(page, "stopped.luml")
    dialog.locator(".jp-LumlPush-push").click()
    assert registry.faults.put_started.wait(timeout=60)
    progress = dialog.locator(".jp-LumlPush-progressText")
    assert progress.inner_text().startswith(("Uploading", "Creating"))
    registry.stop()

    message = dialog.locator(".jp-LumlPush-message[data-kind=error]")
    message.wait_for(timeout=90_000)
    text = message.inner_text()
    assert text.startswith(
        f"Could not reach {registry.url} to upload the file: check the URL, "
        "that the Registry is running, and that it allows this site's origin"
    )
    assert "at the next push to this Registry" in text

    registry.restart()
    [stranded] = registry.artifacts()
    assert stranded["status"] == "pending_upload"
    dialog.locator(".jp-LumlPush-push", has_text="Retry").click()
    artifact_id = expect_pushed(page)
    assert registry.download(artifact_id) == data
    statuses = {a["id"]: a["status"] for a in registry.artifacts()}
    assert statuses == {stranded["id"]: "upload_failed", artifact_id: "uploaded"}


def test_run_serves_a_site_that_pushes_to_its_local_registry_out_of_the_box(
    page_factory, tmp_path
):
    """`luml-notebooks run`: no key to copy, and the run's key dies with it."""
    lite_dir, data_dir = tmp_path / "lite", tmp_path / "registry"
    lite_dir.mkdir()
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(SITE_CONFIG))
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    command = [
        *(sys.executable, "-m", "luml_notebooks.cli", "run", str(lite_dir)),
        *("--port", "0", "--registry-port", "0"),
        *("--registry-data-dir", str(data_dir)),
    ]
    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    try:
        site_url = registry_url = first_key = None
        while site_url is None:
            line = run.stdout.readline()
            assert line, "".join(lines[-40:])
            lines.append(line)
            if found := re.match(r"LUML Registry at (\S+)", line):
                registry_url = found.group(1)
            if found := re.search(r"keep it\): (dfs_\S+)", line):
                first_key = found.group(1)
            if found := re.match(r"LUML Notebooks at (\S+)", line):
                site_url = found.group(1)
        assert registry_url and first_key
        # keep reading, so the server never blocks on a full pipe
        threading.Thread(target=lambda: lines.extend(run.stdout), daemon=True).start()

        page, _watch = page_factory(site_url, registry_url)
        open_lab(page, site_url)
        data = (FIXTURES / "sklearn_basic.luml").read_bytes()
        save_file(page, "tiny.luml", data)
        dialog = open_push_dialog(page, "tiny.luml")
        assert dialog.locator(".jp-LumlPush-registryUrl").inner_text() == (
            f"Registry: {registry_url}"
        )
        dialog.locator(".jp-LumlPush-push").click()
        artifact_id = expect_pushed(page)
        assert page.evaluate(f"localStorage.getItem('{KEYS_STORAGE}')") is None

        session_key = httpx.get(site_url + "luml-local-registry-key.json").json()[
            "apiKey"
        ]
        assert session_key != first_key
        api = httpx.Client(
            base_url=registry_url, headers={"Authorization": f"Bearer {first_key}"}
        )
        org = api.get("/v1/users/me/organizations").json()[0]["id"]
        orbit = api.get(f"/v1/organizations/{org}/orbits").json()[0]["id"]
        listed = api.get(
            f"/v1/organizations/{org}/orbits/{orbit}/artifacts",
            params={"search": "tiny-linear"},
        ).json()["items"]
        assert [(a["id"], a["status"]) for a in listed] == [(artifact_id, "uploaded")]
        site_files = (lite_dir / "_output").rglob("*.json")
        assert not any(session_key in p.read_text(errors="ignore") for p in site_files)
    finally:
        run.terminate()
        run.wait(timeout=60)
    assert run.returncode == 0, "".join(lines[-40:])
    # stopped: the Registry is gone, and the run's key no longer works
    with pytest.raises(httpx.TransportError):
        httpx.get(registry_url + "/")
    with BackgroundRegistry(data_dir) as again:
        check = httpx.get(
            again.url + "/v1/auth/api-keys/validate",
            headers={"Authorization": f"Bearer {session_key}"},
        )
        assert check.status_code == 401
