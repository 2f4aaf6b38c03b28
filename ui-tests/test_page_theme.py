"""The instances page follows the light or dark theme chosen in JupyterLab."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from instances_helpers import create_instance, instances_page, open_instance
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site, served_site

pytestmark = pytest.mark.browser

#: the page's background (--luml-bg) in each scheme
LIGHT_BG = "rgb(247, 247, 248)"
DARK_BG = "rgb(22, 24, 28)"
#: what the page shows: (data-luml-theme or None, body background)
LOOK = (
    "() => [document.documentElement.dataset.lumlTheme ?? null,"
    " getComputedStyle(document.body).backgroundColor]"
)


#: notes the page's theme when the body first exists: it is set before the
#: body is parsed, so the page never paints in the other scheme first
THEME_AT_BODY = """
new MutationObserver((records, observer) => {
  if (document.body) {
    window.themeAtBody = document.documentElement.dataset.lumlTheme ?? null;
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def look(page: Page) -> list:
    return page.evaluate(LOOK)


def wait_for_look(page: Page, theme: str | None, background: str) -> None:
    """Wait until the page shows ``theme`` (None: the system's) and ``background``."""
    page.wait_for_function(
        f"([theme, bg]) => {{ const [t, b] = ({LOOK})();"
        " return t === theme && b === bg; }",
        arg=[theme, background],
        timeout=10_000,
    )


def wait_for_lab_theme(lab: Page, theme: str) -> None:
    lab.wait_for_selector(
        f"body[data-jp-theme-name='{theme}']", state="attached", timeout=30_000
    )


def change_theme(lab: Page, theme: str) -> None:
    """Pick a theme as the Settings > Theme menu does, and wait until it shows."""
    lab.evaluate(
        "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
        theme,
    )
    wait_for_lab_theme(lab, theme)


def test_the_page_follows_the_theme_chosen_in_jupyterlab(page_factory, site_url):
    page, _watch = page_factory(site_url)
    instance = create_instance(page, site_url, "Themed")
    assert look(page) == [None, LIGHT_BG]  # the system's (light) before any choice

    open_instance(page, site_url, instance)
    change_theme(page, "JupyterLab Dark")
    instances_page(page, site_url)
    assert look(page) == ["dark", DARK_BG]

    # a JupyterLab tab beside the open page: the page follows at once
    lab = page.context.new_page()
    errors: list[str] = []
    lab.on("pageerror", lambda error: errors.append(str(error)))
    open_instance(lab, site_url, instance)
    wait_for_lab_theme(lab, "JupyterLab Dark")
    change_theme(lab, "JupyterLab Light")
    wait_for_look(page, "light", LIGHT_BG)

    # the choice wins over the system's preference...
    page.emulate_media(color_scheme="dark")
    page.add_init_script(THEME_AT_BODY)
    page.reload()
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert look(page) == ["light", LIGHT_BG]
    assert page.evaluate("window.themeAtBody") == "light"

    # ...until JupyterLab itself follows the system (Settings > Theme >
    # Synchronize with System Settings)
    lab.evaluate("window.jupyterapp.commands.execute('apputils:adaptive-theme')")
    wait_for_look(page, None, DARK_BG)
    assert errors == []


def test_without_a_choice_the_page_follows_the_system(page_factory, site_url):
    page, _watch = page_factory(site_url)
    page.emulate_media(color_scheme="dark")
    chose = create_instance(page, site_url, "Chose dark")
    left = create_instance(page, site_url, "Left as shipped")
    assert look(page) == [None, DARK_BG]

    # JupyterLab shows its own default (light), which nobody chose
    open_instance(page, site_url, left)
    wait_for_lab_theme(page, "JupyterLab Light")
    instances_page(page, site_url)
    assert look(page) == [None, DARK_BG]
    page.emulate_media(color_scheme="light")
    assert look(page) == [None, LIGHT_BG]

    # instances differ: the page looks like the JupyterLab opened last
    open_instance(page, site_url, chose)
    change_theme(page, "JupyterLab Dark")
    instances_page(page, site_url)
    assert look(page) == ["dark", DARK_BG]
    open_instance(page, site_url, left)
    instances_page(page, site_url)
    assert look(page) == [None, LIGHT_BG]


@pytest.fixture(scope="module")
def dark_site_url(tmp_path_factory) -> Iterator[str]:
    """A site whose operator made JupyterLab Dark the default (overrides.json)."""
    lite = tmp_path_factory.mktemp("dark-site")
    (lite / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    overrides = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    (lite / "overrides.json").write_text(json.dumps(overrides))
    result = build_site(lite, config=SITE_CONFIG)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with served_site(lite / "_output") as url:
        yield url


def test_the_sites_theme_counts_as_chosen(page_factory, dark_site_url):
    page, _watch = page_factory(dark_site_url)
    instance = create_instance(page, dark_site_url, "Operator's theme")
    assert look(page) == [None, LIGHT_BG]  # before any JupyterLab ran

    open_instance(page, dark_site_url, instance)
    wait_for_lab_theme(page, "JupyterLab Dark")
    instances_page(page, dark_site_url)
    assert look(page) == ["dark", DARK_BG]

    # the user's choice wins over the site's
    open_instance(page, dark_site_url, instance)
    change_theme(page, "JupyterLab Light")
    instances_page(page, dark_site_url)
    assert look(page) == ["light", LIGHT_BG]
