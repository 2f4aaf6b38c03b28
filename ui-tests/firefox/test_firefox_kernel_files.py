"""Firefox: the kernel reads and writes the browser's files (through
SharedArrayBuffer when isolated, through the service worker when not), a model
it saves is discovered and inspected, and it is pushed to a local Registry."""

from __future__ import annotations

import base64
import hashlib

import pytest

from firefox_flows import (
    connect,
    model_row,
    push,
    run_notebook,
    show_models,
    stdout,
    text_of,
)
from instance_files import code_notebook
from model_files import b64, manifest, model_file

SAMPLE = model_file(
    manifest("firefox-sample", "3.1.0", "Put in storage by the page."),
    weights=bytes(range(256)) * 64,
)

#: the kernel's file sizes probed, in MiB: Firefox stores 100 MiB, which
#: Chromium's IndexedDB refuses (its ceiling is about 95 MiB per file);
#: through the service worker, over one 32 MiB range of a read
PROBE_MIB = {"shared-array-buffer": 100, "service-worker": 40}

COPY_CELL = """\
import hashlib, os
print('cwd', os.getcwd())
with open('models/sample.luml', 'rb') as f:
    data = f.read()
with open('copy.luml', 'wb') as f:
    f.write(data)
print('copied', len(data), hashlib.sha256(data).hexdigest())
"""

PROBE_CELL = """\
import hashlib, os
blob = os.urandom({mib} * 1024 * 1024)
with open('probe.bin', 'wb') as f:
    f.write(blob)
written = hashlib.sha256(blob).hexdigest()
del blob
with open('probe.bin', 'rb') as f:
    back = f.read()
print('probe', len(back), hashlib.sha256(back).hexdigest() == written)
"""

STORED = """async path => {
  const m = await window.jupyterapp.serviceManager.contents.get(
    path, { content: true, format: 'base64', type: 'file' });
  return m.content;
}"""

SIZE = """path => window.jupyterapp.serviceManager.contents
  .get(path, { content: false }).then(m => m.size)"""


@pytest.mark.parametrize("transport", ["shared-array-buffer", "service-worker"])
def test_kernel_reads_and_writes_files_and_its_model_is_discovered(
    firefox_pages, site_url, plain_site_url, registry, transport
):
    base_url = site_url if transport == "shared-array-buffer" else plain_site_url
    page, _watch = firefox_pages(base_url, registry.url)
    page.goto(f"{base_url}lab/index.html")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.serviceManager")
    isolated = transport == "shared-array-buffer"
    assert page.evaluate("crossOriginIsolated") is isolated
    if not isolated:
        # the kernel's files go through the service worker: it must be running
        page.wait_for_function(
            "navigator.serviceWorker.ready.then(r => !!r.active)", timeout=60_000
        )
    page.evaluate(
        """async ([model, nb]) => {
          const c = window.jupyterapp.serviceManager.contents;
          await c.save('models', { type: 'directory' });
          await c.save('models/sample.luml',
            { type: 'file', format: 'base64', content: model });
          await c.save('files.ipynb',
            { type: 'notebook', format: 'json', content: nb });
        }""",
        [
            b64(SAMPLE),
            code_notebook(COPY_CELL, PROBE_CELL.format(mib=PROBE_MIB[transport])),
        ],
    )

    outputs = run_notebook(page, "files.ipynb")
    copied = stdout(outputs[0])
    assert "cwd /drive\n" in copied
    assert f"copied {len(SAMPLE)} {hashlib.sha256(SAMPLE).hexdigest()}" in copied
    size = PROBE_MIB[transport] * 1024 * 1024
    assert stdout(outputs[1]) == f"probe {size} True\n"
    # what the kernel wrote is in the browser's files, whole
    assert base64.b64decode(page.evaluate(STORED, "copy.luml")) == SAMPLE
    assert page.evaluate(SIZE, "probe.bin") == size

    # discovery: the copy shows in the Models panel; Enter opens Inspect
    show_models(page)
    row = model_row("copy.luml")
    assert text_of(page, f"{row} .jp-LumlModels-name") == "firefox-sample"
    assert text_of(page, f"{row} .jp-LumlModels-version") == "3.1.0"
    page.evaluate(f"document.querySelector({row!r}).focus()")
    page.press("Enter")
    view = ".jp-LumlInspect-content"
    assert "firefox-sample" in text_of(page, f"{view} .jp-LumlInspect-name")
    members = text_of(page, f"{view} .jp-LumlInspect-members")
    assert "manifest.json" in members
    assert "variant_artifacts/extra_files/weights.bin" in members

    # a push to the local Registry carries the exact bytes
    if isolated:
        connect(page, registry)
        artifact_id = push(page, "copy.luml")
        artifact = registry.artifact(artifact_id)
        assert artifact["status"] == "uploaded"
        assert artifact["name"] == "firefox-sample"
        assert registry.download(artifact_id) == SAMPLE
