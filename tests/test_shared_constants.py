"""Rules that the extension (TypeScript) and the Python package both hold.

Each lives once per language; this test ties the two copies, so changing one
side alone fails here instead of in a user's browser.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from luml_notebooks.local_registry.context import MULTIPART_THRESHOLD
from luml_notebooks.server_extension.files import MODEL_EXTENSIONS
from luml_notebooks.server_extension.handlers import API_PATH
from luml_notebooks.site import addon, kernel_image, service_worker

TS_SOURCES = Path(__file__).resolve().parents[1] / "labextension" / "src"


def ts_constant(name: str):
    """The value of ``export const <name> = <literal>``, defined exactly once."""
    pattern = re.compile(
        rf"^export const {name}\s*=\s*(.+?)(?:\s+as const)?;$", re.M | re.S
    )
    found = [
        (path, match.group(1))
        for path in TS_SOURCES.rglob("*.ts")
        if "__tests__" not in path.parts
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(found) == 1, f"{name} should have one home, found {found}"
    literal = found[0][1].replace("'", '"')
    # TypeScript numbers may carry separators (524_288_000), as Python's do
    return ast.literal_eval(literal)


@pytest.mark.parametrize(
    ("ts_name", "python_value"),
    [
        ("MODEL_EXTENSIONS", list(MODEL_EXTENSIONS)),
        ("MULTIPART_THRESHOLD", MULTIPART_THRESHOLD),
        ("DEFAULT_REGISTRY_URL", addon.DEFAULT_REGISTRY_URL),
        ("PRODUCT_NAME", addon.PRODUCT_NAME),
        ("SITE_SETTINGS_ID", addon.SITE_PLUGIN),
        ("REGISTRY_PLUGIN_ID", addon.REGISTRY_PLUGIN),
        ("DEFAULTS_SETTINGS_ID", addon.DEFAULTS_PLUGIN),
        ("SERVER_API", API_PATH),
        ("DOWNLOAD_ROUTE", service_worker.DOWNLOAD_ROUTE),
        ("DOWNLOAD_CHANNEL", service_worker.DOWNLOAD_CHANNEL),
        ("KERNEL_IMAGE_FOLDER", kernel_image.KERNEL_IMAGE_FOLDER),
        ("KERNEL_IMAGE_MANIFEST", kernel_image.KERNEL_IMAGE_MANIFEST),
        ("KERNEL_IMAGE_FORMAT", kernel_image.KERNEL_IMAGE_FORMAT),
        ("STARTED_FROM_IMAGE", kernel_image.STARTED_FROM_IMAGE),
        ("FROM_KEPT_IMAGE", kernel_image.FROM_KEPT_IMAGE),
        ("KERNEL_IMAGE_CACHE", kernel_image.KERNEL_IMAGE_CACHE),
        ("IMAGE_KEPT", kernel_image.IMAGE_KEPT),
    ],
)
def test_the_extension_and_the_package_agree(ts_name, python_value):
    assert ts_constant(ts_name) == python_value
