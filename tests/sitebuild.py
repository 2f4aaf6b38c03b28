"""Building real sites for the tests, as an operator would."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from luml_notebooks.site.serve import make_server, serve_in_thread, server_url


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


@contextmanager
def served_site(site: Path, *, isolated: bool = True) -> Iterator[str]:
    """``site`` over HTTP on 127.0.0.1 (with the isolation headers or without),
    stopped on exit; yields its URL."""
    server = make_server(site, port=0, isolated=isolated)
    serve_in_thread(server)
    try:
        yield server_url(server)
    finally:
        server.shutdown()
        server.server_close()
