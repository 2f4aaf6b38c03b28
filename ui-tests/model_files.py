"""`.luml` files made in memory for browser tests and benchmarks.

The layout follows what `luml-sdk` writes (an uncompressed PAX tar with the six
root files, metadata, and an optional model card zip under `meta_artifacts/`).
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
import zipfile

CARD_ID = "dataforce.studio~c~~c~model_card~c~v1~~et~~0123456789abcdef0123456789abcdef"


def manifest(
    name: str = "sample",
    version: str = "1.0.0",
    description: str = "A sample model.",
    **fields,
) -> dict:
    base = {
        "variant": "pyfunc",
        "name": name,
        "version": version,
        "description": description,
        "producer_name": "luml.ai",
        "producer_version": "0.4.0",
        "producer_tags": ["luml.ai::sklearn:v1"],
        "inputs": [
            {
                "name": "x0",
                "content_type": "NDJSON",
                "dtype": "Array[float]",
                "shape": ["batch"],
            }
        ],
        "outputs": [
            {
                "name": "y",
                "content_type": "NDJSON",
                "dtype": "Array[float]",
                "shape": ["batch"],
            }
        ],
        "dynamic_attributes": [],
        "env_vars": [],
    }
    base.update(fields)
    return base


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1_700_000_000
    archive.addfile(info, io.BytesIO(data))


def model_file(
    man: dict | None = None,
    *,
    card_html: str | None = None,
    weights: bytes = b"",
    metrics: dict | None = None,
) -> bytes:
    """The bytes of a model file."""
    man = man if man is not None else manifest()
    meta = []
    if metrics:
        meta.append(
            {
                "id": "registry_metrics",
                "tags": ["dataforce.studio::registry_metrics:v1"],
                "payload": {"metrics": metrics},
            }
        )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "manifest.json", json.dumps(man).encode())
        _add(tar, "dtypes.json", b"{}")
        env = {"python3::conda_pip": {"python_version": "3.12.1", "dependencies": []}}
        _add(tar, "env.json", json.dumps(env).encode())
        _add(tar, "variant_config.json", b"{}")
        _add(tar, "ops.json", b"[]")
        _add(tar, "meta.json", json.dumps(meta).encode())
        if weights:
            _add(tar, "variant_artifacts/extra_files/weights.bin", weights)
        if card_html is not None:
            card = io.BytesIO()
            with zipfile.ZipFile(card, "w") as z:
                z.writestr("index.html", card_html)
            _add(tar, f"meta_artifacts/{CARD_ID}/model_card.zip", card.getvalue())
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
