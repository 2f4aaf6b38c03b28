"""Menus, context menus, shortcuts and the Models panel's toolbar come from
the settings schemas, so users can change them in the Settings Editor, and a
change applies at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_defaults import GETTING_STARTED, item
from test_models_panel import SHOW_MS, row, save_file, show_models

from browser_helpers import SET_SETTING, open_lab
from model_files import manifest, model_file

pytestmark = pytest.mark.browser

SHORTCUTS_PLUGIN = "@jupyterlab/shortcuts-extension:shortcuts"
MODELS_PLUGIN = "luml-notebooks:models-panel"
DELETE_SHORTCUT = {
    "command": "luml-notebooks:delete-model",
    "keys": ["Delete"],
    "selector": ".jp-LumlModels-item:focus",
}

EDIT_NOTEBOOK = """async path => {
  const contents = window.jupyterapp.serviceManager.contents;
  const model = await contents.get(path, { content: true });
  model.content.cells[0].source = '# Mine now';
  await contents.save(
    path, { type: 'notebook', format: 'json', content: model.content });
}"""


BOUND = """command => window.jupyterapp.commands.keyBindings.some(
  b => b.command === command)"""


def menu_item(page: Page, command: str):
    return page.locator(f".lm-Menu-item[data-command='{command}']")


def toolbar_names(page: Page) -> list[str]:
    return page.locator(".jp-LumlModels > .jp-SidePanel-toolbar").evaluate(
        "bar => [...bar.children].map(item => item.dataset.jpItemName)"
    )


def test_schema_menus_and_shortcuts_work_and_follow_the_settings(lab):
    open_lab(lab, lab.base_url)
    show_models(lab)
    save_file(lab, "m.luml", model_file(manifest("m")))
    model = row(lab, "m.luml")
    expect(model).to_be_visible(timeout=SHOW_MS)

    # the File menu's Default Notebooks and Backup entries
    lab.locator(".lm-MenuBar-item", has_text="File").click()
    for command in ("open-defaults", "backup", "restore"):
        expect(menu_item(lab, f"luml-notebooks:{command}")).to_be_visible()
    # and one Download, the streamed one (JupyterLite's is turned off)
    expect(menu_item(lab, "docmanager:download")).to_have_count(1)
    lab.keyboard.press("Escape")

    # an edited default's context menu in the file browser
    lab.evaluate(EDIT_NOTEBOOK, GETTING_STARTED)
    lab.evaluate("window.jupyterapp.shell.activateById('filebrowser')")
    item(lab, GETTING_STARTED, "edited").click(button="right")
    for command in ("compare-default", "reset-default"):
        expect(menu_item(lab, f"luml-notebooks:{command}")).to_be_visible()
    lab.keyboard.press("Escape")
    show_models(lab)

    # a model row's context menu
    model.click(button="right")
    for command in ("inspect-model", "download-model", "delete-model"):
        expect(menu_item(lab, f"luml-notebooks:{command}")).to_be_visible()
    lab.keyboard.press("Escape")
    expect(lab.locator(".lm-Menu")).to_have_count(0)

    # Delete on a focused row asks to delete the model
    dialog = lab.locator(".jp-Dialog")
    model.focus()
    lab.keyboard.press("Delete")
    expect(dialog).to_contain_text("m.luml")
    lab.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # turned off in the Keyboard Shortcuts settings: gone, without a reload
    lab.evaluate(
        SET_SETTING,
        [SHORTCUTS_PLUGIN, "shortcuts", [{**DELETE_SHORTCUT, "disabled": True}]],
    )
    lab.wait_for_function(f"!({BOUND})('luml-notebooks:delete-model')")
    assert lab.evaluate(BOUND, "luml-notebooks:inspect-model")
    model.focus()
    lab.keyboard.press("Delete")
    # Enter still inspects: had Delete opened the dialog, Enter would answer it
    lab.keyboard.press("Enter")
    expect(lab.locator(".jp-LumlInspect-name")).to_contain_text("m")
    expect(dialog).to_have_count(0)


def test_models_toolbar_is_declared_in_the_settings(lab):
    open_lab(lab, lab.base_url)
    show_models(lab)
    save_file(lab, "alpha.luml", model_file(manifest("alpha")))
    save_file(lab, "beta.luml", model_file(manifest("beta")))
    names = lab.locator(".jp-LumlModels-item:not([hidden]) .jp-LumlModels-name")
    expect(names).to_have_count(2, timeout=SHOW_MS)

    # a side panel like JupyterLab's own: header, toolbar, content
    panel = lab.locator(".jp-LumlModels")
    expect(panel).to_have_class(re.compile(r"\bjp-SidePanel\b"))
    expect(panel.locator("> .jp-SidePanel-header")).to_contain_text("Models")
    expect(
        panel.locator("> .jp-SidePanel-content .jp-LumlModels-list")
    ).to_be_attached()
    bar = panel.locator("> .jp-SidePanel-toolbar")
    expect(bar.locator("> .jp-Toolbar-item")).to_have_count(4)
    assert toolbar_names(lab) == ["refresh", "filter", "sort", "order"]

    # the items work from the toolbar
    lab.evaluate(
        "window.ran = [];"
        "window.jupyterapp.commands.commandExecuted.connect("
        "(_, args) => window.ran.push(args.id))"
    )
    bar.locator("[data-command='luml-notebooks:refresh-models']").click()
    lab.wait_for_function("window.ran.includes('luml-notebooks:refresh-models')")
    lab.get_by_label("Sort by").select_option("name")
    expect(names).to_have_text(["alpha", "beta"])
    lab.get_by_role("button", name="Ascending order").click()
    expect(names).to_have_text(["beta", "alpha"])
    search = lab.get_by_label("Filter models")
    search.fill("alp")
    expect(names).to_have_text(["alpha"])

    # the toolbar's arrow keys move between its items; in the filter they
    # move the caret. The launcher takes the focus when it opens: let it open.
    expect(lab.locator(".jp-Launcher")).to_be_visible()
    order = bar.locator(".jp-LumlModels-order")
    order.focus()
    lab.keyboard.press("ArrowLeft")
    expect(lab.get_by_label("Sort by")).to_be_focused()
    search.focus()
    lab.keyboard.press("End")
    lab.keyboard.press("ArrowLeft")
    expect(search).to_be_focused()
    assert lab.evaluate("document.activeElement.selectionStart") == 2

    # hidden in the settings: gone at once, and its text no longer hides rows
    lab.evaluate(
        SET_SETTING, [MODELS_PLUGIN, "toolbar", [{"name": "filter", "disabled": True}]]
    )
    expect(bar.locator(".jp-LumlModels-filter")).to_have_count(0)
    assert toolbar_names(lab) == ["refresh", "sort", "order"]
    expect(names).to_have_text(["beta", "alpha"])

    # moved in the settings; the other items keep the view they show
    lab.evaluate(
        SET_SETTING, [MODELS_PLUGIN, "toolbar", [{"name": "order", "rank": 5}]]
    )
    expect(bar.locator(".jp-LumlModels-filter")).to_have_count(1)
    assert toolbar_names(lab) == ["order", "refresh", "filter", "sort"]
    expect(lab.get_by_label("Sort by")).to_have_value("name")
    expect(bar.locator(".jp-LumlModels-order")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(names).to_have_text(["beta", "alpha"])
