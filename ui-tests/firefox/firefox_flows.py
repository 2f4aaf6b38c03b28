"""Flows of the Firefox lane that the Chromium tests drive with Playwright
locators: the same steps, through `FirefoxPage`. Page-side JavaScript that the
Chromium tests already have is imported from them, not copied."""

from __future__ import annotations

import json
import re

from test_defaults import NOTEBOOK_RAN

from browser_helpers import KERNEL_TIMEOUT_MS, open_lab
from firefox_page import FirefoxPage
from local_registry import LocalRegistry

#: what a model takes to appear after a change; generous for a busy machine
SHOW_MS = 30_000


def run_notebook(page: FirefoxPage, path: str) -> list[list[dict]]:
    """Open a notebook, run every cell, and return each code cell's outputs;
    fails on an error output or a stderr stream."""
    open_lab(page, page.base_url, path)
    page.evaluate("void window.jupyterapp.commands.execute('notebook:run-all-cells')")
    result = page.wait_for_function(NOTEBOOK_RAN, timeout=KERNEL_TIMEOUT_MS)
    problems = [
        output
        for cell in result["outputs"]
        for output in cell
        if output["output_type"] == "error"
        or (output["output_type"] == "stream" and output["name"] == "stderr")
    ]
    assert problems == []
    return result["outputs"]


def stdout(outputs: list[dict]) -> str:
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream")


def text_of(page: FirefoxPage, selector: str, timeout: float = SHOW_MS) -> str:
    """The text of an element once it exists and has some."""
    return page.wait_for_function(
        "s => { const e = document.querySelector(s);"
        " return e && e.textContent.trim() ? e.textContent.trim() : null; }",
        selector,
        timeout=timeout,
    )


def show_models(page: FirefoxPage) -> None:
    """Open the Models panel once the layout is restored and the first scan done."""
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:show-models')")
    page.wait_for_selector(".jp-LumlModels")
    page.wait_for_function(
        "performance.getEntriesByName('luml-notebooks:model-scan').length > 0",
        timeout=SHOW_MS,
    )


def model_row(path: str) -> str:
    return f".jp-LumlModels-item[data-path={json.dumps(path)}]"


def connect(page: FirefoxPage, registry: LocalRegistry) -> None:
    """Set the Registry URL and key the way a user does, and test them."""
    page.evaluate(
        "void window.jupyterapp.commands.execute('luml-notebooks:registry-connection')"
    )
    form = ".jp-Dialog .jp-LumlConnection"
    page.wait_for_selector(form)
    page.fill(f"{form} input[type=url]", registry.url)
    page.fill(f"{form} input[type=password]", registry.key)
    page.click(f"{form} .jp-LumlConnection-test")
    result = text_of(page, f"{form} .jp-LumlConnection-result[data-state=ok]")
    assert result.startswith(f"Connected to {registry.url}."), result
    save = ".jp-Dialog .jp-Dialog-button.jp-mod-accept"
    assert page.inner_text(save).strip() == "Save"
    page.click(save)
    page.wait_for_selector(form, state="hidden")


def push(page: FirefoxPage, path: str) -> str:
    """Push a model through the push dialog; returns the artifact id."""
    page.evaluate(
        "path => void window.jupyterapp.commands.execute("
        "'luml-notebooks:push-model', {path})",
        path,
    )
    page.wait_for_function(
        "() => { const b = document.querySelector('.jp-LumlPush-push');"
        " return b && !b.disabled; }",
        timeout=60_000,
    )
    org = text_of(page, ".jp-LumlPush-org")
    assert org == "Local Organization", org
    page.click(".jp-LumlPush-push")
    page.wait_for_selector(".jp-LumlPush", state="hidden", timeout=120_000)
    toast = page.wait_for_function(
        "() => [...document.querySelectorAll('.Toastify__toast')]"
        ".map(t => t.textContent).find(t => t.includes('as artifact'))",
        timeout=10_000,
    )
    match = re.search(r"as artifact ([0-9a-f-]{36})\.", toast)
    assert match, toast
    return match.group(1)
