"""Where a local Registry keeps its data. Imports nothing of the Registry's
web stack, so the CLI can name the folder before the extra is known to be
installed."""

from __future__ import annotations

import os
from pathlib import Path

#: the SQLite database in the data folder (keys, catalog, the signing secret)
DATABASE_FILE = "registry.sqlite3"


def default_data_dir() -> Path:
    """Per-user data directory, following the XDG base directory spec."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "luml-notebooks" / "registry"
