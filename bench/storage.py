"""Kernel file storage of LUML Notebooks beside stock JupyterLite, in one run.

A notebook cell writes a file from Python and a later cell reads it back. The
file goes to browser storage (IndexedDB): with stock JupyterLite's drive as one
value per file (binary as a base64 string), with LUML Notebooks' chunked drive
(which replaces it in LUML sites) in 4 MiB chunks above 4 MiB. Three pages,
side by side as columns:

- stock JupyterLite: built from the same JupyterLite and kernel versions with
  the same vendored Pyodide, served without isolation headers, so the kernel
  reaches its files through the service worker (stock JupyterLite's isolated
  kernel channel hangs about half the time; ``--stock-isolated`` serves it
  isolated anyway);
- LUML isolated: cross-origin isolated, as ``luml-notebooks serve`` sends it:
  the kernel reaches its files through SharedArrayBuffer;
- LUML plain: no isolation headers: the kernel's file access goes through the
  service worker.

Each figure comes from a new browser with a new on-disk profile, one at a
time (in each run, each size on the three pages in turn), and is the median
of the runs:

- write (MB/s, 10^6 bytes per second): ``open(p, 'wb').write(data)`` timed in
  Python with ``time.perf_counter``, close included: the kernel's drive sends
  the file on close and waits for the page to store it. ``data`` is a random
  1 MiB block repeated, made and hashed (sha256) in the cell before;
- read (MB/s): in the next cell, ``open(p, 'rb').read()`` timed the same way.
  A figure counts only if ``os.path.getsize`` (asked of the page's storage)
  and the length and sha256 of the bytes read back match what was written.
  Otherwise (the stored file is wrong, the cell raised or never finished, the
  page crashed) every figure of that size and page is ``n/a``, with a note of
  what happened;
- peak memory (MB) during the write: the proportional set size (PSS) of all
  the browser's processes, summed, sampled every 0.2 s from /proc by a thread
  of its own, so sampling goes on while the page is busy; in brackets, how
  much that is above the figure just before the write (the kernel then
  already holds ``data``). All processes, because a write crosses several:
  the kernel's worker (its WebAssembly memory) and the page in the renderer,
  the service worker, and IndexedDB's backend in the browser process. PSS,
  because Chromium's processes share many pages, which a sum of RSS would
  count several times. CDP's ``SystemInfo.getProcessInfo`` names the
  processes but gives no memory, and the Performance metrics see only the
  page's JavaScript heap;
- peak memory (MB) during the read back, measured the same way (in brackets:
  above the figure just before the read): the kernel holds the file and its
  copy in Python, and the page whatever it hands the kernel the file through;
- bytes on disk per byte of file: how much the profile's IndexedDB folder grew
  (its files' lengths summed, from just before the write to after the browser
  closed), over the file size.

Stock JupyterLite stores a file as one IndexedDB value and builds its base64
string whole, in the kernel's worker and in the page: a value too large for
IndexedDB, or a page out of memory, shows as ``n/a`` with what happened.

    python bench/storage.py [--sizes 1,20,100] [--runs 1] [--stock-isolated]
                            [--columns stock,isolated,plain]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

# run as a script, so bench/ is on the import path
from harness import (
    CHROMIUM_ARGS,
    build_luml_site,
    build_stock_site,
    chromium_executable,
    median,
    notebook,
    pss_bytes,
    served,
)

MiB = 1 << 20
MB = 1_000_000
FILE = "bench.bin"
WAIT_MS = 300_000
SAMPLE_SECONDS = 0.2
#: a cell gets this long, plus so much per MiB of file, to finish
BASE_SECONDS = 60
#: what the page says when it cannot store a file: after one of these, a
#: cell that has not finished is given up GIVE_UP_SECONDS later
STORAGE_ERRORS = ("too large", "DataError", "QuotaExceeded", "out of memory")
GIVE_UP_SECONDS = 30

STOCK = "stock JupyterLite"
ISOLATED = "LUML isolated"
PLAIN = "LUML plain"

# cell 0: where the kernel's files go, and which drive code serves them
PROBE = """\
import os
import pyodide_js
from pyodide.code import run_js

_probes = globals().get("_probes", 0) + 1
_drive = run_js(
    "FS => { try { const api = FS.lookupPath('/drive').node.mount.type.API;"
    " return api.__lumlChunked ? 'chunked' : 'stock'; }"
    " catch (e) { return 'none'; } }"
)(pyodide_js.FS)
print("probe", _probes, os.getcwd(), _drive)
"""

# cell 1: the bytes to write, made before the write is measured
PREPARE = """\
import hashlib
import json
import os
import time

data = os.urandom(1 << 20) * {mib}
digest = hashlib.sha256(data).hexdigest()
print("prepared")
"""

# cell 2
WRITE = """\
start = time.perf_counter()
with open("{file}", "wb") as f:
    f.write(data)
seconds = time.perf_counter() - start
del data
print("written", json.dumps({{"seconds": seconds}}))
"""

# cell 3
READ = """\
stored = os.path.getsize("{file}")
start = time.perf_counter()
with open("{file}", "rb") as f:
    back = f.read()
seconds = time.perf_counter() - start
same = hashlib.sha256(back).hexdigest() == digest
print("read", json.dumps(
    {{"seconds": seconds, "stored": stored, "length": len(back), "same": same}}
))
del back
"""

SESSION_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return panel && panel.sessionContext && panel.sessionContext.session;
}"""

RUN_CELL = """i => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.content.activeCellIndex = i;
  panel.content.deselectAll();
  void window.jupyterapp.commands.execute('notebook:run-cell');
}"""

# the cell's output with the marker, its error, or the kernel's death
CELL_OUTPUT = """([i, marker]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  for (const output of panel.content.widgets[i].model.outputs.toJSON()) {
    if (output.output_type === 'error') {
      return { error: `${output.ename}: ${output.evalue}` };
    }
    const text = [].concat(output.text || []).join('');
    if (output.output_type === 'stream' && text.includes(marker)) {
      return { text };
    }
  }
  const kernel = panel.sessionContext.session?.kernel;
  return kernel && kernel.status === 'dead' ? { error: 'the kernel died' } : null;
}"""


def notebook_name(mib: int) -> str:
    return f"storage-{mib}.ipynb"


def bench_notebook(mib: int) -> str:
    return notebook(
        PROBE,
        PREPARE.format(mib=mib),
        WRITE.format(file=FILE),
        READ.format(file=FILE),
    )


@dataclass
class Figures:
    write: float = float("nan")  # MB/s
    read: float = float("nan")  # MB/s
    peak: float = float("nan")  # MB
    before: float = float("nan")  # MB, just before the write
    read_peak: float = float("nan")  # MB
    before_read: float = float("nan")  # MB, just before the read
    disk: float = float("nan")  # bytes on disk per byte of file
    failure: str | None = None


# the browser's processes


def browser_pid(profile: Path) -> int:
    """The browser process that has ``profile`` (its children have --type)."""
    flag = f"--user-data-dir={profile}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if flag in args and not any(arg.startswith(b"--type=") for arg in args):
            found.append(int(entry.name))
    if not found:
        raise SystemExit(f"no browser process has the profile {profile}")
    return min(found)


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the name, in brackets, may hold spaces: the fields follow the last ')'
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children[parent].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children[pid])
    return tree


class PeakMemory:
    """Sums the PSS of a browser's processes until stopped, in a thread."""

    def __init__(self, root: int):
        self.root = root
        self.before = self._sample()
        self.peak = self.before
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> int:
        return sum(pss_bytes(pid) for pid in process_tree(self.root))

    def _run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self._sample())

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def folder_bytes(folder: Path) -> int:
    """The lengths of the files under ``folder`` (none if it is missing)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            pass  # removed meanwhile
    return total


# the page


class Failed(Exception):
    """A write or read that did not store or give back the file."""


class Watch:
    """What the page reported: crashes, uncaught errors, console errors."""

    def __init__(self, context, page: Page):
        self.crashed = False
        self.errors: list[str] = []
        page.on("crash", self._on_crash)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        context.on("console", self._on_console)

    def _on_crash(self, _page) -> None:
        self.crashed = True

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def storage_error(self) -> str | None:
        for error in self.errors:
            if any(word.lower() in error.lower() for word in STORAGE_ERRORS):
                return error
        return None

    def said(self) -> str:
        """The page's most telling error, for a note."""
        error = self.storage_error() or (self.errors[0] if self.errors else None)
        if not error:
            return ""
        line = error.strip().splitlines()[0]
        return f"; the page reported: {line[:300]}"


def run_cell(page: Page, index: int) -> None:
    page.evaluate(RUN_CELL, index)


def cell_output(
    page: Page, watch: Watch, index: int, marker: str, seconds: float
) -> str:
    """What the cell printed after ``marker`` on its line; raises Failed with what
    happened when the cell raised, the kernel died, the page crashed, or the
    cell did not finish in time."""
    start = time.monotonic()
    give_up = start + seconds
    while True:
        if watch.crashed:
            raise Failed("the page crashed" + watch.said())
        try:
            found = page.evaluate(CELL_OUTPUT, [index, marker])
        except PlaywrightError as error:
            if watch.crashed:
                raise Failed("the page crashed" + watch.said()) from None
            raise Failed(f"the page failed: {str(error).splitlines()[0]}") from None
        if found and "error" in found:
            raise Failed(f"the cell raised {found['error']}" + watch.said())
        # a line printed in pieces is done at its newline
        rest = found["text"].split(marker, 1)[1] if found else ""
        if "\n" in rest:
            return rest.split("\n", 1)[0]
        now = time.monotonic()
        if watch.storage_error():
            give_up = min(give_up, now + GIVE_UP_SECONDS)
        if now > give_up:
            raise Failed(
                f"the cell had not finished after {now - start:.0f} s" + watch.said()
            )
        time.sleep(0.5)


def wait_for_drive(page: Page, watch: Watch, expected: str, column: str) -> None:
    """Run the probe cell until the kernel's /drive is served by the
    expected code: LUML's chunked access is installed just after the kernel
    starts, maybe after the notebook's first cell."""
    for attempt in range(1, 61):
        run_cell(page, 0)
        try:
            text = cell_output(page, watch, 0, f"probe {attempt} ", WAIT_MS / 1000)
        except Failed as failure:
            raise SystemExit(f"{column}: the probe cell failed: {failure}") from None
        cwd, drive = text.split()
        if cwd == "/drive" and drive == expected:
            return
        time.sleep(1)
    raise SystemExit(
        f"{column}: the kernel's files are not in the browser's storage "
        f"(working directory {cwd}, drive {drive}, expected {expected})"
    )


def measure(playwright, url: str, column: str, mib: int, profile: Path, args):
    """One write and read of ``mib`` MiB in a new browser with a new profile."""
    size = mib * MiB
    seconds = BASE_SECONDS + args.seconds_per_mib * mib
    figures = Figures()
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium_executable(), args=CHROMIUM_ARGS
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        watch = Watch(context, page)
        page.goto(f"{url}lab/index.html?path={notebook_name(mib)}")
        page.wait_for_function(SESSION_READY, timeout=WAIT_MS)
        wait_for_drive(page, watch, "stock" if column == STOCK else "chunked", column)
        indexeddb = profile / "Default" / "IndexedDB"
        disk_before = folder_bytes(indexeddb)
        watch.errors.clear()
        run_cell(page, 1)
        cell_output(page, watch, 1, "prepared", seconds)
        memory = PeakMemory(browser_pid(profile))
        try:
            run_cell(page, 2)
            written = json.loads(cell_output(page, watch, 2, "written ", seconds))
        except Failed as failure:
            memory.stop()
            raise Failed(
                f"writing: {failure} (the browser's memory had reached "
                f"{memory.peak / MB:.0f} MB, PSS)"
            ) from None
        memory.stop()
        read_memory = PeakMemory(browser_pid(profile))
        run_cell(page, 3)
        try:
            read = json.loads(cell_output(page, watch, 3, "read ", seconds))
        except Failed as failure:
            raise Failed(f"reading it back: {failure}") from None
        finally:
            read_memory.stop()
        if read["stored"] != size or read["length"] != size or not read["same"]:
            if read["length"] == size:
                what = f"{size:,} bytes, but not the ones written"
            else:
                what = f"{read['length']:,} bytes of {size:,}"
            raise Failed(
                f"Python saw the write succeed, but the file read back has {what} "
                f"(os.path.getsize: {read['stored']:,})" + watch.said()
            )
        figures.write = size / MB / written["seconds"]
        figures.read = size / MB / read["seconds"]
        figures.peak = memory.peak / MB
        figures.before = memory.before / MB
        figures.read_peak = read_memory.peak / MB
        figures.before_read = read_memory.before / MB
    except Failed as failure:
        figures.failure = str(failure)
    finally:
        try:
            context.close()
        except PlaywrightError:
            pass
    if figures.failure is None:
        if not indexeddb.is_dir():
            raise SystemExit(f"{column}: the profile has no folder {indexeddb}")
        figures.disk = (folder_bytes(indexeddb) - disk_before) / size
    return figures


# printing


TOO_BIG = (
    "not run: stock JupyterLite's page grows to tens of times the file in memory "
    "(over 5 GB at 100 MiB), past this machine's memory (see --stock-max-mib)"
)


class Notes:
    """Numbered notes for the figures that are n/a."""

    def __init__(self):
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"n/a [{self.texts.index(text) + 1}]"


def summary(
    samples: list[Figures], column: str, mib: int, notes: Notes
) -> dict[str, str]:
    failed = [figures for figures in samples if figures.failure]
    if failed:
        runs = f" ({len(failed)} of {len(samples)} runs)" if len(samples) > 1 else ""
        mark = notes.mark(f"{column}, {mib} MiB{runs}: {failed[0].failure}")
        return dict.fromkeys(("write", "read", "memory", "read_memory", "disk"), mark)

    def middle(name: str) -> float:
        return median([getattr(figures, name) for figures in samples])

    peak = middle("peak")
    read_peak = middle("read_peak")
    return {
        "write": f"{middle('write'):.1f}",
        "read": f"{middle('read'):.1f}",
        "memory": f"{peak:.0f} (+{peak - middle('before'):.0f})",
        "read_memory": f"{read_peak:.0f} (+{read_peak - middle('before_read'):.0f})",
        "disk": f"{middle('disk'):.2f}",
    }


def print_table(
    title: str, what: str, cells: dict, columns: list[str], sizes: list[int]
) -> None:
    print(f"\n{title}")
    print(f"  {'file':>8}" + "".join(f" {column:>18}" for column in columns))
    for mib in sizes:
        row = f"  {mib:>4} MiB"
        for column in columns:
            row += f" {cells[column][mib][what]:>18}"
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1,20,100",
        help="file sizes in MiB, comma-separated (default 1,20,100)",
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--stock-isolated",
        action="store_true",
        help="serve stock JupyterLite cross-origin isolated (its kernel may hang)",
    )
    parser.add_argument(
        "--seconds-per-mib",
        type=float,
        default=1.5,
        help=f"a cell may take {BASE_SECONDS} s plus this per MiB (default 1.5)",
    )
    parser.add_argument(
        "--stock-max-mib",
        type=int,
        default=150,
        help="largest file stock JupyterLite is run with (default 150): its page "
        "holds tens of times the file in memory",
    )
    parser.add_argument(
        "--columns",
        default="stock,isolated,plain",
        help="which pages, comma-separated (default stock,isolated,plain)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    files = {notebook_name(mib): bench_notebook(mib) for mib in sizes}
    names = {"stock": STOCK, "isolated": ISOLATED, "plain": PLAIN}
    try:
        columns = [names[name] for name in args.columns.split(",")]
    except KeyError as unknown:
        parser.error(f"unknown column {unknown}; use {', '.join(names)}")
    samples = {column: {mib: [] for mib in sizes} for column in columns}
    with tempfile.TemporaryDirectory() as tmp:
        print("building the LUML Notebooks site and a stock JupyterLite site ...")
        ours = build_luml_site(Path(tmp) / "luml", files)
        stock = ours
        if STOCK in columns:
            stock = build_stock_site(Path(tmp) / "stock", files)
        with (
            served(stock, isolated=args.stock_isolated) as stock_url,
            served(ours) as isolated_url,
            served(ours, isolated=False) as plain_url,
            sync_playwright() as playwright,
        ):
            urls = {STOCK: stock_url, ISOLATED: isolated_url, PLAIN: plain_url}
            for run in range(args.runs):
                for mib in sizes:
                    for column in columns:
                        print(
                            f"  {mib} MiB, {column}: run {run + 1}/{args.runs}",
                            flush=True,
                        )
                        if column == STOCK and mib > args.stock_max_mib:
                            samples[column][mib].append(Figures(failure=TOO_BIG))
                            continue
                        profile = Path(tempfile.mkdtemp(dir=tmp, prefix="profile-"))
                        figures = measure(
                            playwright, urls[column], column, mib, profile, args
                        )
                        shutil.rmtree(profile, ignore_errors=True)
                        samples[column][mib].append(figures)

    notes = Notes()
    cells = {
        column: {
            mib: summary(samples[column][mib], column, mib, notes) for mib in sizes
        }
        for column in columns
    }
    stock_channel = "SharedArrayBuffer" if args.stock_isolated else "service worker"
    print(
        f"\nKernel file storage, median of {args.runs}, a new browser profile each "
        f"time.\nColumns: {STOCK} ({stock_channel}); LUML Notebooks cross-origin "
        "isolated (SharedArrayBuffer), as `luml-notebooks serve` sends it; LUML "
        "Notebooks without isolation headers (service worker)."
    )
    tables = (
        ("Kernel write, MB/s (higher is better)", "write"),
        ("Kernel read back, MB/s (higher is better)", "read"),
        (
            "Peak memory of the browser's processes during the write, PSS in MB "
            "(in brackets: above the figure just before)",
            "memory",
        ),
        (
            "Peak memory of the browser's processes during the read, PSS in MB "
            "(in brackets: above the figure just before)",
            "read_memory",
        ),
        ("Bytes on disk per byte of file (IndexedDB folder growth)", "disk"),
    )
    for title, what in tables:
        print_table(title, what, cells, columns, sizes)
    if notes.texts:
        print()
        for number, text in enumerate(notes.texts, 1):
            print(f"  [{number}] {text}")


if __name__ == "__main__":
    main()
