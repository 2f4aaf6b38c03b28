"""The server extension: its pure listing and range reading, then over real HTTP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labserver import LabServer
from luml_notebooks.server_extension.files import (
    MAX_RANGE_BYTES,
    OutsideRoot,
    list_models,
    read_range,
    resolve_inside,
)

FIXTURE = Path(__file__).parent / "fixtures" / "luml" / "sklearn_basic.luml"


def make_tree(root: Path) -> None:
    (root / "models" / "deep").mkdir(parents=True)
    (root / "models" / "a.luml").write_bytes(b"x" * 10)
    (root / "models" / "deep" / "B.DFS").write_bytes(b"y" * 20)
    (root / "legacy.fnnx").write_bytes(b"z")
    (root / "notes.txt").write_text("not a model")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.luml").write_bytes(b"h")
    (root / ".dot.luml").write_bytes(b"h")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "cached.luml").write_bytes(b"c")
    (root / "folder.luml").mkdir()  # a folder named like a model


def test_lists_model_files_only_and_skips_hidden(tmp_path):
    make_tree(tmp_path)
    models, truncated = list_models(
        tmp_path, should_list=lambda name: name != "__pycache__"
    )
    assert not truncated
    assert [(m.path, m.size) for m in models] == [
        ("legacy.fnnx", 1),
        ("models/a.luml", 10),
        ("models/deep/B.DFS", 20),
    ]
    listed = models[1].as_json()
    assert listed["last_modified"].endswith("Z")
    assert set(listed) == {"path", "size", "last_modified"}

    with_hidden, _ = list_models(tmp_path, allow_hidden=True)
    paths = {m.path for m in with_hidden}
    assert {".hidden/secret.luml", ".dot.luml", "__pycache__/cached.luml"} <= paths


def test_listing_stops_at_the_limit(tmp_path):
    for i in range(5):
        (tmp_path / f"m{i}.luml").write_bytes(b"m")
    models, truncated = list_models(tmp_path, limit=3)
    assert truncated and len(models) == 3


def test_does_not_follow_links_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "escaped.luml").write_bytes(b"e")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    os.symlink(outside / "escaped.luml", root / "file-link.luml")
    assert list_models(root) == ([], False)
    with pytest.raises(OutsideRoot):
        resolve_inside(root, "file-link.luml")


@pytest.mark.parametrize(
    "path", ["../x.luml", "/etc/passwd", "a/../../x", "", ".hidden/secret.luml"]
)
def test_refuses_paths_outside_the_root_or_hidden(tmp_path, path):
    with pytest.raises(OutsideRoot):
        resolve_inside(tmp_path, path)


def test_reads_ranges_clipped_to_the_end(tmp_path):
    file = tmp_path / "m.luml"
    file.write_bytes(bytes(range(256)) * 4)
    assert read_range(file, 10, 5) == (bytes(range(10, 15)), 1024)
    assert read_range(file, 1020, 100) == (bytes(range(252, 256)), 1024)
    assert read_range(file, 5000, 10) == (b"", 1024)
    with pytest.raises(ValueError):
        read_range(file, -1, 10)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (MAX_RANGE_BYTES + 10))
    assert len(read_range(big, 0, MAX_RANGE_BYTES * 2)[0]) == MAX_RANGE_BYTES


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    make_tree(root)
    (root / "models" / "real.luml").write_bytes(FIXTURE.read_bytes())
    with LabServer(root, tmp_path_factory.mktemp("jupyter")) as server:
        yield server


def test_the_installed_server_answers_listing_and_ranges(lab_server):
    api = lab_server.api
    response = api.get("luml-notebooks/api/models")
    assert response.status_code == 200, lab_server.log()
    paths = [m["path"] for m in response.json()["models"]]
    # the contents manager's hide_globs keep __pycache__ out
    assert paths == [
        "legacy.fnnx",
        "models/a.luml",
        "models/deep/B.DFS",
        "models/real.luml",
    ]
    real = FIXTURE.read_bytes()
    response = api.get(
        "luml-notebooks/api/bytes",
        params={"path": "models/real.luml", "offset": 512, "length": 1000},
    )
    assert response.status_code == 200
    assert response.content == real[512:1512]
    assert response.headers["X-Luml-File-Size"] == str(len(real))
    assert response.headers["Content-Type"] == "application/octet-stream"
    # a hash of up to 16 MiB per answer, for a cache that no-store turns off
    assert "ETag" not in response.headers

    for path, status in [
        ("../outside.luml", 403),
        (".hidden/secret.luml", 403),
        ("models/missing.luml", 404),
    ]:
        response = api.get(
            "luml-notebooks/api/bytes", params={"path": path, "length": 10}
        )
        assert response.status_code == status, (path, response.text)


def test_the_endpoints_need_the_token(lab_server):
    import httpx

    for endpoint in ("models", "bytes?path=legacy.fnnx&length=1"):
        response = httpx.get(f"{lab_server.url}luml-notebooks/api/{endpoint}")
        assert response.status_code == 403, endpoint


# A server whose users may use it but not read its files: an Authorizer that
# refuses "read" on "contents", as a deployment's own rules might.
NO_FILE_READING = """
from jupyter_server.auth import Authorizer


class NoFileReading(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return not (resource == "contents" and action == "read")


c.ServerApp.authorizer_class = NoFileReading
"""


def test_a_user_who_may_not_read_files_is_refused(tmp_path):
    make_tree(tmp_path / "root")
    with LabServer(
        tmp_path / "root", tmp_path / "jupyter", server_config=NO_FILE_READING
    ) as server:
        # the server's own file reading is refused, and the extension's too
        assert server.api.get("api/contents/notes.txt").status_code == 403
        for endpoint in ("models", "bytes?path=legacy.fnnx&length=1"):
            response = server.api.get(f"luml-notebooks/api/{endpoint}")
            assert response.status_code == 403, (endpoint, response.text)
        assert "not authorized to read on resource: contents" in server.log()
