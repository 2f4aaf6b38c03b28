"""The extension's settings schemas: the menus, context menus, shortcuts and
toolbar items users can change in the Settings Editor name real plugins,
commands and toolbar widgets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_shared_constants import TS_SOURCES, ts_constant

SCHEMAS = TS_SOURCES.parent / "schema"


def plugin_ids() -> set[str]:
    """The plugins' ids, written as a literal or as a shared constant."""
    found = set()
    for path in (TS_SOURCES / "plugins").glob("*.ts"):
        for literal, constant in re.findall(
            r"^  id: (?:'([^']+)'|([A-Z_]+)),$", path.read_text(), re.M
        ):
            found.add(literal or ts_constant(constant))
    return found


def command_ids() -> set[str]:
    text = (TS_SOURCES / "commands.ts").read_text()
    return set(re.findall(r"export const \w+\s*=\s*'([^']+)'", text))


def declared_items(schema: dict) -> list[dict]:
    """Every menu item, context-menu item, shortcut and toolbar item,
    submenus included."""
    items = list(schema.get("jupyter.lab.shortcuts", []))
    for toolbar in schema.get("jupyter.lab.toolbars", {}).values():
        items.extend(toolbar)
    menus = schema.get("jupyter.lab.menus", {})
    pending = [*menus.get("main", []), {"items": menus.get("context", [])}]
    while pending:
        menu = pending.pop()
        for item in menu.get("items", []):
            items.append(item)
            if "submenu" in item:
                pending.append(item["submenu"])
    return items


@pytest.mark.parametrize(
    "schema_path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name
)
def test_each_schema_belongs_to_a_plugin_and_names_its_commands(schema_path: Path):
    # JupyterLab reads a schema for the plugin whose id ends with its name
    assert f"luml-notebooks:{schema_path.stem}" in plugin_ids()
    schema = json.loads(schema_path.read_text())
    assert schema["title"].startswith(("LUML Notebooks", "LUML Registry"))
    commands = {item["command"] for item in declared_items(schema) if "command" in item}
    assert commands <= command_ids()


def test_model_files_are_selected_by_their_file_type():
    schema = json.loads((SCHEMAS / "models-panel.json").read_text())
    file_type = ts_constant("MODEL_FILE_TYPE")
    selectors = {item["selector"] for item in schema["jupyter.lab.menus"]["context"]}
    assert f'.jp-DirListing-item[data-file-type="{file_type}"]' in selectors


@pytest.mark.parametrize(
    "schema_path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name
)
def test_a_schema_with_toolbars_lets_users_change_them(schema_path: Path):
    schema = json.loads(schema_path.read_text())
    if "jupyter.lab.toolbars" not in schema:
        return
    # JupyterLab's toolbar factory fills the "toolbar" setting's default from
    # the items of every plugin; it needs the transform and the empty default
    assert schema["jupyter.lab.transform"] is True
    toolbar = schema["properties"]["toolbar"]
    assert (toolbar["type"], toolbar["default"]) == ("array", [])


def test_models_toolbar_items_have_widgets():
    schema = json.loads((SCHEMAS / "models-panel.json").read_text())
    toolbars = schema["jupyter.lab.toolbars"]
    assert list(toolbars) == [ts_constant("MODELS_TOOLBAR")]
    source = (TS_SOURCES / "modelsPanel" / "modelsToolbar.ts").read_text()
    factories = set(re.findall(r"^    (\w+): panel => new ", source, re.M))
    # an item naming a command gets JupyterLab's command button; any other
    # item is one the extension registers a widget factory for
    items = next(iter(toolbars.values()))
    assert {item["name"] for item in items if "command" not in item} == factories
