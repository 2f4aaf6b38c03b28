"""Driving JupyterLab in the page: open documents, run cells, read outputs."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Page

#: kernel start and package loading are slow on small machines: wait generously
KERNEL_TIMEOUT_MS = 180_000


def open_lab(page: Page, base_url: str, path: str | None = None) -> None:
    """Open JupyterLab (optionally a document) and wait until the app is ready."""
    query = f"?path={quote(path)}" if path else ""
    page.goto(f"{base_url}lab/index.html{query}")
    wait_for_app(page, ".jp-LumlBrand")
    if path:
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.session; }",
            timeout=60_000,
        )


def wait_for_app(page: Page, selector: str) -> None:
    """Wait until JupyterLab's services exist and ``selector`` is shown."""
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.serviceManager.contents",
        timeout=60_000,
    )
    page.wait_for_selector(selector, timeout=60_000)


def run_all_cells(page: Page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def wait_for_output(page: Page, text: str) -> str:
    """Wait for an output containing ``text``; return all outputs of the notebook."""
    output = page.locator(".jp-OutputArea-output", has_text=text).first
    output.wait_for(timeout=KERNEL_TIMEOUT_MS)
    return "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())


def error_outputs(page: Page) -> list[str]:
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        " .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
    ).all_inner_texts()


# What a user's edit in the Settings Editor does: set a value through the
# app's setting registry. The page has no handle on it but the plugin
# registry's map of services (a private field of Lumino), keyed by the token.
SET_SETTING = """async ([plugin, key, value]) => {
  const app = window.jupyterapp;
  const token = [...app.pluginRegistry._services.keys()].find(
    t => t.name === '@jupyterlab/coreutils:ISettingRegistry');
  const registry = await app.resolveRequiredService(token);
  await registry.set(plugin, key, value);
}"""
