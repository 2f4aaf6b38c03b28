"""The built wheel, installed into an empty environment, builds the full site."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(out),
        str(ROOT),
    )
    return next(out.glob("luml_notebooks-*.whl"))


def test_an_installed_wheel_builds_the_site_in_an_empty_folder(wheel, tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", str(wheel))

    site = tmp_path / "site"
    site.mkdir()
    (site / "jupyter_lite_config.json").write_text(
        json.dumps({"LiteBuildConfig": {"no_sourcemaps": True}})
    )
    run(str(env_dir / "bin" / "jupyter"), "lite", "build", cwd=site)

    output = site / "_output"
    config = json.loads((output / "jupyter-lite.json").read_text())[
        "jupyter-config-data"
    ]
    assert "luml-notebooks" in [e["name"] for e in config["federated_extensions"]]
    assert (output / "static/pyodide/pyodide.asm.wasm").is_file()
    assert (output / "files/Getting started.ipynb").is_file()
    lock = json.loads((output / "static/pyodide/pyodide-lock.json").read_text())
    assert "://" not in lock["packages"]["luml-sdk"]["file_name"]
    # the kernel's loader and the image maker are in the wheel: the site has both
    assert (output / "static/pyodide/luml-pyodide.mjs").is_file()
    assert (output / "static/pyodide/kernel-image/manifest.json").is_file()

    # the same install serves a Jupyter server: its extension is enabled
    enabled = json.loads(
        (
            env_dir / "etc/jupyter/jupyter_server_config.d/luml_notebooks.json"
        ).read_text()
    )
    assert enabled["ServerApp"]["jpserver_extensions"]["luml_notebooks"] is True
    assert (
        env_dir / "share/jupyter/labextensions/luml-notebooks/package.json"
    ).is_file()
    listing = run(str(env_dir / "bin" / "jupyter"), "server", "extension", "list")
    # the list is coloured even when not on a terminal
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert "luml_notebooks enabled" in plain
