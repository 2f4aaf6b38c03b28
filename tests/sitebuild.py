"""Building real sites for the tests, as an operator would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def build_site(
    lite_dir: Path, *, config: dict | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run a real ``jupyter lite build`` in ``lite_dir``, as an operator would."""
    lite_dir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", "jupyterlite_core", "build"],
        cwd=lite_dir,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


SITE_CONFIG = {"LiteBuildConfig": {"output_dir": "_output", "no_sourcemaps": True}}
# window.jupyterapp lets browser tests reach the app's services
TEST_PAGE_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {"exposeAppInBrowser": True},
}
