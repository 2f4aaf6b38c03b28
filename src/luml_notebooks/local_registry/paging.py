"""Opaque cursors for keyset paging over creation order."""

import base64
import binascii
import json

from .errors import RegistryError

DEFAULT_ORDER = "desc"  # newest first, like the platform


def encode_cursor(seq: int, order: str) -> str:
    raw = json.dumps({"seq": seq, "order": order}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: str) -> int:
    """The creation sequence number the next page starts after."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        seq, cursor_order = int(data["seq"]), data["order"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise RegistryError(
            "Invalid cursor: pass the 'cursor' value of the previous page unchanged, "
            "or leave it out to start from the first page."
        ) from error
    if cursor_order != order:
        raise RegistryError(
            f"This cursor belongs to a listing in '{cursor_order}' order; "
            f"start again without a cursor to list in '{order}' order."
        )
    return seq


def check_order(order: str) -> str:
    if order not in ("asc", "desc"):
        raise RegistryError(f"order must be 'asc' or 'desc', not {order!r}.")
    return order


def check_sort_by(sort_by: str | None) -> None:
    if sort_by not in (None, "", "created_at"):
        raise RegistryError(
            f"Sorting by {sort_by!r} is not supported by the local registry: "
            "leave sort_by out or use 'created_at'."
        )
