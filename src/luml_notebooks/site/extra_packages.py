"""Packages an operator adds to the site: requirements and local wheel files.

``{"LumlNotebooksAddon": {"extra_packages": ["tabulate==0.9.0",
"./wheels/mypkg-1.0-py3-none-any.whl"]}}``: requirements are downloaded with pip,
with their dependencies, as wheels that run in the kernel (pure Python, or built
for Pyodide's platform); wheel files are used as they are. Every added wheel goes
beside the runtime and into its ``pyodide-lock.json``, so the kernel imports it
with no network, and ``%pip install`` finds it in the site.

The download is cached under a key of the request and the runtime it extends, so
later builds ship exactly the same files until the request changes. The site
records what was added, from where, and the exact pins (``RECORD_FILE``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging import tags
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from . import pins, runtime

#: written last into a cached download: its presence means "complete"
MANIFEST = "luml-extra-packages.json"
#: what the site records about its added packages, beside its runtime
RECORD_FILE = MANIFEST
#: the source recorded for a wheel pip downloaded
INDEX_SOURCE = "package index"
#: what the manifest says of a package beyond its lock entry
RECORD_ONLY_KEYS = ("source", "requested_as")

_UNSATISFIED = re.compile(
    r"Could not find a version that satisfies the requirement (\S+) "
    r"\(from versions: ([^)]*)\)"
)
_SKIPPED_LINK = re.compile(r"Skipping link: .*?((?:https?|file)://\S+)")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9._-]+")
KERNEL_DESCRIPTION = (
    f"pure Python, or Python {pins.PYODIDE_PYTHON_VERSION} on {pins.PYODIDE_PLATFORM}"
)


class ExtraPackagesError(Exception):
    """The packages could not be added; the message is one line naming the package."""


@dataclass(frozen=True)
class Request:
    """What the operator asked for: requirements, and wheel files by their entry."""

    requirements: tuple[str, ...]
    wheels: tuple[tuple[str, Path], ...]

    @property
    def entries(self) -> list[str]:
        return [*self.requirements, *(entry for entry, _path in self.wheels)]


def parse(entries: Iterable[str], base: Path) -> Request:
    """Split the setting into requirements and wheel files (relative to ``base``)."""
    requirements: list[str] = []
    wheels: list[tuple[str, Path]] = []
    for raw in entries:
        entry = str(raw).strip()
        if entry.lower().endswith(".whl"):
            wheels.append((entry, _local_wheel(entry, base)))
            continue
        try:
            Requirement(entry)
        except InvalidRequirement:
            raise ExtraPackagesError(
                f"extra_packages: {entry!r} is neither a requirement "
                "(like tabulate==0.9.0) nor a .whl file"
            ) from None
        requirements.append(entry)
    return Request(tuple(requirements), tuple(wheels))


def _local_wheel(entry: str, base: Path) -> Path:
    path = (base / entry).resolve()
    if not path.is_file():
        raise ExtraPackagesError(
            f"extra_packages: the wheel {entry} does not exist "
            f"(relative paths start at {base})"
        )
    try:
        _name, _version, _build, wheel_tags = parse_wheel_filename(path.name)
    except InvalidWheelFilename:
        raise ExtraPackagesError(
            f"extra_packages: {path.name} is not a wheel's file name "
            "(name-version-python-abi-platform.whl)"
        ) from None
    if wheel_tags.isdisjoint(kernel_tags()):
        raise ExtraPackagesError(
            f"extra_packages: {path.name} does not run in the kernel: "
            f"it needs a wheel that is {KERNEL_DESCRIPTION}"
        )
    return path


def kernel_tags() -> frozenset[tags.Tag]:
    """The wheel tags the kernel's Python accepts."""
    version = tuple(int(p) for p in pins.PYODIDE_PYTHON_VERSION.split("."))
    platforms = [pins.PYODIDE_PLATFORM]
    return frozenset(
        [
            *tags.cpython_tags(version, [pins.PYODIDE_ABI], platforms),
            *tags.compatible_tags(version, pins.PYODIDE_ABI, platforms),
        ]
    )


def extras_dir(cache_dir: Path, request: Request, runtime_folder: Path) -> Path:
    """The cache folder of this request on top of this runtime."""
    key = json.dumps(
        [
            runtime_folder.name,
            sorted(request.requirements),
            sorted(
                (path.name, hashlib.sha256(path.read_bytes()).hexdigest())
                for _entry, path in request.wheels
            ),
        ]
    )
    return cache_dir / f"extra-packages-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def is_complete(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def ensure_extras(
    cache_dir: Path, request: Request, runtime_folder: Path, *, log=print
) -> Path:
    """Return the cached wheels of ``request``, downloading them if needed."""
    target = extras_dir(cache_dir, request, runtime_folder)
    if is_complete(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".extras-") as tmp:
        staged = Path(tmp) / "extras"
        log(f"[luml-notebooks] adding {', '.join(request.entries)} with pip")
        downloaded = download(request, runtime_folder, staged)
        manifest = describe(request, downloaded, runtime_folder)
        for wheel in downloaded:
            if wheel.name not in {p["file_name"] for p in manifest["packages"]}:
                wheel.unlink()
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    return target


def download(request: Request, runtime_folder: Path, dest: Path) -> list[Path]:
    """``pip download`` the request with its dependencies, for the kernel.

    The runtime's own wheels are offered to pip and its versions are constraints,
    so an added package reuses what the site ships and cannot move it.
    """
    dest.mkdir(parents=True)
    constraints = dest.parent / "constraints.txt"
    shipped = shipped_packages(runtime_folder)
    constraints.write_text(
        "".join(f"{name}=={entry['version']}\n" for name, entry in shipped.items()),
        encoding="utf-8",
    )
    links = sorted({str(runtime_folder), *(str(p.parent) for _e, p in request.wheels)})
    result = runtime.pip_download(
        dest,
        "--constraint",
        str(constraints),
        *(arg for link in links for arg in ("--find-links", link)),
        *request.requirements,
        *(str(path) for _entry, path in request.wheels),
    )
    if result.returncode != 0:
        raise ExtraPackagesError(pip_problem(result.stderr))
    return sorted(dest.glob("*.whl"))


def pip_problem(stderr: str) -> str:
    """One line for the operator from pip's failed download."""
    errors = [
        line.removeprefix("ERROR:").strip()
        for line in stderr.splitlines()
        if line.startswith("ERROR:")
    ]
    for line in errors:
        unsatisfied = _UNSATISFIED.search(line)
        if unsatisfied:
            return no_wheel_problem(*unsatisfied.groups())
    conflict = next((e for e in errors if e.startswith("Cannot install")), None)
    if conflict:
        return (
            f"extra_packages: {conflict.rstrip('.')} (the site's own packages stay "
            "at their pinned versions)"
        )
    return f"extra_packages: pip failed: {errors[-1] if errors else 'no error shown'}"


def no_wheel_problem(requirement: str, versions: str) -> str:
    """Tell a package the index lacks from one it has no kernel wheel of."""
    if versions != "none":
        listed = versions.split(", ")
        latest = ("..., " if len(listed) > 5 else "") + ", ".join(listed[-5:])
        return (
            f"extra_packages: no version of {requirement} has a wheel for the kernel "
            f"({KERNEL_DESCRIPTION}); versions that have one: {latest}"
        )
    name = _PROJECT_NAME.match(requirement).group(0)
    if not project_has_files(name):
        return (
            f"extra_packages: {name} was not found on the package index: check its name"
        )
    return (
        f"extra_packages: {requirement} has no wheel for the kernel "
        f"({KERNEL_DESCRIPTION}) on the package index: build a wheel and list its "
        ".whl file instead"
    )


def project_has_files(name: str) -> bool:
    """Whether the package index has any file of ``name``, for any platform."""
    with tempfile.TemporaryDirectory() as tmp:
        # pip lists the files it passes over only when it is very verbose
        result = runtime.pip_download(Path(tmp), "--no-deps", "-vvv", name)
    wanted = canonicalize_name(name)
    for link in _SKIPPED_LINK.findall(result.stdout + result.stderr):
        file_name = link.split("#", 1)[0].rsplit("/", 1)[-1]
        try:
            if file_name.endswith(".whl"):
                project = parse_wheel_filename(file_name)[0]
            else:
                project = parse_sdist_filename(file_name)[0]
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        if project == wanted:
            return True
    return False


def shipped_packages(runtime_folder: Path) -> dict[str, dict]:
    """The lock entries whose wheels are in the runtime folder."""
    lock = json.loads((runtime_folder / runtime.LOCK_FILE).read_text("utf-8"))
    return {
        name: entry
        for name, entry in sorted(lock["packages"].items())
        if "://" not in entry["file_name"]
    }


def describe(request: Request, wheels: Sequence[Path], runtime_folder: Path) -> dict:
    """The manifest of the added wheels: lock entries, sources and pins."""
    shipped = shipped_packages(runtime_folder)
    local = {path.name: entry for entry, path in request.wheels}
    requested = {
        str(canonicalize_name(Requirement(r).name)): r for r in request.requirements
    }
    packages = []
    for wheel in wheels:
        name = str(canonicalize_name(parse_wheel_filename(wheel.name)[0]))
        if name in shipped:
            if wheel.name in local and wheel.name != shipped[name]["file_name"]:
                raise ExtraPackagesError(
                    f"extra_packages: {local[wheel.name]} would replace {name} "
                    f"{shipped[name]['version']}, which the site already ships"
                )
            continue
        entry = runtime.lock_entry(wheel, None)
        packages.append(
            {
                **entry,
                "source": local.get(wheel.name, INDEX_SOURCE),
                "requested_as": local.get(wheel.name) or requested.get(name),
            }
        )
    added = {p["name"] for p in packages}
    for package in packages:
        missing = [d for d in package["depends"] if d not in added | set(shipped)]
        if missing:
            raise ExtraPackagesError(
                f"extra_packages: {package['name']} needs {', '.join(missing)} in "
                "the kernel, which pip did not download: add it to extra_packages"
            )
    return {
        "pyodide": pins.PYODIDE_VERSION,
        "requested": request.entries,
        "pins": [f"{p['name']}=={p['version']}" for p in packages],
        "packages": packages,
    }


def add_to_runtime(extras_folder: Path, runtime_out: Path) -> None:
    """Copy the added wheels beside a site's runtime and list them in its lock."""
    manifest = json.loads((extras_folder / MANIFEST).read_text("utf-8"))
    lock_path = runtime_out / runtime.LOCK_FILE
    lock = json.loads(lock_path.read_text("utf-8"))
    for package in manifest["packages"]:
        shutil.copy2(extras_folder / package["file_name"], runtime_out)
        entry = {k: v for k, v in package.items() if k not in RECORD_ONLY_KEYS}
        lock["packages"][package["name"]] = entry
    lock_path.write_text(json.dumps(lock, indent=1), encoding="utf-8")
    shutil.copy2(extras_folder / MANIFEST, runtime_out / RECORD_FILE)
