"""The JupyterLite addon: ``jupyter lite build`` makes a LUML Notebooks site.

It adds the default notebooks, vendors the Python runtime (Pyodide, the kernel's
wheels and the LUML libraries) so the site runs with no network, and writes the
site's settings into ``jupyter-lite.json``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import doit.exceptions
import doit.tools
from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_core.addons.contents import ContentsAddon
from jupyterlite_core.constants import JUPYTERLITE_JSON
from traitlets import Bool, List, Unicode

from .. import __version__
from . import (
    extra_packages,
    isolation,
    kernel_image,
    pages,
    pins,
    runtime,
    service_worker,
)
from .distribution import ACCEPTED, Distribution, DistributionError

PYODIDE_KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
SITE_PLUGIN = "luml-notebooks:site"
REGISTRY_PLUGIN = "luml-notebooks:registry"
DEFAULT_REGISTRY_URL = "https://api.luml.ai"
# served next to the site by `luml-notebooks run`, from memory (see cli.py)
LOCAL_REGISTRY_KEY_FILE = "luml-local-registry-key.json"
DEFAULTS_PLUGIN = "luml-notebooks:defaults"
#: the drive our luml-notebooks:storage-drive plugin replaces
JUPYTERLITE_DEFAULT_DRIVE = "@jupyterlite/services-extension:default-drive"
JUPYTERLITE_DOWNLOAD = "@jupyterlite/application-extension:download"
PRODUCT_NAME = "LUML Notebooks"
CONFIG_FILE = "jupyter_lite_config.json"
PYODIDE_SOURCES = ("vendored", "cdn")


class LumlNotebooksAddon(BaseAddon):
    """Turns a plain JupyterLite build into the complete LUML Notebooks site."""

    __all__ = ["status", "post_init", "build", "post_build", "check"]

    pyodide_source: str = Unicode(
        "vendored",
        help=(
            "Where the browser loads the Python runtime from: 'vendored' ships it "
            "inside the site (works offline, the default); 'cdn' loads it from "
            "Pyodide's CDN (smaller site, needs internet; the LUML libraries are "
            "then installed with %pip); or the path of a full Pyodide distribution "
            "(its .tar.bz2 archive or folder, the release the kernel expects), "
            "which is vendored with all its packages."
        ),
    ).tag(config=True)

    extra_packages: list = List(
        Unicode(),
        help=(
            "Packages added to the site's runtime, so the kernel imports them "
            "offline: requirements (like 'tabulate==0.9.0', downloaded with pip "
            "with their dependencies) and wheel files (paths relative to the lite "
            "dir). Needs the vendored runtime."
        ),
    ).tag(config=True)

    self_isolation: str = Unicode(
        isolation.OFF,
        help=(
            "For hosts that cannot send the COOP/COEP headers: the site's service "
            "worker adds them, so the page is cross-origin isolated anyway. "
            "'credentialless' (recommended: images from other sites still show), "
            "'require-corp', or 'off'."
        ),
    ).tag(config=True)

    default_notebooks: bool = Bool(
        True, help="Ship the LUML Notebooks default notebooks in every instance."
    ).tag(config=True)

    cache_dir: str = Unicode(
        "",
        help="Where downloaded runtime files are cached (default: the user cache).",
    ).tag(config=True)

    registry_url: str = Unicode(
        DEFAULT_REGISTRY_URL,
        help=(
            "The LUML Registry the site pushes models to (users can change it in "
            "the settings). The Registry must allow the site's origin (CORS)."
        ),
    ).tag(config=True)

    local_registry_key: bool = Bool(
        False,
        help=(
            "Let the site ask the server that serves it for the Registry's API "
            "key. Only `luml-notebooks run` serves one (for the local Registry it "
            "starts, from memory); elsewhere users set their own key."
        ),
    ).tag(config=True)

    aliases = {
        "luml-pyodide": "LumlNotebooksAddon.pyodide_source",
        "luml-registry-url": "LumlNotebooksAddon.registry_url",
    }

    def __init__(self, manager, *args, **kwargs):
        super().__init__(manager, *args, **kwargs)
        if self.default_notebooks:
            # first, so that the operator's own contents win on equal paths
            manager.contents = (bundled_content_dir(), *manager.contents)

    @property
    def vendored(self) -> bool:
        """Whether the site ships its runtime (from npm or a distribution)."""
        return self.pyodide_source != "cdn"

    @property
    def distribution(self) -> Distribution | None:
        """The operator's Pyodide distribution, if ``pyodide_source`` names one
        (an invalid one is reported by the config check)."""
        if self.pyodide_source in PYODIDE_SOURCES:
            return None
        try:
            return Distribution.from_setting(self.pyodide_source, self.manager.lite_dir)
        except DistributionError:
            return None

    @property
    def runtime_folder(self) -> Path:
        return runtime.runtime_dir(self.runtime_cache, self.distribution)

    @property
    def runtime_cache(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else runtime.default_cache_dir()

    @property
    def output_runtime(self) -> Path:
        return self.manager.output_dir / "static" / "pyodide"

    def status(self, manager):
        folder = self.runtime_folder
        yield self.task(
            name="runtime",
            actions=[
                lambda: print(f"    pyodide:  {self.pyodide_source}"),
                lambda: print(
                    f"    runtime:  {folder} "
                    f"({'ready' if runtime.is_complete(folder) else 'not fetched'})"
                ),
            ],
        )

    def post_init(self, manager):
        """Check the config, then fetch and assemble the runtime once."""
        # A problem found here fails the build with one clear line; errors raised
        # while addons load would only be logged, and the build would go on.
        yield self.task(
            name="config",
            doc="check the build config",
            actions=[self.check_config],
            uptodate=[False],
        )
        if not self.vendored:
            return
        folder = self.runtime_folder
        yield self.task(
            name="runtime:fetch",
            doc="fetch Pyodide and the kernel's wheels, make the kernel image",
            actions=[self.fetch_runtime, self.make_kernel_image],
            uptodate=[
                lambda: (
                    runtime.is_complete(folder)
                    and kernel_image.is_current(
                        kernel_image.image_dir(folder),
                        kernel_image.image_inputs(),
                    )
                )
            ],
        )
        if self.extra_packages:
            yield self.task(
                name="extra-packages:fetch",
                doc="download the operator's extra packages into the cache",
                actions=[self.fetch_extras],
                uptodate=[self.extras_are_fetched],
            )

    def build(self, manager):
        if not self.vendored:
            return
        folder = self.runtime_folder
        # source and place in the site: the runtime, its kernel image in a
        # folder of its own, the kernel's loader and the extra packages
        image = kernel_image.image_dir(folder)
        copies = [(p, p.name) for p in sorted(folder.glob("*")) if p.is_file()]
        copies += [(p, f"{image.name}/{p.name}") for p in sorted(image.glob("*"))]
        loader = kernel_image.scripts_dir() / kernel_image.LOADER_FILE
        copies.append((loader, loader.name))
        extras = self.extras_folder()
        if extras is not None:
            copies += [(p, p.name) for p in sorted(extras.glob("*")) if p.is_file()]
        yield self.task(
            name="runtime:copy",
            doc="copy the vendored runtime and the extra packages into the site",
            file_dep=[source for source, _ in copies],
            targets=[self.output_runtime / place for _, place in copies],
            uptodate=[doit.tools.config_changed({"extras": self.extra_packages})],
            actions=[(self.copy_runtime, [folder])],
        )

    def post_build(self, manager):
        config_path = manager.output_dir / JUPYTERLITE_JSON
        if self.vendored:
            yield self.task(
                name="runtime:kernel-wheels",
                doc="add the kernel's own wheels to the site's lock, to preload",
                file_dep=[config_path],
                # cheap, idempotent, and the lock may have been copied anew
                uptodate=[False],
                actions=[self.lock_kernel_wheels],
            )
        yield self.task(
            name=f"patch:{JUPYTERLITE_JSON}",
            doc="write the LUML Notebooks settings into the site config",
            file_dep=[config_path],
            uptodate=[doit.tools.config_changed(self.site_settings())],
            actions=[(self.patch_config, [config_path])],
        )
        yield self.task(
            name="pages",
            doc="add the instances page and the instance boot to the app pages",
            file_dep=[config_path],
            # cheap, idempotent, and the app pages may have been copied anew
            uptodate=[False],
            actions=[self.install_pages],
        )
        yield self.task(
            name="service-worker",
            doc="add streamed downloads (and isolation) to the service worker",
            file_dep=[config_path],
            # cheap, idempotent, and the service worker may have been copied anew
            uptodate=[False],
            actions=[self.install_service_worker],
        )
        if self.self_isolation != isolation.OFF:
            yield self.task(
                name="isolation",
                doc="make the app pages reload once into the isolating worker",
                file_dep=[config_path],
                uptodate=[False],
                actions=[self.install_isolation],
            )

    def check(self, manager):
        if not self.vendored:
            return
        yield self.task(
            name="runtime",
            doc="ensure every wheel of the vendored lock is in the site",
            actions=[self.check_runtime],
        )

    # task actions
    def check_config(self):
        problem = config_problem(self.manager.lite_dir / CONFIG_FILE)
        if problem is None and self.pyodide_source not in PYODIDE_SOURCES:
            problem = self.pyodide_source_problem()
        if problem is None:
            problem = registry_url_problem(self.registry_url)
        if problem is None:
            problem = isolation.policy_problem(self.self_isolation)
        if problem is None and self.extra_packages:
            problem = self.extra_packages_problem()
        if problem:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {problem}")
        for warning in pins.untested_jupyterlite():
            self.log.warning(f"[luml-notebooks] {warning}")
        return True

    def pyodide_source_problem(self) -> str | None:
        value = self.pyodide_source
        if "://" in value or not (self.manager.lite_dir / value).exists():
            return (
                f"LumlNotebooksAddon.pyodide_source is {value!r}; use one of: "
                f"{', '.join(PYODIDE_SOURCES)}, or the path of {ACCEPTED}"
            )
        try:
            Distribution.from_setting(value, self.manager.lite_dir)
        except DistributionError as error:
            return str(error)
        return None

    def fetch_runtime(self):
        try:
            runtime.ensure_runtime(
                self.runtime_cache, distribution=self.distribution, log=self.log.info
            )
        except runtime.RuntimeFetchError as error:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {error}")
        return True

    def make_kernel_image(self):
        # optional: without it kernels start as in stock JupyterLite
        try:
            kernel_image.make_image(self.runtime_folder, log=self.log.info)
        except kernel_image.KernelImageError as error:
            self.log.warning(f"[luml-notebooks] {error}")
        return True

    def lock_kernel_wheels(self):
        pypi = (
            self.manager.output_dir
            / "extensions"
            / kernel_image.KERNEL_EXTENSION_WHEELS
        )
        wheels = kernel_image.kernel_own_wheels(pypi)
        missing = kernel_image.missing_own_wheels(wheels)
        if missing:
            return doit.exceptions.TaskFailed(
                f"[luml-notebooks] the Pyodide kernel's extension in this site lacks "
                f"the wheels of {', '.join(missing)} (looked in {pypi}): reinstall "
                "jupyterlite-pyodide-kernel and build again."
            )
        runtime.lock_site_wheels(
            self.output_runtime, [wheels[name] for name in pins.KERNEL_OWN_PACKAGES]
        )
        return True

    def copy_runtime(self, folder: Path):
        missing = runtime.missing_files(folder)
        if missing or not runtime.is_complete(folder):
            return doit.exceptions.TaskFailed(
                f"[luml-notebooks] the vendored runtime in {folder} lacks "
                f"{', '.join(missing) or 'its manifest'}: delete that folder and "
                "build again to fetch it anew."
            )
        self.copy_one(folder, self.output_runtime)
        loader = kernel_image.scripts_dir() / kernel_image.LOADER_FILE
        self.copy_one(loader, self.output_runtime / loader.name)
        if self.extra_packages:
            extras = self.extras_folder()
            if extras is None or not extra_packages.is_complete(extras):
                return doit.exceptions.TaskFailed(
                    "[luml-notebooks] the extra packages were not fetched: build again."
                )
            extra_packages.add_to_runtime(extras, self.output_runtime)
        return True

    def fetch_extras(self):
        try:
            extra_packages.ensure_extras(
                self.runtime_cache,
                self.extras_request(),
                self.runtime_folder,
                log=self.log.info,
            )
        except extra_packages.ExtraPackagesError as error:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {error}")
        return True

    def extras_are_fetched(self) -> bool:
        folder = self.extras_folder()
        return folder is not None and extra_packages.is_complete(folder)

    def install_pages(self):
        try:
            pages.install_pages(self.manager.output_dir)
        except pages.PagesError as error:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {error}")
        return True

    def install_service_worker(self):
        blocks = []
        if self.self_isolation != isolation.OFF:
            blocks.append(isolation.worker_code(self.self_isolation))
        try:
            service_worker.install(self.manager.output_dir, *blocks)
        except service_worker.ServiceWorkerError as error:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {error}")
        return True

    def install_isolation(self):
        try:
            isolation.install_pages(self.manager.output_dir)
        except isolation.IsolationError as error:
            return doit.exceptions.TaskFailed(f"[luml-notebooks] {error}")
        return True

    def check_runtime(self):
        missing = runtime.missing_files(self.output_runtime)
        if missing:
            return doit.exceptions.TaskFailed(
                f"[luml-notebooks] the site's vendored runtime lacks "
                f"{', '.join(missing)}: build again with a clean output folder."
            )
        return True

    # the extra packages
    def extras_request(self) -> extra_packages.Request:
        return extra_packages.parse(self.extra_packages, self.manager.lite_dir)

    def extras_folder(self) -> Path | None:
        """The cache folder of the extra packages; None if there are none or the
        request is not valid (the config check says why)."""
        if not self.extra_packages:
            return None
        try:
            request = self.extras_request()
        except extra_packages.ExtraPackagesError:
            return None
        return extra_packages.extras_dir(
            self.runtime_cache, request, self.runtime_folder
        )

    def extra_packages_problem(self) -> str | None:
        if not self.vendored:
            return (
                "LumlNotebooksAddon.extra_packages needs the vendored runtime: "
                f"pyodide_source is {self.pyodide_source!r}"
            )
        try:
            self.extras_request()
        except extra_packages.ExtraPackagesError as error:
            return str(error)
        return None

    def site_settings(self) -> dict:
        """What the browser is told, keyed by plugin id, plus the app name."""
        kernel: dict = {}
        if self.vendored:
            kernel = {
                # our loader starts Pyodide from the kernel image, if any
                "pyodideUrl": f"./static/pyodide/{kernel_image.LOADER_FILE}",
                "disablePyPIFallback": True,
                "loadPyodideOptions": {"packages": list(pins.PRELOADED_PACKAGES)},
            }
        else:
            kernel = {"pyodideUrl": f"{pins.PYODIDE_CDN_URL}/pyodide.mjs"}
        return {
            "appName": PRODUCT_NAME,
            PYODIDE_KERNEL_PLUGIN: kernel,
            SITE_PLUGIN: {
                "siteVersion": __version__,
                "pyodideSource": "vendored" if self.vendored else "cdn",
            },
            REGISTRY_PLUGIN: self.registry_settings(),
            # the browser tells an edited default from a newer shipped one by these
            DEFAULTS_PLUGIN: {"files": shipped_file_hashes(self.manager)},
        }

    def registry_settings(self) -> dict:
        settings: dict = {"url": self.registry_url.strip().rstrip("/")}
        if self.local_registry_key:
            settings["localKey"] = True
        return settings

    def patch_config(self, config_path: Path):
        config = json.loads(config_path.read_text(encoding="utf-8"))
        data = config.setdefault("jupyter-config-data", {})
        settings = self.site_settings()
        data["appName"] = settings.pop("appName")
        # our chunked drive (luml-notebooks:storage-drive) and streamed
        # downloads (luml-notebooks:download) replace them
        disabled = data.setdefault("disabledExtensions", [])
        for replaced in (JUPYTERLITE_DEFAULT_DRIVE, JUPYTERLITE_DOWNLOAD):
            if replaced not in disabled:
                disabled.append(replaced)
        plugins = data.setdefault("litePluginSettings", {})
        for plugin_id, values in settings.items():
            plugins[plugin_id] = {**plugins.get(plugin_id, {}), **values}
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self.maybe_timestamp(config_path)
        return True


def config_problem(config_path: Path) -> str | None:
    """Why a build config cannot be used, in words an operator can act on."""
    if not config_path.is_file():
        return None
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return f"{config_path} is not UTF-8 text"
    except json.JSONDecodeError as error:
        return (
            f"{config_path} is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        )
    if not isinstance(config, dict):
        return f"{config_path} must hold a JSON object, not {type(config).__name__}"
    return None


def registry_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the site's Registry URL, for the operator."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"LumlNotebooksAddon.registry_url is {url!r}; use the Registry's "
            f"address, like {DEFAULT_REGISTRY_URL}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        return (
            "LumlNotebooksAddon.registry_url must be a plain address: no user, "
            "password, key, query or fragment (users set their API key in the site)"
        )
    return None


def shipped_file_hashes(manager) -> dict[str, str]:
    """The sha256 of every file the site ships as contents, by its path in the site.

    The contents addon decides what ships (the last contents folder wins, ignored
    patterns are left out), so ask it; hidden files are not listed to the browser.
    """
    contents = ContentsAddon(manager)
    hashes = {}
    for source, target in contents.file_src_dest:
        path = target.relative_to(contents.output_files_dir).as_posix()
        if any(part.startswith(".") for part in path.split("/")):
            continue
        hashes[path] = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return dict(sorted(hashes.items()))


def bundled_content_dir() -> Path:
    """The default notebooks shipped inside the package."""
    return Path(str(resources.files("luml_notebooks") / "default_content"))
