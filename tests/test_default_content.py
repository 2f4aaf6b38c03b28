"""The default notebooks the site ships, and the versions the build records for them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

from luml_notebooks.site.addon import DEFAULTS_PLUGIN, bundled_content_dir
from sitebuild import SITE_CONFIG, build_site


def recorded_hashes(site: Path) -> dict[str, str]:
    config = json.loads((site / "jupyter-lite.json").read_text())
    return config["jupyter-config-data"]["litePluginSettings"][DEFAULTS_PLUGIN]["files"]


def listed_files(site: Path, folder: str = "") -> set[str]:
    """Every file path the browser is told about, from the contents index."""
    listing = json.loads((site / "api/contents" / folder / "all.json").read_text())
    paths = set()
    for item in listing["content"]:
        if item["type"] == "directory":
            paths |= listed_files(site, item["path"])
        else:
            paths.add(item["path"])
    return paths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_build_records_the_hash_of_every_shipped_file(built_site):
    hashes = recorded_hashes(built_site)
    assert set(hashes) == listed_files(built_site)
    assert {
        "Getting started.ipynb",
        "Build a model.ipynb",
        "Models and the Registry.ipynb",
        "Backup and restore.ipynb",
        "data/readings.csv",
    } <= set(hashes)
    for path, digest in hashes.items():
        assert sha256(built_site / "files" / path) == digest, path


def test_default_notebooks_are_valid_and_ship_without_outputs():
    notebooks = sorted(bundled_content_dir().glob("**/*.ipynb"))
    assert len(notebooks) >= 4
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata.kernelspec.name == "python", path.name
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_operator_contents_override_a_default_and_its_recorded_hash(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    notebook = json.loads((bundled_content_dir() / "Getting started.ipynb").read_text())
    notebook["cells"][0]["source"] = ["# Getting started at ACME\n"]
    (mine / "Getting started.ipynb").write_text(json.dumps(notebook))
    (mine / "extra.csv").write_text("a,b\n1,2\n")
    (mine / ".hidden").write_text("not listed")
    build = {**SITE_CONFIG["LiteBuildConfig"], "contents": ["mine"]}
    config = {"LiteBuildConfig": build}
    result = build_site(tmp_path, config=config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    site = tmp_path / "_output"
    hashes = recorded_hashes(site)
    assert hashes["Getting started.ipynb"] == sha256(mine / "Getting started.ipynb")
    assert hashes["extra.csv"] == sha256(mine / "extra.csv")
    assert ".hidden" not in hashes
    assert "Build a model.ipynb" in hashes
    assert set(hashes) == listed_files(site)


def test_a_site_without_default_notebooks_records_none(tmp_path):
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"default_notebooks": False}}
    result = build_site(tmp_path, config=config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert recorded_hashes(tmp_path / "_output") == {}
