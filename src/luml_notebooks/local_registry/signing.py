"""Presigned storage URLs, so uploads and downloads need no API key.

Like S3's presigned URLs: the signature binds the HTTP method, the path and
every query parameter, and the URL stops working once it expires.
"""

import hashlib
import hmac
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from .errors import Forbidden

URL_TTL_SECONDS = 12 * 3600  # the platform's presigned URLs last 12 hours
EXPIRES = "X-Expires"
SIGNATURE = "X-Signature"


class UrlSigner:
    def __init__(self, key: bytes, ttl: int = URL_TTL_SECONDS) -> None:
        self._key = key
        self.ttl = ttl

    def _digest(self, method: str, path: str, params: Mapping[str, str]) -> str:
        canonical = "\n".join([method.upper(), path, urlencode(sorted(params.items()))])
        return hmac.new(self._key, canonical.encode(), hashlib.sha256).hexdigest()

    def query(self, method: str, path: str, params: Mapping[str, str]) -> str:
        """The query string that makes ``method path`` usable until expiry."""
        signed = {**params, EXPIRES: str(int(time.time()) + self.ttl)}
        return urlencode({**signed, SIGNATURE: self._digest(method, path, signed)})

    def verify(self, method: str, path: str, query: Mapping[str, str]) -> None:
        params = {k: v for k, v in query.items() if k != SIGNATURE}
        signature = query.get(SIGNATURE, "")
        expected = self._digest(method, path, params)
        if not hmac.compare_digest(signature, expected):
            raise Forbidden(
                "This storage URL is not valid for this request: use the exact URL "
                "the API returned, with the HTTP method it was issued for."
            )
        try:
            expires = int(params.get(EXPIRES, ""))
        except ValueError:
            expires = 0
        if expires < time.time():
            raise Forbidden(
                "This storage URL has expired: ask the API for a new one "
                "(create the artifact again, or request a new download URL)."
            )
