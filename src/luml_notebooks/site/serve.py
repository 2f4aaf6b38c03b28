"""Serve a built site on the loopback interface, cross-origin isolated.

The COOP/COEP headers make the page cross-origin isolated, so the kernel can
reach the browser's files through SharedArrayBuffer instead of the service
worker (see the README for which is faster).
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ..loopback import TrustedHosts, is_loopback

# credentialless, as the README recommends to hosts: the page is isolated
# all the same, and a notebook still shows an image from another site
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "credentialless",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Browsers refuse to compile wasm or import modules served with a wrong type.
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/json", ".json")

#: JupyterLab moves its address to ``<app>/workspaces/<name>`` (and reloads
#: there after a workspace change): that app's redirect page answers for them
APP_ROUTES = ("workspaces",)


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    isolated = True
    #: files served from memory, never written into the site folder; only to
    #: clients on this machine (they may hold secrets such as a local API key)
    memory_files: Mapping[str, bytes] = {}
    trusted_hosts = TrustedHosts()

    def do_GET(self):
        if self._refuse_foreign_host():
            return
        if not self._send_memory_file(with_body=True):
            super().do_GET()

    def do_HEAD(self):
        if self._refuse_foreign_host():
            return
        if not self._send_memory_file(with_body=False):
            super().do_HEAD()

    def send_head(self):
        # Only the site's own files: no links out of its folder, no listings.
        local = Path(self.translate_path(self.path))
        site = Path(self.directory).resolve()
        real = local.resolve()
        if real != site and site not in real.parents:
            self._send_text(404, "Not found.")
            return None
        if local.is_dir() and not (local / "index.html").is_file():
            self._send_text(404, "Not found: folders are not listed.")
            return None
        return super().send_head()

    def _refuse_foreign_host(self) -> bool:
        problem = self.trusted_hosts.problem(self.headers.get("Host"))
        if problem:
            self._send_text(400, problem)
        return problem is not None

    def _send_text(self, status: int, text: str) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if os.path.exists(local):
            return local
        parts = urlsplit(path).path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part in APP_ROUTES:
                route = super().translate_path(
                    "/".join([*parts[: i + 1], "index.html"])
                )
                if os.path.isfile(route):
                    return route
        return local

    def _send_memory_file(self, *, with_body: bool) -> bool:
        body = self.memory_files.get(urlsplit(self.path).path)
        if body is None or not is_loopback(self.client_address[0]):
            return False
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)
        return True

    def end_headers(self):
        if self.isolated:
            for name, value in ISOLATION_HEADERS.items():
                self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


def make_server(
    site_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    isolated: bool = True,
    verbose: bool = False,
    memory_files: Mapping[str, bytes] | None = None,
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site_dir``; port 0 picks a free port.

    ``memory_files`` maps URL paths to bodies served from memory to clients
    on this machine only. Requests must name a loopback host, or ``host``
    itself (see ``TrustedHosts``).
    """
    if not (site_dir / "jupyter-lite.json").is_file():
        raise FileNotFoundError(
            f"{site_dir} is not a built site (no jupyter-lite.json): "
            "run `jupyter lite build` first."
        )
    handler = type(
        "BoundSiteRequestHandler",
        (SiteRequestHandler,),
        {
            "isolated": isolated,
            "memory_files": dict(memory_files or {}),
            "trusted_hosts": TrustedHosts.for_server(host),
        },
    )
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(site_dir))
    )
    server.daemon_threads = True
    server.verbose = verbose
    return server


def serve_in_thread(server: http.server.ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def server_url(server: http.server.ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"
