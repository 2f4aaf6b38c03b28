"""Small real wheels and Pyodide distributions the tests make, as an operator's
own builds would be."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

from luml_notebooks.site import runtime


def make_wheel(
    folder: Path,
    name: str,
    version: str,
    files: dict[str, str],
    *,
    tag: str = "py3-none-any",
    requires: tuple[str, ...] = (),
) -> Path:
    """Write a valid wheel holding ``files`` (path -> text) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\n",
            f"Version: {version}\n",
            *(f"Requires-Dist: {r}\n" for r in requires),
        ]
    )
    pure = "true" if tag.endswith("-none-any") else "false"
    members = {
        **files,
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {pure}\n"
            f"Tag: {tag}\n"
        ),
    }
    record = []
    for path, text in members.items():
        digest = hashlib.sha256(text.encode()).digest()
        encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={encoded},{len(text.encode())}\n")
    record.append(f"{dist_info}/RECORD,,\n")
    wheel = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        # a fixed date: the same wheel has the same bytes (and cache key) every run
        for path, text in [*members.items(), (f"{dist_info}/RECORD", "".join(record))]:
            archive.writestr(zipfile.ZipInfo(path, (2026, 1, 1, 0, 0, 0)), text)
    return wheel


def make_distribution(
    folder: Path, extra_wheel: Path, *, version: str | None = None
) -> Path:
    """A small Pyodide distribution laid out like the official one: the npm
    runtime from the cache, ``extra_wheel`` beside it and in its lock, and the
    lock's other packages named by bare file names (absent here).

    Returns the distribution's folder (``folder/pyodide``)."""
    npm = runtime.runtime_dir(runtime.default_cache_dir())
    assert runtime.is_complete(npm), "build a site once to fetch the runtime"
    dist = folder / "pyodide"
    dist.mkdir(parents=True)
    for name in runtime.RUNTIME_FILES:
        shutil.copy2(npm / name, dist / name)
    lock = json.loads((dist / runtime.LOCK_FILE).read_text())
    for entry in lock["packages"].values():
        entry["file_name"] = entry["file_name"].rsplit("/", 1)[-1]
    shutil.copy2(extra_wheel, dist / extra_wheel.name)
    entry = runtime.lock_entry(dist / extra_wheel.name, None)
    lock["packages"][entry["name"]] = entry
    (dist / runtime.LOCK_FILE).write_text(json.dumps(lock))
    if version is not None:
        package = json.loads((dist / "package.json").read_text())
        (dist / "package.json").write_text(json.dumps({**package, "version": version}))
    return dist


def archive(folder: Path, dest: Path) -> Path:
    """``folder`` as a .tar.bz2 with ``folder``'s name at its top, like Pyodide's."""
    with tarfile.open(dest, "w:bz2") as tar:
        tar.add(folder, arcname=folder.name)
    return dest


def runtime_cache(tmp_path: Path) -> Path:
    """A cache holding the warm runtime, so only the extra packages are fetched."""
    cache = tmp_path / "cache"
    cache.mkdir()
    shared = runtime.runtime_dir(runtime.default_cache_dir())
    assert runtime.is_complete(shared), "build a site once to fetch the runtime"
    runtime.runtime_dir(cache).symlink_to(shared, target_is_directory=True)
    return cache
