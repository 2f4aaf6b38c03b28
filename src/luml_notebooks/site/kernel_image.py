"""The kernel image: a Pyodide memory snapshot of the kernel already set up,
and its libraries' files, made once per runtime so that kernels start from it.

Made by ``make-kernel-image.mjs`` (built from ``labextension/src/kernel``) in
Node, from the runtime folder itself, and kept in that folder's ``kernel-image``
subfolder, so it is made again only when the runtime, the installed kernel
extension's wheels or the image format change. The site ships it beside
Pyodide with the kernel's loader (``luml-pyodide.mjs``), which starts Pyodide
from it and falls back to a plain start without it. Without Node the build
goes on without an image: kernels then start as in stock JupyterLite.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from jupyter_core.paths import jupyter_path
from packaging.utils import canonicalize_name

from . import pins, runtime

#: the folder beside ``pyodide.mjs`` (kernelImage.ts: KERNEL_IMAGE_FOLDER)
KERNEL_IMAGE_FOLDER = "kernel-image"
#: the manifest in it (kernelImage.ts: KERNEL_IMAGE_MANIFEST)
KERNEL_IMAGE_MANIFEST = "manifest.json"
#: (kernelImage.ts: KERNEL_IMAGE_FORMAT) a change makes every image again
KERNEL_IMAGE_FORMAT = 4
#: what the kernel's log says when a start used the image
#: (pyodideLoader.ts: STARTED_FROM_IMAGE)
STARTED_FROM_IMAGE = "Pyodide started from the kernel image"
#: added to it when the image was the copy a browser kept of it in its Cache
#: Storage cache (pyodideLoader.ts: FROM_KEPT_IMAGE; imageCache.ts:
#: KERNEL_IMAGE_CACHE)
FROM_KEPT_IMAGE = "kept by this browser"
KERNEL_IMAGE_CACHE = "luml-notebooks-kernel-image"
#: what the kernel's log says once that copy is whole (imageCache.ts: IMAGE_KEPT)
IMAGE_KEPT = "The kernel image is kept for the next start"
#: the kernel's loader, which the kernel's pyodideUrl names
LOADER_FILE = "luml-pyodide.mjs"
MAKER_FILE = "make-kernel-image.mjs"

#: what the kernel imports as it starts: imported into the snapshot, a start
#: skips them. ``pyodide_kernel`` makes the kernel's shell as it is imported.
#: Pure Python only: a snapshot restores memory, not the loaded code of a
#: compiled library.
IMAGE_IMPORTS = (
    "IPython",
    "jedi",
    "micropip",
    "piplite.piplite",
    "pyodide_kernel",
)

#: where the Pyodide kernel's extension keeps its own wheels, in the
#: labextensions folder of an environment and in a built site
KERNEL_EXTENSION_WHEELS = "@jupyterlite/pyodide-kernel-extension/static/pypi"
#: what the image was made from, beside its manifest: a change remakes it
INPUTS_FILE = "inputs.json"

#: Node runs the maker for 20 to 40 seconds; more means something is stuck
MAKE_TIMEOUT_SECONDS = 600


class KernelImageError(Exception):
    """The image could not be made; the message says why."""


def kernel_own_wheels(folder: Path) -> dict[str, Path]:
    """The kernel's own wheels (piplite, ipykernel, pyodide-kernel) in a
    folder of the kernel's extension, by package name."""
    found = {
        str(canonicalize_name(path.name.split("-")[0])): path
        for path in sorted(folder.glob("*.whl"))
    }
    return {name: found[name] for name in pins.KERNEL_OWN_PACKAGES if name in found}


def missing_own_wheels(wheels: dict[str, Path]) -> list[str]:
    """The kernel's own packages that ``wheels`` lacks."""
    return [name for name in pins.KERNEL_OWN_PACKAGES if name not in wheels]


def installed_kernel_wheels() -> dict[str, Path]:
    """The kernel's own wheels of the installed kernel extension: those a
    site built here ships."""
    for base in jupyter_path("labextensions"):
        wheels = kernel_own_wheels(Path(base) / KERNEL_EXTENSION_WHEELS)
        if wheels:
            return wheels
    return {}


def image_wheels(runtime_folder: Path) -> dict[str, Path]:
    """The packages whose files the image holds, and their wheels: the
    runtime's pure-Python wheels (the kernel's dependencies and the LUML
    libraries) and the kernel's own. A compiled one is left to load as the
    kernel starts: its code must be loaded, not only its memory restored."""
    manifest = json.loads((runtime_folder / runtime.RUNTIME_MANIFEST).read_text())
    wheels = {
        str(canonicalize_name(name)): runtime_folder / wheel
        for name, wheel in sorted(manifest["wheels"].items())
        if wheel.endswith("-none-any.whl")
    }
    return {**wheels, **installed_kernel_wheels()}


def image_inputs() -> dict:
    """What an image is made from, beyond its runtime folder: the kernel's own
    wheels (the installed kernel extension's may change) and the imports."""
    return {
        "kernelWheels": {
            name: hashlib.sha256(path.read_bytes()).hexdigest()
            for name, path in sorted(installed_kernel_wheels().items())
        },
        "imports": list(IMAGE_IMPORTS),
    }


def scripts_dir() -> Path:
    return Path(str(resources.files("luml_notebooks.site") / "kernel_js"))


def image_dir(runtime_folder: Path) -> Path:
    return runtime_folder / KERNEL_IMAGE_FOLDER


def is_current(folder: Path, inputs: dict | None = None) -> bool:
    """Whether ``folder`` holds a whole image of the current format (made from
    ``inputs``, when given)."""
    try:
        manifest = json.loads((folder / KERNEL_IMAGE_MANIFEST).read_text("utf-8"))
        made_from = json.loads((folder / INPUTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if inputs is not None and made_from != inputs:
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != KERNEL_IMAGE_FORMAT:
        return False
    files = [manifest.get("snapshot"), manifest.get("files")]
    return all(isinstance(name, str) and (folder / name).is_file() for name in files)


def node_command() -> str | None:
    return shutil.which("node")


def make_image(runtime_folder: Path, *, log=print) -> Path:
    """Make the image of ``runtime_folder`` (replacing an older one), return
    its folder. Raises KernelImageError with the reason when it cannot."""
    node = node_command()
    if node is None:
        raise KernelImageError(
            "Node.js is not installed, so kernels start without a kernel image "
            "(as in stock JupyterLite); install Node.js 18 or newer and build "
            "again for faster starts."
        )
    maker = scripts_dir() / MAKER_FILE
    if not maker.is_file():
        raise KernelImageError(f"this installation lacks {maker.name}")
    target = image_dir(runtime_folder)
    wheels = image_wheels(runtime_folder)
    missing = missing_own_wheels(wheels)
    if missing:
        raise KernelImageError(
            f"the installed Pyodide kernel extension lacks {', '.join(missing)}"
        )
    inputs = image_inputs()
    log("[luml-notebooks] making the kernel image (once per runtime)")
    with tempfile.TemporaryDirectory(dir=runtime_folder, prefix=".image-") as tmp:
        staged = Path(tmp) / KERNEL_IMAGE_FOLDER
        command = [
            node,
            str(maker),
            str(runtime_folder),
            str(staged),
            "--wheels",
            ",".join(f"{name}={path}" for name, path in wheels.items()),
            "--imports",
            ",".join(IMAGE_IMPORTS),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=MAKE_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired as error:
            raise KernelImageError(
                f"making the kernel image took over {MAKE_TIMEOUT_SECONDS} s"
            ) from error
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise KernelImageError(f"making the kernel image failed: {last[:300]}")
        (staged / INPUTS_FILE).write_text(json.dumps(inputs, indent=1), "utf-8")
        if not is_current(staged, inputs):
            raise KernelImageError("the kernel image was made incomplete")
        if target.exists():
            shutil.rmtree(target)
        # a rename is atomic: a half-made image is never seen as whole
        staged.rename(target)
    return target
