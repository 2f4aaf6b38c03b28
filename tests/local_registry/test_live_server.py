"""The registry under a real uvicorn: concurrency, and the CLI end to end."""

import argparse
import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from luml_notebooks.local_registry import create_app
from luml_notebooks.local_registry.cli import add_registry_parser, is_loopback, serve

SRC = Path(__file__).resolve().parents[2] / "src"


def test_twenty_concurrent_uploads(
    data_dir, bootstrap_key, live_server, luml_file, api_for
):
    files = [luml_file(os.urandom(50_000 + i * 7_919)) for i in range(20)]
    with live_server(create_app(data_dir)) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            api = api_for(client, bootstrap_key)

            def push(data: bytes) -> dict:
                # One connection per thread, as separate browsers/clients would.
                with httpx.Client(base_url=server.url, timeout=60) as own:
                    return api_for(own, bootstrap_key).push(data)

            with ThreadPoolExecutor(max_workers=20) as pool:
                pushed = list(pool.map(push, files))

            assert len({artifact["id"] for artifact in pushed}) == 20
            for artifact, data in zip(pushed, files, strict=True):
                assert artifact["status"] == "uploaded"
                assert hashlib.sha256(api.download(artifact["id"])).hexdigest() == (
                    hashlib.sha256(data).hexdigest()
                )
            listed = api.get(api.collection_path() + "/artifacts").json()
            assert len(listed["items"]) == 20

    objects = [p for p in (data_dir / "blobs" / "objects").rglob("*") if p.is_file()]
    on_disk = {hashlib.sha256(path.read_bytes()).hexdigest() for path in objects}
    assert on_disk == {hashlib.sha256(data).hexdigest() for data in files}
    assert not list((data_dir / "blobs" / "tmp").iterdir())


def test_concurrent_puts_of_one_artifact(
    data_dir, bootstrap_key, live_server, luml_file, api_for
):
    data = luml_file(os.urandom(200_000))
    with live_server(create_app(data_dir)) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            api = api_for(client, bootstrap_key)
            created = api.create(data)
            url = created["upload_details"]["url"]
            bodies = [data, data[:-1] + b"?", data, data[:1000], data]
            with ThreadPoolExecutor(max_workers=5) as pool:
                codes = list(
                    pool.map(lambda b: httpx.put(url, content=b).status_code, bodies)
                )
            assert codes == [200, 400, 200, 400, 200]
            assert api.set_status(created["artifact"]["id"], "uploaded").is_success
            assert api.download(created["artifact"]["id"]) == data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_cli(*args: str, **kwargs) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "luml_notebooks.local_registry", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_cli_serve_prints_a_key_once_and_create_key_works(tmp_path):
    data_dir, port = tmp_path / "cli-data", _free_port()
    url = f"http://127.0.0.1:{port}"

    def start() -> tuple[subprocess.Popen, list[str]]:
        process = _run_cli("serve", "--port", str(port), "--data-dir", str(data_dir))
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith(("New API key", "Use an existing")):
                break
        for _ in range(300):
            try:
                if httpx.get(url + "/").status_code == 200:
                    return process, lines
            except httpx.TransportError:
                time.sleep(0.05)
        process.kill()
        raise AssertionError(f"server did not come up: {lines} {process.stderr.read()}")

    def stop(process: subprocess.Popen) -> None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    process, lines = start()
    try:
        assert lines[0].strip() == f"LUML Registry: {url}"
        key = re.search(r"(dfs_\S+)", "".join(lines)).group(1)
        headers = {"Authorization": f"Bearer {key}"}
        assert (
            httpx.get(url + "/v1/auth/api-keys/validate", headers=headers).status_code
            == 204
        )
        # A key made while the server runs works at once.
        made = _run_cli("create-key", "--data-dir", str(data_dir))
        out, err = made.communicate(timeout=30)
        assert made.returncode == 0, err
        new_key = out.strip()
        assert new_key.startswith("dfs_") and new_key != key
        response = httpx.get(
            url + "/v1/auth/api-keys/validate",
            headers={"Authorization": f"Bearer {new_key}"},
        )
        assert response.status_code == 204
    finally:
        stop(process)
    assert process.returncode is not None

    process, lines = start()
    try:
        assert "Use an existing API key" in "".join(lines)
        assert "dfs_" not in "".join(lines)
    finally:
        stop(process)


def test_cli_refuses_a_public_host_unless_explicit(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    with pytest.raises(ValueError, match=r"Refusing to listen on 0\.0\.0\.0"):
        serve(tmp_path / "data", "0.0.0.0", 0)
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_registry_parser_wiring():
    parser = argparse.ArgumentParser(prog="luml-notebooks")
    add_registry_parser(parser.add_subparsers(dest="command"))

    bare = parser.parse_args(["registry"])
    assert bare.handler.__name__ == "_serve_command"
    assert (bare.host, bare.port, bare.data_dir) == (None, 8765, None)

    served = parser.parse_args(
        ["registry", "serve", "--port", "9000", "--host", "0.0.0.0"]
    )
    assert served.handler.__name__ == "_serve_command"
    assert (served.host, served.port) == ("0.0.0.0", 9000)
    before = parser.parse_args(["registry", "--port", "9001", "serve"])
    assert before.port == 9001

    key = parser.parse_args(["registry", "create-key", "--data-dir", "/d"])
    assert key.handler.__name__ == "_create_key_command"
    assert key.data_dir == Path("/d") and key.org is None
