"""Packages an operator added with `extra_packages` work in the kernel, offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import error_outputs, open_lab, run_all_cells, wait_for_output
from luml_notebooks.serve import make_server, serve_in_thread, server_url
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site
from wheelfiles import make_wheel

pytestmark = pytest.mark.browser

NOTEBOOK = "extras.ipynb"


def code_cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


@pytest.fixture(scope="module")
def extras_url(tmp_path_factory) -> Iterator[str]:
    lite = tmp_path_factory.mktemp("extras-site")
    (lite / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    make_wheel(
        lite / "wheels",
        "lumlextra",
        "1.0",
        {"lumlextra/__init__.py": "GREETING = 'hello from lumlextra'\n"},
        requires=("tabulate",),
    )
    notebook = {
        "cells": [
            code_cell(
                "import lumlextra, tabulate\n"
                "print(lumlextra.GREETING, 'and tabulate', tabulate.__version__)"
            ),
            # no import in the cell: only %pip can make the package appear
            code_cell("%pip install python-dateutil"),
            code_cell(
                "from importlib.metadata import version\n"
                "print('installed python-dateutil', version('python-dateutil'))"
            ),
        ],
        "metadata": {"kernelspec": {"name": "python", "display_name": "Python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (lite / "notebooks").mkdir()
    (lite / "notebooks" / NOTEBOOK).write_text(json.dumps(notebook))
    config = {
        "LiteBuildConfig": {
            **SITE_CONFIG["LiteBuildConfig"],
            "contents": ["notebooks"],
        },
        "LumlNotebooksAddon": {
            "extra_packages": [
                "tabulate==0.9.0",
                "python-dateutil==2.9.0.post0",
                "./wheels/lumlextra-1.0-py3-none-any.whl",
            ]
        },
    }
    result = build_site(lite, config=config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    server = make_server(Path(lite / "_output"), port=0, isolated=True)
    serve_in_thread(server)
    yield server_url(server)
    server.shutdown()
    server.server_close()


def test_added_packages_import_and_pip_install_with_no_network(
    page_factory, extras_url
):
    # page_factory fails the test if any request leaves 127.0.0.1
    page, _watch = page_factory(extras_url)
    open_lab(page, extras_url, NOTEBOOK)
    run_all_cells(page)
    wait_for_output(page, "hello from lumlextra and tabulate 0.9.0")
    wait_for_output(page, "installed python-dateutil 2.9.0.post0")
    assert error_outputs(page) == []
