"""What the benchmarks share: building sites, serving them, driving Chromium.

Benchmarks print figures; they never pass or fail on a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from luml_notebooks.site import runtime

# the tests' helpers (as pytest's pythonpath has them): the browser tests'
# Chromium flags, so benchmarks run the same browser, and how sites are served
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ui-tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CHROMIUM_ARGS
from instance_files import code_notebook
from sitebuild import served_site

#: a built site over HTTP on 127.0.0.1, as the tests serve it
served = served_site

#: stock JupyterLite at our versions (jupyter-server lets a build add contents)
STOCK_PINS = (
    "jupyterlite-core==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "jupyter-server>=2.21,<3",
)
PAGE_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {"exposeAppInBrowser": True},
}


def build_luml_site(lite_dir: Path, files: dict[str, str] | None = None) -> Path:
    """A LUML Notebooks site from the installed package."""
    _prepare(lite_dir, files, PAGE_CONFIG)
    _build(sys.executable, lite_dir)
    return lite_dir / "_output"


def build_stock_site(lite_dir: Path, files: dict[str, str] | None = None) -> Path:
    """A stock JupyterLite site: the same versions and the same vendored Pyodide,
    built in a separate environment that does not have LUML Notebooks."""
    python = stock_python()
    page_config = json.loads(json.dumps(PAGE_CONFIG))
    page_config["jupyter-config-data"]["litePluginSettings"] = {
        "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}
    }
    _prepare(lite_dir, files, page_config)
    pyodide = runtime.ensure_runtime(runtime.default_cache_dir())
    shutil.copytree(pyodide, lite_dir / "static" / "pyodide", dirs_exist_ok=True)
    _build(str(python), lite_dir)
    return lite_dir / "_output"


def stock_python() -> Path:
    """A cached environment with only stock JupyterLite."""
    folder = runtime.default_cache_dir() / "bench-stock-jupyterlite"
    python = folder / "bin" / "python"
    digest = hashlib.sha256(" ".join(STOCK_PINS).encode()).hexdigest()[:12]
    marker = folder / f".installed-{digest}"
    if not marker.exists():
        venv.create(folder, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *STOCK_PINS],
            check=True,
            capture_output=True,
        )
        marker.touch()
    return python


def _prepare(lite_dir: Path, files: dict[str, str] | None, page_config: dict) -> None:
    lite_dir.mkdir(parents=True, exist_ok=True)
    config = {"LiteBuildConfig": {"output_dir": "_output", "no_sourcemaps": True}}
    if files:
        content = lite_dir / "files"
        content.mkdir(exist_ok=True)
        for name, text in files.items():
            (content / name).write_text(text)
        config["LiteBuildConfig"]["contents"] = ["files"]
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config))
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(page_config))


def _build(python: str, lite_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    result = subprocess.run(
        [python, "-m", "jupyterlite_core", "build"],
        cwd=lite_dir,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        sys.exit(f"building {lite_dir} failed:\n{result.stdout[-3000:]}")


def chromium_executable() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def notebook(*cells: str) -> str:
    """A notebook of these code cells, as the text of an .ipynb file."""
    return json.dumps(code_notebook(*cells))


def pss_bytes(pid: int) -> int:
    """A process's proportional set size: its private memory plus its share
    of pages it shares (Chromium's processes share many), 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, rows: list[tuple[str, float, float]], unit: str = "s") -> None:
    """Rows of (what, ours, baseline), with the ratio baseline / ours."""
    print(f"\n{title}")
    print(f"  {'':38} {'LUML':>10} {'baseline':>10} {'ratio':>7}")
    for what, ours, base in rows:
        ratio = base / ours if ours else float("nan")
        print(f"  {what:38} {ours:>9.2f}{unit} {base:>9.2f}{unit} {ratio:>6.2f}x")
