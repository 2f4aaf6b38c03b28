"""The Firefox lane: the fixtures of ui-tests/conftest.py (the built site,
served isolated and plain, and the local Registry), with Debian's Firefox ESR
in place of Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from firefox_page import Firefox, FirefoxPage


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "firefox: drives Debian's Firefox ESR against a built site"
    )


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.firefox)


def firefox_path() -> str:
    path = shutil.which("firefox-esr")
    if path is None:
        pytest.fail("Firefox ESR is not installed: run the README's test command")
    return path


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    """Where Firefox saves downloads (emptied before each test)."""
    return tmp_path_factory.mktemp("firefox-downloads")


@pytest.fixture(scope="session")
def firefox(downloads) -> Iterator[Firefox]:
    browser = Firefox(firefox_path(), downloads)
    yield browser
    browser.close()


@pytest.fixture
def download_dir(downloads) -> Path:
    for old in downloads.iterdir():
        old.unlink()
    return downloads


class Watch:
    """Requests that left the allowed origins, and uncaught page errors."""

    def __init__(self, page: FirefoxPage, origin: str, *also_allowed: str):
        self.page = page
        self.allowed = tuple(o.rstrip("/") + "/" for o in (origin, *also_allowed))

    def outside_requests(self) -> list[str]:
        return [
            url
            for url in self.page.watched()["requests"]
            if not url.startswith((*self.allowed, "data:", "blob:", "about:"))
        ]

    def page_errors(self) -> list[str]:
        return self.page.watched()["errors"]


@pytest.fixture
def firefox_pages(firefox) -> Iterator:
    """New Firefox pages in fresh browser contexts, checked when done:
    no request left the allowed origins, no uncaught error in the page."""
    opened: list[tuple[FirefoxPage, Watch]] = []

    def new_page(origin: str, *also_allowed: str, init_scripts=()):
        for allowed in (origin, *also_allowed):
            assert allowed.startswith("http://127.0.0.1:"), allowed
        page = firefox.new_page(init_scripts)
        page.base_url = origin
        watch = Watch(page, origin, *also_allowed)
        opened.append((page, watch))
        return page, watch

    yield new_page
    results = [(w.outside_requests(), w.page_errors()) for _, w in opened]
    for page, _ in opened:
        page.close()
    for outside, errors in results:
        assert outside == [], "requests left the site's origin"
        assert errors == [], "uncaught errors in the page"
