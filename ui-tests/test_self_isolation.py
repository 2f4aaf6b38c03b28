"""A site built with `self_isolation` is cross-origin isolated on a server that
sends no COOP/COEP headers: its service worker adds them. `serve` sends them
itself."""

from __future__ import annotations

import functools
import http.server
import json
from collections.abc import Iterator

import pytest

from browser_helpers import error_outputs, open_lab, run_all_cells, wait_for_output
from luml_notebooks.site.serve import serve_in_thread, server_url
from sitebuild import SITE_CONFIG, TEST_PAGE_CONFIG, build_site, served_site

pytestmark = pytest.mark.browser

# a 1x1 PNG
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f00000101000518d84e0000"
    "000049454e44ae426082"
)

LOAD_IMAGE = """url => new Promise(resolve => {
  const image = new Image();
  image.onload = () => resolve('loaded');
  image.onerror = () => resolve('blocked');
  image.src = url;
})"""


@pytest.fixture(scope="module", params=["credentialless", "require-corp"])
def plain_isolating_site(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A site built with self_isolation, served with no isolation headers."""
    lite = tmp_path_factory.mktemp(f"isolating-{request.param}")
    (lite / "jupyter-lite.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"self_isolation": request.param}}
    result = build_site(lite, config=config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with served_site(lite / "_output", isolated=False) as url:
        yield url, request.param


@pytest.fixture(scope="module")
def other_site(tmp_path_factory) -> Iterator[str]:
    """Another origin with an image and no CORP header, like most image hosts."""
    folder = tmp_path_factory.mktemp("other-site")
    (folder / "pixel.png").write_bytes(PIXEL)
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(folder)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    yield server_url(server)
    server.shutdown()
    server.server_close()


def open_isolated(page, url: str, path: str | None = None) -> None:
    """Open the app; the page reloads itself once the service worker controls it."""
    page.goto(f"{url}lab/index.html")
    page.wait_for_function("window.crossOriginIsolated === true", timeout=60_000)
    open_lab(page, url, path)


def test_the_site_isolates_itself_without_server_headers(
    page_factory, plain_isolating_site
):
    url, _policy = plain_isolating_site
    page, _watch = page_factory(url)
    response = page.request.get(f"{url}lab/index.html")
    assert "cross-origin-embedder-policy" not in response.headers
    open_isolated(page, url, "Getting started.ipynb")
    assert page.evaluate("crossOriginIsolated") is True
    # the kernel runs, its files reach the browser's storage
    run_all_cells(page)
    wait_for_output(page, "working folder: /drive")
    assert error_outputs(page) == []


def test_only_credentialless_shows_images_from_other_sites(
    page_factory, plain_isolating_site, other_site
):
    url, policy = plain_isolating_site
    page, _watch = page_factory(url, other_site)
    open_isolated(page, url)
    outcome = page.evaluate(LOAD_IMAGE, f"{other_site}pixel.png")
    assert outcome == ("loaded" if policy == "credentialless" else "blocked")


def test_serve_isolates_the_page_and_shows_images_from_other_sites(
    page_factory, site_url, other_site
):
    """`luml-notebooks serve` sends the headers itself, credentialless."""
    page, _watch = page_factory(site_url, other_site)
    open_lab(page, site_url)
    assert page.evaluate("crossOriginIsolated") is True
    assert page.evaluate(LOAD_IMAGE, f"{other_site}pixel.png") == "loaded"
