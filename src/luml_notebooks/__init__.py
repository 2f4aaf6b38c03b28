"""LUML Notebooks: JupyterLab in the browser for machine-learning work on LUML."""

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths():
    """Where a server-backed JupyterLab finds the extension in a development install."""
    return [{"src": "labextension", "dest": "luml-notebooks"}]


def _jupyter_server_extension_points():
    """The server extension that lets a server-backed JupyterLab find models on disk."""
    return [{"module": "luml_notebooks.server_extension"}]
