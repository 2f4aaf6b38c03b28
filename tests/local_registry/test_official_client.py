"""Contract test: the official ``luml-api`` client against the local Registry.

luml-api needs Python >= 3.12, so it runs in its own venv (cached outside the
repository, keyed by interpreter version) while the server runs here for real.
"""

import glob
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from luml_notebooks.local_registry import create_app

THRESHOLD = 100_000  # the big file goes multipart, the small one does not
PART_SIZE = 32_768

CLIENT_SCRIPT = r"""
import hashlib, json, sys

from luml_api import LumlClient

base_url, api_key, small, big, downloaded, out = sys.argv[1:]
client = LumlClient(base_url=base_url, api_key=api_key)
organizations = client.organizations.list()
orbits = client.orbits.list()
collections = client.collections.list()
first = client.artifacts.upload(
    small, name="Small model", description="contract", tags=["contract"]
)
second = client.artifacts.upload(big, name="Big model")
found = client.artifacts.get(first.id)
listed = list(client.artifacts.list_all(limit=1))
client.artifacts.download(second.id, file_path=downloaded)
with open(out, "w") as handle:
    json.dump(
        {
            "defaults": [client.organization, client.orbit, client.collection],
            "organizations": [o.model_dump() for o in organizations],
            "orbits": [o.model_dump() for o in orbits],
            "collections": [c.model_dump() for c in collections.items],
            "cursor": collections.cursor,
            "uploaded": [a.model_dump(mode="json") for a in (first, second)],
            "found": found.model_dump(mode="json"),
            "listed": [a.id for a in listed],
        },
        handle,
    )
"""


def _version(python: str) -> tuple[int, ...] | None:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None  # e.g. a pyenv shim for a version that is not selected
    return tuple(int(part) for part in result.stdout.split())


def find_python_312() -> tuple[str, tuple[int, ...]] | None:
    candidates = [shutil.which(f"python3.{minor}") for minor in range(19, 11, -1)]
    try:
        root = subprocess.run(
            ["pyenv", "root"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        root = ""
    if root:
        pattern = os.path.join(root, "versions", "*", "bin", "python3.1[2-9]")
        candidates += sorted(glob.glob(pattern), reverse=True)
    for candidate in filter(None, candidates):
        version = _version(candidate)
        if version and version >= (3, 12):
            return candidate, version
    return None


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _works(venv: Path) -> bool:
    python = _venv_python(venv)
    return (
        python.exists()
        and _version(str(python)) is not None
        and (
            subprocess.run([python, "-c", "import luml_api"], timeout=60).returncode
            == 0
        )
    )


@pytest.fixture(scope="session")
def luml_api_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = find_python_312()
    if found is None:
        pytest.skip(
            "luml-api needs Python >= 3.12 and none was found "
            "(looked for python3.12+ on PATH and under `pyenv root`/versions)"
        )
    interpreter, version = found
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    cached = (
        Path(cache_home)
        / "luml-notebooks"
        / "test-venvs"
        / ("luml-api-py" + ".".join(map(str, version)))
    )
    if _works(cached):
        return _venv_python(cached)

    venv = tmp_path_factory.mktemp("luml-api") / "venv"
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [_venv_python(venv), "-m", "pip", "install", "-q", "luml-api"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, f"pip install luml-api failed:\n{install.stderr}"
    shutil.rmtree(cached, ignore_errors=True)
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.move(str(venv), str(cached))
    except OSError:
        return _venv_python(venv)  # the cache is only a speed-up
    return _venv_python(cached)


def test_official_client_lists_and_uploads(
    luml_api_python, tmp_path, data_dir, bootstrap_key, live_server, luml_file
):
    small = tmp_path / "small.luml"
    small.write_bytes(luml_file(b"small weights"))
    big = tmp_path / "big.luml"
    big.write_bytes(luml_file(os.urandom(150_000), name="big-model"))
    script = tmp_path / "contract.py"
    script.write_text(CLIENT_SCRIPT)
    out, downloaded = tmp_path / "out.json", tmp_path / "downloaded.luml"

    app = create_app(
        data_dir, multipart_threshold=THRESHOLD, multipart_part_size=PART_SIZE
    )
    calls: list[str] = []

    @app.middleware("http")
    async def record(request, call_next):
        calls.append(f"{request.method} {request.url.path}")
        return await call_next(request)

    with live_server(app) as server:
        run = subprocess.run(
            [
                *(luml_api_python, script, server.url, bootstrap_key),
                *(small, big, downloaded, out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())

    [org] = result["organizations"]
    assert org["name"] == "Local Organization"
    [orbit] = result["orbits"]
    assert orbit["organization_id"] == org["id"]
    [collection] = result["collections"]
    assert collection["type"] == "model" and result["cursor"] is None
    assert result["defaults"] == [org["id"], orbit["id"], collection["id"]]

    first, second = result["uploaded"]
    for artifact, path in ((first, small), (second, big)):
        assert artifact["status"] == "uploaded"
        assert artifact["type"] == "model"
        assert artifact["size"] == path.stat().st_size
        assert artifact["file_hash"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert set(artifact["file_index"]) >= {"manifest.json", "meta.json"}
    assert first["name"] == "Small model" and first["tags"] == ["contract"]
    assert result["found"]["id"] == first["id"]
    assert sorted(result["listed"]) == sorted([first["id"], second["id"]])
    assert downloaded.read_bytes() == big.read_bytes()

    # The big file really went through the multipart protocol.
    assert "POST /bucket-secrets/upload/multipart" in calls
    part_puts = [call for call in calls if call.startswith("PUT /storage/")]
    assert len(part_puts) == 1 + -(-big.stat().st_size // PART_SIZE)
    stored = [p for p in (data_dir / "blobs" / "objects").rglob("*") if p.is_file()]
    assert sorted(p.read_bytes() for p in stored) == sorted(
        [small.read_bytes(), big.read_bytes()]
    )
