"""Listing model files under a root folder and reading byte ranges of them.

Pure functions over the file system, free of tornado and of Jupyter, so they
are tested directly; the handlers only translate HTTP to these calls.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

#: the format's name and its legacy names, matched case-insensitively
MODEL_EXTENSIONS = (".luml", ".dfs", ".fnnx", ".pyfnx")

#: a listing stops here, so a huge tree cannot make one poll expensive
MAX_LISTED = 10_000

#: the largest range one request may ask for
MAX_RANGE_BYTES = 16 * 1024 * 1024


class OutsideRoot(ValueError):
    """The path leaves the root folder (or names a hidden file)."""


@dataclass(frozen=True)
class ListedModel:
    path: str
    size: int
    mtime: float

    def as_json(self) -> dict:
        modified = datetime.fromtimestamp(self.mtime, tz=timezone.utc)
        return {
            "path": self.path,
            "size": self.size,
            "last_modified": modified.isoformat().replace("+00:00", "Z"),
        }


def is_model_name(name: str) -> bool:
    lower = name.lower()
    return any(
        len(lower) > len(ext) and lower.endswith(ext) for ext in MODEL_EXTENSIONS
    )


def _is_hidden_entry(entry: os.DirEntry) -> bool:
    """Dot names, and files the OS marks hidden (what Jupyter's is_hidden checks)."""
    if entry.name.startswith("."):
        return True
    try:
        flags = entry.stat(follow_symlinks=False).st_flags  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False
    return bool(flags & getattr(stat, "UF_HIDDEN", 0))


def list_models(
    root: str | Path,
    *,
    allow_hidden: bool = False,
    should_list: Callable[[str], bool] | None = None,
    limit: int = MAX_LISTED,
) -> tuple[list[ListedModel], bool]:
    """Every model file under ``root``: (models sorted by path, truncated).

    Reads directory entries only, never file contents. Hidden files and
    folders are skipped unless ``allow_hidden``; ``should_list`` is the
    contents manager's name filter (its ``hide_globs``). Symbolic links are
    not followed, so nothing outside the root is listed.
    """
    root = Path(root)
    found: list[ListedModel] = []
    pending = [("", root)]
    truncated = False
    while pending and not truncated:
        rel_dir, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # unreadable or gone meanwhile
        for entry in entries:
            if not allow_hidden and _is_hidden_entry(entry):
                continue
            if should_list is not None and not should_list(entry.name):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((rel, Path(entry.path)))
                    continue
                if not (
                    is_model_name(entry.name) and entry.is_file(follow_symlinks=False)
                ):
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found.append(ListedModel(rel, info.st_size, info.st_mtime))
            if len(found) >= limit:
                truncated = True
                break
    found.sort(key=lambda m: m.path)
    return found, truncated


def resolve_inside(root: str | Path, path: str, *, allow_hidden: bool = False) -> Path:
    """The file ``path`` (relative, with ``/``) names under ``root``.

    Raises OutsideRoot for absolute paths, ``..`` escapes, links that lead
    out of the root, and hidden parts unless ``allow_hidden``.
    """
    root = Path(root).resolve()
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if path.startswith("/") or any(p == ".." for p in parts) or not parts:
        raise OutsideRoot(f"{path!r} is not a file under the server's root")
    if not allow_hidden and any(p.startswith(".") for p in parts):
        raise OutsideRoot(f"{path!r} is hidden")
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise OutsideRoot(f"{path!r} leads outside the server's root")
    return target


def read_range(file: Path, offset: int, length: int) -> tuple[bytes, int]:
    """Bytes [offset, offset + length) of ``file``, clipped to its end, and its size."""
    if offset < 0 or length < 0:
        raise ValueError("offset and length must not be negative")
    length = min(length, MAX_RANGE_BYTES)
    with open(file, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if offset >= size:
            return b"", size
        f.seek(offset)
        return f.read(min(length, size - offset)), size
