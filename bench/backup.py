"""Backup of a ~200 MB instance: LUML Notebooks' streaming backup (inside
JupyterLab and from the instances page, which reads the instance's browser
storage directly) vs what the platform's web UI does today (JSZip, DEFLATE
level 6, whole archive in memory), side by side in the same Chromium, on the
same files.

Run after `pip install ".[test]"` and `npm install` in labextension/:

    python bench/backup.py [--mb 200]

Prints wall time and peak JS heap above the idle heap (sampled every 10 ms in
the page with precise memory info) for both, and their ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "ui-tests"))

from conftest import CHROMIUM_ARGS  # noqa: E402
from luml_notebooks.site.serve import make_server, serve_in_thread, server_url  # noqa: E402
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site  # noqa: E402

JSZIP = ROOT / "labextension" / "node_modules" / "jszip" / "dist" / "jszip.min.js"
ARGS = [
    *CHROMIUM_ARGS,
    "--enable-precise-memory-info",
    # lets the live-heap sampler collect garbage before each sample
    "--js-flags=--expose-gc",
]

# A data scientist's instance: notebooks with image outputs, tables, code,
# and a few large binary models (random bytes: trained weights do not
# compress). Sizes in MB, scaled to --mb.
POPULATE = """async ({ scale }) => {
  const c = window.jupyterapp.serviceManager.contents;
  const MB = 1024 * 1024;
  const folder = async p => {
    try { await c.get(p); } catch { await c.save(p, { type: 'directory' }); }
  };
  const randomBase64 = bytes => {
    const parts = [];
    const step = 48 * 1024;
    const buf = new Uint8Array(step);
    for (let done = 0; done < bytes; done += step) {
      const n = Math.min(step, bytes - done);
      crypto.getRandomValues(buf.subarray(0, Math.min(n, 65536)));
      parts.push(btoa(String.fromCharCode.apply(null, buf.subarray(0, n))));
    }
    return parts.join('');
  };
  for (const p of ['notebooks', 'data', 'src', 'models']) { await folder(p); }
  const png = randomBase64(200 * 1024);
  for (let i = 0; i < 20; i++) {
    const cells = [];
    for (let j = 0; j < Math.round(5 * scale); j++) {
      cells.push({ cell_type: 'code', execution_count: j, metadata: {},
        source: [`model_${j} = train(data, epochs=${j})\\n`, 'plot(model)\\n'],
        outputs: [{ output_type: 'display_data', metadata: {},
          data: { 'image/png': png, 'text/plain': ['<Figure>'] } }] });
    }
    await c.save(`notebooks/experiment_${i}.ipynb`, { type: 'notebook', format: 'json',
      content: { cells, metadata: {}, nbformat: 4, nbformat_minor: 5 } });
  }
  for (let i = 0; i < 3; i++) {
    const rows = ['id,feature_a,feature_b,category,label'];
    let size = 0;
    for (let r = 0; size < 10 * MB * scale; r++) {
      const row = `${r},${Math.random().toFixed(6)},` +
        `${(Math.random() * 100).toFixed(3)},${r % 7 ? 'red' : 'blue'},${r % 2}`;
      rows.push(row);
      size += row.length + 1;
    }
    await c.save(`data/table_${i}.csv`,
                 { type: 'file', format: 'text', content: rows.join('\\n') });
  }
  for (let i = 0; i < 50; i++) {
    await c.save(`src/module_${i}.py`, { type: 'file', format: 'text',
      content: `def step_${i}(x):\\n    return x * ${i}\\n`.repeat(400) });
  }
  const models = [['models/classifier.luml', 40], ['models/regressor.luml', 40],
                  ['models/embeddings.luml', 40], ['models/pipeline.pkl', 25]];
  for (const [path, mb] of models) {
    const content = randomBase64(Math.round(mb * MB * scale));
    await c.save(path, { type: 'file', format: 'base64', content });
  }
}"""

# `used` samples the heap as it is, garbage awaiting collection included;
# `live` collects garbage first (a separate run: collecting costs time).
SAMPLER = """(mode) => {
  window.__peak = performance.memory.usedJSHeapSize;
  window.__sampler = setInterval(() => {
    if (mode === 'live') { gc(); }
    window.__peak = Math.max(window.__peak, performance.memory.usedJSHeapSize);
  }, mode === 'live' ? 100 : 10);
}"""

OURS = """async () => {
  const t0 = performance.now();
  const name = await window.jupyterapp.commands.execute('luml-notebooks:backup');
  const ms = performance.now() - t0;
  clearInterval(window.__sampler);
  return { ms, name, peak: Math.max(window.__peak, performance.memory.usedJSHeapSize) };
}"""

# The instances page's Back up on the instance (JupyterLab not open)
PAGE_BACKUP = """async (id) => {
  const runs = Number(document.body.dataset.backupRuns || 0);
  const t0 = performance.now();
  document.querySelector(
    `.jp-LumlInstances-row[data-instance-id="${id}"] .jp-LumlInstances-backup`).click();
  while (Number(document.body.dataset.backupRuns || 0) === runs) {
    await new Promise(r => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  clearInterval(window.__sampler);
  return { ms, peak: Math.max(window.__peak, performance.memory.usedJSHeapSize),
           status: document.querySelector('.jp-LumlInstances-status').textContent };
}"""

# What the platform's web UI does: every file into JSZip, then one
# DEFLATE-6 archive generated in memory and downloaded as a Blob.
JSZIP_BACKUP = """async () => {
  const c = window.jupyterapp.serviceManager.contents;
  const t0 = performance.now();
  const zip = new JSZip();
  const walk = async dir => {
    const listing = await c.get(dir, { content: true });
    for (const child of listing.content) {
      if (child.type === 'directory') { await walk(child.path); continue; }
      const f = await c.get(child.path, { content: true });
      if (f.format === 'base64') { zip.file(f.path, f.content, { base64: true }); }
      else if (f.format === 'json') { zip.file(f.path, JSON.stringify(f.content)); }
      else { zip.file(f.path, f.content); }
    }
  };
  await walk('');
  const blob = await zip.generateAsync({ type: 'blob', compression: 'DEFLATE',
                                         compressionOptions: { level: 6 } });
  const ms = performance.now() - t0;
  clearInterval(window.__sampler);
  const peak = Math.max(window.__peak, performance.memory.usedJSHeapSize);
  return { ms, size: blob.size, peak };
}"""


def fresh_page(context, url: str, jszip: bool):
    page = context.new_page()
    page.add_init_script(
        "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
    )
    page.goto(f"{url}lab/index.html")
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.serviceManager.contents",
        timeout=60_000,
    )
    page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
    if jszip:
        page.add_script_tag(content=JSZIP.read_text())
    time.sleep(2)  # let start-up work settle before measuring
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    cdp.send("HeapProfiler.collectGarbage")
    idle = page.evaluate("performance.memory.usedJSHeapSize")
    return page, idle


def instances_page(context, url: str):
    page = context.new_page()
    page.add_init_script(
        "delete window.showSaveFilePicker; delete Window.prototype.showSaveFilePicker;"
    )
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]", timeout=600_000)
    time.sleep(1)
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    cdp.send("HeapProfiler.collectGarbage")
    return page, page.evaluate("performance.memory.usedJSHeapSize")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200, help="instance size")
    args = parser.parse_args()
    scale = args.mb / 200

    with tempfile.TemporaryDirectory() as tmp:
        lite = Path(tmp) / "site"
        lite.mkdir()
        (lite / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
        result = build_site(lite, config=SITE_CONFIG)
        if result.returncode:
            print(result.stdout[-2000:], result.stderr[-2000:])
            return 1
        server = make_server(lite / "_output", port=0, isolated=True)
        serve_in_thread(server)
        url = server_url(server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(accept_downloads=True)
            page, _ = fresh_page(context, url, jszip=False)
            t0 = time.time()
            page.evaluate(POPULATE, {"scale": scale})
            sizes = page.evaluate(
                """async () => {
                  const c = window.jupyterapp.serviceManager.contents;
                  let total = 0, largest = 0, files = 0;
                  const walk = async dir => {
                    for (const f of (await c.get(dir, { content: true })).content) {
                      if (f.type === 'directory') { await walk(f.path); continue; }
                      total += f.size; largest = Math.max(largest, f.size); files++;
                    }
                  };
                  await walk('');
                  return { total, largest, files };
                }"""
            )
            print(
                f"instance: {sizes['files']} files, {sizes['total'] / 2**20:.0f} MB,"
                f" largest {sizes['largest'] / 2**20:.0f} MB"
                f" (populated in {time.time() - t0:.0f} s)"
            )
            instance_id = page.evaluate(
                "new URL(location.href).searchParams.get('instance')"
            )
            page.close()

            results = {}
            for mode in ("used", "live"):
                page, idle = fresh_page(context, url, jszip=False)
                page.evaluate(SAMPLER, mode)
                with page.expect_download(timeout=600_000) as info:
                    ours = page.evaluate(OURS)
                ours["zip"] = Path(info.value.path()).stat().st_size
                ours["peak"] -= idle
                page.close()
                page, idle = fresh_page(context, url, jszip=True)
                page.evaluate(SAMPLER, mode)
                theirs = page.evaluate(JSZIP_BACKUP)
                theirs["zip"] = theirs["size"]
                theirs["peak"] -= idle
                page.close()
                page, idle = instances_page(context, url)
                page.evaluate(SAMPLER, mode)
                with page.expect_download(timeout=600_000) as info:
                    from_page = page.evaluate(PAGE_BACKUP, instance_id)
                from_page["zip"] = Path(info.value.path()).stat().st_size
                from_page["peak"] -= idle
                page.close()
                results[mode] = (ours, theirs, from_page)
            browser.close()
        server.shutdown()

    mb = 2**20
    ours, theirs, from_page = results["used"]
    ours_live, theirs_live, from_page_live = results["live"]
    rows = [
        ("LUML Notebooks (streaming)", ours, ours_live),
        ("  the same, from instances page", from_page, from_page_live),
        ("platform today (JSZip, DEFLATE 6)", theirs, theirs_live),
    ]
    print()
    print(f"{'':34}{'time s':>8}{'peak used MB':>14}{'peak live MB':>14}{'zip MB':>8}")
    for name, run, live in rows:
        print(
            f"{name:34}{run['ms'] / 1000:>8.1f}{run['peak'] / mb:>14.0f}"
            f"{live['peak'] / mb:>14.0f}{run['zip'] / mb:>8.0f}"
        )
    print(
        f"{'ratio (platform / ours)':34}{theirs['ms'] / ours['ms']:>8.1f}"
        f"{theirs['peak'] / max(ours['peak'], 1):>14.1f}"
        f"{theirs_live['peak'] / max(ours_live['peak'], 1):>14.1f}"
    )
    print(
        f"largest file {sizes['largest'] / mb:.0f} MB. Peak JS heap above idle:"
        " 'used' sampled every 10 ms as is (garbage not yet collected"
        " included); 'live' after a forced GC every 100 ms, in a second run."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
