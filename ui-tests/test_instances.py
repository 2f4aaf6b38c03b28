"""Instances: isolated browser-local workspaces, opened by direct link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import KERNEL_TIMEOUT_MS, error_outputs, wait_for_output
from instances_helpers import DATABASES, create_instance, instances_page, open_instance

pytestmark = pytest.mark.browser

XSS_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def run_command(page: Page, command: str) -> None:
    """Start a command without waiting for it (dialogs wait for the user)."""
    page.evaluate("id => { window.jupyterapp.commands.execute(id); }", command)


def save_text(page: Page, path: str, text: str):
    return page.evaluate(
        "([path, text]) => window.jupyterapp.serviceManager.contents.save(path,"
        " {type: 'file', format: 'text', content: text}).then(() => null,"
        " e => e.message)",
        [path, text],
    )


def file_names(page: Page) -> set[str]:
    listing = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get(''))"
        ".content.map(m => m.name)"
    )
    return set(listing)


def write_from_kernel(page: Page, filename: str, text: str) -> None:
    """Run a notebook cell that writes a file in the kernel's working folder."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": (
                    f"with open({filename!r}, 'w') as f:\n"
                    f"    f.write({text!r})\nprint('wrote', {filename!r})"
                ),
            }
        ],
        "metadata": {"kernelspec": {"name": "python", "display_name": "Python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    page.evaluate(
        "nb => window.jupyterapp.serviceManager.contents.save('writer.ipynb',"
        " {type: 'notebook', format: 'json', content: nb})",
        notebook,
    )
    page.evaluate(
        "window.jupyterapp.commands.execute('docmanager:open', {path: 'writer.ipynb'})"
    )
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session; }",
        timeout=60_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_for_output(page, f"wrote {filename}")
    assert error_outputs(page) == []
    page.wait_for_function(
        "name => window.jupyterapp.serviceManager.contents.get(name).then("
        "() => true, () => false)",
        arg=filename,
        timeout=KERNEL_TIMEOUT_MS,
    )


def test_two_instances_keep_their_own_files(page_factory, site_url):
    page, _watch = page_factory(site_url)
    alpha = create_instance(page, site_url, "Alpha")
    beta = create_instance(page, site_url, "Beta")
    assert alpha != beta

    open_instance(page, site_url, alpha)
    assert save_text(page, "alpha-ui.txt", "from the UI of alpha") is None
    write_from_kernel(page, "alpha-kernel.txt", "from the kernel of alpha")

    open_instance(page, site_url, beta)
    assert save_text(page, "beta-ui.txt", "from the UI of beta") is None
    write_from_kernel(page, "beta-kernel.txt", "from the kernel of beta")

    for instance_id, mine, theirs in [
        (
            alpha,
            {"alpha-ui.txt", "alpha-kernel.txt"},
            {"beta-ui.txt", "beta-kernel.txt"},
        ),
        (
            beta,
            {"beta-ui.txt", "beta-kernel.txt"},
            {"alpha-ui.txt", "alpha-kernel.txt"},
        ),
    ]:
        open_instance(page, site_url, instance_id)
        page.reload()
        page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
        names = file_names(page)
        assert mine <= names
        assert not theirs & names
        # the shipped notebooks are in both
        assert "Getting started.ipynb" in names

    # each instance's data is in its own jl_<id> database only
    assert set(page.evaluate(DATABASES)) == {f"jl_{alpha}", f"jl_{beta}"}
    instances_page(page, site_url)
    row = page.locator(f"[data-instance-id='{alpha}']")
    expect(row.locator(".jp-LumlInstances-size")).not_to_have_text("0 B")
    expect(row.locator(".jp-LumlInstances-models")).to_have_text("0")


def test_direct_links_default_instance_and_unknown_ids(page_factory, site_url):
    page, _watch = page_factory(site_url)
    # no instance yet: lab/index.html makes the default one and names it in the URL
    open_instance(page, site_url, None)
    default_id = page.evaluate("new URL(location.href).searchParams.get('instance')")
    assert page.inner_text(".jp-LumlInstanceLabel-name") == "Default"
    assert page.evaluate(DATABASES) == [f"jl_{default_id}"]

    other = create_instance(page, site_url, "Other")
    open_instance(page, site_url, other)
    assert page.inner_text(".jp-LumlInstanceLabel-name") == "Other"
    # JupyterLab routing (opening a file by path) keeps the instance in the URL
    page.goto(
        f"{site_url}lab/tree/index.html?instance={other}&path=Getting%20started.ipynb"
    )
    page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    assert f"instance={other}" in page.url
    page.reload()
    page.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    assert page.inner_text(".jp-LumlInstanceLabel-name") == "Other"
    # without an id, the last used instance opens
    open_instance(page, site_url, None)
    assert page.inner_text(".jp-LumlInstanceLabel-name") == "Other"

    # a mistyped or foreign id: a clear page, a way back, nothing created
    page.goto(f"{site_url}lab/index.html?instance=0000-not-here")
    expect(page.locator("h1")).to_have_text(
        "No instance “0000-not-here” in this browser"
    )
    expect(page.locator(".jp-LumlProblem-back")).to_have_attribute(
        "href", f"{site_url}index.html"
    )
    page.goto(f"{site_url}lab/index.html?instance=%3Cb%3Ebad%3C%2Fb%3E")
    expect(page.locator("h1")).to_have_text("This link does not name an instance")
    assert page.locator("b").count() == 0
    assert sorted(page.evaluate(DATABASES)) == sorted(
        [f"jl_{default_id}", f"jl_{other}"]
    )
    page.click(".jp-LumlProblem-back")
    page.wait_for_selector("body[data-state=ready]")
    assert page.locator(".jp-LumlInstances-row").count() == 2


def test_rename_shows_everywhere(page_factory, site_url):
    page, _watch = page_factory(site_url)
    instance_id = create_instance(page, site_url, "Before")
    lab = page.context.new_page()
    open_instance(lab, site_url, instance_id)
    assert lab.inner_text(".jp-LumlInstanceLabel-name") == "Before"

    # renamed in JupyterLab: the instances page (another tab) follows
    run_command(lab, "luml-notebooks:rename-instance")
    lab.fill(".jp-LumlInstanceName-input", "Après — модели")
    lab.click(".jp-Dialog-button.jp-mod-accept")
    expect(lab.locator(".jp-LumlInstanceLabel-name")).to_have_text("Après — модели")
    row = page.locator(f"[data-instance-id='{instance_id}']")
    expect(row.locator(".jp-LumlInstances-name")).to_have_text("Après — модели")

    # renamed on the instances page: the JupyterLab tab follows
    row.locator(".jp-LumlInstances-rename").click()
    page.fill(".jp-LumlInstances-nameInput", "Final")
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    expect(row.locator(".jp-LumlInstances-name")).to_have_text("Final")
    expect(lab.locator(".jp-LumlInstanceLabel-name")).to_have_text("Final")

    # the platform's meta record holds the new name
    info = lab.evaluate(
        """id => new Promise((resolve, reject) => {
          const open = indexedDB.open('jl_' + id);
          open.onsuccess = () => {
            const get = open.result.transaction('meta').objectStore('meta').get('info');
            get.onsuccess = () => { open.result.close(); resolve(get.result); };
          };
          open.onerror = () => reject(open.error);
        })""",
        instance_id,
    )
    assert info["fullname"] == "Final"
    assert re.match(r"\d{4}-\d\d-\d\dT", info["createdAt"])

    # switching instance from the top bar
    other = create_instance(page, site_url, "Other")
    lab.click(".jp-LumlInstanceLabel")
    lab.click(f".jp-LumlInstancePicker-item[data-instance-id='{other}']")
    lab.wait_for_url(re.compile(f"instance={other}"))
    lab.wait_for_selector(".jp-LumlInstanceLabel", timeout=60_000)
    assert lab.inner_text(".jp-LumlInstanceLabel-name") == "Other"


def test_delete_removes_every_database_and_tells_open_tabs(page_factory, site_url):
    page, _watch = page_factory(site_url)
    doomed = create_instance(page, site_url, "Doomed")
    kept = create_instance(page, site_url, "Kept")
    lab = page.context.new_page()
    open_instance(lab, site_url, doomed)
    assert save_text(lab, "work.txt", "precious") is None

    page.bring_to_front()
    row = page.locator(f"[data-instance-id='{doomed}']")
    row.locator(".jp-LumlInstances-delete").click()
    dialog = page.locator(".jp-LumlInstances-dialog")
    expect(dialog).to_contain_text("Delete “Doomed”?")
    expect(dialog).to_contain_text(
        "Models you have already downloaded or pushed to the LUML Registry"
        " are not affected."
    )
    # cancelling keeps everything
    dialog.locator("button[value=cancel]").click()
    assert f"jl_{doomed}" in page.evaluate(DATABASES)

    row.locator(".jp-LumlInstances-delete").click()
    page.click(".jp-LumlInstances-dialog button[value=ok]")
    expect(page.locator(".jp-LumlInstances-status")).to_have_text(
        "Deleted “Doomed” and all of its data from this browser."
    )
    assert page.evaluate(DATABASES) == [f"jl_{kept}"]
    expect(page.locator(".jp-LumlInstances-row")).to_have_count(1)

    # the tab that showed it says so, and cannot bring it back by saving
    expect(lab.locator(".jp-Dialog-header")).to_have_text(
        "This instance was deleted", timeout=10_000
    )
    expect(lab.locator(".jp-LumlInstanceLabel")).to_have_class(
        re.compile("jp-mod-deleted")
    )
    lab.click(".jp-Dialog-button:has-text('Stay on this page')")
    message = save_text(lab, "after.txt", "lost")
    assert "This instance was deleted from this browser" in message
    assert page.evaluate(DATABASES) == [f"jl_{kept}"]
    assert lab.evaluate("window.__xss") is None


def test_bad_names_are_refused_clearly_and_names_are_text(page_factory, site_url):
    page, _watch = page_factory(site_url)
    create_instance(page, site_url, "Taken")
    page.click(".jp-LumlInstances-new")
    name_input = page.locator(".jp-LumlInstances-nameInput")
    error = page.locator(".jp-LumlInstances-error")
    create = page.locator(".jp-LumlInstances-dialog button[value=ok]")
    for typed, expected in [
        ("", "Give the instance a name."),
        ("   \t ", "Give the instance a name."),
        ("x" * 81, "The name is 81 characters long; use at most 80."),
        (" TAKEN ", "An instance named “Taken” already exists in this browser"),
    ]:
        name_input.fill(typed)
        create.click()
        expect(error).to_contain_text(expected)
        expect(page.locator(".jp-LumlInstances-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".jp-LumlInstances-dialog")).to_have_count(0)
    assert page.locator(".jp-LumlInstances-row").count() == 1

    xss = create_instance(page, site_url, XSS_NAME)
    cyrillic = create_instance(page, site_url, "  Модель   日本語 ")
    row = page.locator(f"[data-instance-id='{xss}']")
    expect(row.locator(".jp-LumlInstances-name")).to_have_text(XSS_NAME)
    assert (
        page.locator(
            ".jp-LumlInstances-table img, .jp-LumlInstances-table script"
        ).count()
        == 0
    )
    expect(
        page.locator(f"[data-instance-id='{cyrillic}'] .jp-LumlInstances-name")
    ).to_have_text("Модель 日本語")

    open_instance(page, site_url, xss)
    assert page.inner_text(".jp-LumlInstanceLabel-name") == XSS_NAME
    assert page.locator(".jp-LumlInstanceLabel img").count() == 0
    # renaming in JupyterLab refuses a duplicate with the reason shown
    run_command(page, "luml-notebooks:rename-instance")
    page.fill(".jp-LumlInstanceName-input", "taken")
    page.click(".jp-Dialog-button.jp-mod-accept")
    expect(page.locator(".jp-LumlInstanceName-error")).to_contain_text(
        "An instance named “Taken” already exists"
    )
    page.click(".jp-Dialog-button.jp-mod-reject")
    assert page.evaluate("window.__xss") is None
    expect(page.locator(".jp-LumlInstanceLabel-name")).to_have_text(XSS_NAME)


# counts calls of navigator.storage.persist() (Firefox shows a prompt for
# each); the browser's answer is always "not granted", so every ask is seen
COUNT_PERSIST_CALLS = """
(() => {
  window.__persistCalls = 0;
  StorageManager.prototype.persisted = async () => false;
  StorageManager.prototype.persist = async () => {
    window.__persistCalls++;
    return false;
  };
})();
"""


def test_storage_is_asked_to_persist_on_the_first_create_not_on_load(
    page_factory, site_url
):
    page, _watch = page_factory(site_url)
    page.add_init_script(COUNT_PERSIST_CALLS)
    instances_page(page, site_url)
    expect(page.locator(".jp-LumlInstances-persistence")).to_contain_text("not granted")
    assert page.evaluate("window.__persistCalls") == 0
    status = page.locator(".jp-LumlInstances-status")
    for name in ("First", "Second"):
        page.click(".jp-LumlInstances-new")
        page.fill(".jp-LumlInstances-nameInput", name)
        page.click(".jp-LumlInstances-dialog button[value=ok]")
        expect(status).to_have_text(f"Created “{name}”.")
        assert page.evaluate("window.__persistCalls") == 1
    # the page's own button asks whenever the user wants
    page.click(".jp-LumlInstances-persist")
    page.wait_for_function("window.__persistCalls === 2")
