"""Driving the instances page: create, open, and back up or restore instances."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from browser_helpers import wait_for_app

#: every IndexedDB database of the origin, by name
DATABASES = "async () => (await indexedDB.databases()).map(d => d.name).sort()"


def instances_page(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)


def create_instance(page: Page, base_url: str, name: str) -> str:
    """Create an instance from the instances page; returns its id."""
    instances_page(page, base_url)
    page.click(".jp-LumlInstances-new")
    page.fill(".jp-LumlInstances-nameInput", name)
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    status = page.locator(".jp-LumlInstances-status")
    expect(status).to_have_text(re.compile("^Created"))
    row = page.locator(".jp-LumlInstances-row", has_text=name.strip()).last
    return row.get_attribute("data-instance-id")


def open_instance(page: Page, base_url: str, instance_id: str | None) -> None:
    """Open JupyterLab in an instance (the default one when None)."""
    query = f"?instance={instance_id}" if instance_id else ""
    page.goto(f"{base_url}lab/index.html{query}")
    wait_for_app(page, ".jp-LumlInstanceLabel")


def page_action(page: Page, start) -> str:
    """Run a backup/restore action of the page; returns the status text."""
    runs = page.evaluate("Number(document.body.dataset.backupRuns || 0)")
    start()
    page.wait_for_function(
        f"Number(document.body.dataset.backupRuns || 0) > {runs}", timeout=120_000
    )
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    return page.inner_text(".jp-LumlInstances-status")


def restore_new(page: Page, archive: Path, accept: bool = True) -> str:
    """Pick a zip for a new instance; returns the status once the page is done."""

    def start():
        page.set_input_files(".jp-LumlInstances-restoreFile", str(archive))
        if accept:
            dialog = page.locator(".jp-LumlInstances-restoreDialog")
            expect(dialog).to_be_visible()
            dialog.locator("button[value=ok]").click()

    return page_action(page, start)
