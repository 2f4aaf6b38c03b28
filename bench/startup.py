"""Start-up of LUML Notebooks beside a stock JupyterLite site, in one run.

Both sites are built from the same JupyterLite and kernel versions with the same
vendored Pyodide; the stock one lacks only LUML Notebooks. Measured in headless
Chromium over HTTP on 127.0.0.1, as the median of several runs, for three
pages: stock JupyterLite (plain), LUML Notebooks plain, and LUML Notebooks
cross-origin isolated (as ``luml-notebooks serve`` sends it):

- UI ready: navigation start to the file browser listing the files;
- first output: navigation start to the output of ``print("ready")`` in a
  notebook opened with the page (kernel start, package loading, one run);
- cold: a new browser profile (empty caches and storage); warm: the same
  profile opening the page again, after the cold page stayed open a few
  seconds past its output, as a user reading it would (a page closed at once
  can leave what it was writing to browser storage unwritten).

The stock site is served without isolation, because stock JupyterLite's
isolated kernel channel hangs about half the time. Runs alternate between the
three pages, so a busy machine slows each of them alike. Ratios are LUML over
stock: below 1 is faster.

It also measures what a page costs when the user runs no code (browser CPU
time and memory of the page's processes, from opening it until an idle wait
ends), against stock JupyterLite; and times the kernel writing a 10 MiB file
through each file channel the kernel can use.

    python bench/startup.py [--runs 3] [--idle-seconds 30]
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
    pss_bytes,
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
#: how long the cold page stays open after its output
READING_MS = 5_000
METRICS = ("cold UI", "cold out", "warm UI", "warm out")
LABELS = {
    "cold UI": "UI ready, cold",
    "cold out": "first cell output, cold",
    "warm UI": "UI ready, warm",
    "warm out": "first cell output, warm",
}


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


def one_run(browser, url: str) -> dict[str, float]:
    """A cold start in a new profile, then a warm one in the same profile."""
    context = browser.new_context()
    page = context.new_page()
    figures = {}
    figures["cold UI"], figures["cold out"] = open_and_run(
        page, url, BENCH_NOTEBOOK, "ready"
    )
    page.wait_for_timeout(READING_MS)
    page.close()
    page = context.new_page()
    figures["warm UI"], figures["warm out"] = open_and_run(
        page, url, BENCH_NOTEBOOK, "ready"
    )
    context.close()
    return figures


def startup(browser, urls: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    """Medians per page; the runs alternate between the pages."""
    samples = {name: {metric: [] for metric in METRICS} for name in urls}
    for run in range(runs):
        for name, url in urls.items():
            print(f"  {name}: run {run + 1}/{runs}", flush=True)
            for metric, value in one_run(browser, url).items():
                samples[name][metric].append(value)
    return {
        name: {metric: median(values) for metric, values in figures.items()}
        for name, figures in samples.items()
    }


def startup_table(title: str, figures: dict[str, dict[str, float]]) -> None:
    """One row per metric: each page's seconds, and LUML's ratio to stock."""
    names = list(figures)
    base, others = names[0], names[1:]
    print(f"\n{title}")
    header = f"  {'':26} {base:>9}"
    for name in others:
        header += f" {name:>14} {'ratio':>6}"
    print(header)
    for metric in METRICS:
        row = f"  {LABELS[metric]:26} {figures[base][metric]:>8.2f}s"
        for name in others:
            ours = figures[name][metric]
            row += f" {ours:>13.2f}s {ours / figures[base][metric]:>5.2f}x"
        print(row)


# what a page costs when no code runs


def renderer_usage(cdp) -> tuple[float, int]:
    """Seconds of CPU the renderer processes have used, and their memory
    (proportional set size, bytes): the page, its workers and the kernel."""
    processes = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    cpu, memory = 0.0, 0
    for process in processes:
        if process["type"] != "renderer":
            continue
        cpu += process["cpuTime"]
        memory += pss_bytes(process["id"])
    return cpu, memory


def idle_cost(browser, url: str, seconds: float) -> tuple[float, float]:
    """CPU seconds and memory (MB) of a page opened on the file browser and
    left alone for ``seconds`` after the UI is ready."""
    cdp = browser.new_browser_cdp_session()
    context = browser.new_context()
    page = context.new_page()
    cpu_before, _ = renderer_usage(cdp)
    page.goto(f"{url}lab/index.html")
    page.locator(".jp-DirListing-item", has_text=BENCH_NOTEBOOK).first.wait_for(
        timeout=WAIT_MS
    )
    page.wait_for_timeout(seconds * 1000)
    cpu_after, memory = renderer_usage(cdp)
    context.close()
    cdp.detach()
    return cpu_after - cpu_before, memory / 1e6


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
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument(
        "--skip-extras",
        action="store_true",
        help="only the start-up table (no idle cost, no file channels)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("building the LUML Notebooks site and a stock JupyterLite site ...")
        ours = build_luml_site(Path(tmp) / "luml", FILES)
        stock = build_stock_site(Path(tmp) / "stock", FILES)
        with chromium() as browser:
            # stock JupyterLite in an isolated page hangs about half the time
            # (the kernel channel bug the extension works around), so the
            # baseline is served without COOP/COEP, on its service worker
            with (
                served(stock, isolated=False) as stock_url,
                served(ours, isolated=False) as plain_url,
                served(ours) as isolated_url,
            ):
                urls = {
                    "stock": stock_url,
                    "LUML plain": plain_url,
                    "LUML isolated": isolated_url,
                }
                figures = startup(browser, urls, args.runs)
                startup_table(
                    f"Start-up, median of {args.runs} (ratio: LUML / stock "
                    "JupyterLite, not isolated)",
                    figures,
                )
                if args.skip_extras:
                    return
                ours_idle = [
                    idle_cost(browser, isolated_url, args.idle_seconds)
                    for _ in range(2)
                ]
                stock_idle = [
                    idle_cost(browser, stock_url, args.idle_seconds) for _ in range(2)
                ]
                idle = f"left alone {args.idle_seconds:.0f} s after UI ready"
                table(
                    "A page that runs no code, median of 2 (LUML isolated; "
                    "baseline: stock JupyterLite)",
                    [
                        (
                            f"CPU time, {idle}",
                            median([cpu for cpu, _ in ours_idle]),
                            median([cpu for cpu, _ in stock_idle]),
                        )
                    ],
                )
                table(
                    "",
                    [
                        (
                            f"memory (PSS, MB), {idle}",
                            median([mb for _, mb in ours_idle]),
                            median([mb for _, mb in stock_idle]),
                        )
                    ],
                    unit="",
                )
                isolated = kernel_write_seconds(browser, isolated_url)
                plain = kernel_write_seconds(browser, plain_url)
        table(
            "Kernel writes 10 MiB to the browser's files "
            "(baseline: service worker channel)",
            [("SharedArrayBuffer channel (isolated)", isolated, plain)],
        )


if __name__ == "__main__":
    main()
