"""The site loads, runs Python offline, and saves a real `.luml` model."""

from __future__ import annotations

import base64
import io
import json
import tarfile

import pytest

from browser_helpers import (
    error_outputs,
    open_lab,
    run_all_cells,
    wait_for_output,
)

pytestmark = pytest.mark.browser


def test_jupyterlab_loads_branded(lab):
    open_lab(lab, lab.base_url)
    assert lab.title().startswith("LUML Notebooks")
    assert lab.inner_text(".jp-LumlBrand") == "LUML Notebooks"
    lab.wait_for_selector(".jp-DirListing-item >> text=Getting started.ipynb")


def test_getting_started_runs_in_the_pyodide_kernel(lab):
    open_lab(lab, lab.base_url, "Getting started.ipynb")
    run_all_cells(lab)
    outputs = wait_for_output(lab, "luml-sdk 0.4.0")
    assert "fnnx 0.0.13" in outputs
    wait_for_output(lab, "working folder: /drive")
    assert error_outputs(lab) == []
    assert lab.evaluate("crossOriginIsolated") is True


@pytest.mark.parametrize("transport", ["shared-array-buffer", "service-worker"])
def test_a_notebook_saves_a_luml_model_that_shows_in_the_file_browser(
    page_factory, site_url, plain_site_url, transport
):
    base_url = site_url if transport == "shared-array-buffer" else plain_site_url
    page, _watch = page_factory(base_url)
    open_lab(page, base_url, "Build a model.ipynb")
    assert page.evaluate("crossOriginIsolated") is (transport == "shared-array-buffer")
    run_all_cells(page)
    wait_for_output(page, "saved mean_threshold.luml")
    assert error_outputs(page) == []
    page.wait_for_selector(
        ".jp-DirListing-item >> text=mean_threshold.luml", timeout=60_000
    )

    # the bytes in browser storage are a real model file
    model = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get("
        "'mean_threshold.luml', {content: true, format: 'base64'})).content"
    )
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(model))) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert names[0] == "manifest.json"
    assert {"dtypes.json", "env.json", "meta.json", "ops.json"} <= set(names)
    assert manifest["name"] == "mean-threshold"
    assert manifest["inputs"][0]["dtype"] == "Array[float]"
