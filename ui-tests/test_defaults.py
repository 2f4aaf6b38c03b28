"""The default notebooks: they run offline, come back when deleted, and a newer
shipped version is noticed without anyone clearing browser storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

from browser_helpers import KERNEL_TIMEOUT_MS, open_lab, run_all_cells
from luml_notebooks.site.addon import bundled_content_dir
from luml_notebooks.site.serve import make_server, serve_in_thread, server_url
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site

pytestmark = pytest.mark.browser

DEFAULT_NOTEBOOKS = sorted(
    p.relative_to(bundled_content_dir()).as_posix()
    for p in bundled_content_dir().glob("**/*.ipynb")
)
GETTING_STARTED = "Getting started.ipynb"
NEW_CELL = "This section was shipped in a later version of the site."

# Resolves once every code cell ran, or as soon as one failed.
NOTEBOOK_RAN = """() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget?.sessionContext?.session?.kernel;
  if (!widget?.content?.widgets || !kernel) { return null; }
  const cells = widget.content.widgets.filter(c => c.model.type === 'code');
  const outputs = cells.map(c => c.model.outputs.toJSON());
  const failed = outputs.some(o => o.some(x => x.output_type === 'error'));
  const ran = cells.every(c => c.model.executionCount !== null)
    && kernel.status === 'idle';
  return failed || ran ? { failed, outputs } : null;
}"""

# Records the paths the contents manager reports deleted, for the test to wait on.
WATCH_DELETES = """() => {
  window.deletedPaths = [];
  window.jupyterapp.serviceManager.contents.fileChanged.connect((_, change) => {
    if (change.type === 'delete') { window.deletedPaths.push(change.oldValue.path); }
  });
}"""

WAS_DELETED = "path => window.deletedPaths.includes(path)"

CONTENT_OF = """async path => {
  const model = await window.jupyterapp.serviceManager.contents.get(
    path, { content: true });
  return model.content;
}"""


def item(page: Page, name: str, state: str | None = None) -> Locator:
    """The file browser row of a file, with a default's state when given."""
    state_class = f".jp-LumlDefaults-{state}" if state else ""
    return page.locator(f".jp-DirListing-item{state_class}").filter(
        has=page.locator(".jp-DirListing-itemText").get_by_text(name, exact=True)
    )


def cell_sources(notebook: dict) -> list[str]:
    return ["".join(cell["source"]) for cell in notebook["cells"]]


@pytest.mark.parametrize("notebook", DEFAULT_NOTEBOOKS)
def test_every_default_notebook_runs_offline_without_errors(lab, notebook):
    open_lab(lab, lab.base_url, notebook)
    run_all_cells(lab)
    result = lab.wait_for_function(NOTEBOOK_RAN, timeout=KERNEL_TIMEOUT_MS)
    outputs = result.json_value()["outputs"]
    errors = [
        output
        for cell in outputs
        for output in cell
        if output["output_type"] == "error"
        or (output["output_type"] == "stream" and output["name"] == "stderr")
    ]
    assert errors == []
    # every code cell shows the user something
    assert all(cell for cell in outputs), outputs


def test_deleting_a_default_brings_back_the_shipped_version(lab):
    open_lab(lab, lab.base_url)
    shipped = lab.evaluate(CONTENT_OF, GETTING_STARTED)
    shipped_build = lab.evaluate(CONTENT_OF, "Build a model.ipynb")
    lab.evaluate(WATCH_DELETES)

    # an unedited default, deleted from the file browser
    item(lab, "Build a model.ipynb").click(button="right")
    lab.click(".lm-Menu-item[data-command='filebrowser:delete']")
    lab.click(".jp-Dialog button.jp-mod-warn")
    lab.wait_for_function(WAS_DELETED, arg="Build a model.ipynb")
    item(lab, "Build a model.ipynb", "shipped").wait_for()
    restored = lab.evaluate(CONTENT_OF, "Build a model.ipynb")
    assert cell_sources(restored) == cell_sources(shipped_build)

    # an edited default: deleting the edited copy shows the shipped one again
    lab.evaluate(
        """async path => {
          const contents = window.jupyterapp.serviceManager.contents;
          const model = await contents.get(path, { content: true });
          model.content.cells[0].source = '# Mine now';
          await contents.save(path, {
            type: 'notebook', format: 'json', content: model.content });
        }""",
        GETTING_STARTED,
    )
    item(lab, GETTING_STARTED, "edited").wait_for()
    item(lab, GETTING_STARTED).click(button="right")
    lab.click(".lm-Menu-item[data-command='filebrowser:delete']")
    lab.click(".jp-Dialog button.jp-mod-warn")
    lab.wait_for_function(WAS_DELETED, arg=GETTING_STARTED)
    item(lab, GETTING_STARTED, "shipped").wait_for()
    assert cell_sources(lab.evaluate(CONTENT_OF, GETTING_STARTED)) == cell_sources(
        shipped
    )


@pytest.fixture
def newer_site(built_site, tmp_path) -> Path:
    """The same site rebuilt with a newer Getting started notebook."""
    changed = tmp_path / "newer" / "changed"
    changed.mkdir(parents=True)
    notebook = json.loads((built_site / "files" / GETTING_STARTED).read_text())
    notebook["cells"].append(
        {
            "cell_type": "markdown",
            "id": "shipped-later",
            "metadata": {},
            "source": ["## What is new\n", NEW_CELL],
        }
    )
    (changed / GETTING_STARTED).write_text(json.dumps(notebook, indent=1))
    lite_dir = tmp_path / "newer"
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    build = {**SITE_CONFIG["LiteBuildConfig"], "contents": ["changed"]}
    result = build_site(lite_dir, config={"LiteBuildConfig": build})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return lite_dir / "_output"


@pytest.fixture
def deployed(built_site, tmp_path):
    """A server whose site can be redeployed on the same origin (so the same
    browser storage): it serves a link that a deploy points elsewhere."""
    current = tmp_path / "deployed"
    current.symlink_to(built_site, target_is_directory=True)
    server = make_server(current, port=0, isolated=True)
    serve_in_thread(server)

    def deploy(site: Path) -> None:
        current.unlink()
        current.symlink_to(site, target_is_directory=True)

    yield server_url(server), deploy
    server.shutdown()
    server.server_close()


def test_a_newer_shipped_default_is_noticed_and_reset_keeps_the_edits(
    page_factory, deployed, newer_site
):
    url, deploy = deployed
    page, _watch = page_factory(url)

    # the user edits the default in the notebook editor and saves it
    open_lab(page, url, GETTING_STARTED)
    item(page, GETTING_STARTED, "shipped").wait_for()
    page.evaluate(
        """async () => {
          const notebook = window.jupyterapp.shell.currentWidget;
          notebook.content.model.cells.get(0).sharedModel.setSource(
            '# My team notes');
          await window.jupyterapp.commands.execute('docmanager:save');
        }"""
    )
    item(page, GETTING_STARTED, "edited").wait_for()

    # a deploy ships a newer version; the user reloads the page and opens
    # their copy (opened explicitly: JupyterLab's saved layout may not list a
    # notebook opened just before the reload)
    deploy(newer_site)
    page.reload()
    open_lab(page, url, GETTING_STARTED)
    item(page, GETTING_STARTED, "updated").wait_for()
    toast = page.locator(".jp-Notification-Toast-info").filter(
        has_text=f"A newer version of {GETTING_STARTED} has been shipped"
    )
    toast.wait_for()
    # the user's copy still wins until they choose
    mine = page.evaluate(CONTENT_OF, GETTING_STARTED)
    assert cell_sources(mine)[0] == "# My team notes"

    # Compare shows the shipped cell the user lacks, and the user's own edit
    toast.get_by_role("button", name="Compare").click()
    diff = page.locator(".jp-LumlDefaults-diff")
    diff.wait_for()
    removed = diff.locator(".jp-LumlDefaults-line-removed .jp-LumlDefaults-text")
    added = diff.locator(".jp-LumlDefaults-line-added .jp-LumlDefaults-text")
    assert NEW_CELL in removed.all_inner_texts()
    assert "# My team notes" in added.all_inner_texts()

    # the Defaults view lists it as updated
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:open-defaults')")
    row = page.locator(
        ".jp-LumlDefaults-panel tr.jp-LumlDefaults-updated",
        has_text=GETTING_STARTED,
    )
    row.wait_for()
    assert row.locator(".jp-LumlDefaults-state").inner_text() == (
        "Newer version shipped"
    )

    # the user's copy is open in the editor
    assert page.evaluate(
        """() => Array.from(window.jupyterapp.shell.widgets('main')).filter(
          w => w.context?.path === 'Getting started.ipynb'
        ).map(w => w.content.model.cells.get(0).sharedModel.getSource())"""
    ) == ["# My team notes"]

    # Reset, keeping the edits (the dialog's default)
    row.get_by_role("button", name="Bring back the shipped version of").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    keep = dialog.locator("input[name='keep-copy']")
    assert keep.is_checked()
    assert "Getting started-my-edits.ipynb" in dialog.inner_text()
    dialog.locator("button.jp-mod-warn").click()

    item(page, GETTING_STARTED, "shipped").wait_for()
    item(page, "Getting started-my-edits.ipynb").wait_for()
    now = cell_sources(page.evaluate(CONTENT_OF, GETTING_STARTED))
    assert now[-1].endswith(NEW_CELL)
    assert now[0] != "# My team notes"
    kept = cell_sources(page.evaluate(CONTENT_OF, "Getting started-my-edits.ipynb"))
    assert kept[0] == "# My team notes"
    assert not any(NEW_CELL in source for source in kept)
    # the open notebook shows the shipped version too
    page.wait_for_function(
        """text => window.jupyterapp.shell.widgets('main').some(w =>
          w.context?.path === 'Getting started.ipynb'
          && w.content.model.cells.get(w.content.model.cells.length - 1)
               .sharedModel.getSource().includes(text))""",
        arg=NEW_CELL,
    )
