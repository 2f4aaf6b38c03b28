"""Firefox: instances are created, opened, renamed and deleted, each in its
own IndexedDB database, and the instances page backs one up as a download and
restores it as a new instance."""

from __future__ import annotations

from browser_helpers import wait_for_app
from firefox_flows import text_of
from firefox_page import wait_for_download
from instance_files import put_files
from instances_helpers import DATABASES, instances_page, page_action

NAME = "Après — модели"


def row(instance_id: str) -> str:
    return f".jp-LumlInstances-row[data-instance-id='{instance_id}']"


def create(page, name: str) -> str:
    instances_page(page, page.base_url)
    page.click(".jp-LumlInstances-new")
    page.fill(".jp-LumlInstances-nameInput", name)
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    page.wait_for_function(
        "() => document.querySelector('.jp-LumlInstances-status')"
        ".textContent.startsWith('Created')"
    )
    return page.evaluate(
        """name => [...document.querySelectorAll('.jp-LumlInstances-row')]
          .filter(r => r.querySelector('.jp-LumlInstances-name').textContent === name)
          .pop().dataset.instanceId""",
        name,
    )


def open_instance(page, instance_id: str) -> None:
    page.goto(f"{page.base_url}lab/index.html?instance={instance_id}")
    wait_for_app(page, ".jp-LumlInstanceLabel")


def test_instances_create_open_rename_back_up_delete_restore(
    firefox_pages, site_url, download_dir
):
    page, _watch = firefox_pages(site_url)
    first = create(page, "First")
    second = create(page, "Second")
    assert first != second
    assert page.evaluate(DATABASES) == sorted([f"jl_{first}", f"jl_{second}"])

    # open: each instance has its own files
    open_instance(page, first)
    assert page.inner_text(".jp-LumlInstanceLabel-name") == "First"
    put_files(page, [{"kind": "text", "path": "mine.txt", "data": "first's"}])
    open_instance(page, second)
    listing = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get(''))"
        ".content.map(m => m.name)"
    )
    assert "Getting started.ipynb" in listing and "mine.txt" not in listing

    # rename from JupyterLab: the top bar and the instances page follow
    open_instance(page, first)
    page.evaluate(
        "void window.jupyterapp.commands.execute('luml-notebooks:rename-instance')"
    )
    page.fill(".jp-LumlInstanceName-input", NAME)
    page.click(".jp-Dialog-button.jp-mod-accept")
    page.wait_for_function(
        "name => document.querySelector('.jp-LumlInstanceLabel-name')"
        ".textContent === name",
        NAME,
    )
    instances_page(page, site_url)
    assert text_of(page, f"{row(first)} .jp-LumlInstances-name") == NAME

    # back up from the instances page: a download, since Firefox has no picker
    status = page_action(
        page, lambda: page.click(f"{row(first)} .jp-LumlInstances-backup")
    )
    assert status.startswith(f"Backed up “{NAME}”"), status
    archive = wait_for_download(download_dir, "*.zip")

    # delete asks first, then removes the database
    page.click(f"{row(first)} .jp-LumlInstances-delete")
    dialog = text_of(page, ".jp-LumlInstances-dialog")
    assert f"Delete “{NAME}”?" in dialog
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    deleted = f"Deleted “{NAME}” and all of its data from this browser."
    page.wait_for_function(
        "text => document.querySelector('.jp-LumlInstances-status')"
        ".textContent === text",
        deleted,
    )
    assert page.evaluate(DATABASES) == [f"jl_{second}"]

    # restore the backup as a new instance: its files come back
    def restore():
        page.set_input_files(".jp-LumlInstances-restoreFile", archive)
        page.wait_for_selector(".jp-LumlInstances-restoreDialog")
        page.click(".jp-LumlInstances-restoreDialog button[value=ok]")

    status = page_action(page, restore)
    assert status.startswith("Restored"), status
    restored = page.evaluate(
        """name => [...document.querySelectorAll('.jp-LumlInstances-row')]
          .find(r => r.querySelector('.jp-LumlInstances-name').textContent === name)
          ?.dataset.instanceId""",
        NAME,
    )
    assert restored and restored not in (first, second)
    open_instance(page, restored)
    text = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents"
        ".get('mine.txt', { content: true })).content"
    )
    assert text == "first's"
