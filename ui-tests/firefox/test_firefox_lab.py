"""Firefox: the site loads offline, and every default notebook runs top to
bottom in the Pyodide kernel with the LUML libraries."""

from __future__ import annotations

import pytest
from test_defaults import DEFAULT_NOTEBOOKS

from firefox_flows import run_notebook, stdout


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
