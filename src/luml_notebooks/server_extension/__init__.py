"""A small Jupyter server extension: model files on disk, listed and read in ranges.

A kernel writes files straight to disk, so the contents manager raises no change
events for them; the front end polls the cheap listing here instead, and reads
a model's metadata from byte ranges, never downloading the whole file.
"""

from __future__ import annotations

from .handlers import setup_handlers

__all__ = ["setup_handlers"]


def _load_jupyter_server_extension(serverapp) -> None:
    setup_handlers(serverapp.web_app)
    serverapp.log.info("LUML Notebooks: model listing at /luml-notebooks/api")
