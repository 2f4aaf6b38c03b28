"""A full Pyodide distribution that an operator downloaded, as the runtime's base.

``{"LumlNotebooksAddon": {"pyodide_source": "pyodide-314.0.6.tar.bz2"}}`` (or the
unpacked folder): the site then ships the distribution's packages (numpy, pandas,
scikit-learn, ...) with the runtime, so the kernel loads them with no network.
The distribution must be the Pyodide release the kernel expects.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from . import pins, runtime

#: the file whose ``version`` says which release a distribution is
PACKAGE_JSON = "package.json"
ACCEPTED = "a Pyodide distribution: its .tar.bz2 archive or its unpacked folder"


class DistributionError(runtime.RuntimeFetchError):
    """The distribution cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Distribution:
    """An operator's Pyodide distribution: an archive or a folder."""

    path: Path

    @classmethod
    def from_setting(cls, value: str, base: Path) -> Distribution:
        """The distribution at ``value`` (relative to ``base``), or a clear error."""
        path = (base / value).expanduser().resolve()
        if not path.exists():
            raise DistributionError(
                f"LumlNotebooksAddon.pyodide_source {value!r}: no such file or "
                f"folder; give {ACCEPTED}"
            )
        if path.is_file() and not tarfile.is_tarfile(path):
            raise DistributionError(
                f"LumlNotebooksAddon.pyodide_source {value!r} is not an archive; "
                f"give {ACCEPTED}"
            )
        if path.is_dir() and _root(path) is None:
            raise DistributionError(
                f"LumlNotebooksAddon.pyodide_source {value!r} has no "
                f"{runtime.LOCK_FILE}; give {ACCEPTED}"
            )
        return cls(path)

    @property
    def key(self) -> str:
        """Changes when the archive, or the folder's lock and version, change."""
        files = [self.path] if self.path.is_file() else _identity_files(self.path)
        stats = [(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files]
        text = json.dumps(stats)
        return "dist-" + hashlib.sha256(text.encode()).hexdigest()[:12]

    def describe(self) -> dict:
        """What the site records about its base (no path of the build machine)."""
        return {"name": self.path.name, "version": pins.PYODIDE_VERSION}

    def unpack(self, dest: Path) -> Path:
        """The distribution's folder, checked: unpacked into ``dest`` if an archive."""
        if self.path.is_dir():
            folder = _root(self.path)
        else:
            dest.mkdir(parents=True)
            with tarfile.open(self.path) as archive:
                archive.extractall(dest, filter="data")
            folder = _root(dest)
        if folder is None:
            raise DistributionError(
                f"{self.path.name} holds no {runtime.LOCK_FILE}: give {ACCEPTED}"
            )
        check_version(folder, self.path.name)
        missing = [n for n in runtime.RUNTIME_FILES if not (folder / n).is_file()]
        if missing:
            raise DistributionError(
                f"{self.path.name} lacks {', '.join(missing)}: give the full "
                "distribution, not a part of it"
            )
        return folder


def check_version(folder: Path, label: str) -> None:
    """Fail unless the distribution is the release the kernel expects."""
    try:
        version = json.loads((folder / PACKAGE_JSON).read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise DistributionError(
            f"{label} does not say its Pyodide version (no {PACKAGE_JSON} with a "
            "version): give the official distribution of Pyodide "
            f"{pins.PYODIDE_VERSION}"
        ) from None
    if version != pins.PYODIDE_VERSION:
        raise DistributionError(
            f"{label} is Pyodide {version}, but the kernel needs Pyodide "
            f"{pins.PYODIDE_VERSION}: give the pyodide-{pins.PYODIDE_VERSION} "
            "distribution"
        )


def _root(folder: Path) -> Path | None:
    """The folder holding the lock: ``folder`` itself or its one subfolder."""
    if (folder / runtime.LOCK_FILE).is_file():
        return folder
    subfolders = [p for p in folder.iterdir() if p.is_dir()]
    if len(subfolders) == 1 and (subfolders[0] / runtime.LOCK_FILE).is_file():
        return subfolders[0]
    return None


def _identity_files(folder: Path) -> list[Path]:
    root = _root(folder) or folder
    return [p for p in (root / runtime.LOCK_FILE, root / PACKAGE_JSON) if p.exists()]
