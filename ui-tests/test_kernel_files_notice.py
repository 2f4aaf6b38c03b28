"""When the kernel has no way to the browser's files (the page is not cross-origin
isolated and has no service worker), the app says so once, plainly."""

from __future__ import annotations

import pytest

from browser_helpers import open_lab

pytestmark = pytest.mark.browser

NOTICE = "Python in notebooks cannot read or write this instance's files"
#: what the page logs once it knows the kernel's channel
CHANNEL_LOG = "Python reaches the instance's files through: "

#: a browser that refuses the registration, as with service workers blocked
REGISTER_REJECTS = """
ServiceWorkerContainer.prototype.register = () =>
  Promise.reject(new DOMException('The operation is insecure.', 'SecurityError'));
"""
#: a browser that offers no service workers (turned off, or in a private window)
NO_SERVICE_WORKERS = """
Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined });
"""


def open_lab_reading_channel(page, base_url: str) -> str:
    """Open the app; return the channel the page found for the kernel."""
    with page.expect_console_message(
        lambda message: message.text.startswith(CHANNEL_LOG), timeout=60_000
    ) as message:
        open_lab(page, base_url)
    return message.value.text.removeprefix(CHANNEL_LOG)


def forget_jupyterlite_rejection(watch) -> None:
    """JupyterLite's service worker manager rejects its ``ready`` promise, with no
    reason, when the registration fails, before anything awaits it: the page
    reports an uncaught ``undefined``. That one is JupyterLite's; any other error
    still fails the test."""
    watch.page_errors[:] = [
        error for error in watch.page_errors if error != "undefined"
    ]


def notices(page):
    return page.locator(".jp-Notification-Toast-warning", has_text=NOTICE)


# blocked: Playwright's blocking, a registration that never happens (JupyterLite
# then still mounts /drive, and every file access in Python fails); the other two
# as real browsers refuse
@pytest.mark.parametrize("refusal", ["blocked", "register-rejects", "none"])
def test_no_channel_is_said_once(page_factory, plain_site_url, refusal):
    page, watch = page_factory(plain_site_url, service_workers="block")
    if refusal == "register-rejects":
        page.add_init_script(REGISTER_REJECTS)
    elif refusal == "none":
        page.add_init_script(NO_SERVICE_WORKERS)

    assert open_lab_reading_channel(page, plain_site_url) == "none"
    assert page.evaluate("crossOriginIsolated") is False
    notices(page).first.wait_for(timeout=30_000)
    # the app goes on: a notebook opens with its kernel session; still one notice
    page.evaluate(
        "window.jupyterapp.commands.execute('docmanager:open',"
        " {path: 'Getting started.ipynb'})"
    )
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session; }",
        timeout=60_000,
    )
    assert notices(page).count() == 1

    # its action says why and what to do
    notices(page).get_by_role("button", name="What to do").click()
    dialog = page.locator(".jp-Dialog", has_text="Python cannot reach your files here")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "private window" in text
    assert "service workers are blocked" in text
    assert "open this site in a normal browser window" in text
    assert "cross-origin isolation headers" in text
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="detached")
    forget_jupyterlite_rejection(watch)


@pytest.mark.parametrize(
    ("site", "service_workers", "channel"),
    [
        ("isolated", "block", "shared-memory"),
        ("plain", "allow", "service-worker"),
    ],
)
def test_a_window_with_a_channel_has_no_notice(
    page_factory, site_url, plain_site_url, site, service_workers, channel
):
    base_url = site_url if site == "isolated" else plain_site_url
    page, watch = page_factory(base_url, service_workers=service_workers)
    assert open_lab_reading_channel(page, base_url) == channel
    page.wait_for_selector(".jp-DirListing-item >> text=Getting started.ipynb")
    assert notices(page).count() == 0
    assert NOTICE not in page.content()
    forget_jupyterlite_rejection(watch)
