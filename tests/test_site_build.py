"""The site that ``jupyter lite build`` makes with the installed package."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from luml_notebooks.site import pins, runtime
from luml_notebooks.site.pages import KEEP_INSTANCE_REDIRECT, WORKSPACE_REDIRECT
from sitebuild import SITE_CONFIG, build_site

LUML_PACKAGES = ("luml-sdk", "fnnx", "pydantic", "pydantic-core")


def site_config(site: Path) -> dict:
    return json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]


def test_extension_is_in_the_site(built_site):
    config = site_config(built_site)
    names = [ext["name"] for ext in config["federated_extensions"]]
    assert "luml-notebooks" in names
    entry = next(
        e for e in config["federated_extensions"] if e["name"] == "luml-notebooks"
    )
    assert (built_site / "extensions" / "luml-notebooks" / entry["load"]).is_file()


def test_site_is_branded(built_site):
    config = site_config(built_site)
    assert config["appName"] == "LUML Notebooks"
    assert (
        config["litePluginSettings"]["luml-notebooks:site"]["pyodideSource"]
        == "vendored"
    )


def test_pyodide_is_vendored_and_no_cdn_url_is_configured(built_site):
    kernel = site_config(built_site)["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    # the kernel's loader, beside Pyodide (tests/test_kernel_image.py)
    assert kernel["pyodideUrl"] == "./static/pyodide/luml-pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    text = (built_site / "jupyter-lite.json").read_text()
    # the one https:// address is where users push models, not a runtime CDN
    registry = site_config(built_site)["litePluginSettings"]["luml-notebooks:registry"]
    assert registry == {"url": "https://api.luml.ai"}
    assert "cdn.jsdelivr" not in text
    assert "https://" not in text.replace('"https://api.luml.ai"', "")
    for name in runtime.RUNTIME_FILES:
        assert (built_site / "static" / "pyodide" / name).is_file(), name


def test_every_shipped_wheel_matches_the_lock(built_site):
    folder = built_site / "static" / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    local = {n: e for n, e in lock["packages"].items() if "://" not in e["file_name"]}
    # the pinned wheels, and the kernel's own from its extension's folder
    assert len(local) == len(pins.all_wheel_pins()) + len(pins.KERNEL_OWN_PACKAGES)
    for name in pins.KERNEL_OWN_PACKAGES:
        assert local[name]["file_name"].startswith("../../extensions/"), name
    for name, entry in local.items():
        wheel = folder / entry["file_name"]
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
        for dependency in entry["depends"]:
            assert dependency.replace("_", "-").lower() in lock["packages"], dependency


def test_luml_libraries_are_indexed_and_preloaded(built_site):
    lock = json.loads((built_site / "static/pyodide/pyodide-lock.json").read_text())
    for name in LUML_PACKAGES:
        assert "://" not in lock["packages"][name]["file_name"], name
    assert lock["packages"]["pydantic-core"]["file_name"].endswith(
        f"{pins.PYODIDE_PLATFORM}.whl"
    )
    assert "luml" in lock["packages"]["luml-sdk"]["imports"]
    kernel = site_config(built_site)["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert "luml-sdk" in kernel["loadPyodideOptions"]["packages"]


def test_default_notebooks_are_in_the_site(built_site):
    listing = json.loads((built_site / "api/contents/all.json").read_text())
    names = {item["name"] for item in listing["content"]}
    assert {"Getting started.ipynb", "Build a model.ipynb"} <= names
    notebook = json.loads((built_site / "files" / "Getting started.ipynb").read_text())
    sources = "".join("".join(c["source"]) for c in notebook["cells"])
    assert "import luml" in sources


def test_invalid_json_config_fails_with_a_clear_message(tmp_path):
    (tmp_path / "jupyter_lite_config.json").write_text('{"LiteBuildConfig": {')
    result = build_site(tmp_path)
    assert result.returncode != 0
    assert "is not valid JSON" in result.stdout + result.stderr
    assert "line 1, column" in result.stdout + result.stderr


def test_invalid_json_config_through_the_cli_has_no_traceback(tmp_path):
    (tmp_path / "jupyter_lite_config.json").write_text("[1, 2")
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "luml_notebooks.cli", "build", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "is not valid JSON" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_pyodide_source_fails_with_a_clear_message(tmp_path):
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"pyodide_source": "ftp"}}
    result = build_site(tmp_path, config=config)
    assert result.returncode != 0
    assert "pyodide_source is 'ftp'; use one of: vendored, cdn" in result.stdout


def test_cdn_mode_loads_pyodide_from_its_cdn(tmp_path):
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"pyodide_source": "cdn"}}
    result = build_site(tmp_path, config=config)
    assert result.returncode == 0, result.stdout[-2000:]
    site = tmp_path / "_output"
    kernel = site_config(site)["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert kernel["pyodideUrl"] == f"{pins.PYODIDE_CDN_URL}/pyodide.mjs"
    assert not (site / "static" / "pyodide").exists()


def test_a_missing_vendored_wheel_fails_the_check_by_name(tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(
        runtime.runtime_dir(runtime.default_cache_dir()), runtime.runtime_dir(cache)
    )
    victim = next(runtime.runtime_dir(cache).glob("fnnx-*.whl"))
    victim.unlink()
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"cache_dir": str(cache)}}
    result = build_site(tmp_path / "lite", config=config)
    assert result.returncode != 0
    assert victim.name in result.stdout
    assert "lacks" in result.stdout


def test_without_npm_and_cache_the_build_names_what_is_missing(tmp_path):
    # a PATH with Python only: npm cannot be found
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {
        **os.environ,
        "PATH": str(bin_dir),
        "LUML_NOTEBOOKS_CACHE": str(tmp_path / "c"),
    }
    result = build_site(tmp_path / "lite", config=SITE_CONFIG, env=env)
    assert result.returncode != 0
    assert (
        f"npm is needed to fetch the Pyodide runtime (pyodide@{pins.PYODIDE_VERSION})"
        in (result.stdout)
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_workspace_urls_keep_the_instance(built_site):
    # JupyterLite's workspace redirect builds a new query: ours keeps ?instance=
    for app in ("lab", "doc"):
        html = (built_site / app / "workspaces" / "index.html").read_text()
        assert KEEP_INSTANCE_REDIRECT in html
        assert WORKSPACE_REDIRECT not in html
