"""Figures for model discovery: how fast a saved model shows, what reading a
large model costs, and how an instance with many files starts.

Prints figures, side by side with a baseline where there is one; it asserts
nothing. Run from the repository root after installing the package (as for
the browser tests) and building the labextension's unit-test output:

    (cd labextension && npm run build:test)
    python bench/discovery.py [--saves 20] [--models 1000] [--others 10000]

1. Kernel closes a .luml file -> the model shows in the Models panel, over
   repeated saves, for both kernel file transports; baseline: the contents
   manager's change event for the same write.
2. Metadata of a large model: the reader over a base64 string (as the
   contents API hands files over) in Node, against a naive full decode; then
   in the browser, a large model written to storage until it shows.
3. Start-up with many models and other files in browser storage: scan time,
   main-thread long tasks during it, and the panel's render time; baseline: a
   walk of the same folders that lists them without reading any model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ui-tests"))
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import open_lab, run_all_cells, wait_for_output  # noqa: E402
from luml_notebooks.site.serve import make_server, serve_in_thread, server_url  # noqa: E402
from model_files import b64, manifest, model_file  # noqa: E402


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_fixtures = _load("site_fixtures", ROOT / "conftest.py")
browser_fixtures = _load("browser_fixtures", ROOT / "ui-tests" / "conftest.py")
CHROMIUM_ARGS = browser_fixtures.CHROMIUM_ARGS

MIB = 1024 * 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def show_models(page: Page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:show-models')")
    page.wait_for_selector(".jp-LumlModels", state="visible")


def build_site(workdir: Path) -> Path:
    lite = workdir / "site"
    lite.mkdir()
    (lite / "jupyter-lite.json").write_text(json.dumps(site_fixtures.TEST_PAGE_CONFIG))
    result = site_fixtures.build_site(lite, config=site_fixtures.SITE_CONFIG)
    if result.returncode != 0:
        sys.exit(
            f"site build failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return lite / "_output"


# --- 1. kernel close -> panel ------------------------------------------------

ONE_SAVE_JS = """
async ([i]) => {
  const path = `bench_${i}.luml`;
  const app = window.jupyterapp;
  const kernel = app.shell.currentWidget.sessionContext.session.kernel;
  const list = document.querySelector('.jp-LumlModels-list');
  const present = () =>
    list.querySelector(`.jp-LumlModels-item[data-path="${path}"]`);
  const shown = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (present()) { observer.disconnect(); resolve(Date.now()); }
    });
    observer.observe(list, { childList: true, subtree: true });
  });
  let event = null;
  const onChange = (_, args) => {
    if (args.type === 'save' && args.newValue?.path === path &&
        args.newValue.size > 0 && event === null) {
      event = Date.now();
    }
  };
  app.serviceManager.contents.fileChanged.connect(onChange);
  let out = '';
  const future = kernel.requestExecute({
    code: `import time\\nwith open('${path}', 'wb') as f:\\n` +
          `    f.write(_bench_data)\\nprint('CLOSED', repr(time.time() * 1000))`
  });
  // the kernel streams print() in pieces
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') { out += msg.content.text; }
  };
  await future.done;
  const m = /CLOSED ([0-9.]+)/.exec(out);
  const closed = m ? parseFloat(m[1]) : null;
  const timeout = new Promise(resolve => setTimeout(() => resolve(null), 30000));
  const shownAt = await Promise.race([shown, timeout]);
  app.serviceManager.contents.fileChanged.disconnect(onChange);
  return { closed, event, shown: shownAt };
}
"""


def kernel_latency(browser, url: str, saves: int) -> dict:
    context = browser.new_context()
    page = context.new_page()
    try:
        open_lab(page, url, "Build a model.ipynb")
        show_models(page)
        run_all_cells(page)
        wait_for_output(page, "saved mean_threshold.luml")
        page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session"
            ".kernel.requestExecute({code: \"_bench_data = open('mean_threshold.luml',"
            " 'rb').read()\"}).done"
        )
        size = page.evaluate(
            "window.jupyterapp.serviceManager.contents.get('mean_threshold.luml')"
            ".then(m => m.size)"
        )
        shown, events, missed = [], [], 0
        for i in range(saves):
            r = page.evaluate(ONE_SAVE_JS, [i])
            if r["closed"] is None or r["shown"] is None:
                missed += 1
                continue
            shown.append(r["shown"] - r["closed"])
            if r["event"] is not None:
                events.append(r["event"] - r["closed"])
            time.sleep(0.3)
        return {"size": size, "shown": shown, "events": events, "missed": missed}
    finally:
        context.close()


# --- 2. large models ---------------------------------------------------------


def node_reader(sizes_mb: list[float]) -> list[dict]:
    lib = ROOT / "labextension" / "lib-test" / "format" / "index.js"
    if not lib.exists():
        sys.exit("run `npm run build:test` in labextension/ first")
    out = subprocess.run(
        [
            "node",
            "--expose-gc",
            "--max-old-space-size=6144",
            str(ROOT / "bench" / "read_large_model.js"),
            str(lib.parent),
            *[str(s) for s in sizes_mb],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


BIG_MODEL_JS = """
async ([url, path]) => {
  const contents = window.jupyterapp.serviceManager.contents;
  const blob = await (await fetch(url)).blob();
  const dataUrl = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
  const content = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const list = document.querySelector('.jp-LumlModels-list');
  const shown = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (list.querySelector(`.jp-LumlModels-item[data-path="${path}"]`)) {
        observer.disconnect();
        resolve(performance.now());
      }
    });
    observer.observe(list, { childList: true, subtree: true });
  });
  const t0 = performance.now();
  await contents.save(path, { type: 'file', format: 'base64', content });
  const saved = performance.now();
  const shownAt = await shown;
  const t1 = performance.now();
  const model = await contents.get(
    path, { type: 'file', format: 'base64', content: true });
  const fetched = performance.now() - t1;
  return { save: saved - t0, shown: shownAt - saved, fetch: fetched,
           chars: model.content.length };
}
"""


def browser_big_models(browser, url: str, site: Path, sizes_mb: list[int]) -> list:
    rows = []
    for mb in sizes_mb:
        name = f"bench-big-{mb}.luml"
        weights = bytes(range(256)) * (mb * MIB // 256)
        (site / name).write_bytes(model_file(manifest(f"big-{mb}"), weights=weights))
        context = browser.new_context()
        page = context.new_page()
        try:
            open_lab(page, url)
            show_models(page)
            try:
                r = page.evaluate(BIG_MODEL_JS, [f"{url}{name}", name])
            except Exception as e:  # the browser refused to store it
                r = {"error": str(e).splitlines()[0]}
            r["mb"] = mb
            rows.append(r)
        finally:
            context.close()
            (site / name).unlink()
    return rows


# --- 3. start-up with many files ----------------------------------------------

LONG_TASKS_INIT = """
window.__longTasks = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    window.__longTasks.push([e.startTime, e.duration]);
  }
}).observe({ type: 'longtask', buffered: true });
"""

FILL_STORAGE_JS = """
async ([folders, models, others]) => {
  const name = (await indexedDB.databases())
    .map(d => d.name).find(n => n.startsWith('JupyterLite Storage'));
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const now = new Date().toISOString();
  const records = [];
  const dir = path => ({ name: path.split('/').pop(), path, last_modified: now,
    created: now, format: 'json', mimetype: '', content: null, size: 0,
    writable: true, type: 'directory' });
  const file = (path, format, content, size) => ({ name: path.split('/').pop(),
    path, last_modified: now, created: now, format, mimetype: '', content,
    size, writable: true, type: 'file' });
  for (const f of folders) {
    records.push(dir(f));
  }
  for (const [path, content, size] of models) {
    records.push(file(path, 'base64', content, size));
  }
  const text = 'a,b,c\\n'.repeat(40);
  for (const path of others) {
    records.push(file(path, 'text', text, text.length));
  }
  for (let i = 0; i < records.length; i += 2000) {
    await new Promise((resolve, reject) => {
      const tx = db.transaction('files', 'readwrite');
      const store = tx.objectStore('files');
      for (const r of records.slice(i, i + 2000)) {
        store.put(r, r.path);
      }
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }
  db.close();
  return records.length;
}
"""

LISTING_WALK_JS = """
async () => {
  const contents = window.jupyterapp.serviceManager.contents;
  let active = 0;
  const waiting = [];
  const slot = async () => {
    if (active < 2) { active++; return; }
    await new Promise(resolve => waiting.push(resolve));
  };
  const free = () => { const next = waiting.shift(); next ? next() : active--; };
  let files = 0;
  const walk = async dir => {
    await slot();
    let listing;
    try { listing = await contents.get(dir, { content: true }); } finally { free(); }
    const folders = [];
    for (const item of listing.content) {
      if (item.type === 'directory') { folders.push(item.path); } else { files++; }
    }
    await Promise.all(folders.map(walk));
  };
  const t0 = performance.now();
  await walk('');
  return { ms: performance.now() - t0, files };
}
"""

SCAN_FIGURES_JS = """
async (expected) => {
  const byName = n => performance.getEntriesByName(n);
  while (byName('luml-notebooks:model-scan').length === 0) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const scan = byName('luml-notebooks:model-scan')[0];
  window.jupyterapp.commands.execute('luml-notebooks:show-models');
  const full = () => byName('luml-notebooks:models-panel-render')
    .filter(e => e.detail && e.detail.rows === expected);
  while (full().length === 0) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  const first = full()[0];
  const end = scan.startTime + scan.duration;
  const during = window.__longTasks.filter(
    ([s, d]) => s + d > scan.startTime && s < end);
  return {
    scanStart: scan.startTime,
    scanMs: scan.duration,
    models: scan.detail.models,
    firstFullRender: first.duration,
    longest: Math.max(0, ...during.map(([, d]) => d)),
    blocking: during.reduce((n, [, d]) => n + Math.max(0, d - 50), 0),
    rows: document.querySelectorAll('.jp-LumlModels-item').length
  };
}
"""

FILTER_RENDER_JS = """
async () => {
  const input = document.querySelector('.jp-LumlModels-filter');
  const times = [];
  for (const q of ['m', 'mo', 'model_1', '', 'zzz', '']) {
    const before = performance.getEntriesByName(
      'luml-notebooks:models-panel-render').length;
    input.value = q;
    input.dispatchEvent(new Event('input'));
    const all = performance.getEntriesByName('luml-notebooks:models-panel-render');
    if (all.length > before) { times.push(all[all.length - 1].duration); }
  }
  return times;
}
"""


def startup_scan(browser, url: str, n_models: int, n_others: int) -> dict:
    folders = []
    for p in range(50):
        folders += [f"project_{p:02}", f"project_{p:02}/runs"]
    models = []
    for i in range(n_models):
        folder = folders[(i % 50) * 2 + 1]
        data = model_file(
            manifest(f"model_{i:04}", f"1.{i % 7}.0", "A benchmark model."),
            weights=bytes([i % 256]) * 8192,
        )
        models.append([f"{folder}/model_{i:04}.luml", b64(data), len(data)])
    others = [
        f"{folders[(i % 50) * 2 + (i % 2)]}/data_{i:05}.csv" for i in range(n_others)
    ]

    context = browser.new_context()
    context.add_init_script(LONG_TASKS_INIT)
    page = context.new_page()
    try:
        open_lab(page, url)
        written = page.evaluate(FILL_STORAGE_JS, [folders, models, others])
        page.reload()
        page.wait_for_function("window.jupyterapp && window.jupyterapp.serviceManager")
        figures = page.evaluate(SCAN_FIGURES_JS, n_models)
        figures["records"] = written
        figures["filterRenders"] = page.evaluate(FILTER_RENDER_JS)
        figures["listingOnly"] = page.evaluate(LISTING_WALK_JS)
        figures["listingOnlyAgain"] = page.evaluate(LISTING_WALK_JS)
        return figures
    finally:
        context.close()


# --- report -------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:8.1f} ms"


def report_kernel(browser, urls: dict[str, str], saves: int) -> None:
    print(f"1. Kernel closes a .luml file -> model in the panel ({saves} saves)")
    print(f"   {'transport':<20}{'':<24}{'p50':>11}{'p95':>11}{'max':>11}")
    for label, url in urls.items():
        r = kernel_latency(browser, url, saves)
        for what, values in (
            ("panel shows", r["shown"]),
            ("baseline: change event", r["events"]),
        ):
            if values:
                print(
                    f"   {label:<20}{what:<24}{ms(percentile(values, 50))}"
                    f"{ms(percentile(values, 95))}{ms(max(values))}"
                )
        print(
            f"   ({r['size']} byte model; {len(r['shown'])} measured,"
            f" {r['missed']} not shown within 30 s)"
        )
    print()


def report_large(browser, url: str, site: Path, node_mb, browser_mb) -> None:
    print("2. Metadata of a large model (Node, the V8 of Chromium)")
    print(
        f"   {'model':>9}  {'reader':>11} {'decoded':>11}"
        f"  {'baseline: full decode':>22} {'decoded':>13}"
    )
    for row in node_reader(node_mb):
        size = f"{row['mb']:.0f} MiB"
        if "note" in row:
            print(
                f"   {size:>9}  {ms(row['rawMs'])} {row['rawBytes']:>9} B"
                "   (from raw bytes: as base64 it cannot exist)"
            )
            print(f"   {'':>9}  {row['note']}")
            continue
        print(
            f"   {size:>9}  {ms(row['readerMs'])} {row['readerBytes']:>9} B"
            f"  {ms(row['naiveMs']):>22} {row['naiveBytes']:>11} B"
        )
    print("   (the largest model one base64 string can hold: about 383 MiB)")
    if browser_mb:
        print("   In the browser: a model saved to storage until the panel shows it")
        print(
            f"   {'model':>9}  {'save':>11}  {'then shown':>11}"
            f"  {'baseline: contents.get alone':>30}"
        )
        for row in browser_big_models(browser, url, site, browser_mb):
            if "error" in row:
                print(f"   {row['mb']:>5} MiB  not stored: {row['error']}")
                continue
            print(
                f"   {row['mb']:>5} MiB  {ms(row['save'])}  {ms(row['shown'])}"
                f"  {ms(row['fetch']):>30}"
            )
    print()


def report_startup(browser, url: str, n_models: int, n_others: int) -> None:
    print(
        f"3. Start-up with {n_models} models and {n_others} other files in 100 folders"
    )
    r = startup_scan(browser, url, n_models, n_others)
    listing = r["listingOnly"]
    print(f"   {r['records']} records written to browser storage")
    print(
        f"   scan: list folders, read {r['models']} models  {ms(r['scanMs'])}"
        f"  (began {r['scanStart'] / 1000:.1f} s after navigation)"
    )
    print(
        f"   baseline: list the same folders only  {ms(listing['ms'])}"
        f"  (again: {r['listingOnlyAgain']['ms']:.1f} ms; {listing['files']} files)"
    )
    print(
        f"   main thread during the scan: longest task {r['longest']:.0f} ms,"
        f" total blocking {r['blocking']:.0f} ms"
    )
    print(f"   panel: first render of {r['rows']} rows  {ms(r['firstFullRender'])}")
    renders = r["filterRenders"]
    if renders:
        print(
            f"   panel: re-render per filter keystroke"
            f"  {ms(statistics.median(renders))} median, {max(renders):.1f} ms max"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--others", type=int, default=10000)
    parser.add_argument("--node-sizes", default="1,50,200,380,500")
    parser.add_argument("--browser-sizes", default="10,50,90,200")
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to skip: kernel,large,startup"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Chromium is not installed")

    with tempfile.TemporaryDirectory(prefix="bench-discovery-") as tmp:
        site = build_site(Path(tmp))
        servers = {
            iso: make_server(site, port=0, isolated=iso) for iso in (True, False)
        }
        for server in servers.values():
            serve_in_thread(server)
        isolated = server_url(servers[True])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            print("Model discovery figures (headless Chromium)\n")
            if "kernel" not in skip:
                urls = {
                    "SharedArrayBuffer": isolated,
                    "service worker": server_url(servers[False]),
                }
                report_kernel(browser, urls, args.saves)
            if "large" not in skip:
                node_mb = [float(s) for s in args.node_sizes.split(",") if s]
                browser_mb = [int(s) for s in args.browser_sizes.split(",") if s]
                report_large(browser, isolated, site, node_mb, browser_mb)
            if "startup" not in skip:
                report_startup(browser, isolated, args.models, args.others)
            browser.close()
        for server in servers.values():
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
