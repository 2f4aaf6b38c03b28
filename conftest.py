"""Fixtures shared by the build tests (tests/) and the browser tests (ui-tests/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """One site built from the installed package, shared by the whole run."""
    lite_dir = tmp_path_factory.mktemp("site")
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    result = build_site(lite_dir, config=SITE_CONFIG)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return lite_dir / "_output"
