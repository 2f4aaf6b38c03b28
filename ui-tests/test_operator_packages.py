"""Packages an operator adds (`extra_packages`, a Pyodide distribution) work in the
kernel with no network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import error_outputs, open_lab, run_all_cells, wait_for_output
from instance_files import code_notebook
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site, served_site
from wheelfiles import archive, make_distribution, make_wheel, runtime_cache

pytestmark = pytest.mark.browser

NOTEBOOK = "extras.ipynb"


def serve_built(lite: Path, notebook: dict, addon: dict) -> Iterator[str]:
    """Build ``lite`` with ``notebook`` and the addon settings; serve it isolated."""
    (lite / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    (lite / "notebooks").mkdir()
    (lite / "notebooks" / NOTEBOOK).write_text(json.dumps(notebook))
    build = {**SITE_CONFIG["LiteBuildConfig"], "contents": ["notebooks"]}
    config = {"LiteBuildConfig": build, "LumlNotebooksAddon": addon}
    result = build_site(lite, config=config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with served_site(lite / "_output") as url:
        yield url


def run_notebook(page_factory, url: str, *expected: str) -> None:
    # page_factory fails the test if any request leaves 127.0.0.1
    page, _watch = page_factory(url)
    open_lab(page, url, NOTEBOOK)
    run_all_cells(page)
    for text in expected:
        wait_for_output(page, text)
    assert error_outputs(page) == []


@pytest.fixture(scope="module")
def extras_url(tmp_path_factory) -> Iterator[str]:
    lite = tmp_path_factory.mktemp("extras-site")
    make_wheel(
        lite / "wheels",
        "lumlextra",
        "1.0",
        {"lumlextra/__init__.py": "GREETING = 'hello from lumlextra'\n"},
        requires=("tabulate",),
    )
    notebook = code_notebook(
        "import lumlextra, tabulate\n"
        "print(lumlextra.GREETING, 'and tabulate', tabulate.__version__)",
        # no import in the cell: only %pip can make the package appear
        "%pip install python-dateutil",
        "from importlib.metadata import version\n"
        "print('installed python-dateutil', version('python-dateutil'))",
    )
    extras = [
        "tabulate==0.9.0",
        "python-dateutil==2.9.0.post0",
        "./wheels/lumlextra-1.0-py3-none-any.whl",
    ]
    yield from serve_built(lite, notebook, {"extra_packages": extras})


@pytest.fixture(scope="module")
def distribution_url(tmp_path_factory) -> Iterator[str]:
    made = tmp_path_factory.mktemp("distribution")
    wheel = make_wheel(
        made / "wheels", "lumldist", "1.0", {"lumldist/__init__.py": "ANSWER = 42\n"}
    )
    lite = made / "lite"
    lite.mkdir()
    archive(make_distribution(made / "dist", wheel), lite / "pyodide.tar.bz2")
    notebook = code_notebook("import lumldist\nprint('the answer is', lumldist.ANSWER)")
    # a cache of its own: each made archive is a new runtime in the cache
    addon = {"pyodide_source": "pyodide.tar.bz2", "cache_dir": str(runtime_cache(made))}
    yield from serve_built(lite, notebook, addon)


def test_added_packages_import_and_pip_install_with_no_network(
    page_factory, extras_url
):
    run_notebook(
        page_factory,
        extras_url,
        "hello from lumlextra and tabulate 0.9.0",
        "installed python-dateutil 2.9.0.post0",
    )


def test_a_distributions_package_imports_with_no_network(
    page_factory, distribution_url
):
    run_notebook(page_factory, distribution_url, "the answer is 42")
