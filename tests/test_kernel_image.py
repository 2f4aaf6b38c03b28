"""The kernel image: made once per runtime, shipped beside Pyodide, optional."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from luml_notebooks.site import kernel_image, runtime
from sitebuild import SITE_CONFIG, build_site


def site_image(site: Path) -> Path:
    return site / "static" / "pyodide" / kernel_image.KERNEL_IMAGE_FOLDER


def test_the_site_ships_the_image_and_the_loader(built_site):
    folder = site_image(built_site)
    assert kernel_image.is_current(folder)
    manifest = json.loads((folder / kernel_image.KERNEL_IMAGE_MANIFEST).read_text())
    assert manifest["sitePackages"] == "/lib/python3.14/site-packages"
    # every pure-Python wheel of the runtime; the compiled one loads at start
    assert {"ipython", "jedi", "comm", "luml-sdk", "pydantic", "pyodide-kernel"} <= set(
        manifest["packages"]
    )
    assert "pydantic-core" not in manifest["packages"]
    for name in (manifest["snapshot"], manifest["files"]):
        assert (folder / name).read_bytes()[:2] == b"\x1f\x8b", name
    loader = built_site / "static" / "pyodide" / kernel_image.LOADER_FILE
    assert "export" in loader.read_text() and "loadPyodide" in loader.read_text()


def test_only_pure_python_wheels_go_into_the_image():
    folder = runtime.runtime_dir(runtime.default_cache_dir())
    wheels = kernel_image.image_wheels(folder)
    assert wheels["ipython"].name.endswith("-none-any.whl")
    assert "pydantic-core" not in wheels
    # and the kernel's own, from the installed kernel extension
    assert {"piplite", "ipykernel", "pyodide-kernel"} <= set(wheels)


@pytest.mark.parametrize(
    "damage",
    [
        "no manifest",
        "not json",
        "another format",
        "a missing snapshot",
        "another kernel extension",
    ],
)
def test_a_damaged_image_is_not_current(tmp_path, damage):
    folder = tmp_path / "image"
    folder.mkdir()
    inputs = kernel_image.image_inputs()
    (folder / kernel_image.INPUTS_FILE).write_text(json.dumps(inputs))
    manifest = {
        "format": kernel_image.KERNEL_IMAGE_FORMAT,
        "snapshot": "s.gz",
        "files": "f.gz",
    }
    (folder / "s.gz").write_bytes(b"x")
    (folder / "f.gz").write_bytes(b"x")
    path = folder / kernel_image.KERNEL_IMAGE_MANIFEST
    path.write_text(json.dumps(manifest))
    assert kernel_image.is_current(folder, inputs)
    if damage == "no manifest":
        path.unlink()
    elif damage == "not json":
        path.write_text("{")
    elif damage == "another format":
        path.write_text(json.dumps({**manifest, "format": 0}))
    elif damage == "a missing snapshot":
        (folder / "s.gz").unlink()
    else:
        # the installed kernel extension's wheels changed since it was made
        changed = {**inputs, "kernelWheels": {"piplite": "0" * 64}}
        (folder / kernel_image.INPUTS_FILE).write_text(json.dumps(changed))
    assert not kernel_image.is_current(folder, inputs)


def test_without_node_the_site_builds_without_an_image(tmp_path):
    # the runtime is cached without an image, and Node cannot be found
    cache = tmp_path / "cache"
    folder = runtime.runtime_dir(cache)
    shutil.copytree(runtime.runtime_dir(runtime.default_cache_dir()), folder)
    shutil.rmtree(kernel_image.image_dir(folder), ignore_errors=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bin_dir)}
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"cache_dir": str(cache)}}
    result = build_site(tmp_path / "lite", config=config, env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Node.js is not installed" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    site = tmp_path / "lite" / "_output"
    # the loader is shipped anyway: without an image it starts Pyodide plainly
    assert (site / "static" / "pyodide" / kernel_image.LOADER_FILE).is_file()
    assert not site_image(site).exists()
