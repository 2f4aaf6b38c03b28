"""The static site server: who it answers, and what of the site folder it shows."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest
from rawhttp import raw_request

from luml_notebooks.site.serve import make_server, serve_in_thread

KEY_FILE = b'{"url": "http://127.0.0.1:1", "apiKey": "dfs_secret"}'


def raw_get(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    return raw_request(port, path, host)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "lab").mkdir(parents=True)
    (site / "jupyter-lite.json").write_text("{}")
    (site / "index.html").write_text("<p>site</p>")
    (site / "lab" / "index.html").write_text("<p>lab</p>")
    (site / "static").mkdir()
    (site / "static" / "app.js").write_text("// app")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("private")
    os.symlink(outside / "secret.txt", site / "secret.txt")
    os.symlink(outside, site / "outside")
    os.symlink(site / "static" / "app.js", site / "app-link.js")  # stays inside
    return site


@pytest.fixture
def port(site: Path):
    server = make_server(site, port=0, memory_files={"/key.json": KEY_FILE})
    serve_in_thread(server)
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        "attacker.example:{port}",
        "localhost.attacker.example:{port}",
        "127.0.0.1.nip.io:{port}",
        None,
    ],
)
def test_a_foreign_host_gets_neither_the_key_nor_the_site(port, host):
    """DNS rebinding: a page on attacker.example resolving to 127.0.0.1."""
    header = host.format(port=port) if host else None
    for path in ("/key.json", "/", "/lab/"):
        status, body = raw_get(port, path, header)
        assert status == 400, (path, header)
        assert b"dfs_secret" not in body and b"site" not in body
        assert b"127.0.0.1" in body and b"localhost" in body  # where to go instead


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LocalHost"]
)
def test_the_loopback_names_are_served(port, host):
    status, body = raw_get(port, "/key.json", host.format(port=port))
    assert (status, body) == (200, KEY_FILE)
    assert raw_get(port, "/", host.format(port=port)) == (200, b"<p>site</p>")


@pytest.mark.parametrize(
    "path", ["/secret.txt", "/outside/secret.txt", "/outside/", "/outside"]
)
def test_links_out_of_the_site_folder_are_not_followed(port, path):
    status, body = raw_get(port, path, f"127.0.0.1:{port}")
    assert status == 404
    assert b"private" not in body


def test_a_link_inside_the_site_folder_is_served(port):
    assert raw_get(port, "/app-link.js", f"127.0.0.1:{port}") == (200, b"// app")


@pytest.mark.parametrize("path", ["/static/", "/static"])
def test_a_folder_without_index_html_is_not_listed(port, path):
    status, body = raw_get(port, path, f"127.0.0.1:{port}")
    assert status == 404
    assert b"app.js" not in body


def test_a_folder_with_index_html_is_served(port):
    assert raw_get(port, "/lab/", f"127.0.0.1:{port}") == (200, b"<p>lab</p>")


def test_pages_are_sent_cross_origin_isolated_credentialless(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/") as response:
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Embedder-Policy"] == "credentialless"
