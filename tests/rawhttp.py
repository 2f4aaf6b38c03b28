"""HTTP requests with exactly the Host header a test gives: what a browser
sends during DNS rebinding, which httpx and the like would correct."""

from __future__ import annotations

import http.client


def raw_request(
    port: int,
    path: str,
    host: str | None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Send to 127.0.0.1:``port`` with Host ``host`` (no Host when None)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
