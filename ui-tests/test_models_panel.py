"""The Models sidebar: discovery of model files, Inspect, Download, Delete."""

from __future__ import annotations

import base64
import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import error_outputs, open_lab, run_all_cells, wait_for_output
from model_files import b64, manifest, model_file

pytestmark = pytest.mark.browser

#: what a model takes to appear after a change; generous for a busy machine
SHOW_MS = 30_000
DOWNLOAD = "button[data-command='luml-notebooks:download-model']"
DELETE = "button[data-command='luml-notebooks:delete-model']"
PUSH = "button[data-command='luml-notebooks:push-model']"


def show_models(page: Page) -> None:
    """Open the Models panel once the app's layout is restored (which moves
    focus) and the panel's start-up scan is done."""
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.evaluate("window.jupyterapp.commands.execute('luml-notebooks:show-models')")
    expect(page.locator(".jp-LumlModels")).to_be_visible()
    page.wait_for_function(
        "performance.getEntriesByName('luml-notebooks:model-scan').length > 0",
        timeout=SHOW_MS,
    )


def row(page: Page, path: str):
    return page.locator(f".jp-LumlModels-item[data-path={json.dumps(path)}]")


def save_file(page: Page, path: str, data: bytes) -> None:
    """Write a file into browser storage, as an upload would."""
    page.evaluate(
        "([path, content]) => window.jupyterapp.serviceManager.contents.save("
        "path, {type: 'file', format: 'base64', content})",
        [path, b64(data)],
    )


def make_folder(page: Page, path: str) -> None:
    page.evaluate(
        "(path) => window.jupyterapp.serviceManager.contents.save("
        "path, {type: 'directory'})",
        path,
    )


def rename(page: Page, old: str, new: str) -> None:
    page.evaluate(
        "([a, b]) => window.jupyterapp.serviceManager.contents.rename(a, b)",
        [old, new],
    )


def stored_bytes(page: Page, path: str) -> bytes:
    content = page.evaluate(
        "async (path) => (await window.jupyterapp.serviceManager.contents.get("
        "path, {type: 'file', format: 'base64', content: true})).content",
        path,
    )
    return base64.b64decode(content)


def exists(page: Page, path: str) -> bool:
    return page.evaluate(
        "(path) => window.jupyterapp.serviceManager.contents.get(path)"
        ".then(() => true, () => false)",
        path,
    )


def table_rows(section) -> list[list[str]]:
    return [
        [cell.strip() for cell in r.locator("td").all_inner_texts()]
        for r in section.locator("tbody tr").all()
    ]


def test_a_model_saved_by_a_notebook_shows_in_the_panel(lab):
    open_lab(lab, lab.base_url, "Build a model.ipynb")
    show_models(lab)
    run_all_cells(lab)
    wait_for_output(lab, "saved mean_threshold.luml")
    assert error_outputs(lab) == []

    item = row(lab, "mean_threshold.luml")
    expect(item.locator(".jp-LumlModels-name")).to_have_text(
        "mean-threshold", timeout=SHOW_MS
    )
    expect(item.locator(".jp-LumlModels-version")).to_have_text("0.1.0")
    expect(item.locator(".jp-LumlModels-description")).to_have_text(
        "Alerts when a reading's mean exceeds a learned threshold."
    )
    expect(item.locator(".jp-LumlModels-producer")).to_have_text("luml-notebooks 0.1.0")
    expect(item.locator(".jp-LumlModels-tag")).to_have_text(
        ["luml-notebooks::example:v1"]
    )
    expect(item.locator(PUSH)).to_be_enabled()

    # Enter on the focused row opens Inspect
    item.focus()
    lab.keyboard.press("Enter")
    view = lab.locator(".jp-LumlInspect-content")
    expect(view.locator(".jp-LumlInspect-name")).to_contain_text("mean-threshold")
    assert table_rows(view.locator(".jp-LumlInspect-inputs")) == [
        ["x", "NDJSON", "Array[float]", "[batch, 2]", ""]
    ]
    assert table_rows(view.locator(".jp-LumlInspect-outputs")) == [
        ["y", "NDJSON", "Array[int]", "[batch]", ""]
    ]
    # Push to Registry works, so no hint says what it lacks
    expect(view.locator(".jp-LumlInspect-hint")).to_have_text("")
    members = view.locator(".jp-LumlInspect-members")
    expect(members).to_contain_text("manifest.json")
    expect(members).to_contain_text("variant_artifacts/__pyfunc__.py")

    # Download gives the exact bytes held in browser storage
    with lab.expect_download() as info:
        view.locator(DOWNLOAD).click()
    download = info.value
    assert download.suggested_filename == "mean_threshold.luml"
    downloaded = Path(download.path()).read_bytes()
    assert downloaded == stored_bytes(lab, "mean_threshold.luml")
    with tarfile.open(fileobj=io.BytesIO(downloaded)) as archive:
        assert json.load(archive.extractfile("manifest.json"))["name"] == (
            "mean-threshold"
        )


def test_models_already_in_storage_are_found_at_start_up(lab):
    open_lab(lab, lab.base_url)
    make_folder(lab, "runs")
    make_folder(lab, "runs/2026")
    save_file(lab, "runs/2026/deep.luml", model_file(manifest("deep")))
    save_file(lab, "top.LUML", model_file(manifest("top")))
    save_file(lab, "runs/broken.fnnx", b"\x1f\x8b" + b"\0" * 600)
    save_file(lab, "runs/notes.txt", b"not a model")
    open_lab(lab, lab.base_url)  # a new page load over the same storage
    show_models(lab)
    items = lab.locator(".jp-LumlModels-item")
    expect(items).to_have_count(3, timeout=SHOW_MS)
    expect(row(lab, "runs/2026/deep.luml").locator(".jp-LumlModels-name")).to_have_text(
        "deep"
    )
    expect(row(lab, "top.LUML").locator(".jp-LumlModels-name")).to_have_text("top")
    expect(
        row(lab, "runs/broken.fnnx").locator(".jp-LumlModels-reason")
    ).to_contain_text("gzip")

    # model files in the file browser have the model commands too
    def file_menu(name: str) -> None:
        lab.evaluate("window.jupyterapp.shell.activateById('filebrowser')")
        model = lab.locator(
            ".jp-DirListing-item[data-file-type='luml-model']", has_text=name
        )
        model.click(button="right")

    file_menu("top.LUML")
    expect(lab.get_by_role("menuitem", name="Push to Registry…")).to_be_enabled()
    lab.get_by_role("menuitem", name="Inspect Model").click()
    expect(lab.locator(".jp-LumlInspect-name")).to_contain_text("top")
    file_menu("top.LUML")
    lab.get_by_role("menuitem", name="Show in Models Panel").click()
    expect(row(lab, "top.LUML")).to_be_focused()
    expect(row(lab, "top.LUML")).to_have_class(re.compile("jp-mod-selected"))


def test_rename_move_and_delete_are_reflected(lab):
    open_lab(lab, lab.base_url)
    show_models(lab)
    expect(lab.locator(".jp-LumlModels-empty")).to_contain_text("No models yet")

    save_file(lab, "first.luml", model_file(manifest("first", "1.0")))
    expect(row(lab, "first.luml").locator(".jp-LumlModels-name")).to_have_text(
        "first", timeout=SHOW_MS
    )
    expect(lab.locator(".jp-LumlModels-empty")).to_be_hidden()

    rename(lab, "first.luml", "renamed.luml")
    expect(row(lab, "renamed.luml")).to_be_visible(timeout=SHOW_MS)
    expect(row(lab, "first.luml")).to_have_count(0)

    make_folder(lab, "runs")
    rename(lab, "renamed.luml", "runs/renamed.luml")
    expect(row(lab, "runs/renamed.luml")).to_be_visible(timeout=SHOW_MS)
    expect(row(lab, "renamed.luml")).to_have_count(0)

    # a folder rename carries the models inside it along
    rename(lab, "runs", "archive")
    moved = row(lab, "archive/renamed.luml")
    expect(moved).to_be_visible(timeout=SHOW_MS)
    expect(moved.locator(".jp-LumlModels-name")).to_have_text("first")
    expect(lab.locator(".jp-LumlModels-item")).to_have_count(1)

    # Delete asks first, naming the file; Cancel keeps it
    moved.locator(DELETE).click()
    dialog = lab.locator(".jp-Dialog")
    expect(dialog).to_contain_text("renamed.luml")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert exists(lab, "archive/renamed.luml")

    moved.locator(DELETE).click()
    lab.locator(".jp-Dialog").get_by_role("button", name="Delete").click()
    expect(lab.locator(".jp-LumlModels-item")).to_have_count(0, timeout=SHOW_MS)
    assert not exists(lab, "archive/renamed.luml")
    expect(lab.locator(".jp-LumlModels-empty")).to_contain_text("No models yet")


def test_a_corrupt_file_is_listed_as_unreadable_and_can_be_downloaded(lab):
    open_lab(lab, lab.base_url)
    show_models(lab)
    garbage = bytes(range(256)) * 8
    truncated = model_file(weights=b"\x01" * 4096)[:1500]
    save_file(lab, "garbage.luml", garbage)
    save_file(lab, "truncated.DFS", truncated)
    save_file(lab, "good.fnnx", model_file(manifest("good")))

    bad = row(lab, "garbage.luml")
    expect(bad.locator(".jp-LumlModels-reason")).to_contain_text(
        "not a tar archive", timeout=SHOW_MS
    )
    expect(row(lab, "truncated.DFS").locator(".jp-LumlModels-reason")).to_contain_text(
        "truncated", timeout=SHOW_MS
    )
    expect(row(lab, "good.fnnx").locator(".jp-LumlModels-name")).to_have_text("good")
    expect(bad.locator(".jp-LumlModels-name")).to_have_text("garbage.luml")

    # the bytes are still the user's: download gives them back exactly
    expect(bad.locator(DOWNLOAD)).to_be_enabled()
    with lab.expect_download() as info:
        bad.locator(DOWNLOAD).click()
    assert Path(info.value.path()).read_bytes() == garbage

    # Inspect explains the problem instead of showing a blank view
    bad.dblclick()
    problem = lab.locator(".jp-LumlInspect-problem")
    expect(problem).to_contain_text("cannot be read as a model")
    expect(problem).to_contain_text("not a tar archive")

    expect(bad.locator(DELETE)).to_be_enabled()
    bad.locator(DELETE).click()
    lab.locator(".jp-Dialog").get_by_role("button", name="Delete").click()
    expect(bad).to_have_count(0, timeout=SHOW_MS)
    expect(lab.locator(".jp-LumlInspect-gone")).to_contain_text("no longer exists")


HOSTILE_FILE = "<img src=x onerror=window.__pwned=1>.luml"
HOSTILE_NAME = "<script>window.__pwned=2</script>"
HOSTILE_DESCRIPTION = '<img src=x onerror="window.__pwned=3;alert(3)">'
HOSTILE_CARD = (
    "<h1>Card</h1><script>parent.postMessage('card script ran', '*')</script>"
    "<script>parent.__pwned=4;alert(4)</script>"
    "<img src=x onerror=\"parent.__pwned=5\"><form action='/x'><input></form>"
)


def test_hostile_names_and_descriptions_do_not_run_script(lab):
    dialogs: list[str] = []
    lab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_lab(lab, lab.base_url)
    show_models(lab)
    man = manifest(
        HOSTILE_NAME,
        "<b>1</b>",
        HOSTILE_DESCRIPTION,
        producer_tags=["<svg onload=window.__pwned=6>"],
        inputs=[
            {
                "name": "<img src=x onerror=window.__pwned=7>",
                "content_type": "NDJSON",
                "dtype": "<i>x</i>",
            }
        ],
    )
    save_file(lab, HOSTILE_FILE, model_file(man, card_html=HOSTILE_CARD))
    save_file(
        lab, "<u onclick=alert(9)>bad.luml", b"<script>window.__pwned=8</script>" * 20
    )

    item = row(lab, HOSTILE_FILE)
    expect(item.locator(".jp-LumlModels-name")).to_have_text(
        HOSTILE_NAME, timeout=SHOW_MS
    )
    expect(item.locator(".jp-LumlModels-description")).to_have_text(HOSTILE_DESCRIPTION)
    expect(item.locator(".jp-LumlModels-path")).to_have_text(HOSTILE_FILE)
    expect(
        row(lab, "<u onclick=alert(9)>bad.luml").locator(".jp-LumlModels-name")
    ).to_have_text("<u onclick=alert(9)>bad.luml", timeout=SHOW_MS)

    # a script in the card could only reach the app by messages: listen
    lab.evaluate(
        "window.addEventListener('message', e => {"
        " window.__messages = [...(window.__messages || []), String(e.data)] })"
    )
    item.dblclick()
    view = lab.locator(".jp-LumlInspect-content")
    expect(view.locator(".jp-LumlInspect-description")).to_have_text(
        HOSTILE_DESCRIPTION
    )
    frame = view.locator("iframe.jp-LumlInspect-cardFrame")
    expect(frame).to_have_attribute("sandbox", "")
    expect(
        lab.frame_locator("iframe.jp-LumlInspect-cardFrame").locator("h1")
    ).to_have_text("Card")
    assert table_rows(view.locator(".jp-LumlInspect-inputs"))[0][0] == (
        "<img src=x onerror=window.__pwned=7>"
    )

    item.locator(DELETE).click()
    dialog = lab.locator(".jp-Dialog")
    expect(dialog).to_contain_text(HOSTILE_FILE)
    dialog.get_by_role("button", name="Cancel").click()

    # give any injected handler time to fire, then check nothing did
    lab.wait_for_timeout(1000)
    assert lab.evaluate("window.__pwned") is None
    assert "card script ran" not in (lab.evaluate("window.__messages") or [])
    assert dialogs == []
    injected = lab.locator(
        ", ".join(
            f"{root} {tag}"
            for root in (".jp-LumlModels-list", ".jp-LumlInspect-content")
            for tag in ("img", "script", "svg[onload]", "b", "u")
        )
    )
    assert injected.count() == 0


# every way a card without script could still leave the frame for a remote
# page: an automatic refresh, a link, an image map, a form, a base for the
# relative link, and a link inside an SVG
NAVIGATING_CARD = (
    '<meta http-equiv="refresh" content="0;url=http://card.invalid/refresh">'
    '<base href="http://card.invalid/base/">'
    "<h1>Card</h1>"
    '<a id="link" href="http://card.invalid/link">link</a>'
    '<a id="relative" href="relative">relative</a>'
    '<svg width="40" height="40"><a id="svglink" href="http://card.invalid/svg">'
    '<rect width="40" height="40"></rect></a></svg>'
    '<form action="http://card.invalid/form"><button id="submit">go</button></form>'
)


def test_a_model_card_cannot_navigate_or_reach_another_site(page_factory, site_url):
    lab, watch = page_factory(site_url)
    lab.base_url = site_url
    open_lab(lab, site_url)
    show_models(lab)
    save_file(
        lab, "card-nav.luml", model_file(manifest("nav"), card_html=NAVIGATING_CARD)
    )
    item = row(lab, "card-nav.luml")
    expect(item).to_be_visible(timeout=SHOW_MS)
    item.dblclick()
    card = lab.frame_locator("iframe.jp-LumlInspect-cardFrame")
    expect(card.locator("h1")).to_have_text("Card")
    for target in ("#link", "#relative", "#svglink"):
        card.locator(target).click()
    # a form is dropped with its controls: nothing is left to submit
    expect(card.locator("form, #submit")).to_have_count(0)
    # a refresh or a click would have started a request by now; then the frame
    # would show another document
    lab.wait_for_timeout(1500)
    expect(card.locator("h1")).to_have_text("Card")
    assert watch.outside_requests == []


def test_filter_sort_and_keyboard(lab):
    open_lab(lab, lab.base_url)
    show_models(lab)
    save_file(lab, "b.luml", model_file(manifest("beta"), weights=b"\0" * 20_000))
    make_folder(lab, "deep")
    save_file(lab, "deep/a.luml", model_file(manifest("alpha", description="tabular")))
    save_file(lab, "c.pyfnx", model_file(manifest("gamma"), weights=b"\0" * 5_000))
    names = lab.locator(".jp-LumlModels-item:not([hidden]) .jp-LumlModels-name")
    expect(names).to_have_count(3, timeout=SHOW_MS)

    sort = lab.get_by_label("Sort by")
    sort.select_option("name")
    expect(names).to_have_text(["alpha", "beta", "gamma"])
    sort.select_option("size")
    expect(names).to_have_text(["beta", "gamma", "alpha"])
    lab.get_by_role("button", name="Descending order").click()
    expect(names).to_have_text(["alpha", "gamma", "beta"])

    search = lab.get_by_label("Filter models")
    search.fill("TABULAR")
    expect(names).to_have_text(["alpha"])
    search.fill("zzz")
    expect(lab.locator(".jp-LumlModels-empty")).to_contain_text("No model matches")
    lab.get_by_role("button", name="Clear filter").click()
    expect(names).to_have_count(3)

    # Tab reaches the list in one step; arrows move; Enter inspects.
    # The launcher takes the focus when it opens: let it open first.
    expect(lab.locator(".jp-Launcher")).to_be_visible()
    active_path = "document.activeElement.dataset.path"
    sort.focus()
    lab.keyboard.press("Tab")
    lab.keyboard.press("Tab")
    assert lab.evaluate(active_path) == "deep/a.luml"
    lab.keyboard.press("ArrowDown")
    assert lab.evaluate(active_path) == "c.pyfnx"
    lab.keyboard.press("Shift+Tab")
    order = lab.evaluate("document.activeElement.getAttribute('aria-label')")
    assert order == "Ascending order"
    lab.keyboard.press("Tab")
    assert lab.evaluate(active_path) == "c.pyfnx", "the list remembers its row"
    lab.keyboard.press("Enter")
    expect(lab.locator(".jp-LumlInspect-name")).to_contain_text("gamma")

    row(lab, "c.pyfnx").focus()
    lab.keyboard.press("Delete")
    dialog = lab.locator(".jp-Dialog")
    expect(dialog).to_contain_text("c.pyfnx")
    lab.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert exists(lab, "c.pyfnx")

    # the palette runs the same commands on the selected row
    row(lab, "b.luml").click()
    with lab.expect_download() as info:
        lab.evaluate(
            "window.jupyterapp.commands.execute('luml-notebooks:download-model')"
        )
    assert info.value.suggested_filename == "b.luml"


def test_another_tab_of_the_same_instance_sees_changes(page_factory, site_url):
    page, _watch = page_factory(site_url)
    other = page.context.new_page()
    errors: list[str] = []
    other.on("pageerror", lambda e: errors.append(str(e)))
    open_lab(page, site_url)
    open_lab(other, site_url)
    show_models(other)

    save_file(page, "shared.luml", model_file(manifest("shared")))
    expect(row(other, "shared.luml").locator(".jp-LumlModels-name")).to_have_text(
        "shared", timeout=SHOW_MS
    )
    make_folder(page, "sub")
    rename(page, "shared.luml", "sub/shared.luml")
    expect(row(other, "sub/shared.luml")).to_be_visible(timeout=SHOW_MS)
    expect(row(other, "shared.luml")).to_have_count(0)

    page.evaluate("window.jupyterapp.serviceManager.contents.delete('sub')")
    expect(other.locator(".jp-LumlModels-item")).to_have_count(0, timeout=SHOW_MS)
    assert errors == []
