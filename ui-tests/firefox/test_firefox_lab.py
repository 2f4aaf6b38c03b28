"""Firefox: the site loads offline, and every default notebook runs top to
bottom in the Pyodide kernel with the LUML libraries."""

from __future__ import annotations

import pytest
from firefox_flows import run_notebook, stdout, text_of
from test_defaults import DEFAULT_NOTEBOOKS


@pytest.mark.parametrize("path", DEFAULT_NOTEBOOKS)
def test_default_notebook_runs_top_to_bottom(firefox_pages, site_url, path):
    page, watch = firefox_pages(site_url)
    outputs = run_notebook(page, path)
    assert page.evaluate("crossOriginIsolated") is True
    # every code cell shows the user something
    assert all(outputs), outputs
    if path == "Getting started.ipynb":
        text = "".join(stdout(cell) for cell in outputs)
        assert "luml-sdk 0.4.0" in text and "fnnx 0.0.13" in text
        assert "working folder: /drive" in text
    assert watch.outside_requests() == []
    assert watch.page_errors() == []


def test_firefox_has_no_save_picker_and_says_how_storage_is_kept(
    firefox_pages, site_url
):
    page, _watch = firefox_pages(site_url)
    page.goto(site_url)
    page.wait_for_selector("body[data-state=ready]")
    # Firefox has no File System Access API: backups take the download path
    assert page.evaluate("typeof window.showSaveFilePicker") == "undefined"
    # Firefox answers persist() with a prompt, not on its own: the page
    # still says how the storage is kept and how much is used
    persistence = text_of(page, ".jp-LumlInstances-persistence")
    assert "ersistent storage" in persistence, persistence
    usage = text_of(page, ".jp-LumlInstances-usage")
    assert usage.startswith("Storage use for this site: "), usage
