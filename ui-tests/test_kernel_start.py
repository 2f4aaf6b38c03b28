"""The kernel starts from the site's kernel image (and without it when it is
damaged), and a notebook opened by its link has its kernel started while the
page loads: a real Pyodide kernel in Chromium, against the built site."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from browser_helpers import (
    KERNEL_TIMEOUT_MS,
    SET_SETTING,
    error_outputs,
    open_lab,
    run_all_cells,
    wait_for_output,
)
from instance_files import code_notebook, put_files
from luml_notebooks.site import kernel_image
from sitebuild import served_site

pytestmark = pytest.mark.browser

NOTEBOOK = "start.ipynb"
CELL = (
    "import random, sys\n"
    "import luml\n"
    "from IPython import get_ipython\n"
    "print('random', random.random())\n"
    "print('shell', type(get_ipython()).__name__, 'path', sys.path.count(''))\n"
    "print('started')"
)


def kernel_log(page) -> list[str]:
    """The page's and its workers' console lines, as they come."""
    lines: list[str] = []
    page.on("console", lambda message: lines.append(message.text))
    return lines


def run_once(page) -> str:
    run_all_cells(page)
    outputs = wait_for_output(page, "started")
    assert error_outputs(page) == []
    return outputs


def random_value(outputs: str) -> str:
    return next(line for line in outputs.splitlines() if line.startswith("random"))


KERNEL_IDLE = (
    "() => window.jupyterapp.shell.currentWidget.sessionContext"
    ".session.kernel.status === 'idle'"
)


def restart_kernel(page) -> None:
    """Restart the notebook's kernel and clear the outputs of the last run."""
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext"
        ".session.kernel.restart()"
    )
    page.evaluate(
        "() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')"
    )


def image_manifest(site) -> dict:
    folder = site / "static" / "pyodide" / kernel_image.KERNEL_IMAGE_FOLDER
    return json.loads((folder / kernel_image.KERNEL_IMAGE_MANIFEST).read_text())


def kept_names(manifest: dict) -> list[str]:
    """The names the loader keeps the image's two parts under."""
    return [
        f"{manifest[part]}?digest={manifest['digest']}"
        for part in ("snapshot", "files")
    ]


def open_notebook(page, base_url: str) -> None:
    open_lab(page, base_url)
    put_files(
        page, [{"kind": "notebook", "path": NOTEBOOK, "data": code_notebook(CELL)}]
    )
    open_lab(page, base_url, NOTEBOOK)


KEPT_PARTS = f"""async () => {{
  const cache = await caches.open({json.dumps(kernel_image.KERNEL_IMAGE_CACHE)});
  return (await cache.keys()).map(request => request.url.split('/').pop());
}}"""

PUT_PART = f"""async ([url, bytes]) => {{
  const cache = await caches.open({json.dumps(kernel_image.KERNEL_IMAGE_CACHE)});
  await cache.put(url, new Response(new Uint8Array(bytes)));
}}"""


def part_url(site_url: str, name: str) -> str:
    """Where the loader keeps a part of the image (imageCache.ts)."""
    return f"{site_url}static/pyodide/{kernel_image.KERNEL_IMAGE_FOLDER}/{name}"


def wait_until_kept(page, log: list[str], parts: list[str]) -> None:
    """Wait until the kernel says its copy of the image is written (the
    entries show in the cache while they are being written), then check it
    is all that is kept."""
    waited_ms = 0
    while kernel_image.IMAGE_KEPT not in log:
        assert waited_ms < KERNEL_TIMEOUT_MS, f"the image was not kept: {log}"
        page.wait_for_timeout(200)
        waited_ms += 200
    assert sorted(page.evaluate(KEPT_PARTS)) == sorted(parts)


def wait_until_nothing_kept(page) -> None:
    page.wait_for_function(
        f"async () => (await ({KEPT_PARTS})()).length === 0",
        timeout=KERNEL_TIMEOUT_MS,
    )


def test_the_kernel_starts_from_the_image_with_its_own_random_state(
    page_factory, site_url
):
    page, _watch = page_factory(site_url)
    log = kernel_log(page)
    open_notebook(page, site_url)
    first = run_once(page)
    assert "shell Interpreter path 1" in first
    assert any(kernel_image.STARTED_FROM_IMAGE in line for line in log)

    # a restarted kernel starts the same way, and does not repeat the random
    # numbers of the snapshot's interpreter
    restart_kernel(page)
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS)
    second = run_once(page)
    assert random_value(first) != random_value(second)
    starts = [line for line in log if kernel_image.STARTED_FROM_IMAGE in line]
    assert len(starts) == 2, starts


def test_a_damaged_image_leaves_the_kernel_starting_without_it(
    page_factory, built_site, tmp_path
):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    folder = site / "static" / "pyodide" / kernel_image.KERNEL_IMAGE_FOLDER
    manifest = image_manifest(site)
    # valid gzip, but not a snapshot: Pyodide refuses it as it starts
    (folder / manifest["snapshot"]).write_bytes(gzip.compress(b"not a snapshot"))
    with served_site(site) as url:
        page, _watch = page_factory(url)
        log = kernel_log(page)
        open_notebook(page, url)
        outputs = run_once(page)
        assert "shell Interpreter path 1" in outputs
        assert any("could not be used" in line for line in log), log
        assert not any(kernel_image.STARTED_FROM_IMAGE in line for line in log)
        # the browser keeps no copy of it for the next start
        wait_until_nothing_kept(page)


def test_the_kernel_keeps_the_image_for_the_next_start(
    page_factory, site_url, built_site
):
    current = kept_names(image_manifest(built_site))
    page, _watch = page_factory(site_url)
    log = kernel_log(page)
    open_lab(page, site_url)
    # what an earlier build left: dropped once this one is kept
    stale = f"{image_manifest(built_site)['snapshot']}?digest={'0' * 64}"
    page.evaluate(PUT_PART, [part_url(site_url, stale), [1, 2, 3]])
    put_files(
        page, [{"kind": "notebook", "path": NOTEBOOK, "data": code_notebook(CELL)}]
    )
    open_lab(page, site_url, NOTEBOOK)
    run_once(page)
    starts = [line for line in log if kernel_image.STARTED_FROM_IMAGE in line]
    assert len(starts) == 1 and kernel_image.FROM_KEPT_IMAGE not in starts[0], starts
    wait_until_kept(page, log, current)

    log.clear()
    restart_kernel(page)
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS)
    assert "shell Interpreter path 1" in run_once(page)
    starts = [line for line in log if kernel_image.STARTED_FROM_IMAGE in line]
    assert len(starts) == 1 and kernel_image.FROM_KEPT_IMAGE in starts[0], starts


START_KERNELS = """async (paths) => {
  const { sessions, kernelspecs } = window.jupyterapp.serviceManager;
  await kernelspecs.ready;
  const name = kernelspecs.specs.default;
  const started = await Promise.all(paths.map(path =>
    sessions.startNew({ path, type: 'notebook', name: path, kernel: { name } })));
  await Promise.all(started.map(session => session.kernel.info));
}"""


def test_kernels_started_at_once_fetch_the_image_once(page_factory, site_url):
    page, _watch = page_factory(site_url)
    log = kernel_log(page)
    open_lab(page, site_url)
    paths = ["one.ipynb", "two.ipynb"]
    put_files(
        page,
        [
            {"kind": "notebook", "path": path, "data": code_notebook(CELL)}
            for path in paths
        ],
    )
    page.evaluate(START_KERNELS, paths)
    starts = [line for line in log if kernel_image.STARTED_FROM_IMAGE in line]
    # the second waited for the first to keep the image, then read the copy
    kept = [line for line in starts if kernel_image.FROM_KEPT_IMAGE in line]
    assert len(starts) == 2 and len(kept) == 1, starts


def test_a_damaged_kept_image_is_dropped_and_the_kernel_still_starts(
    page_factory, site_url, built_site
):
    manifest = image_manifest(built_site)
    current = kept_names(manifest)
    page, _watch = page_factory(site_url)
    log = kernel_log(page)
    open_lab(page, site_url)
    for name in current:
        page.evaluate(PUT_PART, [part_url(site_url, name), list(b"not a snapshot")])
    put_files(
        page, [{"kind": "notebook", "path": NOTEBOOK, "data": code_notebook(CELL)}]
    )
    open_lab(page, site_url, NOTEBOOK)
    outputs = run_once(page)
    assert "shell Interpreter path 1" in outputs
    assert any("could not be used" in line for line in log), log
    # dropped, so the next start fetches the image again
    wait_until_nothing_kept(page)


EARLY_START = "luml-notebooks:kernel-early-start"

KERNELS_AND_SESSIONS = """() => {
  const { kernels, sessions } = window.jupyterapp.serviceManager;
  return [[...kernels.running()].length, [...sessions.running()].map(s => s.path)];
}"""


def test_a_linked_notebook_attaches_to_the_kernel_started_early(page_factory, site_url):
    page, _watch = page_factory(site_url)
    log = kernel_log(page)
    open_notebook(page, site_url)
    run_once(page)
    assert any(f"Kernel of {NOTEBOOK}, early start: started" in line for line in log)
    # the notebook uses the session started early: one kernel, one session
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.refreshRunning()")
    assert page.evaluate(KERNELS_AND_SESSIONS) == [1, [NOTEBOOK]]

    # turned off, the kernel starts when the notebook opens, as in JupyterLab
    page.evaluate(SET_SETTING, [EARLY_START, "startEarly", False])
    log.clear()
    open_lab(page, site_url, NOTEBOOK)
    page.evaluate(
        "window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')"
    )
    run_once(page)
    assert not any("early start" in line for line in log)
