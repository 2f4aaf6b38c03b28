"""New row ids and timestamps, in the forms the platform's API shows them."""

import uuid
from datetime import datetime, timezone


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    """The current UTC time as ISO 8601 with a ``Z``, as rows store it."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def timestamp(iso: str) -> float:
    """Seconds since the epoch of a time that ``now()`` wrote."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
