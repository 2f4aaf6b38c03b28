"""Pushing a model to the local Registry: the browser beside the official client.

The same model file (64 MB, one PUT, and 600 MB, multipart, unless
--size-mb says otherwise) goes to the same local Registry on
127.0.0.1 (a process of its own), from LUML Notebooks in headless Chromium
(the push dialog: sha256, create, PUT, PATCH) and with the official Python
client ``luml-api`` (``artifacts.upload``: hash, create, PUT, PATCH). Printed
as MB/s, the median of several runs:

- push: create + upload + confirm (for the browser: click Push to done,
  reading the bytes from browser storage included, the click coming the
  moment Push is enabled; for luml-api: its upload call minus the time
  hashlib needs for the file);
- end to end, sha256 computed ahead: the browser hashed the saved model in
  the background (a Web Worker, when the page was idle), as it does by
  default; timed from opening the dialog (which then reads the bytes once it
  is ready) to done. Also printed: how long after the save that hash was
  ready;
- end to end, sha256 in the dialog: with hashing ahead turned off (the
  setting), from opening the dialog, which reads and hashes the file, to
  done.

luml-api's end to end is its whole upload call, hashing included, both
times. Each push saves the model first, in a new browser context, so no
hash is left from an earlier push. The browser's times are
taken in the page (performance.now()), the client's in its process; the two
take turns, run by run, so that both see the same load on a shared machine.

luml-api needs Python >= 3.12; it is installed into a cached venv.

Known limit: in one page, the fourth push of a 600 MB model failed in each
of the three runs that tried it ("Could not reach ... to upload part N"; no
part reached the Registry). Likely cause, not confirmed: each prepared file
stays a Blob until garbage collection, and a Playwright context, like a
private window, keeps Blobs in memory only. So each push has a context of
its own.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# run as a script, so bench/ is on the import path
from harness import build_luml_site, chromium, median, served
from luml_notebooks.local_registry import RegistryStore
from luml_notebooks.local_registry.context import MULTIPART_THRESHOLD

WAIT_MS = int(os.environ.get("BENCH_WAIT_MS", 600_000))
MB = 1_000_000

CLIENT_SCRIPT = r"""
import hashlib, json, sys, time
from luml_api import LumlClient

base_url, api_key, path, run = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = LumlClient(base_url=base_url, api_key=api_key)
start = time.perf_counter()
with open(path, "rb") as f:
    hashlib.sha256(f.read()).hexdigest()
hashed = time.perf_counter() - start
start = time.perf_counter()
artifact = client.artifacts.upload(path, name=f"bench-python-{run}")
total = time.perf_counter() - start
assert str(artifact.status).endswith("uploaded"), artifact.status
print(json.dumps({"total": total, "hash": hashed}))
"""


# Opens the push dialog and times it in the page, as the user sees it:
# from the command to an enabled Push button, and from the click on Push
# to the dialog closing (the push is done). The page clicks Push itself the
# moment it is enabled: Playwright's click came 0.05 to 0.4 s later, time
# neither figure counted, in which the dialog already reads the bytes for
# the upload. Timed by Playwright, its round trips to the page added about
# 0.4 s to each push on this machine.
TIMED_PUSH = """() => {
    const times = (window.lumlBench = {start: performance.now()});
    const observer = new MutationObserver(() => {
        const button = document.querySelector('.jp-LumlPush-push');
        if (!times.ready && button && !button.disabled) {
            times.ready = performance.now();
            button.click();
        }
        if (times.clicked && !document.querySelector('.jp-LumlPush')) {
            times.done = performance.now();
            observer.disconnect();
            document.removeEventListener('click', onClick, true);
        }
    });
    const onClick = event => {
        if (!times.clicked && event.target.closest('.jp-LumlPush-push')) {
            times.clicked = performance.now();
        }
    };
    document.addEventListener('click', onClick, true);
    observer.observe(document.body, {
        childList: true, subtree: true, attributes: true,
        attributeFilter: ['disabled']
    });
    void window.jupyterapp.commands.execute(
        'luml-notebooks:push-model', {path: 'bench.luml'}
    );
}"""


def model_file(path: Path, size: int) -> None:
    """A model file: the six root files and `size` bytes of weights."""
    members = {
        "manifest.json": json.dumps(
            {
                "variant": "pyfunc",
                "name": "bench-model",
                "version": "1.0.0",
                "description": "benchmark weights",
                "producer_name": "luml-notebooks-bench",
                "producer_version": "0",
                "producer_tags": [],
                "inputs": [],
                "outputs": [],
                "dynamic_attributes": [],
                "env_vars": [],
            }
        ).encode(),
        "dtypes.json": b"{}",
        "env.json": b"{}",
        "variant_config.json": b"{}",
        "ops.json": b"{}",
        "meta.json": b"[]",
    }
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("variant_artifacts/extra_files/weights.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(os.urandom(size)))


def luml_api_python() -> str | None:
    """A Python with luml-api: the tests' cached venv, else a new one."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    cache = Path(base) / "luml-notebooks" / "test-venvs"
    for python in sorted(glob.glob(str(cache / "luml-api-py*" / "bin" / "python"))):
        if subprocess.run([python, "-c", "import luml_api"]).returncode == 0:
            return python
    candidates = [shutil.which(f"python3.{minor}") for minor in range(19, 11, -1)]
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
    if root.returncode == 0:
        pattern = os.path.join(
            root.stdout.strip(), "versions", "*", "bin", "python3.1[2-9]"
        )
        candidates += sorted(glob.glob(pattern), reverse=True)
    for interpreter in filter(None, candidates):
        folder = cache / "luml-api-bench"
        made = subprocess.run(
            [interpreter, "-m", "venv", "--clear", str(folder)], capture_output=True
        )
        if made.returncode != 0:
            # a pyenv shim of a version that is not selected, say
            continue
        python = str(folder / "bin" / "python")
        install = subprocess.run(
            [python, "-m", "pip", "install", "-q", "luml-api"], capture_output=True
        )
        if install.returncode == 0:
            return python
    return None


@contextmanager
def registry_process(data_dir: Path) -> Iterator[str]:
    """`python -m luml_notebooks.local_registry serve` on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "luml_notebooks.local_registry", "serve"),
            *("--port", str(port), "--data-dir", str(data_dir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def connect(page, url: str, key: str) -> None:
    page.evaluate(
        "void window.jupyterapp.commands.execute('luml-notebooks:registry-connection')"
    )
    form = page.locator(".jp-Dialog .jp-LumlConnection")
    form.locator("input[type=url]").fill(url)
    form.locator("input[type=password]").fill(key)
    page.locator(".jp-Dialog .jp-Dialog-button", has_text="Save").click()
    form.wait_for(state="detached")


def wait_for_dialog(page, condition: str, failure: str) -> None:
    """Wait for ``condition``; when it never holds, stop with what the push
    dialog shows."""
    try:
        page.wait_for_function(condition, timeout=WAIT_MS)
    except Exception:
        raise SystemExit(
            f"the push {failure}:\n" + page.locator(".jp-LumlPush").inner_text()
        ) from None


# Saves the model again, as the file browser's upload saves it: in chunks, so
# a file of any size fits in a JavaScript string. Records when the save ended
# and when the push service's hash of the new content was ready.
SAVE_MODEL = """async ([source, path]) => {
    const app = window.jupyterapp;
    const token = [...app.pluginRegistry._services.keys()].find(
        t => t.name === 'luml-notebooks:IModelPusher');
    const pusher = await app.resolveRequiredService(token);
    const times = (window.lumlSave = {});
    const response = await fetch(source);
    if (!response.ok) {
        throw new Error(`${source}: HTTP ${response.status}`);
    }
    const blob = await response.blob();
    const step = 16 * 1024 * 1024;
    const count = Math.max(1, Math.ceil(blob.size / step));
    pusher.knownHashes.added.connect((_, hash) => {
        if (hash.path === path && times.saved && !times.hashed) {
            times.hashed = performance.now();
        }
    });
    for (let i = 0; i < count; i++) {
        const url = await new Promise(resolve => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.readAsDataURL(blob.slice(i * step, (i + 1) * step));
        });
        const last = i === count - 1;
        const chunk = count === 1 ? {} : {chunk: last ? -1 : i + 1};
        await app.serviceManager.contents.save(path, {
            type: 'file', format: 'base64', content: url.split(',')[1], ...chunk
        });
    }
    times.saved = performance.now();
}"""

# What a user's edit in the Settings Editor does.
SET_HASH_AHEAD = """async value => {
    const app = window.jupyterapp;
    const token = [...app.pluginRegistry._services.keys()].find(
        t => t.name === '@jupyterlab/coreutils:ISettingRegistry');
    const registry = await app.resolveRequiredService(token);
    await registry.set('luml-notebooks:push', 'hashInBackground', value);
}"""


def warm_up(page, url: str) -> None:
    """Open and close the push dialog once for a small model: a page's first
    dialog loads its code and the Registry's lists, as any later one does
    not."""
    page.evaluate(SAVE_MODEL, [f"{url}warm-model.luml", "warm.luml"])
    page.evaluate(
        "void window.jupyterapp.commands.execute("
        "'luml-notebooks:push-model', {path: 'warm.luml'})"
    )
    page.wait_for_function(
        "(() => { const b = document.querySelector('.jp-LumlPush-push');"
        " return b && !b.disabled; })()",
        timeout=WAIT_MS,
    )
    page.locator(".jp-Dialog .jp-Dialog-button", has_text="Cancel").first.click()
    page.locator(".jp-LumlPush").wait_for(state="detached", timeout=WAIT_MS)


def timed_push(page) -> dict:
    page.evaluate(TIMED_PUSH)
    wait_for_dialog(page, "window.lumlBench.ready", "did not get ready")
    wait_for_dialog(page, "window.lumlBench.clicked", "did not start")
    wait_for_dialog(page, "window.lumlBench.done", "did not finish")
    times = page.evaluate("window.lumlBench")
    return {
        "prepare": (times["ready"] - times["start"]) / 1000,
        "push": (times["done"] - times["clicked"]) / 1000,
    }


def browser_runs(
    site: Path,
    registry_url: str,
    key: str,
    runs: int,
    after_each: Callable[[], None],
) -> list[dict]:
    """The browser's runs: a push with the sha256 computed ahead, then one
    with it computed in the dialog, each in a new context (see the known
    limit above). `after_each()` runs the other client's between them, so
    both see the same load on a shared machine."""
    results = []
    with served(site) as url, chromium() as browser:
        for _ in range(runs):
            result = {}
            for kind in ("ahead", "in_dialog"):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{url}lab/index.html")
                page.wait_for_function(
                    "window.jupyterapp && window.jupyterapp.serviceManager.contents",
                    timeout=WAIT_MS,
                )
                page.wait_for_selector(".jp-LumlBrand", timeout=WAIT_MS)
                connect(page, registry_url, key)
                warm_up(page, url)
                if kind == "in_dialog":
                    page.evaluate(SET_HASH_AHEAD, False)
                page.evaluate(SAVE_MODEL, [f"{url}bench-model.luml", "bench.luml"])
                if kind == "ahead":
                    page.wait_for_function("window.lumlSave.hashed", timeout=WAIT_MS)
                save = page.evaluate("window.lumlSave")
                result[kind] = timed_push(page)
                if kind == "ahead":
                    ready = (save["hashed"] - save["saved"]) / 1000
                    result[kind]["ready_after_save"] = ready
                context.close()
                after_each()
            results.append(result)
            print(f"  browser run {len(results)}: {json.dumps(result)}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--size-mb",
        type=int,
        nargs="+",
        default=[64, 600],
        help="sizes of the model's weights; above 500 MB the upload is multipart",
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    python = luml_api_python()
    tables = [measure(size_mb, args.runs, python) for size_mb in args.size_mb]
    for table in tables:
        print()
        print("\n".join(table))


def measure(size_mb: int, runs: int, python: str | None) -> list[str]:
    """Both clients push one model `runs` times; the table of figures."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        model = tmp_path / "bench-model.luml"
        model_file(model, size_mb * MB)
        size = model.stat().st_size
        print(f"model file: {size / MB:.1f} MB", flush=True)
        site = build_luml_site(tmp_path / "site")
        shutil.move(model, site / "bench-model.luml")
        model_file(site / "warm-model.luml", 1000)
        model = site / "bench-model.luml"

        data_dir = tmp_path / "registry"
        key = RegistryStore(data_dir).ensure_bootstrap()
        # its own process: in this one it would share the GIL with Playwright
        with registry_process(data_dir) as registry_url:
            python_runs: list[dict] = []

            def luml_api_run() -> None:
                if not python:
                    return
                command = [python, "-c", CLIENT_SCRIPT, registry_url, key]
                out = subprocess.run(
                    [*command, str(model), str(len(python_runs))],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                python_runs.append(json.loads(out.stdout.strip().splitlines()[-1]))

            browser = browser_runs(site, registry_url, key, runs, luml_api_run)

        # every pushed artifact holds the file's bytes
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        store = RegistryStore(data_dir)
        with store.db.reading() as conn:
            rows = conn.execute("SELECT status, file_hash FROM artifacts").fetchall()
        assert len(rows) == 2 * len(browser) + len(python_runs)
        assert all(r["status"] == "uploaded" and r["file_hash"] == digest for r in rows)

    def rate(seconds: float) -> float:
        return size / MB / seconds if seconds else float("nan")

    lines = []

    def row(what: str, ours: float, theirs: float | None) -> None:
        other = f"{theirs:>10.1f}" if theirs is not None else f"{'n/a':>10}"
        ratio = f"{ours / theirs:>7.2f}x" if theirs else f"{'':>8}"
        lines.append(f"  {what:40} {ours:>10.1f} {other} {ratio}")

    upload = "multipart" if size > MULTIPART_THRESHOLD else "one PUT"
    lines.append(
        f"Push of a {size / MB:.1f} MB model ({upload}) to the local Registry on "
        f"127.0.0.1 (median of {runs}; MB/s, higher is better)"
    )
    lines.append(f"  {'':40} {'browser':>10} {'luml-api':>10} {'ratio':>8}")
    ahead = [r["ahead"] for r in browser]
    in_dialog = [r["in_dialog"] for r in browser]
    push = [r["total"] - r["hash"] for r in python_runs]
    total = median([r["total"] for r in python_runs]) if python_runs else None
    row(
        "push (create, upload, confirm)",
        rate(median([r["push"] for r in ahead + in_dialog])),
        rate(median(push)) if python_runs else None,
    )
    row(
        "end to end, sha256 computed ahead",
        rate(median([r["prepare"] + r["push"] for r in ahead])),
        rate(total) if total else None,
    )
    row(
        "end to end, sha256 in the dialog",
        rate(median([r["prepare"] + r["push"] for r in in_dialog])),
        rate(total) if total else None,
    )
    if not python_runs:
        lines.append(
            "  luml-api: no Python >= 3.12 found (it needs one), so not measured"
        )
    ready = median([r["ready_after_save"] for r in ahead])
    lines.append(
        f"\n  browser, sha256 ahead: ready {ready:.2f} s after the save "
        f"({size / MB / ready:.0f} MB/s, a Web Worker at idle); the dialog was "
        f"ready in {median([r['prepare'] for r in ahead]):.2f} s"
    )
    prepare = median([r["prepare"] for r in in_dialog])
    lines.append(
        f"  browser, sha256 in the dialog: the dialog was ready in {prepare:.2f} s "
        f"(reads and hashes the file, {size / MB / prepare:.0f} MB/s)"
    )
    return lines


if __name__ == "__main__":
    main()
