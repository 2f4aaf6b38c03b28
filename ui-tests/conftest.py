"""Browser fixtures: Debian's Chromium, driven by Playwright, against a built site."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from local_registry import LocalRegistry
from sitebuild import served_site

# Debian's Chromium; these flags keep it from calling home on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is not installed: run the README's test command")
    return path


@pytest.fixture(scope="session")
def site_url(built_site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, cross-origin isolated."""
    with served_site(built_site, isolated=True) as url:
        yield url


@pytest.fixture(scope="session")
def plain_site_url(built_site) -> Iterator[str]:
    """The same site without COOP/COEP: the kernel then uses the service worker."""
    with served_site(built_site, isolated=False) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageWatch:
    """What a page did that a test must check: requests and uncaught errors."""

    def __init__(self, page: Page, origin: str, *also_allowed: str):
        self.origin = origin
        # other servers of this machine the page may call (a local Registry)
        self.allowed = tuple(o.rstrip("/") + "/" for o in (origin, *also_allowed))
        self.outside_requests: list[str] = []
        self.page_errors: list[str] = []
        page.on("request", self._on_request)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_request(self, request) -> None:
        url = request.url
        if not url.startswith((*self.allowed, "data:", "blob:")):
            self.outside_requests.append(url)


@pytest.fixture
def page_factory(browser) -> Iterator:
    """New pages in fresh browser contexts (empty storage), checked when done."""
    watches: list[PageWatch] = []
    contexts = []

    def new_page(
        origin: str, *also_allowed: str, service_workers: str = "allow"
    ) -> tuple[Page, PageWatch]:
        """``service_workers="block"``: as a browser that refuses them."""
        for allowed in (origin, *also_allowed):
            assert allowed.startswith("http://127.0.0.1:"), allowed
        context = browser.new_context(service_workers=service_workers)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, origin, *also_allowed)
        watches.append(watch)
        return page, watch

    yield new_page
    for context in contexts:
        context.close()
    for watch in watches:
        assert watch.outside_requests == [], "requests left the site's origin"
        assert watch.page_errors == [], "uncaught errors in the page"


@pytest.fixture
def lab(page_factory, site_url) -> Page:
    page, _watch = page_factory(site_url)
    page.base_url = site_url
    return page


@pytest.fixture
def registry(tmp_path) -> Iterator[LocalRegistry]:
    """A real local Registry on 127.0.0.1 with its own data dir."""
    local = LocalRegistry(tmp_path / "registry")
    yield local
    local.close()
