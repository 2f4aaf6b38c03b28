"""Start-up of LUML Notebooks beside a stock JupyterLite site.

Both sites are built from the same JupyterLite and kernel versions with the same
vendored Pyodide; the stock one lacks only LUML Notebooks. Measured in headless
Chromium over HTTP on 127.0.0.1, as the median of several runs:

- UI ready: navigation start to the file browser listing the files;
- first output: navigation start to the output of ``print("ready")`` in a new
  kernel (kernel start, package loading, one execution);
- cold: a new browser profile (empty caches and storage); warm: the same
  profile reloading.

LUML Notebooks is served cross-origin isolated, as ``luml-notebooks serve``
does; the stock site is served without isolation, because stock JupyterLite's
isolated kernel channel hangs about half the time.

It also times the kernel writing a 10 MiB file through each file channel the
kernel can use: SharedArrayBuffer (cross-origin isolated page) and the service
worker (plain page).

    python bench/startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

# run as a script, so bench/ is on the import path
from harness import (
    build_luml_site,
    build_stock_site,
    chromium,
    median,
    notebook,
    served,
    table,
)

BENCH_NOTEBOOK = "bench.ipynb"
WRITE_NOTEBOOK = "write.ipynb"
FILES = {
    BENCH_NOTEBOOK: notebook('print("ready")'),
    WRITE_NOTEBOOK: notebook(
        "import time\n"
        "payload = bytes(range(256)) * (40 * 1024)  # 10 MiB\n"
        "start = time.perf_counter()\n"
        "with open('payload.bin', 'wb') as f:\n"
        "    f.write(payload)\n"
        "print(f'wrote in {time.perf_counter() - start:.3f} s')"
    ),
}
WAIT_MS = 300_000


def open_and_run(page, url: str, path: str, expected: str) -> tuple[float, float]:
    """Seconds from navigation to UI ready, and to the expected output."""
    start = time.perf_counter()
    page.goto(f"{url}lab/index.html?path={path}")
    page.locator(".jp-DirListing-item", has_text=path).first.wait_for(timeout=WAIT_MS)
    ui_ready = time.perf_counter() - start
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session; }",
        timeout=WAIT_MS,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".jp-OutputArea-output", has_text=expected).first.wait_for(
        timeout=WAIT_MS
    )
    return ui_ready, time.perf_counter() - start


def startup(browser, url: str, runs: int) -> dict[str, float]:
    figures: dict[str, list[float]] = {
        "cold UI": [],
        "cold out": [],
        "warm UI": [],
        "warm out": [],
    }
    for run in range(runs):
        print(f"  {url} run {run + 1}/{runs}", flush=True)
        context = browser.new_context()
        page = context.new_page()
        ui, out = open_and_run(page, url, BENCH_NOTEBOOK, "ready")
        figures["cold UI"].append(ui)
        figures["cold out"].append(out)
        page.close()
        page = context.new_page()
        ui, out = open_and_run(page, url, BENCH_NOTEBOOK, "ready")
        figures["warm UI"].append(ui)
        figures["warm out"].append(out)
        context.close()
    return {name: median(values) for name, values in figures.items()}


def kernel_write_seconds(browser, url: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    open_and_run(page, url, WRITE_NOTEBOOK, "wrote in")
    text = page.locator(".jp-OutputArea-output", has_text="wrote in").first.inner_text()
    context.close()
    return float(text.split()[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("building the LUML Notebooks site and a stock JupyterLite site ...")
        ours = build_luml_site(Path(tmp) / "luml", FILES)
        stock = build_stock_site(Path(tmp) / "stock", FILES)
        with chromium() as browser:
            # stock JupyterLite in an isolated page hangs about half the time
            # (the kernel channel bug the extension works around), so the
            # baseline is served without COOP/COEP, on its service worker
            with served(ours) as ours_url, served(stock, isolated=False) as stock_url:
                luml = startup(browser, ours_url, args.runs)
                base = startup(browser, stock_url, args.runs)
                table(
                    f"Start-up, median of {args.runs} "
                    "(baseline: stock JupyterLite, not isolated)",
                    [
                        ("UI ready, cold", luml["cold UI"], base["cold UI"]),
                        ("first cell output, cold", luml["cold out"], base["cold out"]),
                        ("UI ready, warm", luml["warm UI"], base["warm UI"]),
                        ("first cell output, warm", luml["warm out"], base["warm out"]),
                    ],
                )
                isolated = kernel_write_seconds(browser, ours_url)
            with served(ours, isolated=False) as plain_url:
                plain = kernel_write_seconds(browser, plain_url)
        table(
            "Kernel writes 10 MiB to the browser's files "
            "(baseline: service worker channel)",
            [("SharedArrayBuffer channel (isolated)", isolated, plain)],
        )


if __name__ == "__main__":
    main()
