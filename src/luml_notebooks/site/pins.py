"""Every version the site build downloads, in one place.

The Pyodide kernel expects one Pyodide release; the Python wheels below are the
kernel's own dependencies at the versions in that release's lock file, plus the
LUML libraries and their pure-Python dependencies. Changing a pin here is all it
takes to ship another version (the runtime cache is keyed by these pins).
"""

from __future__ import annotations

#: the JupyterLite releases the site is tested with. The package accepts any
#: patch release of the same minor version (pyproject.toml); a build with
#: another one warns, since the Pyodide pin below follows the kernel's release
TESTED_JUPYTERLITE = {
    "jupyterlite-core": "0.8.6",
    "jupyterlite-pyodide-kernel": "0.8.6",
}

#: the npm package of the Pyodide runtime, the release the kernel expects
PYODIDE_NPM_PACKAGE = "pyodide"
PYODIDE_VERSION = "314.0.6"

#: what the downloaded wheels must run on: Pyodide's Python and platform
PYODIDE_PYTHON_VERSION = "3.14"
PYODIDE_ABI = "cp314"
PYODIDE_PLATFORM = "pyemscripten_2026_0_wasm32"

#: where Pyodide's own builds of packages we do not ship live (used only when a
#: user asks for such a package and only in the CDN mode or explicitly)
PYODIDE_CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full"

#: the kernel's Python dependencies, at the versions of Pyodide's lock
KERNEL_WHEELS = (
    "micropip==0.11.1",
    "ipython==9.12.0",
    "jedi==0.19.2",
    "parso==0.8.6",
    "traitlets==5.14.3",
    "pygments==2.20.0",
    "decorator==5.2.1",
    "asttokens==3.0.1",
    "executing==2.2.1",
    "pure-eval==0.2.3",
    "stack-data==0.6.3",
    "matplotlib-inline==0.2.1",
    "six==1.17.0",
    "wcwidth==0.6.0",
    "prompt-toolkit==3.0.52",
    # the kernel installs comm, which is neither in Pyodide's lock nor bundled
    "comm==0.2.3",
)

#: the LUML libraries, pre-installed in every kernel, and what they need
LUML_WHEELS = (
    "luml-sdk==0.4.0",
    "fnnx==0.0.13",
    "pyfnx-utils==0.0.2",
    "sqlparse==0.6.1",
    "cloudpickle==3.1.2",
    "pydantic==2.14.3",
    # the only compiled one: PyPI publishes it for Pyodide's platform
    "pydantic-core==2.50.4",
    "typing-extensions==4.16.0",
    "annotated-types==0.7.0",
    "typing-inspection==0.4.4",
)

#: the kernel's own packages, whose wheels the kernel's extension ships in the
#: site; the build adds them to the lock so that they can be preloaded
KERNEL_OWN_PACKAGES = ("piplite", "ipykernel", "pyodide-kernel")

#: packages loaded while Pyodide starts, so the kernel does not install them
#: one by one afterwards (with micropip, which takes seconds) and `import luml`
#: works in the first cell
PRELOADED_PACKAGES = (
    "micropip",
    "comm",
    "jedi",
    "ipython",
    *KERNEL_OWN_PACKAGES,
    "luml-sdk",
)


def untested_jupyterlite(installed=None) -> list[str]:
    """One line per installed JupyterLite package whose version differs from
    the tested one (``installed`` maps a distribution to its version)."""
    if installed is None:
        from importlib.metadata import version

        installed = {name: version(name) for name in TESTED_JUPYTERLITE}
    return [
        f"{name} {installed[name]} is installed; this site is tested with "
        f"{tested}: the vendored Pyodide {PYODIDE_VERSION} may not match its kernel"
        for name, tested in TESTED_JUPYTERLITE.items()
        if installed.get(name, tested) != tested
    ]


def all_wheel_pins() -> tuple[str, ...]:
    return (*KERNEL_WHEELS, *LUML_WHEELS)
