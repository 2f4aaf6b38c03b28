"""Shared pieces for the local Registry tests: .luml files, API helpers, servers.

Helpers reach the tests through fixtures so no test imports this module.
"""

import hashlib
import io
import json
import socket
import tarfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette nudges TestClient users towards httpx2; irrelevant here.
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    from fastapi.testclient import TestClient

from luml_notebooks.local_registry import RegistryStore, create_app

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"

LOCAL_URL = "http://127.0.0.1"

MODEL_ROOT_FILES = (
    "dtypes.json",
    "env.json",
    "manifest.json",
    "meta.json",
    "ops.json",
    "variant_config.json",
)


def build_luml(
    payload: bytes = b"weights",
    *,
    root_files: tuple[str, ...] = MODEL_ROOT_FILES,
    name: str = "test-model",
) -> bytes:
    """A small but real .luml file: an uncompressed ustar with the root files."""
    ndjson = {"content_type": "NDJSON", "dtype": "Array[float]", "shape": ["batch"]}
    manifest = {
        "variant": "pyfunc",
        "name": name,
        "version": "1.0.0",
        "description": "",
        "producer_name": "luml-notebooks-tests",
        "producer_version": "0",
        "producer_tags": [],
        "inputs": [{"name": "x", **ndjson}],
        "outputs": [{"name": "y", **ndjson}],
        "dynamic_attributes": [],
        "env_vars": [],
    }
    members = {
        "manifest.json": json.dumps(manifest).encode(),
        "dtypes.json": b"{}",
        "env.json": b"{}",
        "variant_config.json": b"{}",
        "ops.json": b"{}",
        "meta.json": b"[]",
        "variant_artifacts/extra_files/payload.bin": payload,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for member, data in members.items():
            if member.endswith(".json") and member not in root_files:
                continue
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def artifact_body(data: bytes, file_name: str = "model.luml", **overrides: Any) -> dict:
    """The create-artifact request luml-api would send for ``data``."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            index = {m.name: [m.offset_data, m.size] for m in tar.getmembers()}
    except tarfile.TarError:
        index = {}
    body = {
        "file_name": file_name,
        "name": file_name.rsplit(".", 1)[0],
        "description": "from the tests",
        "extra_values": {"accuracy": 0.9},
        "manifest": {"variant": "pyfunc"},
        "file_hash": hashlib.sha256(data).hexdigest(),
        "file_index": index,
        "size": len(data),
        "tags": ["test"],
    }
    body.update(overrides)
    return body


class Api:
    """A key's view of the registry: its org, first orbit and first collection."""

    def __init__(self, client: httpx.Client | TestClient, key: str) -> None:
        self.client = client
        self.key = key
        self.headers = {"Authorization": f"Bearer {key}"}
        self.org = self.get("/v1/users/me/organizations").json()[0]["id"]
        self.orbit = self.get(f"/v1/organizations/{self.org}/orbits").json()[0]["id"]
        self.collection = self.get(self.orbit_path + "/collections").json()["items"][
            -1
        ]["id"]

    @property
    def orbit_path(self) -> str:
        return f"/v1/organizations/{self.org}/orbits/{self.orbit}"

    def collection_path(self, collection: str | None = None) -> str:
        return f"{self.orbit_path}/collections/{collection or self.collection}"

    def artifact_path(self, artifact_id: str, collection: str | None = None) -> str:
        return f"{self.collection_path(collection)}/artifacts/{artifact_id}"

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, headers=self.headers, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.patch(path, headers=self.headers, **kwargs)

    def create(self, data: bytes, collection: str | None = None, **body: Any) -> dict:
        response = self.post(
            self.collection_path(collection) + "/artifacts",
            json=artifact_body(data, **body),
        )
        assert response.status_code == 200, response.text
        return response.json()

    def set_status(self, artifact_id: str, status: str) -> httpx.Response:
        return self.patch(self.artifact_path(artifact_id), json={"status": status})

    def push(self, data: bytes, **body: Any) -> dict:
        """create, PUT and mark uploaded: the site's push."""
        created = self.create(data, **body)
        put = self.client.put(
            created["upload_details"]["url"],
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert put.status_code == 200, put.text
        done = self.set_status(created["artifact"]["id"], "uploaded")
        assert done.status_code == 200, done.text
        return done.json()

    def start_multipart(
        self, data: bytes, path: str = "/v1/bucket-secrets/upload/multipart"
    ) -> tuple[dict, dict]:
        """Create an artifact too large for one PUT, start its upload, and
        ask for the part URLs: (the artifact, the upload plan)."""
        created = self.create(data)
        details = created["upload_details"]
        assert details["multipart"] is True
        initiated = self.client.post(details["url"])
        assert initiated.status_code == 200, initiated.text
        upload_id = ElementTree.fromstring(initiated.content).find(
            f".//{S3_NS}UploadId"
        )
        assert upload_id is not None and upload_id.text
        urls = self.post(
            path,
            json={
                "bucket_id": details["bucket_secret_id"],
                "bucket_location": details["bucket_location"],
                "size": len(data),
                "upload_id": upload_id.text,
            },
        )
        assert urls.status_code == 200, urls.text
        return created["artifact"], urls.json()

    def download(self, artifact_id: str) -> bytes:
        url = self.get(self.artifact_path(artifact_id) + "/download-url").json()["url"]
        response = self.client.get(url)
        assert response.status_code == 200, response.text
        return response.content


class LiveServer:
    """uvicorn for real on 127.0.0.1 in a thread, on a port the OS picked."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
        )
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()
        assert not self._thread.is_alive(), "uvicorn did not stop"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "registry-data"


@pytest.fixture
def bootstrap_key(data_dir: Path) -> str:
    key = RegistryStore(data_dir).ensure_bootstrap()
    assert key is not None
    return key


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(data_dir: Path, **options: Any) -> TestClient:
        # a loopback name: the Registry refuses TestClient's "testserver"
        client = TestClient(create_app(data_dir, **options), base_url=LOCAL_URL)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient], data_dir: Path) -> TestClient:
    return make_client(data_dir)


@pytest.fixture
def api(client: TestClient, bootstrap_key: str) -> Api:
    return Api(client, bootstrap_key)


@pytest.fixture
def api_for() -> type[Api]:
    return Api


@pytest.fixture
def luml_file() -> Callable[..., bytes]:
    return build_luml


@pytest.fixture
def body_for() -> Callable[..., dict]:
    return artifact_body


@pytest.fixture
def live_server() -> Callable[[FastAPI], Any]:
    @contextmanager
    def start(app: FastAPI) -> Iterator[LiveServer]:
        with LiveServer(app) as server:
            yield server

    return start
