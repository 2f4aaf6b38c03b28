"""How fast instances are: listing 100 of them, and opening one vs stock JupyterLite.

Builds two sites from the installed packages into a temporary folder:
- LUML Notebooks (this package's addon and extension);
- stock JupyterLite with the same jupyterlite-core, jupyterlite-pyodide-kernel
  and the same vendored Pyodide, with the LUML addon off
  (``--disable-addons luml-notebooks``) and its extension disabled
  (``disabledExtensions``).

Opening is timed on three sites, so the instance's own cost shows apart
from the rest of the extension: stock, the LUML site with its JupyterLab
extension disabled (the instance boot script and per-instance storage only),
and the whole LUML site.

Prints medians of several runs in headless Chromium. Run:
    python bench/instances.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from luml_notebooks.site import runtime
from luml_notebooks.site.serve import make_server, serve_in_thread, server_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ui-tests"))
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402

APP_READY = (
    "async () => { await window.jupyterapp.restored; return performance.now(); }"
)
MAKE_INSTANCES = """async count => {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const request = indexedDB.open('jl_' + crypto.randomUUID(), 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('meta').put(
          {createdAt: new Date().toISOString(), fullname: 'Bench ' + i}, 'info');
        const files = db.createObjectStore('files');
        for (let f = 0; f < 5; f++) {
          files.put({name: 'f' + f + '.ipynb', type: 'notebook', size: 2000,
            last_modified: new Date().toISOString(), content: {cells: []}}, 'f' + f);
        }
        db.createObjectStore('checkpoints');
      };
      request.onsuccess = () => { request.result.close(); resolve(); };
      request.onerror = () => reject(request.error);
    });
  }
}"""


def build(lite_dir: Path, extra_args: list[str], page_config: dict) -> Path:
    lite_dir.mkdir(parents=True, exist_ok=True)
    (lite_dir / "jupyter-lite.json").write_text(
        json.dumps(
            {"jupyter-lite-schema-version": 0, "jupyter-config-data": page_config}
        )
    )
    command = [sys.executable, "-m", "jupyterlite_core", "build", "--no-sourcemaps"]
    result = subprocess.run(
        [*command, "--output-dir", "_output", *extra_args],
        cwd=lite_dir,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        output = result.stdout[-2000:] + result.stderr[-2000:]
        sys.exit(f"build failed in {lite_dir}:\n{output}")
    return lite_dir / "_output"


def stock_site(work: Path) -> Path:
    """Stock JupyterLite with the same Pyodide the LUML site vendors."""
    lite_dir = work / "stock"
    folder = runtime.runtime_dir(runtime.default_cache_dir())
    if not runtime.is_complete(folder):
        sys.exit(f"no vendored runtime in {folder}: build a LUML site once first")
    shutil.copytree(folder, lite_dir / "static" / "pyodide")
    kernel = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
    }
    return build(
        lite_dir,
        ["--disable-addons", "luml-notebooks"],
        {
            "exposeAppInBrowser": True,
            "disabledExtensions": ["luml-notebooks"],
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": kernel
            },
        },
    )


def time_open(browser, url: str, runs: int) -> list[float]:
    """Milliseconds from navigation to JupyterLab restored (storage made before)."""
    times = []
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.jupyterapp", timeout=60_000)
    page.evaluate(APP_READY)  # first visit: creates storage, registers the worker
    for _ in range(runs):
        page.goto(url)
        page.wait_for_function("window.jupyterapp", timeout=60_000)
        times.append(page.evaluate(APP_READY))
    context.close()
    return times


def time_listing(browser, url: str, count: int, runs: int) -> tuple[list, list]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.evaluate(MAKE_INSTANCES, count)
    listed, ready = [], []
    for _ in range(runs):
        page.goto(url)
        page.wait_for_selector("body[data-state=ready]", timeout=120_000)
        assert page.locator(".jp-LumlInstances-row").count() == count
        marks = page.evaluate(
            "['listed', 'ready'].map(n => performance.getEntriesByName("
            "'luml-instances:' + n)[0].startTime)"
        )
        listed.append(marks[0])
        ready.append(marks[1])
    context.close()
    return listed, ready


def median(values: list[float]) -> str:
    runs = ", ".join(f"{value:.0f}" for value in values)
    return f"{statistics.median(values):8.0f} ms  (runs: {runs})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instances", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        luml = build(work / "luml", [], {"exposeAppInBrowser": True})
        bare = build(
            work / "bare",
            [],
            {"exposeAppInBrowser": True, "disabledExtensions": ["luml-notebooks"]},
        )
        stock = stock_site(work)
        servers = [make_server(site, port=0) for site in (luml, bare, stock)]
        for server in servers:
            serve_in_thread(server)
        luml_url, bare_url, stock_url = (server_url(server) for server in servers)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            listed, ready = time_listing(browser, luml_url, args.instances, args.runs)
            # alternate the two sites so machine load hits both alike
            luml_open, bare_open, stock_open = [], [], []
            for _ in range(args.runs):
                stock_open += time_open(browser, f"{stock_url}lab/index.html", 1)
                bare_open += time_open(browser, f"{bare_url}lab/index.html", 1)
                luml_open += time_open(browser, f"{luml_url}lab/index.html", 1)
            browser.close()
        for server in servers:
            server.shutdown()
            server.server_close()

    print(f"Instances page, {args.instances} instances (median of {args.runs}):")
    print(f"  listed (names, dates, links)        {median(listed)}")
    print(f"  ready (sizes, models, last change)  {median(ready)}")
    print("Opening JupyterLab (navigation to app restored, warm storage):")
    print(f"  stock JupyterLite                   {median(stock_open)}")
    print(f"  LUML, instance only (no extension)  {median(bare_open)}")
    print(f"  LUML Notebooks, whole extension     {median(luml_open)}")
    stock_ms = statistics.median(stock_open)
    instance = statistics.median(bare_open) - stock_ms
    whole = statistics.median(luml_open) - stock_ms
    print("Extra cost over stock (median differences):")
    print(f"  the instance                        {instance:+8.0f} ms")
    print(f"  the instance and every feature      {whole:+8.0f} ms")


if __name__ == "__main__":
    main()
