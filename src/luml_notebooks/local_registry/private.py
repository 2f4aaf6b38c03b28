"""The data folder is its owner's alone: it holds the URL-signing secret and
every stored model. Modes are set explicitly, whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: the group's and everyone else's permission bits
SHARED_BITS = 0o077


def make_private_dir(path: Path) -> None:
    """``path`` and missing parents; only ``path`` itself is made private."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def open_private(path: Path) -> BinaryIO:
    """``path`` emptied or created for writing, readable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(path, flags, PRIVATE_FILE_MODE), "wb")


def touch_private(path: Path) -> None:
    """Create ``path`` empty and private unless it exists (SQLite then gives its
    journal files the same mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))


def make_private(root: Path) -> tuple[list[Path], list[Path]]:
    """Take the group's and others' permissions off ``root`` and everything in
    it (links are left alone): the paths changed, and those that could not be."""
    changed: list[Path] = []
    failed: list[Path] = []
    if os.name == "nt":
        return changed, failed  # no POSIX modes to fix there
    paths = [root]
    for folder, dirs, files in os.walk(root):
        paths.extend(Path(folder, name) for name in (*dirs, *files))
    for path in paths:
        try:
            info = path.lstat()
            if path.is_symlink() or not info.st_mode & SHARED_BITS:
                continue
            path.chmod(info.st_mode & 0o7777 & ~SHARED_BITS)
        except FileNotFoundError:
            continue  # removed meanwhile (a finished upload's temp file)
        except OSError:
            failed.append(path)
            continue
        changed.append(path)
    return changed, failed
