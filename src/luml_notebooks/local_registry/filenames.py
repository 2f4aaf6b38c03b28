"""An artifact's file name where it leaves the record: headers and locations.

The platform lets ``file_name`` hold ``/``, ``\\`` and ``..``. The record keeps
it as given; downloads and storage locations use only its last part, so no
client is told to save outside its downloads folder and no location nests
elsewhere.
"""

from __future__ import annotations

import re
from urllib.parse import quote

#: what a download is called when the file name has no usable last part
FALLBACK_NAME = "artifact"

_SEPARATORS = re.compile(r"[/\\]")


def base_name(file_name: str) -> str:
    """The last part of ``file_name`` after any ``/`` or ``\\``."""
    name = _SEPARATORS.split(file_name)[-1]
    return FALLBACK_NAME if name in ("", ".", "..") else name


def content_disposition(file_name: str) -> str:
    """An attachment header with the base name: a plain ASCII ``filename`` for
    old clients and the exact name RFC 5987-encoded in ``filename*``."""
    name = base_name(file_name)
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def storage_location(
    orbit_id: str, collection_id: str, uid: str, file_name: str
) -> str:
    """The platform's object key, ``orbit-…/collection-…/<uid>-<name>``."""
    return f"orbit-{orbit_id}/collection-{collection_id}/{uid}-{base_name(file_name)}"
