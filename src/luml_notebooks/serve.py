"""Serve a built site on the loopback interface, cross-origin isolated.

The COOP/COEP headers make the page cross-origin isolated, so the kernel can
reach the browser's files through SharedArrayBuffer instead of the service
worker (see the README for which is faster).
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import threading
from pathlib import Path

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Browsers refuse to compile wasm or import modules served with a wrong type.
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/json", ".json")


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    isolated = True

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
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site_dir``; port 0 picks a free port."""
    if not (site_dir / "jupyter-lite.json").is_file():
        raise FileNotFoundError(
            f"{site_dir} is not a built site (no jupyter-lite.json): "
            "run `jupyter lite build` first."
        )
    handler = type(
        "BoundSiteRequestHandler",
        (SiteRequestHandler,),
        {"isolated": isolated},
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
