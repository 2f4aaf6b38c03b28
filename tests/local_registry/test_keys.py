"""API keys: a run's key lives only as long as the run; listing and revoking keys."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from luml_notebooks.local_registry import RegistryStore
from luml_notebooks.local_registry.background import BackgroundRegistry
from luml_notebooks.local_registry.errors import Unauthorized

SRC = Path(__file__).resolve().parents[2] / "src"

# What `luml-notebooks run` does around its site: the local Registry, a key
# for the run, and the cleanup; the site build and server are left out.
RUN_LIKE = """
import sys, time
from luml_notebooks.cli import run_with_local_registry, start_local_registry

local = start_local_registry(0, sys.argv[1])

def serve_until_stopped():
    # said once the run's signal handlers are in place, as a served site is
    print("SESSION", local[2], flush=True)
    while True:
        time.sleep(1)

run_with_local_registry(local, serve_until_stopped)
"""

# The same, up to the session key, for the code before sessions existed.
KILLED_RUN = """
import sys, time
from luml_notebooks.cli import start_local_registry

local = start_local_registry(0, sys.argv[1])
print("SESSION", local[2], flush=True)
while True:
    time.sleep(1)
"""


def _as_from_a_terminal() -> None:
    # A job started in the background inherits SIGINT ignored (so Ctrl+C in
    # its terminal leaves it alone), and Python then keeps ignoring it; the
    # test suite may run so. The runs here stand for one started in a
    # terminal, where Ctrl+C stops it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_run_like(script: str, data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    """The process, its session key, and the key printed for other clients."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-c", script, str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("SESSION "):
            first_key = next(w for w in "".join(lines).split() if w.startswith("dfs_"))
            return process, line.split()[1], first_key
    raise AssertionError("the run did not start:\n" + "".join(lines))


def validate(url: str, key: str) -> int:
    return httpx.get(
        url + "/v1/auth/api-keys/validate", headers={"Authorization": f"Bearer {key}"}
    ).status_code


def test_a_killed_runs_key_is_refused_after_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    process, session_key, first_key = start_run_like(KILLED_RUN, data_dir)
    process.kill()  # SIGKILL: no cleanup runs
    process.wait(timeout=30)
    process.stdout.close()
    with BackgroundRegistry(data_dir) as registry:
        assert validate(registry.url, session_key) == 401
        assert validate(registry.url, first_key) == 204


@pytest.mark.parametrize(
    "signum",
    [signal.SIGHUP, signal.SIGTERM, signal.SIGINT],
    ids=["SIGHUP", "SIGTERM", "SIGINT"],
)
def test_a_stopped_run_deletes_its_key(tmp_path, signum):
    data_dir = tmp_path / "data"
    process, session_key, _ = start_run_like(RUN_LIKE, data_dir)
    store = RegistryStore(data_dir)
    assert [k.session for k in store.keys.list_all()] == [False, True]
    process.send_signal(signum)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # where it hangs: faulthandler prints every thread's stack on SIGABRT
        process.send_signal(signal.SIGABRT)
        pytest.fail("the run did not stop:\n" + process.stdout.read()[-20000:])
    process.stdout.close()
    assert [k.session for k in store.keys.list_all()] == [False]
    with pytest.raises(Unauthorized):
        store.keys.authenticate(session_key)


def test_a_session_key_stops_working_when_its_run_dies(tmp_path):
    """Even on a Registry that was already running (another process's)."""
    data_dir = tmp_path / "data"
    RegistryStore(data_dir).ensure_bootstrap()
    with BackgroundRegistry(data_dir) as registry:
        process, session_key, _ = start_run_like(KILLED_RUN, data_dir)
        try:
            assert validate(registry.url, session_key) == 204
        finally:
            process.kill()
            process.wait(timeout=30)
            process.stdout.close()
        assert validate(registry.url, session_key) == 401
    assert [k.session for k in RegistryStore(data_dir).keys.list_all()] == [False]


def registry_cli(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "luml_notebooks.cli", "registry", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_list_keys_and_revoke_key_on_a_data_dir(tmp_path):
    data_dir = str(tmp_path / "data")
    first = RegistryStore(data_dir).ensure_bootstrap()
    made = registry_cli("create-key", "--name", "laptop", "--data-dir", data_dir)
    assert made.returncode == 0, made.stderr
    laptop = made.stdout.strip()

    listed = registry_cli("list-keys", "--data-dir", data_dir)
    assert listed.returncode == 0, listed.stderr
    assert first not in listed.stdout and laptop not in listed.stdout
    assert laptop[:10] in listed.stdout  # a prefix to recognise the key by
    keys = RegistryStore(data_dir).keys.list_all()
    assert [(k.name, k.session) for k in keys] == [
        ("first key", False),
        ("laptop", False),
    ]
    for key in keys:
        assert key.id in listed.stdout and key.created_at in listed.stdout
    assert "laptop" in listed.stdout

    revoked = registry_cli("revoke-key", keys[1].id, "--data-dir", data_dir)
    assert revoked.returncode == 0, revoked.stderr
    assert keys[1].id in revoked.stdout
    store = RegistryStore(data_dir)
    with pytest.raises(Unauthorized):
        store.keys.authenticate(laptop)
    assert store.keys.authenticate(first).key_id == keys[0].id

    again = registry_cli("revoke-key", keys[1].id, "--data-dir", data_dir)
    assert again.returncode == 1
    assert "list-keys" in again.stderr

    elsewhere = registry_cli("list-keys", "--data-dir", str(tmp_path / "none"))
    assert elsewhere.returncode == 1 and "--data-dir" in elsewhere.stderr
    assert not (tmp_path / "none").exists()


def test_a_version_1_database_gains_the_new_columns(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with sqlite3.connect(data_dir / "registry.sqlite3") as conn:
        conn.executescript(
            "CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL "
            "UNIQUE, user_id TEXT NOT NULL, organization_id TEXT NOT NULL, "
            "created_at TEXT NOT NULL);"
            "INSERT INTO api_keys VALUES ('old', 'hash', 'u', 'o', "
            "'2026-01-01T00:00:00Z');"
            "CREATE TABLE multipart_uploads (id TEXT PRIMARY KEY, artifact_id TEXT "
            "NOT NULL, part_size INTEGER NOT NULL, created_at TEXT NOT NULL);"
            "PRAGMA user_version = 1;"
        )
    store = RegistryStore(data_dir)
    [old] = store.keys.list_all()
    assert (old.id, old.name, old.prefix, old.session) == ("old", "", None, False)
    key = store.keys.create(name="new")
    assert store.keys.authenticate(key).key_id != "old"
    # opening it again is a no-op
    assert len(RegistryStore(data_dir).keys.list_all()) == 2
