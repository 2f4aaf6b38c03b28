"""Putting files into the open instance through JupyterLab's contents manager."""

from __future__ import annotations

import base64
import json

from playwright.sync_api import Page

_PUT_FILES = """async (files) => {
  const c = window.jupyterapp.serviceManager.contents;
  const ensure = async dir => {
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      try { await c.get(path); } catch { await c.save(path, { type: 'directory' }); }
    }
  };
  for (const f of files) {
    if (f.kind === 'folder') { await ensure(f.path); continue; }
    const slash = f.path.lastIndexOf('/');
    if (slash > 0) { await ensure(f.path.slice(0, slash)); }
    if (f.kind === 'notebook') {
      const content = JSON.parse(f.data);
      await c.save(f.path, { type: 'notebook', format: 'json', content });
    } else if (f.kind === 'text') {
      await c.save(f.path, { type: 'file', format: 'text', content: f.data });
    } else {
      await c.save(f.path, { type: 'file', format: 'base64', content: f.data });
    }
  }
}"""

#: a small notebook with an output and non-Latin text
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}],
            "source": ["print(6 * 7)  # Привет 🌍"],
        }
    ],
    "metadata": {"kernelspec": {"name": "python", "display_name": "Python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def code_notebook(*sources: str) -> dict:
    """A notebook of code cells, not run yet, for the Python kernel."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for source in sources
        ],
        "metadata": {"kernelspec": {"name": "python", "display_name": "Python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def put_files(page: Page, files: list[dict]) -> None:
    """Save files ({kind: notebook|text|binary|folder, path, data}), folders first."""
    payload = []
    for f in files:
        data = f.get("data")
        if f["kind"] == "binary":
            data = base64.b64encode(data).decode()
        elif f["kind"] == "notebook":
            data = json.dumps(data)
        payload.append({"kind": f["kind"], "path": f["path"], "data": data})
    page.evaluate(_PUT_FILES, payload)
