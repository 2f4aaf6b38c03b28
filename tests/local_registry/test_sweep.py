"""Abandoned uploads do not pile up: parts and temp files are swept when the
Registry starts, periodically, and when their artifact is deleted."""

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from luml_notebooks.local_registry.background import BackgroundRegistry

SRC = Path(__file__).resolve().parents[2] / "src"
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
PART_SIZE = 64 * 1024

SERVER = """
import sys, time
from luml_notebooks.local_registry.background import BackgroundRegistry

size = int(sys.argv[2])
registry = BackgroundRegistry(
    sys.argv[1], multipart_threshold=size, multipart_part_size=size
).start()
print(registry.url, flush=True)
while True:
    time.sleep(1)
"""


def start_multipart(api, data: bytes) -> tuple[dict, list[dict]]:
    """Create an artifact, start its multipart upload, PUT part 1."""
    artifact, plan = api.start_multipart(data)
    first = plan["parts"][0]
    chunk = data[first["start_byte"] : first["end_byte"] + 1]
    assert api.client.put(first["url"], content=chunk).status_code == 200
    return artifact, plan["parts"]


def leftovers(data_dir: Path) -> list[str]:
    blobs = data_dir / "blobs"
    return [
        str(path.relative_to(blobs))
        for folder in ("tmp", "multipart")
        for path in (blobs / folder).iterdir()
    ]


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def test_a_killed_servers_leftovers_are_swept_at_the_next_start(
    data_dir, bootstrap_key, api_for, luml_file
):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(data_dir), str(PART_SIZE)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    data = luml_file(os.urandom(3 * PART_SIZE))
    hold = threading.Event()

    def part_two_halfway(chunk: bytes) -> Iterator[bytes]:
        yield chunk[: len(chunk) // 2]
        hold.wait()  # until the server is gone

    try:
        url = server.stdout.readline().strip()
        with httpx.Client(base_url=url, timeout=60) as client:
            api = api_for(client, bootstrap_key)
            _, parts = start_multipart(api, data)
            second = parts[1]
            chunk = data[second["start_byte"] : second["end_byte"] + 1]

            def send() -> None:
                # fails one way or another: the server is killed as it reads
                with contextlib.suppress(Exception):
                    httpx.put(
                        second["url"],
                        content=part_two_halfway(chunk),
                        headers={"Content-Length": str(len(chunk))},
                        timeout=60,
                    )

            sender = threading.Thread(target=send)
            sender.start()
            wait_for(
                lambda: list((data_dir / "blobs" / "tmp").iterdir()), "a temp file"
            )
    finally:
        server.kill()  # kill -9, mid-upload
        server.wait(timeout=30)
        server.stdout.close()
        hold.set()
    sender.join(timeout=60)
    assert len(leftovers(data_dir)) == 2  # part 2's temp file, part 1's folder

    with BackgroundRegistry(
        data_dir,
        multipart_threshold=PART_SIZE,
        multipart_part_size=PART_SIZE,
        abandoned_after=0,
    ) as registry:
        assert leftovers(data_dir) == []  # swept before the first request
        refused = httpx.put(parts[2]["url"].replace(url, registry.url), content=b"")
        assert refused.status_code == 404  # the upload is gone with its parts


def test_abandoned_uploads_are_swept_periodically(data_dir, bootstrap_key):
    day = 24 * 3600
    with BackgroundRegistry(data_dir, abandoned_after=day, sweep_every=0.2):
        blobs = data_dir / "blobs"
        # what a server killed a day ago left, and what one writes right now
        old_temp, fresh_temp = blobs / "tmp" / "old.tmp", blobs / "tmp" / "new.tmp"
        old_parts = blobs / "multipart" / "0ld"
        old_parts.mkdir()
        for path in (old_temp, fresh_temp, old_parts / "00001"):
            path.write_bytes(b"part")
        long_ago = time.time() - day - 60
        for path in (old_temp, old_parts / "00001", old_parts):
            os.utime(path, (long_ago, long_ago))
        wait_for(lambda: not old_parts.exists(), "the periodic sweep")
        assert leftovers(data_dir) == ["tmp/new.tmp"]


def test_deleting_an_artifact_sweeps_its_upload(
    data_dir, bootstrap_key, api_for, luml_file
):
    with BackgroundRegistry(
        data_dir, multipart_threshold=PART_SIZE, multipart_part_size=PART_SIZE
    ) as registry:
        with httpx.Client(base_url=registry.url, timeout=60) as client:
            api = api_for(client, bootstrap_key)
            artifact, _ = start_multipart(api, luml_file(os.urandom(PART_SIZE * 2)))
            start_multipart(api, luml_file(os.urandom(PART_SIZE * 2)))
            assert len(leftovers(data_dir)) == 2
            path = api.artifact_path(artifact["id"])
            delete_url = api.get(path + "/delete-url").json()["url"]
            assert client.delete(delete_url).status_code == 204
            assert client.delete(path, headers=api.headers).status_code == 204
            # the other artifact's upload is still going on
            assert len(leftovers(data_dir)) == 1
