"""Firefox with service workers turned off (as in a private window): on a site that
is not cross-origin isolated the kernel has no way to the browser's files, and the
app says so once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from test_kernel_files_notice import CHANNEL_LOG, NOTICE

from browser_helpers import open_lab
from firefox_page import Firefox

COUNT_NOTICES = """notice =>
  [...document.querySelectorAll('.jp-Notification-Toast-warning')]
    .filter(toast => toast.textContent.includes(notice)).length"""


@pytest.fixture(scope="module")
def firefox(downloads) -> Iterator[Firefox]:
    """A Firefox of its own that offers pages no service workers."""
    path = shutil.which("firefox-esr")
    if path is None:
        pytest.fail("Firefox ESR is not installed: run the README's test command")
    browser = Firefox(path, downloads, prefs={"dom.serviceWorkers.enabled": False})
    yield browser
    browser.close()


def test_no_service_workers_and_no_isolation_is_said_once(
    firefox_pages, plain_site_url
):
    page, _watch = firefox_pages(plain_site_url)
    open_lab(page, plain_site_url)
    assert page.evaluate("crossOriginIsolated") is False
    assert page.evaluate("'serviceWorker' in navigator") is False
    page.wait_for_function(COUNT_NOTICES, NOTICE)
    logged = [m for m in page.watched()["console"] if CHANNEL_LOG in m]
    assert len(logged) == 1 and logged[0].endswith(f"{CHANNEL_LOG}none"), logged
    assert page.evaluate(COUNT_NOTICES, NOTICE) == 1
