"""The data folder holds the URL-signing secret and every model: the owner's only."""

import logging
import os
import stat
from pathlib import Path

import pytest

from luml_notebooks.local_registry import RegistryStore

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@pytest.fixture(autouse=True)
def usual_umask():
    """The common default, which lets everyone read new files."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def readable_by_others(root: Path) -> dict[str, str]:
    return {name: oct(mode) for name, mode in modes(root).items() if mode & 0o077}


def push_with_a_part_pending(make_client, data_dir, api_for, luml_file) -> None:
    """A whole file, plus a multipart upload with one part stored."""
    key = RegistryStore(data_dir).ensure_bootstrap()
    small = luml_file(b"small")
    big = luml_file(os.urandom(len(small)))
    client = make_client(
        data_dir, multipart_threshold=len(small), multipart_part_size=len(small)
    )
    api = api_for(client, key)
    api.push(small)
    _, plan = api.start_multipart(big)
    part = plan["parts"][0]
    chunk = big[part["start_byte"] : part["end_byte"] + 1]
    assert api.client.put(part["url"], content=chunk).status_code == 200
    client.close()


def test_new_data_is_private(make_client, data_dir, api_for, luml_file):
    push_with_a_part_pending(make_client, data_dir, api_for, luml_file)

    found = modes(data_dir)
    assert "registry.sqlite3" in found
    assert any(name.startswith("blobs/objects/") for name in found)
    assert any(name.startswith("blobs/multipart/") for name in found)
    assert readable_by_others(data_dir) == {}
    for name, mode in found.items():
        is_dir = (data_dir / name).is_dir()
        assert mode == (0o700 if is_dir else 0o600), (name, oct(mode))


def test_data_left_readable_is_made_private_with_a_warning(
    make_client, data_dir, api_for, luml_file, caplog
):
    push_with_a_part_pending(make_client, data_dir, api_for, luml_file)
    # as an earlier release left it
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    with caplog.at_level(logging.WARNING):
        RegistryStore(data_dir)

    assert readable_by_others(data_dir) == {}
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(data_dir) in warning.getMessage()
    assert "other users" in warning.getMessage()

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        RegistryStore(data_dir)  # nothing left to fix, nothing to say
    assert not caplog.records
