"""An operator's own Pyodide distribution as `pyodide_source`: its packages ship too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from luml_notebooks.site import kernel_image, pins, runtime
from sitebuild import SITE_CONFIG, build_site
from wheelfiles import archive, make_distribution, make_wheel, runtime_cache

ARCHIVE = f"pyodide-{pins.PYODIDE_VERSION}.tar.bz2"


def dist_wheel(folder: Path) -> Path:
    return make_wheel(
        folder, "lumldist", "1.0", {"lumldist/__init__.py": "ANSWER = 42\n"}
    )


def build_with_source(tmp_path: Path, source: str, **addon):
    config = {
        **SITE_CONFIG,
        "LumlNotebooksAddon": {
            "cache_dir": str(runtime_cache(tmp_path)),
            "pyodide_source": source,
            **addon,
        },
    }
    return build_site(tmp_path / "lite", config=config), tmp_path / "lite" / "_output"


def luml_lines(result) -> list[str]:
    return [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "[luml-notebooks]" in line and "pyodide" in line.lower()
    ]


@pytest.mark.parametrize("form", ["archive", "folder"])
def test_the_distributions_packages_are_vendored(tmp_path, form):
    lite = tmp_path / "lite"
    dist = make_distribution(tmp_path / "made", dist_wheel(tmp_path / "w"))
    if form == "archive":
        lite.mkdir()
        archive(dist, lite / ARCHIVE)
        source = ARCHIVE
    else:
        source = str(dist)
    result, site = build_with_source(tmp_path, source)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    folder = site / "static" / "pyodide"
    lock = json.loads((folder / runtime.LOCK_FILE).read_text())["packages"]
    entry = lock["lumldist"]
    assert entry["file_name"] == "lumldist-1.0-py3-none-any.whl"
    wheel = folder / entry["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    # what the distribution lacks stays on Pyodide's CDN, as with the npm runtime
    assert lock["numpy"]["file_name"].startswith(pins.PYODIDE_CDN_URL)
    # the kernel's pinned wheels replace the distribution's
    assert lock["luml-sdk"]["file_name"] == "luml_sdk-0.4.0-py3-none-any.whl"
    manifest = json.loads((folder / runtime.RUNTIME_MANIFEST).read_text())
    assert manifest["distribution"] == {
        "name": Path(source).name,
        "version": pins.PYODIDE_VERSION,
    }
    settings = json.loads((site / "jupyter-lite.json").read_text())
    plugins = settings["jupyter-config-data"]["litePluginSettings"]
    assert plugins["luml-notebooks:site"]["pyodideSource"] == "vendored"
    kernel = plugins["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == f"./static/pyodide/{kernel_image.LOADER_FILE}"


def test_extra_packages_can_use_the_distributions_packages(tmp_path):
    dist = make_distribution(tmp_path / "made", dist_wheel(tmp_path / "w"))
    make_wheel(
        tmp_path / "lite" / "wheels",
        "usesdist",
        "1.0",
        {"usesdist/__init__.py": "from lumldist import ANSWER\n"},
        requires=("lumldist",),
    )
    result, site = build_with_source(
        tmp_path,
        str(dist),
        extra_packages=["./wheels/usesdist-1.0-py3-none-any.whl"],
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lock = json.loads((site / "static/pyodide" / runtime.LOCK_FILE).read_text())
    assert lock["packages"]["usesdist"]["depends"] == ["lumldist"]
    assert lock["packages"]["lumldist"]["file_name"] == "lumldist-1.0-py3-none-any.whl"


def test_a_distribution_of_another_pyodide_release_stops_the_build(tmp_path):
    dist = make_distribution(
        tmp_path / "made", dist_wheel(tmp_path / "w"), version="0.27.7"
    )
    result, _site = build_with_source(tmp_path, str(dist))
    assert result.returncode != 0
    assert (
        "[luml-notebooks] pyodide is Pyodide 0.27.7, but the kernel needs Pyodide "
        f"{pins.PYODIDE_VERSION}: give the pyodide-{pins.PYODIDE_VERSION} "
        "distribution"
    ) in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_folder_that_is_not_a_distribution_stops_the_build(tmp_path):
    (tmp_path / "lite" / "not-pyodide").mkdir(parents=True)
    result, _site = build_with_source(tmp_path, "not-pyodide")
    assert result.returncode != 0
    assert luml_lines(result) == [
        "[luml-notebooks] LumlNotebooksAddon.pyodide_source 'not-pyodide' has no "
        "pyodide-lock.json; give a Pyodide distribution: its .tar.bz2 archive or "
        "its unpacked folder"
    ]


def test_a_missing_distribution_stops_the_build(tmp_path):
    result, _site = build_with_source(tmp_path, ARCHIVE)
    assert result.returncode != 0
    assert luml_lines(result) == [
        f"[luml-notebooks] LumlNotebooksAddon.pyodide_source is '{ARCHIVE}'; use one "
        "of: vendored, cdn, or the path of a Pyodide distribution: its .tar.bz2 "
        "archive or its unpacked folder"
    ]
