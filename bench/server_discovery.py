"""Figures for model discovery with a Jupyter server: the package's server
extension (listing + byte ranges) against the contents API it replaces.

Prints figures side by side; it asserts nothing. Run from the repository root
after installing the package with its test extras:

    python bench/server_discovery.py [--folders 100] [--files 20] [--polls 10]

1. One poll of a tree with many files: our listing (one request) against a
   walk of every folder through the contents API (what ModelDiscovery does
   without the extension). Detecting a new file takes half the polling
   interval on average plus one poll, so the cost of a poll is what differs.
2. The metadata of a 50 MB model: bytes and requests when read in 64 KiB
   blocks from the bytes endpoint (what RangeByteSource does), against the
   contents API's base64 JSON and the raw /files/ download.
3. A new model file written to disk, until a poll lists it, at the default
   5 s interval: half an interval on average plus one poll (from 1.).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "ui-tests"))
from labserver import LabServer  # noqa: E402
from model_files import manifest, model_file  # noqa: E402

BLOCK = 64 * 1024


def make_tree(root: Path, folders: int, files: int) -> None:
    rng = random.Random(1)
    for f in range(folders):
        folder = root / f"project-{f // 10}" / f"run-{f}"
        folder.mkdir(parents=True)
        for i in range(files):
            (folder / f"data-{i}.csv").write_text("a,b\n1,2\n")
        if rng.random() < 0.2:
            (folder / "model.luml").write_bytes(model_file(manifest(f"m{f}")))


def walk_contents(api: httpx.Client) -> tuple[int, int, list[str]]:
    """Walk every folder through the contents API: requests, bytes, models."""
    requests = size = 0
    models: list[str] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        response = api.get(f"api/contents/{quote(folder)}", params={"content": 1})
        requests += 1
        size += len(response.content)
        for child in response.json()["content"]:
            if child["type"] == "directory":
                pending.append(child["path"])
            elif child["path"].endswith(".luml"):
                models.append(child["path"])
    return requests, size, models


def list_ours(api: httpx.Client) -> tuple[int, int, list[str]]:
    response = api.get("luml-notebooks/api/models")
    paths = [m["path"] for m in response.json()["models"]]
    return 1, len(response.content), paths


def timed(fn, polls: int):
    times = []
    for _ in range(polls):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


class RangeReader(io.RawIOBase):
    """A seekable file over the bytes endpoint, in cached 64 KiB blocks."""

    def __init__(self, api: httpx.Client, path: str) -> None:
        self.api, self.path = api, path
        self.requests = self.transferred = 0
        self.blocks: dict[int, bytes] = {}
        self.pos = 0
        self._block(0)

    def _block(self, index: int) -> bytes:
        if index not in self.blocks:
            response = self.api.get(
                "luml-notebooks/api/bytes",
                params={"path": self.path, "offset": index * BLOCK, "length": BLOCK},
            )
            self.requests += 1
            self.transferred += len(response.content)
            self.size = int(response.headers["X-Luml-File-Size"])
            self.blocks[index] = response.content
        return self.blocks[index]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = base + offset
        return self.pos

    def readinto(self, buffer) -> int:
        end = min(self.pos + len(buffer), self.size)
        out = bytearray()
        while self.pos + len(out) < end:
            at = self.pos + len(out)
            block = self._block(at // BLOCK)
            out += block[at % BLOCK : min(len(block), end - (at // BLOCK) * BLOCK)]
        buffer[: len(out)] = out
        self.pos += len(out)
        return len(out)


def read_metadata_ours(api: httpx.Client, path: str) -> tuple[int, int, str]:
    reader = RangeReader(api, path)
    # headers and the small JSON members only, as the front end's reader does
    with tarfile.open(fileobj=io.BufferedReader(reader, BLOCK), mode="r:") as tar:
        name = ""
        for member in tar:
            if member.name == "manifest.json":
                name = json.load(tar.extractfile(member))["name"]
    return reader.requests, reader.transferred, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--polls", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        make_tree(root, args.folders, args.files)
        weights = random.Random(2).randbytes(50 * 1024 * 1024)
        big = model_file(manifest("big"), weights=weights)
        (root / "big.luml").write_bytes(big)
        with LabServer(root, Path(tmp) / "jupyter") as server:
            api = server.api
            ours_t, (ours_n, ours_b, ours_models) = timed(
                lambda: list_ours(api), args.polls
            )
            walk_t, (walk_n, walk_b, walk_models) = timed(
                lambda: walk_contents(api), args.polls
            )
            assert sorted(ours_models) == sorted(walk_models)
            files = args.folders * args.files
            print(
                f"\n1. One poll: {args.folders} folders, {files} other files,"
                f" {len(ours_models)} models (median of {args.polls})"
            )
            print(f"  {'':30} {'extension':>12} {'contents API':>14}")
            print(f"  {'time':30} {ours_t * 1000:>10.1f}ms {walk_t * 1000:>12.1f}ms")
            print(f"  {'requests':30} {ours_n:>12} {walk_n:>14}")
            print(f"  {'bytes':30} {ours_b:>12,} {walk_b:>14,}")

            t0 = time.perf_counter()
            requests, transferred, name = read_metadata_ours(api, "big.luml")
            ours_read = time.perf_counter() - t0
            assert name == "big"
            t0 = time.perf_counter()
            response = api.get(
                "api/contents/big.luml",
                params={"content": 1, "format": "base64", "type": "file"},
            )
            contents_read = time.perf_counter() - t0
            contents_bytes = len(response.content)
            t0 = time.perf_counter()
            raw = api.get("files/big.luml")
            files_read = time.perf_counter() - t0
            assert raw.content == big
            print(f"\n2. Metadata of a {len(big) / 2**20:.1f} MiB model")
            print(f"  {'':12} {'requests':>9} {'bytes':>14} {'time':>10}")
            for what, n, size, took in [
                ("extension", requests, transferred, ours_read),
                ("contents", 1, contents_bytes, contents_read),
                ("/files/", 1, len(raw.content), files_read),
            ]:
                print(f"  {what:12} {n:>9} {size:>14,} {took * 1000:>8.0f}ms")

            # a write lands anywhere in the polling cycle: half an interval on
            # average, then one poll; with the walk, polls at 5 s would also
            # keep the server busy for the share printed here
            interval = 5.0
            print(f"\n3. New model file until listed, polling every {interval:.0f} s")
            print(f"  {'':30} {'extension':>12} {'contents API':>14}")
            for what, poll in [("mean", interval / 2), ("worst", interval)]:
                print(f"  {what:30} {poll + ours_t:>11.2f}s {poll + walk_t:>13.2f}s")
            print(
                f"  {'server busy':30} {ours_t / interval:>11.1%}"
                f" {walk_t / interval:>13.1%}"
            )


if __name__ == "__main__":
    main()
