"""A local LUML Registry: the platform's artifact API over SQLite and files.

It needs the ``registry`` extra (FastAPI, uvicorn, pydantic). Importing this
package does not: the CLI first asks ``missing_registry_extra()`` so that a
plain install says what to install instead of failing with a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util

__all__ = [
    "RegistryStore",
    "create_api_key",
    "create_app",
    "default_data_dir",
    "missing_registry_extra",
]

#: what ``pip install 'luml-notebooks[registry]'`` brings
REGISTRY_EXTRA_MODULES = ("fastapi", "uvicorn", "pydantic")

_LAZY = {
    "create_app": ".app",
    "RegistryStore": ".store",
    "create_api_key": ".store",
    "default_data_dir": ".datadir",
}


def missing_registry_extra() -> str | None:
    """One line saying what to install, or None when the extra is there."""
    missing = [
        name
        for name in REGISTRY_EXTRA_MODULES
        if importlib.util.find_spec(name) is None
    ]
    if not missing:
        return None
    return (
        f"the local Registry needs {', '.join(missing)}: "
        "pip install 'luml-notebooks[registry]'"
    )


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
