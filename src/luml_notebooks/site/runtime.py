"""The vendored Python runtime: Pyodide plus the wheels the kernel and LUML need.

Everything is fetched with the ordinary package clients (``npm pack`` for the
Pyodide runtime, ``pip download`` for the wheels) into a cache outside the
project, then assembled into one folder whose ``pyodide-lock.json`` describes
exactly the wheels beside it, with their real sha256 (PyPI's builds differ from
Pyodide's, and Pyodide checks integrity).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from . import pins

if TYPE_CHECKING:
    from .distribution import Distribution

LOCK_FILE = "pyodide-lock.json"
#: written last into an assembled runtime: its presence means "complete"
RUNTIME_MANIFEST = "luml-runtime.json"
#: the files of the npm package the browser needs (maps and docs stay out)
RUNTIME_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    LOCK_FILE,
    "package.json",
)
#: the environment Pyodide's wheels are evaluated in, for dependency markers
_PYODIDE_MARKERS = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "os_name": "posix",
    "python_version": pins.PYODIDE_PYTHON_VERSION,
    "python_full_version": f"{pins.PYODIDE_PYTHON_VERSION}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "platform_machine": "wasm32",
    "extra": "",
}


class RuntimeFetchError(Exception):
    """A runtime could not be fetched or assembled; the message says what to do."""


def default_cache_dir() -> Path:
    """Where downloads are kept between builds: never inside the project."""
    explicit = os.environ.get("LUML_NOTEBOOKS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "luml-notebooks"


def pins_key() -> str:
    """A short digest of every pin: a new pin means a new runtime folder."""
    text = json.dumps(
        [pins.PYODIDE_VERSION, pins.PYODIDE_PLATFORM, *pins.all_wheel_pins()]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def runtime_dir(cache_dir: Path, distribution: Distribution | None = None) -> Path:
    """The runtime's folder: Pyodide from npm, or the operator's distribution."""
    name = f"runtime-{pins.PYODIDE_VERSION}-{pins_key()}"
    return cache_dir / (f"{name}-{distribution.key}" if distribution else name)


def is_complete(folder: Path) -> bool:
    return (folder / RUNTIME_MANIFEST).is_file()


def missing_files(folder: Path) -> list[str]:
    """The runtime files and locked wheels that are not in ``folder``."""
    missing = [name for name in RUNTIME_FILES if not (folder / name).is_file()]
    if LOCK_FILE not in missing:
        lock = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
        missing += [
            entry["file_name"]
            for entry in lock["packages"].values()
            if "://" not in entry["file_name"]
            and not (folder / entry["file_name"]).is_file()
        ]
    return sorted(missing)


def ensure_runtime(
    cache_dir: Path, *, distribution: Distribution | None = None, log=print
) -> Path:
    """Return an assembled runtime folder, fetching and assembling it if needed.

    Its base is Pyodide from npm, or the operator's ``distribution``, whose
    packages are then shipped too.
    """
    target = runtime_dir(cache_dir, distribution)
    if is_complete(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".assembling-") as tmp:
        work = Path(tmp)
        if distribution is None:
            log(f"[luml-notebooks] fetching Pyodide {pins.PYODIDE_VERSION} with npm")
            base = fetch_pyodide_npm(work / "npm")
        else:
            log(f"[luml-notebooks] using the Pyodide distribution {distribution.path}")
            base = distribution.unpack(work / "distribution")
        wheels = cached_wheels(runtime_dir(cache_dir))
        if wheels is None:
            count = len(pins.all_wheel_pins())
            log(f"[luml-notebooks] fetching {count} wheels with pip")
            wheels = fetch_wheels(work / "wheels")
        staged = work / "runtime"
        assemble(base, wheels, staged)
        if distribution is not None:
            manifest = json.loads((staged / RUNTIME_MANIFEST).read_text("utf-8"))
            manifest["distribution"] = distribution.describe()
            (staged / RUNTIME_MANIFEST).write_text(json.dumps(manifest, indent=1))
        if target.exists():
            shutil.rmtree(target)
        # a rename is atomic: a half-assembled runtime is never seen as complete
        staged.rename(target)
    return target


def cached_wheels(folder: Path) -> dict[str, Path] | None:
    """The pinned wheels of a complete runtime, so another base reuses them."""
    if not is_complete(folder):
        return None
    manifest = json.loads((folder / RUNTIME_MANIFEST).read_text("utf-8"))
    return {name: folder / file for name, file in manifest["wheels"].items()}


def fetch_pyodide_npm(dest: Path) -> Path:
    """``npm pack`` the Pyodide release and unpack the files the browser needs."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeFetchError(
            "npm is needed to fetch the Pyodide runtime "
            f"({pins.PYODIDE_NPM_PACKAGE}@{pins.PYODIDE_VERSION}) but was not found "
            "on PATH. Install Node.js with npm, or set "
            '{"LumlNotebooksAddon": {"pyodide_source": "cdn"}} to load Pyodide '
            "from its CDN instead."
        )
    dest.mkdir(parents=True)
    spec = f"{pins.PYODIDE_NPM_PACKAGE}@{pins.PYODIDE_VERSION}"
    result = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(dest), "--silent"],
        capture_output=True,
        text=True,
    )
    tarballs = sorted(dest.glob("*.tgz"))
    if result.returncode != 0 or not tarballs:
        raise RuntimeFetchError(
            f"could not fetch {spec} with npm: "
            f"{_last_line(result.stderr) or 'no package was downloaded'}. "
            "Check the connection to the npm registry, or put a complete runtime "
            "in the cache (see the README)."
        )
    unpacked = dest / "package"
    with tarfile.open(tarballs[0]) as archive:
        for name in RUNTIME_FILES:
            try:
                member = archive.getmember(f"package/{name}")
            except KeyError as err:
                raise RuntimeFetchError(
                    f"{spec} from npm has no {name}: the release layout changed; "
                    "pin a Pyodide release the kernel supports."
                ) from err
            archive.extract(member, dest, filter="data")
    return unpacked


def fetch_wheels(dest: Path) -> dict[str, Path]:
    """``pip download`` every pinned wheel for Pyodide's Python and platform."""
    dest.mkdir(parents=True)
    result = pip_download(dest, "--no-deps", "--quiet", *pins.all_wheel_pins())
    wheels = {
        str(canonicalize_name(parse_wheel_filename(p.name)[0])): p
        for p in dest.glob("*.whl")
    }
    missing = [
        pin
        for pin in pins.all_wheel_pins()
        if str(canonicalize_name(pin.split("==")[0])) not in wheels
    ]
    if result.returncode != 0 or missing:
        raise RuntimeFetchError(
            "could not download the Python wheels for the in-browser kernel"
            f" ({', '.join(missing) or 'see pip output'}): "
            f"{_last_line(result.stderr) or 'pip failed'}. "
            "Check the connection to the Python package index."
        )
    return wheels


def pip_download(dest: Path, *args: str) -> subprocess.CompletedProcess:
    """``pip download`` wheels that run in the kernel: Pyodide's Python and platform
    (pure-Python wheels qualify too)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--only-binary=:all:",
        "--python-version",
        pins.PYODIDE_PYTHON_VERSION,
        "--implementation",
        "cp",
        "--abi",
        pins.PYODIDE_ABI,
        "--platform",
        pins.PYODIDE_PLATFORM,
        "--disable-pip-version-check",
        "--dest",
        str(dest),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True)


def assemble(base: Path, wheels: dict[str, Path], out: Path) -> None:
    """Lay out the runtime and write a lock that matches the shipped wheels.

    ``base`` is a Pyodide release: the npm package (no packages) or a full
    distribution (its packages beside its lock are shipped too).
    """
    out.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(base / name, out / name)
    lock = json.loads((base / LOCK_FILE).read_text(encoding="utf-8"))
    packages: dict = lock["packages"]
    for name, wheel in sorted(wheels.items()):
        shutil.copy2(wheel, out / wheel.name)
        packages[name] = lock_entry(wheel, packages.get(name))
    shipped = set(wheels)
    for name, entry in packages.items():
        if name not in shipped and (base / entry["file_name"]).is_file():
            shutil.copy2(base / entry["file_name"], out / entry["file_name"])
            shipped.add(name)
    for name, entry in packages.items():
        missing = [d for d in entry["depends"] if canonicalize_name(d) not in packages]
        if name in shipped and missing:
            raise RuntimeFetchError(
                f"{name} needs {', '.join(missing)}, which is neither pinned nor in "
                "Pyodide's lock: add it to luml_notebooks/site/pins.py."
            )
        if name not in shipped and "://" not in entry["file_name"]:
            # not shipped: only reachable from Pyodide's CDN, and only on request
            entry["file_name"] = f"{pins.PYODIDE_CDN_URL}/{entry['file_name']}"
    (out / LOCK_FILE).write_text(json.dumps(lock, indent=1), encoding="utf-8")
    manifest = {
        "pyodide": pins.PYODIDE_VERSION,
        "wheels": {name: wheel.name for name, wheel in sorted(wheels.items())},
    }
    (out / RUNTIME_MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")


def lock_site_wheels(folder: Path, wheels: list[Path]) -> None:
    """Add wheels that the site holds outside the runtime ``folder`` to its
    lock, by a path relative to the lock, so that Pyodide can load them as it
    starts (the kernel's own wheels, which its extension ships)."""
    path = folder / LOCK_FILE
    lock = json.loads(path.read_text(encoding="utf-8"))
    for wheel in wheels:
        entry = lock_entry(wheel, None)
        entry["file_name"] = Path(os.path.relpath(wheel, folder)).as_posix()
        lock["packages"][entry["name"]] = entry
    path.write_text(json.dumps(lock, indent=1), encoding="utf-8")


def lock_entry(wheel: Path, existing: dict | None) -> dict:
    """A ``pyodide-lock.json`` package entry for a wheel downloaded from PyPI."""
    name, version, _build, _tags = parse_wheel_filename(wheel.name)
    with zipfile.ZipFile(wheel) as archive:
        metadata = _wheel_metadata(archive)
        imports = existing["imports"] if existing else _top_level_imports(archive)
    depends = existing["depends"] if existing else _runtime_requirements(metadata)
    return {
        "name": str(canonicalize_name(name)),
        "version": str(version),
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
        "shared_library": False,
    }


def _wheel_metadata(archive: zipfile.ZipFile):
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    return Parser().parsestr(archive.read(name).decode("utf-8"))


def _runtime_requirements(metadata) -> list[str]:
    """Requirements that apply in Pyodide without any extra."""
    names = []
    for raw in metadata.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(raw)
        except InvalidRequirement:
            continue
        if requirement.marker and not requirement.marker.evaluate(_PYODIDE_MARKERS):
            continue
        names.append(str(canonicalize_name(requirement.name)))
    return sorted(set(names))


def _top_level_imports(archive: zipfile.ZipFile) -> list[str]:
    names = set()
    for member in archive.namelist():
        top = member.split("/", 1)[0]
        if ".dist-info" in top or ".data" in top:
            continue
        names.add(top.removesuffix(".py") if "/" not in member else top)
    return sorted(n for n in names if n.isidentifier())


def _last_line(text: str) -> str:
    """The most telling line of a tool's output: its last error, else its last line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    errors = [line for line in lines if "ERR" in line]
    return (errors or lines or [""])[-1]
